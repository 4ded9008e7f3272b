// The emulator's ledger with a controllable clock: period roll-over as one
// explicit step, expiry, the parents' children_allocated sums, and the
// invariant that a wallet's rows since period_start add up to available.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/emulator/store.js';
import { availableOf, unallocatedOf } from '../../src/emulator/wallets.js';
import { demoHistoryStart, generateDemoEvents, seedDemo } from '../../src/emulator/seed.js';
import type { EventInput } from '../../src/emulator/schema.js';
import { nanos } from '../../src/domain/money.js';

function setup(start: string): { store: Store; clock: { t: number } } {
  const clock = { t: Date.parse(start) };
  const store = new Store(new Database(':memory:'), { reservationTtlMs: 60_000, now: () => clock.t });
  store.wallets.create({ team_id: 'org', name: 'Organization', parent_id: null, currency: 'USD', period: 'monthly', allocation: nanos(0n), soft_cap: null, hard_cap: null });
  return { store, clock };
}

function rowsSince(store: Store, team: string, since: number): bigint {
  const row = store.db
    .prepare('SELECT COALESCE(SUM(amount), 0) AS s FROM transactions WHERE wallet_team = ? AND created_at >= ?')
    .safeIntegers(true)
    .get(team, since) as { s: bigint };
  return row.s;
}

function rowCount(store: Store): number {
  return (store.db.prepare('SELECT COUNT(*) AS n FROM transactions').get() as { n: number }).n;
}

/** children_allocated of every wallet against a sum over all wallets, the way it used to be computed. */
function expectChildrenSums(store: Store): void {
  const all = store.wallets.all();
  for (const w of all) {
    const sum = all.filter((c) => c.parent_id === w.team_id).reduce((a, c) => a + c.allocation + c.extra, 0n);
    expect({ team: w.team_id, sum: w.children_allocated }).toEqual({ team: w.team_id, sum });
  }
}

const settle = (store: Store, team: string, estimate: bigint, actual: bigint): void => {
  const r = store.reservations.reserve(team, nanos(estimate), null);
  store.reservations.settle({ reservation_id: r.id, actual: nanos(actual), provider: 'openai', model: 'gpt-4o', input_tokens: 1, output_tokens: 1, cached: false, user_id: null });
};

const event = (ts: string, team: string, cost: bigint): EventInput => ({
  ts: Date.parse(ts),
  team_id: team,
  user_id: null,
  provider: 'openai',
  model: 'gpt-4o',
  input_tokens: 1,
  output_tokens: 1,
  cached: false,
  cost: nanos(cost),
  currency: 'USD',
  request_id: null,
});

