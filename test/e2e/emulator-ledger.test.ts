// The ledger under the emulator: allocate/credit/reclaim, reserve/settle/release,
// caps, concurrency, expiry and period roll-over on a clock the tests move,
// idempotency, durability and fault injection. Every emulator here runs on a
// fixed clock (KT_NOW), so no result depends on today's date or on sleeping.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceClock, startEmulator, type Emulator } from '../helpers/emulator.js';
import { call, type Reply } from '../helpers/emulator-api.js';
import { KT_BIN, ktEnv, runKt } from '../helpers/run-kt.js';

type Row = Record<string, unknown>;

// Mid-month, mid-week: far from any period end unless a test moves the clock there.
const NOW = '2026-06-10T12:00:00.000Z';

async function allocate(emu: Emulator, body: Row): Promise<Reply> {
  return call(emu, 'POST', '/v1/wallets/allocate', { currency: 'USD', period: 'monthly', ...body });
}

async function wallet(emu: Emulator, team: string): Promise<Row> {
  const res = await call(emu, 'GET', `/v1/wallets/balance?team_id=${team}`);
  expect(res.status).toBe(200);
  return res.body.wallet as Row;
}

async function allTransactions(emu: Emulator, query: string): Promise<Row[]> {
  const rows: Row[] = [];
  let cursor: string | null = null;
  do {
    const page: Reply = await call(emu, 'GET', `/v1/wallets/transactions?${query}&limit=1000${cursor === null ? '' : `&cursor=${cursor}`}`);
    expect(page.status).toBe(200);
    rows.push(...(page.body.data as Row[]));
    cursor = page.body.next_cursor as string | null;
  } while (cursor !== null);
  return rows;
}

function gateway(emu: Emulator, path: string, body: unknown, headers?: Record<string, string>): Promise<Reply> {
  return call(emu, 'POST', `/v1/gateway/wallets/${path}`, body, { token: emu.gatewayToken, headers });
}

const settleBody = (reservation_id: string, actual_cost: number, extra: Row = {}): Row => ({
  reservation_id,
  actual_cost,
  provider: 'openai',
  model: 'gpt-4o',
  input_tokens: 1000,
  output_tokens: 200,
  cached: false,
  ...extra,
});

