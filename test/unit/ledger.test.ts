// The pure ledger rules: balances, headroom and cap checks, the children's
// share, soft caps, status, and budget periods with their roll-over rows.
import { describe, expect, it } from 'vitest';
import {
  available,
  hardCapRoom,
  headroom,
  isPeriodOver,
  isTransactionType,
  nextRollOver,
  openPeriod,
  overrunRefusal,
  periodAllocated,
  periodEndAfter,
  periodStartAt,
  reserveRefusal,
  returnable,
  softCapCrossedAt,
  unallocated,
  utilization,
  walletStatus,
  type WalletAmounts,
} from '../../src/domain/ledger.js';
import { nanos } from '../../src/domain/money.js';

const at = (text: string): number => Date.parse(text);

const wallet = (over: Partial<WalletAmounts> = {}): WalletAmounts => ({ allocated: nanos(100n), spent: nanos(0n), reserved: nanos(0n), softCap: null, hardCap: null, ...over });

describe('balances', () => {
  it('allocated is the allocation plus this period’s credits less reclaims', () => {
    expect(periodAllocated(nanos(100n), nanos(0n))).toBe(100n);
    expect(periodAllocated(nanos(100n), nanos(25n))).toBe(125n);
    expect(periodAllocated(nanos(100n), nanos(-40n))).toBe(60n);
  });

  it('available = allocated − spent − reserved, exactly in nano-units', () => {
    expect(available(wallet({ allocated: nanos(10_000_000_000n), spent: nanos(1_234_500_000n), reserved: nanos(2_250_000n) }))).toBe(8_763_250_000n);
    expect(available(wallet({ allocated: nanos(0n) }))).toBe(0n);
    expect(available(wallet({ allocated: nanos(5n), spent: nanos(3n), reserved: nanos(2n) }))).toBe(0n);
  });

  it('hard-cap room is what more may be spent or held: null without a cap, negative once past it', () => {
    expect(hardCapRoom(wallet())).toBeNull();
    expect(hardCapRoom(wallet({ hardCap: nanos(90n), spent: nanos(30n), reserved: nanos(10n) }))).toBe(50n);
    expect(hardCapRoom(wallet({ hardCap: nanos(90n), spent: nanos(90n) }))).toBe(0n);
    expect(hardCapRoom(wallet({ hardCap: nanos(90n), spent: nanos(95n) }))).toBe(-5n);
  });

  it('unallocated is allocated less the children’s allocations; returnable is the smaller of that and available', () => {
    expect(unallocated(nanos(1000n), nanos(600n))).toBe(400n);
    expect(unallocated(nanos(1000n), nanos(0n))).toBe(1000n);
    const w = wallet({ allocated: nanos(1000n), spent: nanos(300n), reserved: nanos(100n) });
    expect(returnable(w, nanos(200n))).toBe(600n); // available is the limit
    expect(returnable(w, nanos(700n))).toBe(300n); // the children's share is
    expect(returnable(wallet({ allocated: nanos(10n), spent: nanos(10n) }), nanos(0n))).toBe(0n);
  });
});

describe('headroom and the cap checks', () => {
  it('takes the least of available and hard-cap room over the whole chain, never below zero', () => {
    expect(headroom([wallet({ allocated: nanos(100n), spent: nanos(20n) })])).toBe(80n);
    expect(headroom([wallet({ allocated: nanos(100n), hardCap: nanos(50n), spent: nanos(20n) })])).toBe(30n);
    expect(headroom([wallet({ allocated: nanos(100n) }), wallet({ allocated: nanos(500n), spent: nanos(480n) }), wallet({ allocated: nanos(1000n) })])).toBe(20n);
    expect(headroom([wallet({ allocated: nanos(100n) }), wallet({ allocated: nanos(500n), hardCap: nanos(400n), spent: nanos(390n), reserved: nanos(5n) })])).toBe(5n);
    expect(headroom([wallet({ allocated: nanos(100n), hardCap: nanos(10n), spent: nanos(30n) })])).toBe(0n);
    expect(headroom([])).toBe(0n);
  });

  it('checks every hard cap in the chain before any balance when reserving', () => {
    const shortTeam = wallet({ allocated: nanos(10n), spent: nanos(8n) }); // 2n available
    const cappedParent = wallet({ allocated: nanos(1000n), hardCap: nanos(100n), spent: nanos(97n) }); // 3n of cap room
    expect(reserveRefusal([shortTeam, cappedParent], nanos(5n))).toEqual({ index: 1, reason: 'hard_cap_exceeded' });
    expect(reserveRefusal([shortTeam, cappedParent], nanos(3n))).toEqual({ index: 0, reason: 'insufficient_funds' });
    expect(reserveRefusal([shortTeam, cappedParent], nanos(2n))).toBeUndefined();
    expect(reserveRefusal([wallet(), wallet({ allocated: nanos(1n) }), wallet({ allocated: nanos(0n) })], nanos(1n))).toEqual({ index: 2, reason: 'insufficient_funds' });
  });

  it('checks an overrun at settlement wallet by wallet, nearest first', () => {
    const shortTeam = wallet({ allocated: nanos(10n), spent: nanos(8n) });
    const cappedParent = wallet({ allocated: nanos(1000n), hardCap: nanos(100n), spent: nanos(97n) });
    expect(overrunRefusal([shortTeam, cappedParent], nanos(5n))).toEqual({ index: 0, reason: 'insufficient_funds' });
    expect(overrunRefusal([wallet({ hardCap: nanos(50n), spent: nanos(48n) }), wallet({ allocated: nanos(1n) })], nanos(3n))).toEqual({ index: 0, reason: 'hard_cap_exceeded' });
    expect(overrunRefusal([shortTeam, cappedParent], nanos(2n))).toBeUndefined();
  });

  it('refuses exactly the amounts above headroom, for every small chain (amounts are never zero)', () => {
    // Every chain of one to three wallets over a grid of balances and caps.
    const values = [0n, 3n, 7n].map(nanos);
    const singles: WalletAmounts[] = [];
    for (const allocated of [0n, 5n, 10n].map(nanos)) {
      for (const spent of values) {
        for (const reserved of values) {
          for (const hardCap of [null, nanos(6n), nanos(12n)]) singles.push(wallet({ allocated, spent, reserved, hardCap }));
        }
      }
    }
    const pick = (i: number): WalletAmounts => singles[i % singles.length] as WalletAmounts;
    let checked = 0;
    for (let i = 0; i < singles.length; i += 1) {
      for (const chain of [[pick(i)], [pick(i), pick(i * 7 + 3)], [pick(i), pick(i * 5 + 1), pick(i * 11 + 2)]]) {
        const room = headroom(chain);
        for (let amount = 1n; amount <= 15n; amount += 1n) {
          const fits = amount <= room;
          expect(reserveRefusal(chain, nanos(amount)) === undefined).toBe(fits);
          expect(overrunRefusal(chain, nanos(amount)) === undefined).toBe(fits);
          checked += 1;
        }
      }
    }
    expect(checked).toBe(singles.length * 3 * 15);
  });
});