describe('period roll-over', () => {
  it('starts each calendar month afresh with an allocate row at the period start, in one explicit step', () => {
    const { store, clock } = setup('2026-01-20T12:00:00Z');
    store.wallets.allocate({ team_id: 'org', amount: nanos(1_000_000_000n), currency: 'USD', period: 'monthly' });
    store.wallets.allocate({ team_id: 'search', amount: nanos(100_000_000n), currency: 'USD', period: 'monthly' });
    store.wallets.credit('search', nanos(5_000_000n), 'USD');
    settle(store, 'search', 30_000_000n, 25_000_000n);
    let w = store.wallets.get('search');
    expect([w.allocation + w.extra, w.spent, availableOf(w)]).toEqual([105_000_000n, 25_000_000n, 80_000_000n]);
    expect(rowsSince(store, 'search', w.period_start)).toBe(availableOf(w));
    expect(unallocatedOf(store.wallets.get('org'))).toBe(895_000_000n);

    clock.t = Date.parse('2026-02-01T00:00:01Z');
    // Reads are pure: the month is over, but nothing changes until the roll-over runs.
    const before = rowCount(store);
    expect(store.wallets.get('search').period_start).toBe(Date.parse('2026-01-01T00:00:00Z'));
    store.wallets.all();
    store.wallets.chain('search');
    expect(rowCount(store)).toBe(before);

    expect(store.applyClock()).toEqual({ rolled: 2, expired: 0 });
    w = store.wallets.get('search');
    expect(w.period_start).toBe(Date.parse('2026-02-01T00:00:00Z'));
    expect([w.allocation + w.extra, w.spent, w.reserved, availableOf(w)]).toEqual([100_000_000n, 0n, 0n, 100_000_000n]);
    expect(rowsSince(store, 'search', w.period_start)).toBe(100_000_000n);
    const org = store.wallets.get('org');
    expect(rowsSince(store, 'org', org.period_start)).toBe(availableOf(org));
    // The lapsed credit no longer counts against the organization.
    expect(unallocatedOf(org)).toBe(900_000_000n);
    expectChildrenSums(store);
    // A second call in the same period does nothing.
    expect(store.applyClock()).toEqual({ rolled: 0, expired: 0 });
  });

  it('carries a hold across the period boundary and keeps the invariant', () => {
    const { store, clock } = setup('2026-04-30T23:59:30Z');
    store.wallets.allocate({ team_id: 'org', amount: nanos(10_000_000n), currency: 'USD', period: 'monthly' });
    const r = store.reservations.reserve('org', nanos(4_000_000n), null);
    clock.t = Date.parse('2026-05-01T00:00:10Z');
    store.applyClock();
    let w = store.wallets.get('org');
    expect([w.reserved, availableOf(w)]).toEqual([4_000_000n, 6_000_000n]);
    expect(rowsSince(store, 'org', w.period_start)).toBe(6_000_000n);
    const opening = store.db.prepare('SELECT type, amount, balance_after, created_at FROM transactions WHERE created_at = ? ORDER BY seq').all(w.period_start);
    expect(opening).toEqual([
      { type: 'allocate', amount: 10_000_000, balance_after: 10_000_000, created_at: w.period_start },
      { type: 'reserve', amount: -4_000_000, balance_after: 6_000_000, created_at: w.period_start },
    ]);
    store.reservations.settle({ reservation_id: r.id, actual: nanos(1_000_000n), provider: 'p', model: 'm', input_tokens: 1, output_tokens: 1, cached: false, user_id: null });
    w = store.wallets.get('org');
    expect(availableOf(w)).toBe(9_000_000n);
    expect(rowsSince(store, 'org', w.period_start)).toBe(9_000_000n);
  });

  it('keeps the next roll-over instant, so a check before it does no work', () => {
    const { store, clock } = setup('2026-02-10T00:00:00Z');
    expect(store.periods.nextRollOverAt()).toBe(Date.parse('2026-03-01T00:00:00Z'));
    store.wallets.allocate({ team_id: 'org', amount: nanos(10_000_000n), currency: 'USD', period: 'monthly' });
    store.wallets.allocate({ team_id: 'finance', amount: nanos(1_000_000n), currency: 'USD', period: 'yearly' });
    expect(store.periods.nextRollOverAt()).toBe(Date.parse('2026-03-01T00:00:00Z'));
    // Before that instant nothing rolls (what that costs is bench/emulator.mjs's business).
    expect(store.applyClock(Date.parse('2026-02-28T23:59:59.999Z')).rolled).toBe(0);
    expect(store.wallets.get('org').period_start).toBe(Date.parse('2026-02-01T00:00:00Z'));
    clock.t = Date.parse('2026-03-01T00:00:00Z');
    expect(store.periods.rollOver(clock.t)).toBe(1);
    expect(store.wallets.get('finance').period_start).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(store.periods.nextRollOverAt()).toBe(Date.parse('2026-04-01T00:00:00Z'));
    // A back-dated wallet (demo history) brings the next roll-over forward.
    store.wallets.create({ team_id: 'old', name: 'Old', parent_id: 'org', currency: 'USD', period: 'monthly', allocation: nanos(0n), soft_cap: null, hard_cap: null }, Date.parse('2025-12-15T00:00:00Z'));
    expect(store.periods.nextRollOverAt()).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(store.periods.rollOver(clock.t)).toBe(1);
    expect(store.wallets.get('old').period_start).toBe(Date.parse('2026-03-01T00:00:00Z'));
  });

  it('rolls a monthly child mid-quarter without its quarterly parent, and the parent gets the lapsed credit back', () => {
    const { store, clock } = setup('2026-01-15T00:00:00Z');
    store.wallets.allocate({ team_id: 'org', amount: nanos(100_000_000n), currency: 'USD', period: 'monthly' });
    store.wallets.allocate({ team_id: 'eng', amount: nanos(50_000_000n), currency: 'USD', period: 'quarterly' });
    store.wallets.allocate({ team_id: 'search', amount: nanos(10_000_000n), currency: 'USD', period: 'monthly', parent_id: 'eng' });
    store.wallets.credit('search', nanos(2_000_000n), 'USD');
    store.wallets.reclaim('search', nanos(500_000n));
    expect(unallocatedOf(store.wallets.get('eng'))).toBe(38_500_000n);
    clock.t = Date.parse('2026-02-03T00:00:00Z');
    expect(store.applyClock().rolled).toBe(2);
    expect(store.wallets.get('eng').period_start).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(unallocatedOf(store.wallets.get('eng'))).toBe(40_000_000n);
    expectChildrenSums(store);
  });

  it('counts spend already recorded in the new period, added up each subtree (imported future events)', () => {
    const { store, clock } = setup('2026-06-20T00:00:00Z');
    store.wallets.allocate({ team_id: 'org', amount: nanos(100_000_000n), currency: 'USD', period: 'monthly', soft_cap: nanos(1_000_000n) });
    store.wallets.allocate({ team_id: 'eng', amount: nanos(50_000_000n), currency: 'USD', period: 'monthly' });
    store.wallets.allocate({ team_id: 'search', amount: nanos(10_000_000n), currency: 'USD', period: 'monthly', parent_id: 'eng' });
    store.wallets.allocate({ team_id: 'ml', amount: nanos(10_000_000n), currency: 'USD', period: 'monthly', parent_id: 'eng' });
    store.wallets.allocate({ team_id: 'sales', amount: nanos(10_000_000n), currency: 'USD', period: 'monthly' });
    store.loadHistory([event('2026-07-02T00:00:00Z', 'search', 700_000n), event('2026-07-03T00:00:00Z', 'ml', 400_000n), event('2026-06-30T00:00:00Z', 'sales', 1n)]);
    clock.t = Date.parse('2026-07-05T00:00:00Z');
    store.applyClock();
    const spent = Object.fromEntries(store.wallets.all().map((w) => [w.team_id, w.spent]));
    expect(spent).toEqual({ org: 1_100_000n, eng: 1_100_000n, search: 700_000n, ml: 400_000n, sales: 0n });
    expect(store.wallets.get('org').soft_cap_crossed_at).toBe(clock.t);
  });

  it('expires a hold after the TTL when the clock is applied, with an expire row on the wallet charged', () => {
    const { store, clock } = setup('2026-03-10T08:00:00Z');
    store.wallets.allocate({ team_id: 'org', amount: nanos(50_000_000n), currency: 'USD', period: 'monthly' });
    const r = store.reservations.reserve('org', nanos(20_000_000n), 'x');
    expect(store.wallets.get('org').reserved).toBe(20_000_000n);
    clock.t += 59_999;
    expect(store.applyClock().expired).toBe(0);
    clock.t += 1;
    expect(store.wallets.get('org').reserved).toBe(20_000_000n);
    expect(store.applyClock().expired).toBe(1);
    expect(store.wallets.get('org').reserved).toBe(0n);
    expect(() => store.reservations.release(r.id)).toThrow(/expired/);
  });

  it('writes one row per step on the team; its ancestors hold, spend and give back without rows of their own', () => {
    const { store, clock } = setup('2026-03-10T08:00:00Z');
    store.wallets.allocate({ team_id: 'org', amount: nanos(50_000_000n), currency: 'USD', period: 'monthly' });
    store.wallets.allocate({ team_id: 'engineering', amount: nanos(30_000_000n), currency: 'USD', period: 'monthly' });
    store.wallets.allocate({ team_id: 'search', amount: nanos(10_000_000n), currency: 'USD', period: 'monthly', parent_id: 'engineering' });
    const before = rowCount(store);
    const settled = store.reservations.reserve('search', nanos(2_000_000n), 'a');
    const { event } = store.reservations.settle({ reservation_id: settled.id, actual: nanos(1_500_000n), provider: 'p', model: 'm', input_tokens: 3, output_tokens: 4, cached: true, user_id: 'u' });
    // The settle's event is the row stored, not read back.
    expect(event).toEqual(store.events.get(event.seq));
    store.reservations.release(store.reservations.reserve('search', nanos(1_000_000n), 'b').id);
    store.reservations.reserve('search', nanos(3_000_000n), 'c');
    clock.t += 60_000;
    expect(store.applyClock().expired).toBe(1);
    const rows = store.db.prepare('SELECT wallet_team, type, amount FROM transactions ORDER BY seq').all().slice(before);
    expect(rows.map((r) => Object.values(r as Record<string, unknown>))).toEqual([
      ['search', 'reserve', -2_000_000],
      ['search', 'settle', 500_000],
      ['search', 'reserve', -1_000_000],
      ['search', 'release', 1_000_000],
      ['search', 'reserve', -3_000_000],
      ['search', 'expire', 3_000_000],
    ]);
    for (const team of ['search', 'engineering', 'org']) {
      const w = store.wallets.get(team);
      expect({ team, spent: w.spent, reserved: w.reserved }).toEqual({ team, spent: 1_500_000n, reserved: 0n });
    }
    expect(rowsSince(store, 'search', store.wallets.get('search').period_start)).toBe(availableOf(store.wallets.get('search')));
  });

  it('treats a due hold as expired on settle even before the clock is applied', () => {
    const { store, clock } = setup('2026-03-10T08:00:00Z');
    store.wallets.allocate({ team_id: 'org', amount: nanos(50_000_000n), currency: 'USD', period: 'monthly' });
    const r = store.reservations.reserve('org', nanos(20_000_000n), 'x');
    clock.t += 60_000;
    expect(() => store.reservations.settle({ reservation_id: r.id, actual: nanos(1n), provider: 'p', model: 'm', input_tokens: 1, output_tokens: 1, cached: false, user_id: null })).toThrow(
      'reservation "' + r.id + '" is expired',
    );
    expect(availableOf(store.wallets.get('org'))).toBe(50_000_000n);
  });
});