describe('allocation, credit and reclaim', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator([], { now: NOW });
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('carves allocations out of the parent, declaratively', async () => {
    expect((await allocate(emu, { team_id: 'org', amount: 1000 })).status).toBe(200);
    const eng = await allocate(emu, { team_id: 'engineering', amount: 600 });
    expect(eng.body).toMatchObject({ previous_allocated: null, wallet: { parent_id: 'org', name: 'Engineering', allocated: 600 } });
    expect(eng.body.transaction).toMatchObject({ type: 'allocate', amount: 600, balance_after: 600, team_id: 'engineering' });
    const search = await allocate(emu, { team_id: 'search', amount: 400, parent_id: 'engineering', soft_cap: 300, hard_cap: 380 });
    expect(search.body.wallet).toMatchObject({ parent_id: 'engineering', soft_cap: 300, hard_cap: 380, unallocated: 400 });
    const again = await allocate(emu, { team_id: 'search', amount: 400 });
    expect(again.body).toMatchObject({ previous_allocated: 400, transaction: null });
    expect((await wallet(emu, 'engineering')).unallocated).toBe(200);

    const lower = await allocate(emu, { team_id: 'search', amount: 350 });
    expect(lower.body.transaction).toMatchObject({ type: 'allocate', amount: -50, balance_after: 350 });
    expect((await wallet(emu, 'engineering')).unallocated).toBe(250);
  });

  it('refuses more than the parent has unallocated, a currency mismatch and a move', async () => {
    const tooMuch = await allocate(emu, { team_id: 'search', amount: 700 });
    expect(tooMuch.status).toBe(402);
    expect(tooMuch.body.error).toMatchObject({ code: 'insufficient_parent_funds', requested: 350, parent_unallocated: 250, parent_id: 'engineering' });
    const newTooMuch = await allocate(emu, { team_id: 'sales', amount: 5000 });
    expect(newTooMuch.status).toBe(402);
    expect(newTooMuch.body.error).toMatchObject({ parent_id: 'org', parent_unallocated: 400 });
    const eur = await allocate(emu, { team_id: 'search', amount: 350, currency: 'EUR' });
    expect(eur.status).toBe(409);
    expect(eur.body.error.code).toBe('currency_mismatch');
    const eurChild = await allocate(emu, { team_id: 'eu-team', amount: 10, currency: 'EUR' });
    expect(eurChild.status).toBe(409);
    const move = await allocate(emu, { team_id: 'search', amount: 350, parent_id: 'org' });
    expect(move.status).toBe(409);
    expect(move.body.error.code).toBe('parent_mismatch');
    const orphan = await allocate(emu, { team_id: 'lost', amount: 1, parent_id: 'nowhere' });
    expect(orphan.status).toBe(404);
    expect(orphan.body.error.code).toBe('team_not_found');
  });

  it('credits from the parent (the org from outside) and reclaims unused funds', async () => {
    const credit = await call(emu, 'POST', '/v1/wallets/credit', { team_id: 'search', amount: 50 });
    expect(credit.status).toBe(200);
    expect(credit.body.transaction).toMatchObject({ type: 'credit', amount: 50, balance_after: 400 });
    expect(credit.body.wallet.allocated).toBe(400);
    expect((await wallet(emu, 'engineering')).unallocated).toBe(200);
    const tooMuch = await call(emu, 'POST', '/v1/wallets/credit', { team_id: 'search', amount: 201 });
    expect(tooMuch.status).toBe(402);
    expect(tooMuch.body.error.code).toBe('insufficient_parent_funds');
    const org = await call(emu, 'POST', '/v1/wallets/credit', { team_id: 'org', amount: 100, currency: 'USD' });
    expect(org.body.wallet.allocated).toBe(1100);
    const wrongCurrency = await call(emu, 'POST', '/v1/wallets/credit', { team_id: 'org', amount: 1, currency: 'GBP' });
    expect(wrongCurrency.status).toBe(409);

    const reclaim = await call(emu, 'POST', '/v1/wallets/reclaim', { team_id: 'search', amount: 20 });
    expect(reclaim.body.transaction).toMatchObject({ type: 'reclaim', amount: -20, balance_after: 380 });
    const over = await call(emu, 'POST', '/v1/wallets/reclaim', { team_id: 'search', amount: 1000 });
    expect(over.status).toBe(402);
    expect(over.body.error.code).toBe('insufficient_funds');
    const both = await call(emu, 'POST', '/v1/wallets/reclaim', { team_id: 'search', amount: 1, all: true });
    expect(both.status).toBe(400);
    const orgReclaim = await call(emu, 'POST', '/v1/wallets/reclaim', { team_id: 'org', amount: 1 });
    expect(orgReclaim.status).toBe(400);
    const all = await call(emu, 'POST', '/v1/wallets/reclaim', { team_id: 'engineering', all: true });
    expect(all.body.transaction).toMatchObject({ amount: -220 });
    expect(all.body.wallet).toMatchObject({ unallocated: 0 });
  });
});