describe('soft cap, status and utilization', () => {
  it('records the first crossing of the soft cap and clears it when spend falls below or the cap goes', () => {
    const t0 = at('2026-03-01T00:00:00Z');
    const t1 = at('2026-03-05T00:00:00Z');
    expect(softCapCrossedAt({ spent: nanos(79n), softCap: nanos(80n) }, null, t1)).toBeNull();
    expect(softCapCrossedAt({ spent: nanos(80n), softCap: nanos(80n) }, null, t1)).toBe(t1);
    expect(softCapCrossedAt({ spent: nanos(95n), softCap: nanos(80n) }, t0, t1)).toBe(t0);
    expect(softCapCrossedAt({ spent: nanos(95n), softCap: nanos(100n) }, t0, t1)).toBeNull();
    expect(softCapCrossedAt({ spent: nanos(95n), softCap: null }, t0, t1)).toBeNull();
  });

  it('status: blocked at the hard cap, depleted at zero, low past the soft cap or under 10 %, else healthy', () => {
    const cases: Array<[Partial<WalletAmounts>, string]> = [
      [{ allocated: nanos(100n), spent: nanos(10n) }, 'healthy'],
      [{ allocated: nanos(100n), spent: nanos(90n) }, 'healthy'], // exactly 10n % left
      [{ allocated: nanos(100n), spent: nanos(90n), reserved: nanos(1n) }, 'low'],
      [{ allocated: nanos(100n), spent: nanos(50n), softCap: nanos(50n) }, 'low'],
      [{ allocated: nanos(100n), spent: nanos(49n), softCap: nanos(50n) }, 'healthy'],
      [{ allocated: nanos(100n), spent: nanos(60n), reserved: nanos(40n) }, 'depleted'],
      [{ allocated: nanos(0n) }, 'depleted'],
      [{ allocated: nanos(100n), spent: nanos(30n), reserved: nanos(10n), hardCap: nanos(40n) }, 'blocked'],
      [{ allocated: nanos(100n), spent: nanos(100n), hardCap: nanos(200n) }, 'depleted'],
      [{ allocated: nanos(100n), spent: nanos(30n), reserved: nanos(9n), hardCap: nanos(40n) }, 'healthy'],
    ];
    for (const [w, status] of cases) expect({ w, status: walletStatus(wallet(w)) }).toEqual({ w, status });
  });

  it('utilization is (spent + reserved) / allocated', () => {
    expect(utilization(wallet({ allocated: nanos(200n), spent: nanos(50n), reserved: nanos(50n) }))).toBe(0.5);
    expect(utilization(wallet({ allocated: nanos(0n) }))).toBeNull();
    expect(utilization(wallet({ allocated: nanos(0n), spent: nanos(1n) }))).toBe(Number.POSITIVE_INFINITY);
    expect(utilization(wallet({ allocated: nanos(-5n), reserved: nanos(1n) }))).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('budget periods', () => {
  it('starts periods on the UTC calendar', () => {
    const t = at('2026-11-28T15:00:00Z');
    expect(periodStartAt(t, 'monthly')).toBe(at('2026-11-01T00:00:00Z'));
    expect(periodStartAt(t, 'quarterly')).toBe(at('2026-10-01T00:00:00Z'));
    expect(periodStartAt(t, 'yearly')).toBe(at('2026-01-01T00:00:00Z'));
    expect(periodStartAt(at('2026-12-01T00:00:00Z'), 'monthly')).toBe(at('2026-12-01T00:00:00Z'));
    expect(periodStartAt(at('2026-11-30T23:59:59.999Z'), 'monthly')).toBe(at('2026-11-01T00:00:00Z'));
  });

  it('ends each period at the next one’s start, across year ends and short months', () => {
    expect(periodEndAfter(at('2026-12-01T00:00:00Z'), 'monthly')).toBe(at('2027-01-01T00:00:00Z'));
    expect(periodEndAfter(at('2028-02-01T00:00:00Z'), 'monthly')).toBe(at('2028-03-01T00:00:00Z'));
    expect(periodEndAfter(at('2026-10-01T00:00:00Z'), 'quarterly')).toBe(at('2027-01-01T00:00:00Z'));
    expect(periodEndAfter(at('2026-01-01T00:00:00Z'), 'yearly')).toBe(at('2027-01-01T00:00:00Z'));
  });

  it('says a period is over from its end on, not a millisecond before', () => {
    const w = { period: 'monthly' as const, periodStart: at('2026-01-01T00:00:00Z') };
    expect(isPeriodOver(w, at('2026-01-31T23:59:59.999Z'))).toBe(false);
    expect(isPeriodOver(w, at('2026-02-01T00:00:00Z'))).toBe(true);
    expect(isPeriodOver(w, at('2026-07-01T00:00:00Z'))).toBe(true);
  });

  it('finds the next roll-over over wallets of every period', () => {
    expect(nextRollOver([])).toBe(Number.POSITIVE_INFINITY);
    expect(
      nextRollOver([
        { period: 'yearly', periodStart: at('2026-01-01T00:00:00Z') },
        { period: 'quarterly', periodStart: at('2026-10-01T00:00:00Z') },
        { period: 'monthly', periodStart: at('2026-11-01T00:00:00Z') },
      ]),
    ).toBe(at('2026-12-01T00:00:00Z'));
    expect(nextRollOver([{ period: 'quarterly', periodStart: at('2026-04-01T00:00:00Z') }, { period: 'monthly', periodStart: at('2026-06-01T00:00:00Z') }])).toBe(
      at('2026-07-01T00:00:00Z'),
    );
  });

  it('opens a period with the full allocation at its start and re-holds carried holds', () => {
    const now = at('2026-05-01T00:00:10Z');
    const opening = openPeriod({ allocation: nanos(10_000_000n), reserved: nanos(4_000_000n), softCap: null, period: 'monthly' }, now, nanos(0n));
    expect(opening).toEqual({
      periodStart: at('2026-05-01T00:00:00Z'),
      credited: 0n,
      spent: 0n,
      softCapCrossedAt: null,
      entries: [
        { type: 'allocate', amount: 10_000_000n, balanceAfter: 10_000_000n, at: at('2026-05-01T00:00:00Z') },
        { type: 'reserve', amount: -4_000_000n, balanceAfter: 6_000_000n, at: at('2026-05-01T00:00:00Z') },
      ],
    });
    const sum = opening.entries.reduce((a, e) => a + e.amount, 0n);
    expect(sum).toBe(available({ allocated: nanos(10_000_000n), spent: opening.spent, reserved: nanos(4_000_000n) }));
    expect(opening.entries.at(-1)?.balanceAfter).toBe(sum);
  });

  it('opens without a reserve row when nothing is held; jumps straight to the period holding now', () => {
    const opening = openPeriod({ allocation: nanos(7n), reserved: nanos(0n), softCap: null, period: 'quarterly' }, at('2027-02-14T09:00:00Z'), nanos(0n));
    expect(opening.periodStart).toBe(at('2027-01-01T00:00:00Z'));
    expect(opening.entries).toEqual([{ type: 'allocate', amount: 7n, balanceAfter: 7n, at: at('2027-01-01T00:00:00Z') }]);
  });

  it('counts spend already in the new period and notes a soft cap it crosses', () => {
    const now = at('2026-07-05T00:00:00Z');
    const opening = openPeriod({ allocation: nanos(100n), reserved: nanos(10n), softCap: nanos(30n), period: 'monthly' }, now, nanos(40n));
    expect([opening.spent, opening.softCapCrossedAt]).toEqual([40n, now]);
    expect(opening.entries.map((e) => e.balanceAfter)).toEqual([60n, 50n]);
    expect(openPeriod({ allocation: nanos(100n), reserved: nanos(0n), softCap: nanos(30n), period: 'monthly' }, now, nanos(29n)).softCapCrossedAt).toBeNull();
  });
});

describe('vocabulary', () => {
  it('knows the transaction types', () => {
    for (const t of ['credit', 'allocate', 'reclaim', 'reserve', 'settle', 'release', 'expire']) expect(isTransactionType(t)).toBe(true);
    for (const t of ['spend', 'refund', '', 'Settle']) expect(isTransactionType(t)).toBe(false);
  });
});