describe('children_allocated', () => {
  it('follows every allocate, credit and reclaim, so unallocated needs no scan', () => {
    const { store } = setup('2026-05-10T00:00:00Z');
    store.wallets.allocate({ team_id: 'org', amount: nanos(1_000_000_000n), currency: 'USD', period: 'monthly' });
    for (const team of ['a', 'b', 'c']) store.wallets.allocate({ team_id: team, amount: nanos(100_000_000n), currency: 'USD', period: 'monthly' });
    store.wallets.allocate({ team_id: 'a1', amount: nanos(30_000_000n), currency: 'USD', period: 'monthly', parent_id: 'a' });
    store.wallets.allocate({ team_id: 'a', amount: nanos(120_000_000n), currency: 'USD', period: 'monthly' });
    store.wallets.allocate({ team_id: 'b', amount: nanos(60_000_000n), currency: 'USD', period: 'monthly' });
    store.wallets.credit('a1', nanos(5_000_000n), 'USD');
    store.wallets.reclaim('a1', 'all');
    store.wallets.credit('c', nanos(7_000_000n), 'USD');
    expectChildrenSums(store);
    expect(unallocatedOf(store.wallets.get('org'))).toBe(1_000_000_000n - 120_000_000n - 60_000_000n - 107_000_000n);
    expect(unallocatedOf(store.wallets.get('a'))).toBe(120_000_000n);
    // A refused write leaves the sums alone.
    expect(() => store.tx(() => store.wallets.allocate({ team_id: 'd', amount: nanos(999_000_000n), currency: 'USD', period: 'monthly' }))).toThrow(/unallocated/);
    expectChildrenSums(store);
  });
});