describe('reserve, settle, release and caps', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator([], { now: NOW });
    await allocate(emu, { team_id: 'org', amount: 1000 });
    await allocate(emu, { team_id: 'engineering', amount: 500 });
    await allocate(emu, { team_id: 'search', amount: 100, parent_id: 'engineering', soft_cap: 20, hard_cap: 90 });
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('holds the estimate in the wallet and every ancestor, then settles to the actual cost', async () => {
    const reserve = await gateway(emu, 'reserve', { team_id: 'search', estimated_cost: 10, request_id: 'req-1' });
    expect(reserve.status).toBe(201);
    expect(reserve.body).toMatchObject({ team_id: 'search', amount: 10, status: 'held' });
    expect(reserve.body.reservation_id).toMatch(/^res_/);
    // the default TTL, 5 minutes, on the emulator's clock
    expect(reserve.body.expires_at).toBe('2026-06-10T12:05:00.000Z');
    for (const [team, available] of [['search', 90], ['engineering', 490], ['org', 990]] as const) {
      expect(await wallet(emu, team)).toMatchObject({ reserved: 10, available });
    }
    const settle = await gateway(emu, 'settle', settleBody(reserve.body.reservation_id, 7.5, { user_id: 'ana' }));
    expect(settle.status).toBe(200);
    expect(settle.body).toMatchObject({ status: 'settled', released: 2.5 });
    expect(settle.body.event).toMatchObject({ team_id: 'search', cost: 7.5, provider: 'openai', user_id: 'ana', request_id: 'req-1', cached: false });
    expect(await wallet(emu, 'org')).toMatchObject({ spent: 7.5, reserved: 0, available: 992.5 });
    // One ledger row per step, on the team's wallet; the ancestors' balances moved without a row of their own.
    const rows = await allTransactions(emu, 'team_id=search,engineering,org&type=reserve,settle');
    const forReservation = rows.filter((r) => r.reservation_id === reserve.body.reservation_id);
    expect(forReservation.map((r) => [r.team_id, r.type, r.amount, r.balance_after])).toEqual([
      ['search', 'reserve', -10, 90],
      ['search', 'settle', 2.5, 92.5],
    ]);
    expect(forReservation[1]?.event_id).toBe(settle.body.event.id);
    expect((await allTransactions(emu, 'team_id=engineering')).map((r) => r.type)).toEqual(['allocate']);

    const twice = await gateway(emu, 'settle', settleBody(reserve.body.reservation_id, 1));
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: 'reservation_not_held' });
    const releaseSettled = await gateway(emu, 'release', { reservation_id: reserve.body.reservation_id });
    expect(releaseSettled.status).toBe(409);
  });

  it('releases a reservation and restores the hold', async () => {
    const reserve = await gateway(emu, 'reserve', { team_id: 'search', estimated_cost: 5, request_id: 'req-2' });
    const release = await gateway(emu, 'release', { reservation_id: reserve.body.reservation_id });
    expect(release.body).toEqual({ reservation_id: reserve.body.reservation_id, status: 'released' });
    expect(await wallet(emu, 'search')).toMatchObject({ reserved: 0, available: 92.5 });
  });

  it('refuses past the hard cap (402) and records the soft cap crossing', async () => {
    const overCap = await gateway(emu, 'reserve', { team_id: 'search', estimated_cost: 85, request_id: 'req-3' });
    expect(overCap.status).toBe(402);
    expect(overCap.body.error).toMatchObject({ code: 'hard_cap_exceeded', team_id: 'search' });
    expect((await wallet(emu, 'search')).soft_cap_crossed_at).toBeNull();
    const r = await gateway(emu, 'reserve', { team_id: 'search', estimated_cost: 20, request_id: 'req-4' });
    await gateway(emu, 'settle', settleBody(r.body.reservation_id, 20));
    const w = await wallet(emu, 'search');
    expect(w).toMatchObject({ spent: 27.5, status: 'low' });
    expect(typeof w.soft_cap_crossed_at).toBe('string');
  });

  it('lets the actual cost exceed the estimate only as far as the chain has funds', async () => {
    const r = await gateway(emu, 'reserve', { team_id: 'search', estimated_cost: 1, request_id: 'req-5' });
    const tooMuch = await gateway(emu, 'settle', settleBody(r.body.reservation_id, 500));
    expect(tooMuch.status).toBe(402);
    const fine = await gateway(emu, 'settle', settleBody(r.body.reservation_id, 3));
    expect(fine.status).toBe(200);
    expect(fine.body.released).toBe(0);
    expect(await wallet(emu, 'search')).toMatchObject({ spent: 30.5, reserved: 0 });
  });

  it('refuses a reservation the wallet cannot cover with 402 insufficient_funds', async () => {
    await allocate(emu, { team_id: 'tiny', amount: 1 });
    const res = await gateway(emu, 'reserve', { team_id: 'tiny', estimated_cost: 1.000001, request_id: 'x' });
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ code: 'insufficient_funds', team_id: 'tiny', available: 1 });
  });
});

describe('under concurrency', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator([], { now: NOW });
    await allocate(emu, { team_id: 'org', amount: 1000 });
    await allocate(emu, { team_id: 'search', amount: 100 });
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('grants exactly 100 of 500 concurrent $1 reservations against $100 and never goes negative', async () => {
    const replies = await Promise.all(
      Array.from({ length: 500 }, (_, i) => gateway(emu, 'reserve', { team_id: 'search', estimated_cost: 1, request_id: `c-${i}` })),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(100);
    expect(statuses.filter((s) => s === 402)).toHaveLength(400);
    expect(await wallet(emu, 'search')).toMatchObject({ reserved: 100, available: 0, status: 'depleted' });
    const rows = await allTransactions(emu, 'team_id=search,org');
    for (const row of rows) expect(row.balance_after as number).toBeGreaterThanOrEqual(0);
    // settle them all concurrently for more than estimated: none may overspend
    const settles = await Promise.all(
      replies.filter((r) => r.status === 201).map((r) => gateway(emu, 'settle', settleBody(r.body.reservation_id, 1.5))),
    );
    expect(settles.every((s) => s.status === 402)).toBe(true);
    await Promise.all(replies.filter((r) => r.status === 201).map((r) => gateway(emu, 'settle', settleBody(r.body.reservation_id, 0.75))));
    expect(await wallet(emu, 'search')).toMatchObject({ spent: 75, reserved: 0, available: 25 });
  });
});

