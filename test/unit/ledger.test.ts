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

const at = (text: string): number => Date.parse(text);

const wallet = (over: Partial<WalletAmounts> = {}): WalletAmounts => ({ allocated: 100, spent: 0, reserved: 0, softCap: null, hardCap: null, ...over });

describe('balances', () => {
  it('allocated is the allocation plus this period’s credits less reclaims', () => {
    expect(periodAllocated(100, 0)).toBe(100);
    expect(periodAllocated(100, 25)).toBe(125);
    expect(periodAllocated(100, -40)).toBe(60);
  });

  it('available = allocated − spent − reserved, exactly in micros', () => {
    expect(available(wallet({ allocated: 10_000_000_000, spent: 1_234_500_000, reserved: 2_250_000 }))).toBe(8_763_250_000);
    expect(available(wallet({ allocated: 0 }))).toBe(0);
    expect(available(wallet({ allocated: 5, spent: 3, reserved: 2 }))).toBe(0);
  });

  it('hard-cap room is what more may be spent or held: Infinity without a cap, negative once past it', () => {
    expect(hardCapRoom(wallet())).toBe(Number.POSITIVE_INFINITY);
    expect(hardCapRoom(wallet({ hardCap: 90, spent: 30, reserved: 10 }))).toBe(50);
    expect(hardCapRoom(wallet({ hardCap: 90, spent: 90 }))).toBe(0);
    expect(hardCapRoom(wallet({ hardCap: 90, spent: 95 }))).toBe(-5);
  });

  it('unallocated is allocated less the children’s allocations; returnable is the smaller of that and available', () => {
    expect(unallocated(1000, 600)).toBe(400);
    expect(unallocated(1000, 0)).toBe(1000);
    const w = wallet({ allocated: 1000, spent: 300, reserved: 100 });
    expect(returnable(w, 200)).toBe(600); // available is the limit
    expect(returnable(w, 700)).toBe(300); // the children's share is
    expect(returnable(wallet({ allocated: 10, spent: 10 }), 0)).toBe(0);
  });
});