describe('demo history', () => {
  /** Every wallet's rows since its period start add up to its available amount; no balance below zero; spend rolls up. */
  function expectLedger(store: Store, periodStart: string): void {
    for (const w of store.wallets.all()) {
      expect(w.period_start).toBe(Date.parse(periodStart));
      expect(rowsSince(store, w.team_id, w.period_start)).toBe(availableOf(w));
      expect(availableOf(w)).toBeGreaterThan(0);
    }
    expectChildrenSums(store);
    const negative = store.db.prepare('SELECT COUNT(*) AS n FROM transactions WHERE balance_after < 0').get() as { n: number };
    expect(negative.n).toBe(0);
    const spent = new Map(store.wallets.all().map((w) => [w.team_id, w.spent]));
    for (const w of store.wallets.all()) {
      const children = store.wallets.all().filter((c) => c.parent_id === w.team_id);
      const own = store.db
        .prepare('SELECT COALESCE(SUM(cost), 0) AS s FROM events WHERE team_id = ? AND ts >= ?')
        .safeIntegers(true)
        .get(w.team_id, w.period_start) as { s: bigint };
      expect({ team: w.team_id, spent: w.spent }).toEqual({ team: w.team_id, spent: own.s + children.reduce((a, c) => a + (spent.get(c.team_id) ?? 0n), 0n) });
    }
  }

  it('a small seed starts at 00:00 UTC on the 1st, twelve months back, and every month keeps the ledger invariant', () => {
    const now = Date.parse('2026-11-28T15:00:00Z');
    expect(demoHistoryStart(now)).toBe(Date.parse('2025-11-01T00:00:00Z'));
    const store = new Store(new Database(':memory:'), { reservationTtlMs: 60_000, now: () => now });
    const seeded = seedDemo(store, { events: 3000, now });
    store.applyClock();
    expect(seeded).toEqual({ wallets: 11, events: 3000 });
    expectLedger(store, '2026-11-01T00:00:00Z');
    const opening = store.db.prepare("SELECT created_at FROM transactions WHERE wallet_team = 'search' AND type = 'allocate' ORDER BY seq").pluck().all();
    expect(opening.map((t) => new Date(t as number).toISOString().slice(0, 7))).toEqual([
      '2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11',
    ]);
    expect(store.rollups.rawEventsSince()).toBeUndefined();
  });

  it('on the first of a month just after midnight, a small seed still has twelve full months and opens the new one', () => {
    const now = Date.parse('2026-12-01T00:09:00Z');
    expect(demoHistoryStart(now)).toBe(Date.parse('2025-12-01T00:00:00Z'));
    const events = generateDemoEvents(900, now);
    const months = new Set(events.map((e) => new Date(e.ts).toISOString().slice(0, 7)));
    expect([...months].filter((m) => m < '2026-12')).toHaveLength(12);
    const store = new Store(new Database(':memory:'), { reservationTtlMs: 60_000, now: () => now });
    seedDemo(store, { events: 900, now });
    store.applyClock();
    for (const w of store.wallets.all()) {
      expect(w.period_start).toBe(Date.parse('2026-12-01T00:00:00Z'));
      expect(rowsSince(store, w.team_id, w.period_start)).toBe(availableOf(w));
    }
  });

  it('a small seed: the same events for the same inputs, none in the future, busier on weekdays, rising over the year', () => {
    const now = Date.parse('2026-11-28T15:00:00Z');
    const a = generateDemoEvents(5000, now);
    expect(generateDemoEvents(5000, now)).toEqual(a);
    expect(a).toHaveLength(5000);
    expect(a.every((e) => e.ts < now && e.ts >= Date.parse('2025-11-01T00:00:00Z'))).toBe(true);
    expect(a.map((e) => e.request_id)).toEqual(a.map((_e, i) => `req_seed_${String(i + 1).padStart(7, '0')}`));
    expect(a.every((e, i) => i === 0 || e.ts >= (a[i - 1]?.ts ?? 0))).toBe(true);
    const weekday = a.filter((e) => ![0, 6].includes(new Date(e.ts).getUTCDay())).length / 5;
    const weekend = a.filter((e) => [0, 6].includes(new Date(e.ts).getUTCDay())).length / 2;
    expect(weekday).toBeGreaterThan(weekend * 2);
    const byMonth = new Map<string, number>();
    for (const e of a) byMonth.set(new Date(e.ts).toISOString().slice(0, 7), (byMonth.get(new Date(e.ts).toISOString().slice(0, 7)) ?? 0) + 1);
    expect(byMonth.get('2026-10') ?? 0).toBeGreaterThan((byMonth.get('2025-11') ?? 0) * 1.1);
  });

  it('the full seed: rollups before the raw events, per-request rows on the teams, the ledger invariant in every wallet', () => {
    const now = Date.parse('2026-11-28T15:00:00Z');
    const store = new Store(new Database(':memory:'), { reservationTtlMs: 60_000, now: () => now });
    const seeded = store.tx(() => seedDemo(store, { events: undefined, now }));
    store.applyClock();
    expect(seeded.raw_events_since).toBe('2026-10-29T00:00:00.000Z');
    expect(store.rollups.rawEventsSince()).toBe(Date.parse('2026-10-29T00:00:00Z'));
    expect(seeded.events).toBeGreaterThan(250_000);
    expect(seeded.rollups).toBeGreaterThan(100_000);
    const first = store.db.prepare('SELECT MIN(ts) AS lo, MAX(ts) AS hi, COUNT(*) AS n FROM events').get() as { lo: number; hi: number; n: number };
    expect(first.n).toBe(seeded.events);
    expect(first.lo).toBeGreaterThanOrEqual(Date.parse('2026-10-29T00:00:00Z'));
    expect(first.hi).toBeLessThan(now);
    const hours = store.db.prepare('SELECT MIN(hour_start) AS lo, MAX(hour_start) AS hi FROM usage_hourly').get() as { lo: number; hi: number };
    expect([hours.lo, hours.hi]).toEqual([Date.parse('2025-11-01T00:00:00Z'), Date.parse('2026-10-28T23:00:00Z')]);
    expectLedger(store, '2026-11-01T00:00:00Z');
    // A settle row per request on the team's own wallet; one per team and day on its department and the organization.
    const searchRows = store.db.prepare("SELECT COUNT(*) AS n FROM transactions WHERE wallet_team = 'search' AND event_seq IS NOT NULL").get() as { n: number };
    const searchEvents = store.db.prepare("SELECT COUNT(*) AS n FROM events WHERE team_id = 'search'").get() as { n: number };
    expect(searchRows.n).toBe(searchEvents.n);
    const orgRows = store.db.prepare("SELECT COUNT(*) AS n FROM transactions WHERE wallet_team = 'org' AND type = 'settle' AND created_at >= ?").get(Date.parse('2026-11-01T00:00:00Z')) as { n: number };
    expect(orgRows.n).toBeLessThanOrEqual(7 * 28);
    // Every wallet opened each of the 13 months with its allocation.
    for (const w of store.wallets.all()) {
      const months = store.db
        .prepare("SELECT created_at AS at FROM transactions WHERE wallet_team = ? AND type = 'allocate' ORDER BY seq")
        .all(w.team_id) as Array<{ at: number }>;
      expect(months).toHaveLength(13);
    }
  }, 60_000);
});