describe('reservation expiry', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator(['--reservation-ttl', '1s'], { now: NOW });
    await allocate(emu, { team_id: 'org', amount: 100 });
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('releases an unsettled hold once the clock passes its TTL; balances show it at once', async () => {
    const r = await gateway(emu, 'reserve', { team_id: 'org', estimated_cost: 40, request_id: 'slow' });
    expect(r.body.expires_at).toBe('2026-06-10T12:00:01.000Z');
    expect(await wallet(emu, 'org')).toMatchObject({ reserved: 40, available: 60 });
    expect(await advanceClock(emu, { advance: '999ms' })).toBe('2026-06-10T12:00:00.999Z');
    expect(await wallet(emu, 'org')).toMatchObject({ reserved: 40, available: 60 });
    await advanceClock(emu, { advance: '1ms' });
    expect(await wallet(emu, 'org')).toMatchObject({ reserved: 0, available: 100 });
    const late = await gateway(emu, 'settle', settleBody(r.body.reservation_id, 10));
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'reservation_not_held', status: 'expired' });
    const rows = await allTransactions(emu, 'team_id=org&type=expire');
    expect(rows.map((row) => [row.reservation_id, row.amount, row.balance_after, row.created_at])).toEqual([
      [r.body.reservation_id, 40, 100, '2026-06-10T12:00:01.000Z'],
    ]);
  });
});

