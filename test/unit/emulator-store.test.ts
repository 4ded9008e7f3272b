// The emulator's ledger with a controllable clock: period rollover, expiry and
// the invariant that a wallet's rows since period_start add up to available.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/emulator/store.js';
import { generateDemoEvents, seedDemo } from '../../src/emulator/seed.js';

function setup(start: string): { store: Store; clock: { t: number } } {
  const clock = { t: Date.parse(start) };
  const store = new Store(new Database(':memory:'), { reservationTtlMs: 60_000, now: () => clock.t });
  store.createWallet({ team_id: 'org', name: 'Organization', parent_id: null, currency: 'USD', period: 'monthly', allocation: 0, soft_cap: null, hard_cap: null });
  return { store, clock };
}

function rowsSince(store: Store, team: string, since: number): number {
  const row = store.db.prepare('SELECT COALESCE(SUM(amount), 0) AS s FROM transactions WHERE wallet_team = ? AND created_at >= ?').get(team, since) as { s: number };
  return row.s;
}

const settle = (store: Store, team: string, estimate: number, actual: number): void => {
  const r = store.reserve(team, estimate, null);
  store.settle({ reservation_id: r.id, actual, provider: 'openai', model: 'gpt-4o', input_tokens: 1, output_tokens: 1, cached: false, user_id: null });
};

describe('emulator store', () => {
  it('starts each calendar month afresh with an allocate row at the period start', () => {
    const { store, clock } = setup('2026-01-20T12:00:00Z');
    store.allocate({ team_id: 'org', amount: 1_000_000_000, currency: 'USD', period: 'monthly' });
    store.allocate({ team_id: 'search', amount: 100_000_000, currency: 'USD', period: 'monthly' });
    store.credit('search', 5_000_000, 'USD');
    settle(store, 'search', 30_000_000, 25_000_000);
    let w = store.wallet('search');
    expect([store.allocated(w), w.spent, store.available(w)]).toEqual([105_000_000, 25_000_000, 80_000_000]);
    expect(rowsSince(store, 'search', w.period_start)).toBe(store.available(w));

    clock.t = Date.parse('2026-02-01T00:00:01Z');
    w = store.wallet('search');
    expect(w.period_start).toBe(Date.parse('2026-02-01T00:00:00Z'));
    expect([store.allocated(w), w.spent, w.reserved, store.available(w)]).toEqual([100_000_000, 0, 0, 100_000_000]);
    expect(rowsSince(store, 'search', w.period_start)).toBe(100_000_000);
    const org = store.wallet('org');
    expect(rowsSince(store, 'org', org.period_start)).toBe(store.available(org));
  });

  it('carries a hold across the period boundary and keeps the invariant', () => {
    const { store, clock } = setup('2026-04-30T23:59:30Z');
    store.allocate({ team_id: 'org', amount: 10_000_000, currency: 'USD', period: 'monthly' });
    const r = store.reserve('org', 4_000_000, null);
    clock.t = Date.parse('2026-05-01T00:00:10Z');
    let w = store.wallet('org');
    expect([w.reserved, store.available(w)]).toEqual([4_000_000, 6_000_000]);
    expect(rowsSince(store, 'org', w.period_start)).toBe(6_000_000);
    store.settle({ reservation_id: r.id, actual: 1_000_000, provider: 'p', model: 'm', input_tokens: 1, output_tokens: 1, cached: false, user_id: null });
    w = store.wallet('org');
    expect(store.available(w)).toBe(9_000_000);
    expect(rowsSince(store, 'org', w.period_start)).toBe(9_000_000);
  });

  it('expires a hold after the TTL on the next access, writing expire rows up the chain', () => {
    const { store, clock } = setup('2026-03-10T08:00:00Z');
    store.allocate({ team_id: 'org', amount: 50_000_000, currency: 'USD', period: 'monthly' });
    const r = store.reserve('org', 20_000_000, 'x');
    expect(store.wallet('org').reserved).toBe(20_000_000);
    clock.t += 59_999;
    expect(store.expireDue()).toBe(0);
    clock.t += 1;
    expect(store.expireDue()).toBe(1);
    expect(store.wallet('org').reserved).toBe(0);
    expect(() => store.release(r.id)).toThrow(/expired/);
  });

  it('seeds demo history whose every month keeps the ledger invariant', () => {
    const now = Date.parse('2026-11-28T15:00:00Z');
    const store = new Store(new Database(':memory:'), { reservationTtlMs: 60_000, now: () => now });
    const seeded = seedDemo(store, { events: 3000, now });
    expect(seeded).toEqual({ wallets: 11, events: 3000 });
    for (const team of ['search', 'engineering', 'org', 'security']) {
      const w = store.wallet(team);
      expect(rowsSince(store, team, w.period_start)).toBe(store.available(w));
      expect(store.available(w)).toBeGreaterThan(0);
    }
    // each past month's rows for a wallet also start from its full allocation and stay >= 0
    const negative = store.db.prepare('SELECT COUNT(*) AS n FROM transactions WHERE balance_after < 0').get() as { n: number };
    expect(negative.n).toBe(0);
  });

  it('generates the same demo events for the same inputs, none in the future', () => {
    const now = Date.parse('2026-11-28T15:00:00Z');
    const a = generateDemoEvents(500, now);
    expect(generateDemoEvents(500, now)).toEqual(a);
    expect(a).toHaveLength(500);
    expect(a.every((e) => e.ts < now && e.ts >= now - 120 * 86_400_000)).toBe(true);
    const weekday = a.filter((e) => ![0, 6].includes(new Date(e.ts).getUTCDay())).length / 5;
    const weekend = a.filter((e) => [0, 6].includes(new Date(e.ts).getUTCDay())).length / 2;
    expect(weekday).toBeGreaterThan(weekend * 1.5);
  });
});

describe('group commit with an off-loop commit sync', () => {
  it('answers a batch only after its sync, and fails the batch when the sync fails', async () => {
    const { store } = setup('2026-01-20T12:00:00Z');
    store.allocate({ team_id: 'org', amount: 1_000_000_000, currency: 'USD', period: 'monthly' });
    const syncs: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
    store.setCommitSync(() => new Promise<void>((resolve, reject) => syncs.push({ resolve, reject })));
    let answered = 0;
    const first = Promise.all([
      store.txBatched(() => store.credit('org', 1_000_000, 'USD')).then(() => (answered += 1)),
      store.txBatched(() => store.credit('org', 2_000_000, 'USD')).then(() => (answered += 1)),
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    // Committed (visible to the next reader) but not answered until the sync resolves: one sync for both.
    expect(store.wallet('org').extra).toBe(3_000_000);
    expect(syncs).toHaveLength(1);
    expect(answered).toBe(0);
    syncs[0]?.resolve();
    await first;
    expect(answered).toBe(2);

    const failing = store.txBatched(() => store.credit('org', 1, 'USD'));
    await new Promise((resolve) => setImmediate(resolve));
    syncs[1]?.reject(new Error('EIO: i/o error, fsync'));
    await expect(failing).rejects.toThrow('EIO');
  });
});