describe('group commit with an off-loop commit sync', () => {
  it('answers a batch only after its sync, and fails the batch when the sync fails', async () => {
    const { store } = setup('2026-01-20T12:00:00Z');
    store.wallets.allocate({ team_id: 'org', amount: nanos(1_000_000_000n), currency: 'USD', period: 'monthly' });
    const syncs: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
    store.setCommitSync(() => new Promise<void>((resolve, reject) => syncs.push({ resolve, reject })));
    let answered = 0;
    const first = Promise.all([
      store.txBatched(() => store.wallets.credit('org', nanos(1_000_000n), 'USD')).then(() => (answered += 1)),
      store.txBatched(() => store.wallets.credit('org', nanos(2_000_000n), 'USD')).then(() => (answered += 1)),
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    // Committed (visible to the next reader) but not answered until the sync resolves: one sync for both.
    expect(store.wallets.get('org').extra).toBe(3_000_000n);
    expect(syncs).toHaveLength(1);
    expect(answered).toBe(0);
    syncs[0]?.resolve();
    await first;
    expect(answered).toBe(2);

    const failing = store.txBatched(() => store.wallets.credit('org', nanos(1n), 'USD'));
    await new Promise((resolve) => setImmediate(resolve));
    syncs[1]?.reject(new Error('EIO: i/o error, fsync'));
    await expect(failing).rejects.toThrow('EIO');
  });

  it('keeps the wallets it caches equal to the database across batches and rollbacks', async () => {
    const { store } = setup('2026-01-20T12:00:00Z');
    store.wallets.allocate({ team_id: 'org', amount: nanos(1_000_000_000n), currency: 'USD', period: 'monthly' });
    store.wallets.allocate({ team_id: 'search', amount: nanos(100_000_000n), currency: 'USD', period: 'monthly' });
    const fromDb = (team: string): unknown => store.db.prepare('SELECT spent, reserved, extra, children_allocated FROM wallets WHERE team_id = ?').get(team);
    const cached = (team: string): unknown => {
      const w = store.wallets.get(team);
      return { spent: Number(w.spent), reserved: Number(w.reserved), extra: Number(w.extra), children_allocated: Number(w.children_allocated) };
    };
    // A request that changed the wallets and then failed: its savepoint is rolled back, and so are the cached objects.
    const held = store.txBatched(() => store.reservations.reserve('search', nanos(5_000_000n), 'kept'));
    const failed = store.txBatched(() => {
      store.reservations.reserve('search', nanos(7_000_000n), 'lost');
      throw new Error('boom');
    });
    await expect(failed).rejects.toThrow('boom');
    await held;
    for (const team of ['search', 'org']) expect(cached(team)).toEqual(fromDb(team));
    expect(store.wallets.get('org').reserved).toBe(5_000_000n);
    // The same for a transaction run at once, and for a parent's children_allocated moved by a child's write.
    expect(() =>
      store.tx(() => {
        store.wallets.credit('search', nanos(1_000_000n), 'USD');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    store.wallets.credit('search', nanos(2_000_000n), 'USD');
    for (const team of ['search', 'org']) expect(cached(team)).toEqual(fromDb(team));
    expect(store.wallets.get('org').children_allocated).toBe(102_000_000n);
  });

  it('applies the clock once at the start of each batch, and every request in it sees that instant', async () => {
    const { store, clock } = setup('2026-01-31T23:59:59.999Z');
    store.wallets.allocate({ team_id: 'org', amount: nanos(10_000_000n), currency: 'USD', period: 'monthly' });
    store.wallets.credit('org', nanos(1_000_000n), 'USD');
    clock.t = Date.parse('2026-02-01T00:00:00Z');
    const seen: number[] = [];
    const jobs = [1, 2, 3].map(() =>
      store.txBatched(() => {
        seen.push(store.now());
        clock.t += 1000;
        return store.wallets.get('org').period_start;
      }),
    );
    expect(await Promise.all(jobs)).toEqual([Date.parse('2026-02-01T00:00:00Z'), Date.parse('2026-02-01T00:00:00Z'), Date.parse('2026-02-01T00:00:00Z')]);
    expect(seen).toEqual([clock.t - 3000, clock.t - 3000, clock.t - 3000]);
    expect(store.wallets.get('org').extra).toBe(0n);
  });
});