describe('period roll-over on a fixed clock', () => {
  let emu: Emulator;
  const sumSince = async (team: string, since: string, until?: string): Promise<number> => {
    const rows = await allTransactions(emu, `team_id=${team}&since=${since}${until === undefined ? '' : `&until=${until}`}`);
    return rows.reduce((a, r) => a + Math.round((r.amount as number) * 1e6), 0);
  };
  beforeAll(async () => {
    emu = await startEmulator([], { now: '2026-01-31T23:58:00Z' });
    await allocate(emu, { team_id: 'org', amount: 1000 });
    await allocate(emu, { team_id: 'engineering', amount: 500 });
    await allocate(emu, { team_id: 'search', amount: 100, parent_id: 'engineering' });
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('starts February afresh: full allocation at the period start, credits lapsed, holds carried, rows adding up', async () => {
    await call(emu, 'POST', '/v1/wallets/credit', { team_id: 'search', amount: 20 });
    expect((await wallet(emu, 'engineering')).unallocated).toBe(380);
    const spent = await gateway(emu, 'reserve', { team_id: 'search', estimated_cost: 10, request_id: 'jan-1' });
    await gateway(emu, 'settle', settleBody(spent.body.reservation_id, 7));
    const carried = await gateway(emu, 'reserve', { team_id: 'search', estimated_cost: 5, request_id: 'jan-2' });
    await advanceClock(emu, { advance: '1m' });
    const expiring = await gateway(emu, 'reserve', { team_id: 'search', estimated_cost: 2, request_id: 'jan-3' });
    expect(expiring.body.expires_at).toBe('2026-02-01T00:04:00.000Z');
    expect(await wallet(emu, 'search')).toMatchObject({ allocated: 120, spent: 7, reserved: 7, available: 106, period_start: '2026-01-01T00:00:00.000Z' });

    expect(await advanceClock(emu, { now: '2026-02-01T00:01:00Z' })).toBe('2026-02-01T00:01:00.000Z');
    expect(await wallet(emu, 'search')).toMatchObject({
      allocated: 100,
      spent: 0,
      reserved: 7,
      available: 93,
      period_start: '2026-02-01T00:00:00.000Z',
      period_end: '2026-03-01T00:00:00.000Z',
      soft_cap_crossed_at: null,
    });
    expect(await wallet(emu, 'engineering')).toMatchObject({ allocated: 500, spent: 0, reserved: 7, unallocated: 400 });
    const opening = await allTransactions(emu, 'team_id=search&since=2026-02-01T00:00:00Z');
    expect(opening.map((r) => [r.type, r.amount, r.balance_after, r.created_at])).toEqual([
      ['allocate', 100, 100, '2026-02-01T00:00:00.000Z'],
      ['reserve', -7, 93, '2026-02-01T00:00:00.000Z'],
    ]);
    // January's rows stay as they were: they add up to January's last balance.
    expect(await sumSince('search', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z')).toBe(106_000_000);

    // A carried hold settles in the new period; the other expires there.
    expect((await gateway(emu, 'settle', settleBody(carried.body.reservation_id, 4))).status).toBe(200);
    await advanceClock(emu, { advance: '3m' });
    expect(await wallet(emu, 'search')).toMatchObject({ spent: 4, reserved: 0, available: 96 });
    const types = (await allTransactions(emu, 'team_id=search&since=2026-02-01T00:00:00Z')).map((r) => r.type);
    expect(types).toEqual(['allocate', 'reserve', 'settle', 'expire']);
    // A wallet without children: its rows add up to its available amount. Its ancestors' ledgers
    // hold the period's opening (the allocation, the holds carried in), not the spend below them.
    const w = await wallet(emu, 'search');
    expect(await sumSince('search', w.period_start as string)).toBe(Math.round((w.available as number) * 1e6));
    for (const team of ['engineering', 'org']) {
      const rows = await allTransactions(emu, `team_id=${team}&since=2026-02-01T00:00:00Z`);
      expect({ team, rows: rows.map((r) => [r.type, r.amount]) }).toEqual({ team, rows: [['allocate', team === 'org' ? 1000 : 500], ['reserve', -7]] });
      expect(await wallet(emu, team)).toMatchObject({ spent: 4, reserved: 0 });
    }
  });
});

describe('POST /v1/emulator/clock', () => {
  let fixed: Emulator;
  let wall: Emulator;
  beforeAll(async () => {
    [fixed, wall] = await Promise.all([startEmulator([], { now: NOW }), startEmulator()]);
  });
  afterAll(async () => {
    await Promise.all([fixed.stop(), wall.stop()]);
  });

  it('moves a fixed clock forward by a duration or to an instant, and by nothing at all', async () => {
    const by = await call(fixed, 'POST', '/v1/emulator/clock', { advance: '2d' });
    expect(by.status).toBe(200);
    expect(by.body).toEqual({ now: '2026-06-12T12:00:00.000Z' });
    const to = await call(fixed, 'POST', '/v1/emulator/clock', { now: '2026-06-13T08:30:00+02:00' });
    expect(to.body).toEqual({ now: '2026-06-13T06:30:00.000Z' });
    expect((await call(fixed, 'POST', '/v1/emulator/clock', { advance: '0s' })).body).toEqual({ now: '2026-06-13T06:30:00.000Z' });
    expect((await call(fixed, 'POST', '/v1/emulator/clock', { now: '2026-06-13T06:30:00Z' })).body).toEqual({ now: '2026-06-13T06:30:00.000Z' });
    // relative ranges are taken from the emulator's clock
    const events = await call(fixed, 'GET', '/v1/events?since=1d&aggregate=daily');
    expect(events.status).toBe(200);
  });

  it('refuses bad bodies, going backwards, the wall clock and the gateway token', async () => {
    const cases: Array<[Emulator, unknown, number, string, string]> = [
      [fixed, {}, 400, 'invalid_request', 'missing field "advance" or "now": send {"advance": "5m"} or {"now": "2026-12-01T00:00:00Z"}'],
      [fixed, { advance: '1s', now: '2027-01-01T00:00:00Z' }, 400, 'invalid_request', 'pass either "advance" or "now", not both'],
      [fixed, { advance: 'soon' }, 400, 'invalid_request', 'invalid advance "soon": use a duration such as 2s, 5m or 1d (units ms, s, m, h, d, w)'],
      [fixed, { advance: 60 }, 400, 'invalid_request', 'invalid advance 60: use a duration such as 2s, 5m or 1d'],
      [fixed, { advance: '1mo' }, 400, 'invalid_request', 'invalid advance "1mo"'],
      [fixed, { advance: '-5m' }, 400, 'invalid_request', 'invalid advance "-5m"'],
      [fixed, { now: 'tomorrow' }, 400, 'invalid_request', 'invalid now "tomorrow": use an ISO-8601 instant such as 2026-12-01T00:00:00Z'],
      [fixed, { now: '2026-12-01' }, 400, 'invalid_request', 'invalid now "2026-12-01"'],
      [fixed, { now: '2026-06-31T00:00:00Z' }, 400, 'invalid_request', 'invalid now "2026-06-31T00:00:00Z"'],
      [fixed, { advance: '99999999999d' }, 400, 'invalid_request', 'the clock cannot move past +275760-09-13T00:00:00.000Z'],
      [
        fixed,
        { now: '2026-06-01T00:00:00Z' },
        409,
        'clock_backwards',
        "the emulator's clock is at 2026-06-13T06:30:00.000Z and only moves forward; 2026-06-01T00:00:00.000Z is earlier",
      ],
      [wall, { advance: '1s' }, 409, 'clock_not_fixed', 'the emulator runs on the wall clock; start it with KT_NOW=<ISO instant> to move its time with this endpoint'],
    ];
    for (const [emu, body, status, code, message] of cases) {
      const res = await call(emu, 'POST', '/v1/emulator/clock', body);
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status, code });
      expect(res.body.error.message).toContain(message);
    }
    const backwards = await call(fixed, 'POST', '/v1/emulator/clock', { now: '2020-01-01T00:00:00Z' });
    expect(backwards.body.error.now).toBe('2026-06-13T06:30:00.000Z');
    const gatewayToken = await call(fixed, 'POST', '/v1/emulator/clock', { advance: '1s' }, { token: fixed.gatewayToken });
    expect(gatewayToken.status).toBe(403);
    expect(gatewayToken.body.error.code).toBe('forbidden');
    // none of the refusals moved it
    expect((await call(fixed, 'POST', '/v1/emulator/clock', { advance: '0s' })).body.now).toBe('2026-06-13T06:30:00.000Z');
  });
});

describe('idempotency keys', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator([], { now: NOW });
    await allocate(emu, { team_id: 'org', amount: 100 });
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('replays the first response for the same key and body, and refuses a different body', async () => {
    const headers = { 'Idempotency-Key': 'credit-once' };
    const first = await call(emu, 'POST', '/v1/wallets/credit', { team_id: 'org', amount: 5 }, { headers });
    const second = await call(emu, 'POST', '/v1/wallets/credit', { team_id: 'org', amount: 5 }, { headers });
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect((await wallet(emu, 'org')).allocated).toBe(105);
    const conflict = await call(emu, 'POST', '/v1/wallets/credit', { team_id: 'org', amount: 6 }, { headers });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('idempotency_conflict');
    const credits = await allTransactions(emu, 'team_id=org&type=credit');
    expect(credits).toHaveLength(1);
  });

  it('replays a reservation instead of holding twice', async () => {
    const headers = { 'Idempotency-Key': 'res-once' };
    const a = await gateway(emu, 'reserve', { team_id: 'org', estimated_cost: 3, request_id: 'r' }, headers);
    const b = await gateway(emu, 'reserve', { team_id: 'org', estimated_cost: 3, request_id: 'r' }, headers);
    expect(b.status).toBe(201);
    expect(b.body.reservation_id).toBe(a.body.reservation_id);
    expect((await wallet(emu, 'org')).reserved).toBe(3);
  });
});

describe('durability', () => {
  it('keeps an acknowledged write across kill -9', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kt-emu-'));
    try {
      const db = join(dir, 'ledger.db');
      const first = await startEmulator(['--db', db], { now: NOW });
      expect(first.db).toBe(db);
      await allocate(first, { team_id: 'org', amount: 777 });
      const reply = await call(first, 'POST', '/v1/wallets/credit', { team_id: 'org', amount: 0.000001 });
      expect(reply.status).toBe(200);
      await first.kill();
      const second = await startEmulator(['--db', db], { now: NOW });
      try {
        expect(await wallet(second, 'org')).toMatchObject({ allocated: 777.000001 });
        expect(second.adminToken).not.toBe(first.adminToken);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('page size', () => {
  const pageSize = (file: string): number => {
    const db = new Database(file, { readonly: true });
    try {
      return db.pragma('page_size', { simple: true }) as number;
    } finally {
      db.close();
    }
  };

  it('makes a new file with 2 KiB pages and keeps the pages of an existing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kt-emu-'));
    try {
      const fresh = join(dir, 'new.db');
      const emu = await startEmulator(['--db', fresh], { now: NOW });
      await allocate(emu, { team_id: 'org', amount: 10 });
      await emu.stop();
      expect(pageSize(fresh)).toBe(2048);
      // A file an earlier kt made (4 KiB pages, SQLite's default) is served as it is.
      const older = join(dir, 'older.db');
      const db = new Database(older);
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
      db.close();
      const again = await startEmulator(['--db', older], { now: NOW });
      try {
        await allocate(again, { team_id: 'org', amount: 10 });
        const r = await gateway(again, 'reserve', { team_id: 'org', estimated_cost: 1, request_id: 'p' });
        expect(r.status).toBe(201);
      } finally {
        await again.stop();
      }
      expect(pageSize(older)).toBe(4096);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fault injection', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator(
      [
      '--faults',
      '503 path=/v1/wallets/allocate count=1 commit, 429 path=/v1/whoami retry-after=2 count=1, drop path=/v1/wallets/balance count=1, 503 method=GET path=/v1/wallets/transactions skip=1 count=1, latency=5ms path=/v1/events',
      '--faults-seed',
      '7',
      ],
      { now: NOW },
    );
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('commits the request, then answers 503 (once)', async () => {
    const res = await allocate(emu, { team_id: 'org', amount: 10 });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('service_unavailable');
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    expect((await allocate(emu, { team_id: 'org', amount: 10 })).body.transaction).toBeNull();
  });

  it('answers 429 with Retry-After, then passes', async () => {
    const limited = await call(emu, 'GET', '/v1/whoami');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect((await call(emu, 'GET', '/v1/whoami')).status).toBe(200);
  });

  it('drops the connection without a response', async () => {
    await expect(call(emu, 'GET', '/v1/wallets/balance?team_id=org')).rejects.toThrow();
    expect((await call(emu, 'GET', '/v1/wallets/balance?team_id=org')).status).toBe(200);
  });

  it('skips the first matching requests', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await call(emu, 'GET', '/v1/wallets/transactions?team_id=org')).status);
    expect(statuses).toEqual([200, 503, 200]);
    expect((await call(emu, 'GET', '/v1/events')).status).toBe(200);
  });
});

describe('kt emulator start: flags and output', () => {
  it('prints export lines without --json and stops with exit 0 on SIGINT', async () => {
    const child = spawn(process.execPath, [KT_BIN, 'emulator', 'start', '--port', '0', '--db', ':memory:', '--seed', 'none', '--admin-token', 'tok-admin-1'], {
      env: ktEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.split('\n').length > 2) resolve();
      }),
    );
    expect(out).toMatch(/^export KEEPTRUSTS_API_URL=http:\/\/127\.0\.0\.1:\d+\nexport KEEPTRUSTS_API_TOKEN=tok-admin-1\n$/);
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGINT');
    });
    expect(code).toBe(0);
    expect(err).toContain('gateway token');
    expect(err).toContain('kt emulator stopped');
  });

  it('without better-sqlite3, says how to install it, and every other command still works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kt-nosqlite-'));
    try {
      // a module hook that makes better-sqlite3 unresolvable, as when the optional install failed
      writeFileSync(
        join(dir, 'hooks.mjs'),
        `export async function resolve(specifier, context, next) {
  if (specifier === 'better-sqlite3') throw Object.assign(new Error("Cannot find package 'better-sqlite3'"), { code: 'ERR_MODULE_NOT_FOUND' });
  return next(specifier, context);
}\n`,
      );
      writeFileSync(join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
      const env = { NODE_OPTIONS: `--import=${join(dir, 'register.mjs')}` };
      const res = await runKt(['emulator', 'start', '--port', '0', '--db', ':memory:'], { env });
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('the emulator needs better-sqlite3, which is not installed');
      expect(res.stderr).toContain('npm install better-sqlite3@12');
      expect(res.stdout).toBe('');
      const help = await runKt(['emulator', 'start', '--help'], { env });
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Examples:');
      const other = await runKt(['help', 'exit-codes'], { env });
      expect(other.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad flag values with exit 2', async () => {
    const cases: Array<[string[], string]> = [
      [['--port', 'http'], 'invalid --port "http"'],
      [['--port', '70000'], 'invalid --port "70000"'],
      [['--reservation-ttl', 'soon'], 'invalid --reservation-ttl "soon"'],
      [['--reservation-ttl', '0s'], 'must be greater than zero'],
      [['--seed-events', '-3'], 'invalid --seed-events "-3"'],
      [['--faults', 'explode rate=1'], 'unknown fault "explode"'],
      [['--faults', '503 rate=2'], 'rate is a number from 0 to 1'],
      [['--faults', '503 path=v1'], 'path must start with /'],
      [['--faults', '429 when=now'], 'unknown option "when=now"'],
      [['--faults-seed', 'x'], 'invalid --faults-seed "x"'],
      [['--admin-token', 'short'], 'invalid --admin-token'],
      [['--admin-token', 'same-token-1', '--gateway-token', 'same-token-1'], 'must differ'],
      [['--seed', 'lots'], "argument 'lots' is invalid"],
    ];
    for (const [args, message] of cases) {
      const res = await runKt(['emulator', 'start', '--port', '0', '--db', ':memory:', ...args]);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr).toContain(message);
      expect(res.stdout).toBe('');
    }
  });

  it('fails with exit 1 on a port in use, a missing import file and --seed demo on an existing database', async () => {
    const emu = await startEmulator([], { now: NOW });
    const dir = mkdtempSync(join(tmpdir(), 'kt-emu-'));
    try {
      const port = new URL(emu.url).port;
      const busy = await runKt(['emulator', 'start', '--port', port, '--db', ':memory:', '--seed', 'none']);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      const missing = await runKt(['emulator', 'start', '--port', '0', '--db', ':memory:', '--import', join(dir, 'nope.ndjson')]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('cannot read --import file');
      const db = join(dir, 'x.db');
      const first = await startEmulator(['--db', db], { now: NOW });
      await first.stop();
      const again = await runKt(['emulator', 'start', '--port', '0', '--db', db, '--seed', 'demo']);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('--seed demo needs a new database');
    } finally {
      await emu.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('buckets imported events by local day across the DST change (Europe/Berlin)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kt-emu-'));
    const file = join(dir, 'dst.ndjson');
    const event = (timestamp: string, cost: number): string =>
      JSON.stringify({ timestamp, team_id: 'search', provider: 'openai', model: 'gpt-4o', input_tokens: 1, output_tokens: 1, cached: false, cost });
    writeFileSync(
      file,
      [event('2026-03-28T22:30:00Z', 1), event('2026-03-28T23:30:00Z', 2), event('2026-03-29T21:59:00Z', 4), event('2026-03-29T22:30:00Z', 8)].join('\n'),
    );
    const emu = await startEmulator(['--import', file], { now: NOW });
    try {
      const res = await call(emu, 'GET', '/v1/events?since=2026-03-01&until=2026-04-01&aggregate=daily&tz=Europe/Berlin&group_by=team');
      expect(res.body.data.map((r: Row) => [r.period_start, r.team_id, r.requests, r.cost])).toEqual([
        ['2026-03-28T00:00:00+01:00', 'search', 1, 1],
        ['2026-03-29T00:00:00+01:00', 'search', 2, 6],
        ['2026-03-30T00:00:00+02:00', 'search', 1, 8],
      ]);
      const berlinWeeks = await call(emu, 'GET', '/v1/events?since=2026-03-01&until=2026-04-01&aggregate=weekly&tz=Europe/Berlin');
      expect(berlinWeeks.body.data.map((r: Row) => [r.period_start, r.requests])).toEqual([
        ['2026-03-23T00:00:00+01:00', 3],
        ['2026-03-30T00:00:00+02:00', 1],
      ]);
      // in UTC all four fall on Sunday the 29th or before: one week
      const utc = await call(emu, 'GET', '/v1/events?since=2026-03-01&until=2026-04-01&aggregate=weekly');
      expect(utc.body.data.map((r: Row) => [r.period_start, r.requests, r.cost])).toEqual([['2026-03-23T00:00:00+00:00', 4, 15]]);
    } finally {
      await emu.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('imports NDJSON history; unknown teams get a wallet under the organization', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kt-emu-'));
    const file = join(dir, 'history.ndjson');
    const lines = [
      { timestamp: '2026-06-10T11:00:00Z', team_id: 'newteam', provider: 'openai', model: 'gpt-4o', input_tokens: 1000, output_tokens: 100, cached: false, cost: 0.0035 },
      { timestamp: '2025-01-15T10:00:00Z', team_id: 'newteam', provider: 'anthropic', model: 'claude-haiku', input_tokens: 10, output_tokens: 1, cached: true, cost: 0 },
    ];
    writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, `${JSON.stringify(lines[0])}\n{"timestamp":"2026-01-01T00:00:00Z","team_id":"x","provider":"p","model":"m","cost":-1}\n`);
    const emu = await startEmulator(['--import', file], { now: NOW });
    try {
      const events = await call(emu, 'GET', '/v1/events?team_id=newteam');
      expect(events.body.data.map((e: Row) => [e.model, e.cost, e.cached])).toEqual([
        ['claude-haiku', 0, true],
        ['gpt-4o', 0.0035, false],
      ]);
      expect(await wallet(emu, 'newteam')).toMatchObject({ parent_id: 'org', spent: 0.0035 });
      const rejected = await runKt(['emulator', 'start', '--port', '0', '--db', ':memory:', '--seed', 'none', '--import', bad]);
      expect(rejected.code).toBe(2);
      expect(rejected.stderr).toContain(`${bad}:2: "cost" must not be negative`);
    } finally {
      await emu.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