describe('headroom and the cap checks', () => {
  it('takes the least of available and hard-cap room over the whole chain, never below zero', () => {
    expect(headroom([wallet({ allocated: 100, spent: 20 })])).toBe(80);
    expect(headroom([wallet({ allocated: 100, hardCap: 50, spent: 20 })])).toBe(30);
    expect(headroom([wallet({ allocated: 100 }), wallet({ allocated: 500, spent: 480 }), wallet({ allocated: 1000 })])).toBe(20);
    expect(headroom([wallet({ allocated: 100 }), wallet({ allocated: 500, hardCap: 400, spent: 390, reserved: 5 })])).toBe(5);
    expect(headroom([wallet({ allocated: 100, hardCap: 10, spent: 30 })])).toBe(0);
    expect(headroom([])).toBe(0);
  });

  it('checks every hard cap in the chain before any balance when reserving', () => {
    const shortTeam = wallet({ allocated: 10, spent: 8 }); // 2 available
    const cappedParent = wallet({ allocated: 1000, hardCap: 100, spent: 97 }); // 3 of cap room
    expect(reserveRefusal([shortTeam, cappedParent], 5)).toEqual({ index: 1, reason: 'hard_cap_exceeded' });
    expect(reserveRefusal([shortTeam, cappedParent], 3)).toEqual({ index: 0, reason: 'insufficient_funds' });
    expect(reserveRefusal([shortTeam, cappedParent], 2)).toBeUndefined();
    expect(reserveRefusal([wallet(), wallet({ allocated: 1 }), wallet({ allocated: 0 })], 1)).toEqual({ index: 2, reason: 'insufficient_funds' });
  });

  it('checks an overrun at settlement wallet by wallet, nearest first', () => {
    const shortTeam = wallet({ allocated: 10, spent: 8 });
    const cappedParent = wallet({ allocated: 1000, hardCap: 100, spent: 97 });
    expect(overrunRefusal([shortTeam, cappedParent], 5)).toEqual({ index: 0, reason: 'insufficient_funds' });
    expect(overrunRefusal([wallet({ hardCap: 50, spent: 48 }), wallet({ allocated: 1 })], 3)).toEqual({ index: 0, reason: 'hard_cap_exceeded' });
    expect(overrunRefusal([shortTeam, cappedParent], 2)).toBeUndefined();
  });

  it('refuses exactly the amounts above headroom, for every small chain (amounts are never zero)', () => {
    // Every chain of one to three wallets over a grid of balances and caps.
    const values = [0, 3, 7];
    const singles: WalletAmounts[] = [];
    for (const allocated of [0, 5, 10]) {
      for (const spent of values) {
        for (const reserved of values) {
          for (const hardCap of [null, 6, 12]) singles.push(wallet({ allocated, spent, reserved, hardCap }));
        }
      }
    }
    const pick = (i: number): WalletAmounts => singles[i % singles.length] as WalletAmounts;
    let checked = 0;
    for (let i = 0; i < singles.length; i += 1) {
      for (const chain of [[pick(i)], [pick(i), pick(i * 7 + 3)], [pick(i), pick(i * 5 + 1), pick(i * 11 + 2)]]) {
        const room = headroom(chain);
        for (let amount = 1; amount <= 15; amount += 1) {
          const fits = amount <= room;
          expect(reserveRefusal(chain, amount) === undefined).toBe(fits);
          expect(overrunRefusal(chain, amount) === undefined).toBe(fits);
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
    expect(softCapCrossedAt({ spent: 79, softCap: 80 }, null, t1)).toBeNull();
    expect(softCapCrossedAt({ spent: 80, softCap: 80 }, null, t1)).toBe(t1);
    expect(softCapCrossedAt({ spent: 95, softCap: 80 }, t0, t1)).toBe(t0);
    expect(softCapCrossedAt({ spent: 95, softCap: 100 }, t0, t1)).toBeNull();
    expect(softCapCrossedAt({ spent: 95, softCap: null }, t0, t1)).toBeNull();
  });

  it('status: blocked at the hard cap, depleted at zero, low past the soft cap or under 10 %, else healthy', () => {
    const cases: Array<[Partial<WalletAmounts>, string]> = [
      [{ allocated: 100, spent: 10 }, 'healthy'],
      [{ allocated: 100, spent: 90 }, 'healthy'], // exactly 10 % left
      [{ allocated: 100, spent: 90, reserved: 1 }, 'low'],
      [{ allocated: 100, spent: 50, softCap: 50 }, 'low'],
      [{ allocated: 100, spent: 49, softCap: 50 }, 'healthy'],
      [{ allocated: 100, spent: 60, reserved: 40 }, 'depleted'],
      [{ allocated: 0 }, 'depleted'],
      [{ allocated: 100, spent: 30, reserved: 10, hardCap: 40 }, 'blocked'],
      [{ allocated: 100, spent: 100, hardCap: 200 }, 'depleted'],
      [{ allocated: 100, spent: 30, reserved: 9, hardCap: 40 }, 'healthy'],
    ];
    for (const [w, status] of cases) expect({ w, status: walletStatus(wallet(w)) }).toEqual({ w, status });
  });

  it('utilization is (spent + reserved) / allocated', () => {
    expect(utilization(wallet({ allocated: 200, spent: 50, reserved: 50 }))).toBe(0.5);
    expect(utilization(wallet({ allocated: 0 }))).toBeNull();
    expect(utilization(wallet({ allocated: 0, spent: 1 }))).toBe(Number.POSITIVE_INFINITY);
    expect(utilization(wallet({ allocated: -5, reserved: 1 }))).toBe(Number.POSITIVE_INFINITY);
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
    const opening = openPeriod({ allocation: 10_000_000, reserved: 4_000_000, softCap: null, period: 'monthly' }, now, 0);
    expect(opening).toEqual({
      periodStart: at('2026-05-01T00:00:00Z'),
      credited: 0,
      spent: 0,
      softCapCrossedAt: null,
      entries: [
        { type: 'allocate', amount: 10_000_000, balanceAfter: 10_000_000, at: at('2026-05-01T00:00:00Z') },
        { type: 'reserve', amount: -4_000_000, balanceAfter: 6_000_000, at: at('2026-05-01T00:00:00Z') },
      ],
    });
    const sum = opening.entries.reduce((a, e) => a + e.amount, 0);
    expect(sum).toBe(available({ allocated: 10_000_000, spent: opening.spent, reserved: 4_000_000 }));
    expect(opening.entries.at(-1)?.balanceAfter).toBe(sum);
  });

  it('opens without a reserve row when nothing is held; jumps straight to the period holding now', () => {
    const opening = openPeriod({ allocation: 7, reserved: 0, softCap: null, period: 'quarterly' }, at('2027-02-14T09:00:00Z'), 0);
    expect(opening.periodStart).toBe(at('2027-01-01T00:00:00Z'));
    expect(opening.entries).toEqual([{ type: 'allocate', amount: 7, balanceAfter: 7, at: at('2027-01-01T00:00:00Z') }]);
  });

  it('counts spend already in the new period and notes a soft cap it crosses', () => {
    const now = at('2026-07-05T00:00:00Z');
    const opening = openPeriod({ allocation: 100, reserved: 10, softCap: 30, period: 'monthly' }, now, 40);
    expect([opening.spent, opening.softCapCrossedAt]).toEqual([40, now]);
    expect(opening.entries.map((e) => e.balanceAfter)).toEqual([60, 50]);
    expect(openPeriod({ allocation: 100, reserved: 0, softCap: 30, period: 'monthly' }, now, 29).softCapCrossedAt).toBeNull();
  });
});

describe('vocabulary', () => {
  it('knows the transaction types', () => {
    for (const t of ['credit', 'allocate', 'reclaim', 'reserve', 'settle', 'release', 'expire']) expect(isTransactionType(t)).toBe(true);
    for (const t of ['spend', 'refund', '', 'Settle']) expect(isTransactionType(t)).toBe(false);
  });
});
