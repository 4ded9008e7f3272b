// The emulator's HTTP API, end to end: the built `kt emulator start` over real HTTP,
// on a fixed clock (KT_NOW), so the demo history is the same on any day.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moneyFromJson } from '../../src/domain/money.js';
import { startEmulator, type Emulator } from '../helpers/emulator.js';
import { call, type Reply } from '../helpers/emulator-api.js';

type Row = Record<string, unknown>;

const nanos = (n: unknown): bigint => moneyFromJson(n);

// A Wednesday late in November: demo history from 1 November 2025, twelve full months and most of a thirteenth.
const NOW = '2026-11-18T15:00:00Z';

describe('demo data and the product document', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator(['--seed', 'demo', '--seed-events', '8000'], { now: NOW });
  });
  afterAll(async () => {
    expect(await emu.stop()).toBe(0);
  });

  it('serves the product document\'s four curl calls verbatim', async () => {
    // curl -X POST …/v1/wallets/allocate -H "Authorization: Bearer $API_TOKEN" -H "Content-Type: application/json" -d '{…}'
    const allocateBody = `{
"team_id": "search",
"amount": 10000,
"currency": "USD",
"period": "monthly"
}`;
    const allocate = await call(emu, 'POST', '/v1/wallets/allocate', undefined, { raw: allocateBody });
    expect(allocate.status).toBe(200);
    expect(allocate.body.wallet).toMatchObject({ team_id: 'search', allocated: 10000, currency: 'USD', period: 'monthly', parent_id: 'engineering' });
    expect(allocate.body.previous_allocated).toBe(10000);
    expect(allocate.body.transaction).toBeNull();

    const balance = await call(emu, 'GET', '/v1/wallets/balance?team_id=search');
    expect(balance.status).toBe(200);
    expect(balance.body.wallet).toMatchObject({ id: 'wal_search', name: 'Search', soft_cap: 8000, hard_cap: 10000 });
    expect(balance.body.parents.map((p: { team_id: string }) => p.team_id)).toEqual(['engineering', 'org']);
    const w = balance.body.wallet;
    expect(nanos(w.available)).toBe(nanos(w.allocated) - nanos(w.spent) - nanos(w.reserved));

    const events = await call(emu, 'GET', '/v1/events?team_id=search&since=30d&aggregate=daily');
    expect(events.status).toBe(200);
    expect(events.body.next_cursor).toBeNull();
    expect(events.body.data.length).toBeGreaterThanOrEqual(28);
    for (const row of events.body.data) {
      expect(row.period_start).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00\+00:00$/);
      expect(Object.keys(row).sort()).toEqual(['cost', 'input_tokens', 'output_tokens', 'period_start', 'requests']);
    }

    const txns = await call(emu, 'GET', '/v1/wallets/transactions?team_id=search&since=90d');
    expect(txns.status).toBe(200);
    expect(txns.body.data).toHaveLength(100);
    expect(typeof txns.body.next_cursor).toBe('string');
    for (const t of txns.body.data) {
      expect(t).toMatchObject({ wallet_id: 'wal_search', team_id: 'search' });
      expect(t.id).toMatch(/^txn_/);
    }
  });

  it('seeds the product document\'s hierarchy and caps', async () => {
    const res = await call(emu, 'GET', '/v1/wallets');
    const rows = res.body.data.map((w: Row) => [w.team_id, w.parent_id, w.allocated]);
    expect(rows).toEqual([
      ['org', null, 50000],
      ['engineering', 'org', 25000],
      ['ml', 'engineering', 7000],
      ['platform', 'engineering', 8000],
      ['search', 'engineering', 10000],
      ['operations', 'org', 10000],
      ['devops', 'operations', 5000],
      ['security', 'operations', 5000],
      ['product', 'org', 15000],
      ['analytics', 'product', 7000],
      ['customer-support', 'product', 8000],
    ]);
    const support = res.body.data.find((w: Row) => w.team_id === 'customer-support');
    expect(support).toMatchObject({ name: 'Customer Support', soft_cap: 6000, hard_cap: 8000 });
    expect(res.body.data[0]).toMatchObject({ unallocated: 0 });
  });

  it('keeps every seeded month of every team within its allocation, with cache hits and all four models', async () => {
    const res = await call(emu, 'GET', '/v1/events?since=2026-08-01&aggregate=monthly&group_by=team');
    expect(new Set(res.body.data.map((r: Row) => (r.period_start as string).slice(0, 7)))).toEqual(new Set(['2026-08', '2026-09', '2026-10', '2026-11']));
    const allocation = new Map((await call(emu, 'GET', '/v1/wallets')).body.data.map((w: Row) => [w.team_id, w.allocated]));
    expect(res.body.data.length).toBeGreaterThan(0);
    for (const row of res.body.data) expect(row.cost).toBeLessThanOrEqual(allocation.get(row.team_id) as number);
    const models = await call(emu, 'GET', '/v1/events?since=2026-08-01&aggregate=monthly&group_by=provider,model');
    const pairs = new Set(models.body.data.map((r: Row) => `${String(r.provider)}/${String(r.model)}`));
    expect([...pairs].sort()).toEqual(['anthropic/claude-haiku', 'anthropic/claude-sonnet', 'openai/gpt-4o', 'openai/gpt-4o-mini']);
    const page = await call(emu, 'GET', '/v1/events?limit=1000');
    const cached = page.body.data.filter((e: Row) => e.cached);
    expect(cached.length).toBeGreaterThan(100);
    for (const e of cached) expect(e.cost).toBe(0);
  });

  it('keeps the ledger invariant: rows since period_start add up to available', async () => {
    for (const team of ['search', 'engineering', 'org']) {
      const { wallet } = (await call(emu, 'GET', `/v1/wallets/balance?team_id=${team}`)).body;
      let sum = 0n;
      let cursor: string | null = null;
      do {
        const page: Reply = await call(
          emu,
          'GET',
          `/v1/wallets/transactions?team_id=${team}&since=${wallet.period_start}&limit=1000${cursor === null ? '' : `&cursor=${cursor}`}`,
        );
        for (const t of page.body.data) sum += nanos(t.amount);
        cursor = page.body.next_cursor;
      } while (cursor !== null);
      expect(sum).toBe(nanos(wallet.available));
    }
  });

  it('pages events by keyset: every event once, in (timestamp, id) order', async () => {
    const seen: string[] = [];
    let last = '';
    let cursor: string | null = null;
    do {
      const page: Reply = await call(emu, 'GET', `/v1/events?limit=333${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(page.status).toBe(200);
      for (const e of page.body.data) {
        const key = `${e.timestamp} ${e.id}`;
        expect(key > last).toBe(true);
        last = key;
        seen.push(e.id);
      }
      cursor = page.body.next_cursor;
    } while (cursor !== null);
    expect(seen).toHaveLength(8000);
    expect(new Set(seen).size).toBe(8000);
  });

  it('filters events by team (with descendants), provider, model and time', async () => {
    const eng = await call(emu, 'GET', '/v1/events?team_id=engineering&descendants=true&limit=1000&since=30d');
    const teams = new Set(eng.body.data.map((e: Row) => e.team_id));
    expect([...teams].sort()).toEqual(['ml', 'platform', 'search']);
    const direct = await call(emu, 'GET', '/v1/events?team_id=engineering');
    expect(direct.body.data).toEqual([]);
    const multi = await call(emu, 'GET', '/v1/events?team_id=search,ml&provider=anthropic&model=claude-haiku&limit=1000');
    for (const e of multi.body.data) expect(e).toMatchObject({ provider: 'anthropic', model: 'claude-haiku' });
    const since = '2026-11-16T15:00:00.000Z';
    const recent = await call(emu, 'GET', `/v1/events?since=${since}&until=1d&limit=1000`);
    expect(recent.body.data.length).toBeGreaterThan(0);
    for (const e of recent.body.data) {
      expect(e.timestamp >= since && e.timestamp < '2026-11-17T15:00:00.000Z').toBe(true);
    }
  });

  it('aggregates in a time zone; buckets add up to the range total', async () => {
    const q = 'since=2026-01-01&team_id=search,platform';
    const berlin = await call(emu, 'GET', `/v1/events?${q}&aggregate=weekly&tz=Europe/Berlin&group_by=team`);
    expect(berlin.status).toBe(200);
    for (const row of berlin.body.data) expect(row.period_start).toMatch(/T00:00:00\+0[12]:00$/);
    const daily = await call(emu, 'GET', `/v1/events?${q}&aggregate=daily&tz=America/New_York`);
    let total = 0n;
    let requests = 0;
    for (const row of daily.body.data) {
      total += nanos(row.cost);
      requests += row.requests;
    }
    let listed = 0n;
    let count = 0;
    let cursor: string | null = null;
    do {
      const page: Reply = await call(emu, 'GET', `/v1/events?${q}&limit=1000${cursor === null ? '' : `&cursor=${cursor}`}`);
      for (const e of page.body.data) {
        listed += nanos(e.cost);
        count += 1;
      }
      cursor = page.body.next_cursor;
    } while (cursor !== null);
    expect(total).toBe(listed);
    expect(requests).toBe(count);
    const bad = await call(emu, 'GET', '/v1/events?aggregate=daily&tz=Mars/Olympus');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    expect(bad.body.error.message).toContain('Mars/Olympus');
    const badAgg = await call(emu, 'GET', '/v1/events?aggregate=hourly');
    expect(badAgg.status).toBe(400);
    const badGroup = await call(emu, 'GET', '/v1/events?aggregate=daily&group_by=user');
    expect(badGroup.status).toBe(400);
  });

  it('refuses bad list parameters', async () => {
    for (const query of ['limit=1001', 'limit=0', 'limit=abc', 'cursor=!!!', 'since=yesterday', 'until=2026-02-30']) {
      const res = await call(emu, 'GET', `/v1/events?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
    const type = await call(emu, 'GET', '/v1/wallets/transactions?team_id=search&type=refund');
    expect(type.status).toBe(400);
    expect(type.body.error.message).toContain('refund');
    const unknown = await call(emu, 'GET', '/v1/wallets/transactions?team_id=nobody');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('team_not_found');
  });
});

describe('auth, envelope and validation', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator(['--admin-token', 'admin-token-123', '--gateway-token', 'gateway-token-123'], { now: NOW });
    await call(emu, 'POST', '/v1/wallets/allocate', { team_id: 'org', amount: 1000, currency: 'USD', period: 'monthly' });
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('uses the tokens given on the command line', () => {
    expect(emu.adminToken).toBe('admin-token-123');
    expect(emu.gatewayToken).toBe('gateway-token-123');
  });

  it('answers whoami for both tokens', async () => {
    expect((await call(emu, 'GET', '/v1/whoami')).body).toEqual({ org: 'demo', name: 'admin', scopes: ['admin'] });
    expect((await call(emu, 'GET', '/v1/whoami', undefined, { token: emu.gatewayToken })).body).toEqual({
      org: 'demo',
      name: 'gateway',
      scopes: ['gateway'],
    });
  });

  it('refuses missing and unknown tokens with 401, the wrong kind with 403, in the envelope with a request id', async () => {
    const cases: Array<[string, string, string | null, number, string]> = [
      ['GET', '/v1/wallets', null, 401, 'unauthorized'],
      ['GET', '/v1/wallets', 'nope-nope-nope', 401, 'unauthorized'],
      ['GET', '/v1/wallets', emu.gatewayToken, 403, 'forbidden'],
      ['POST', '/v1/gateway/wallets/reserve', emu.adminToken, 403, 'forbidden'],
      ['POST', '/v1/gateway/wallets/reserve', null, 401, 'unauthorized'],
    ];
    for (const [method, path, token, status, code] of cases) {
      const res = await call(emu, method, path, method === 'POST' ? {} : undefined, { token });
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.request_id).toBe(res.headers.get('x-request-id'));
      expect(res.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{16}$/);
    }
  });

  it('puts X-Request-Id on successes and answers unknown paths with 404', async () => {
    const ok = await call(emu, 'GET', '/v1/wallets');
    expect(ok.headers.get('x-request-id')).toMatch(/^req_/);
    const missing = await call(emu, 'GET', '/v1/nothing');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('validates bodies: amounts, currency, fields, JSON, size, period', async () => {
    const base = { team_id: 'search', amount: 10, currency: 'USD', period: 'monthly' };
    const cases: Array<[unknown, number, string, string]> = [
      [{ ...base, amount: -5 }, 400, 'invalid_request', 'negative'],
      [{ ...base, amount: 0 }, 400, 'invalid_request', 'greater than zero'],
      [{ ...base, amount: 'ten' }, 400, 'invalid_request', 'must be a number'],
      [{ ...base, amount: '10' }, 400, 'invalid_request', 'must be a number'],
      [{ ...base, amount: 2e9 }, 400, 'invalid_request', 'too large'],
      [{ ...base, currency: 'XYZ' }, 400, 'invalid_currency', 'XYZ'],
      [{ ...base, period: 'weekly' }, 400, 'invalid_request', 'unknown period'],
      [{ amount: 10, currency: 'USD', period: 'monthly' }, 400, 'invalid_request', 'missing field "team_id"'],
      [{ team_id: 'search', currency: 'USD', period: 'monthly' }, 400, 'invalid_request', 'missing field "amount"'],
      [{ ...base, team_id: 'Bad Team' }, 400, 'invalid_request', 'invalid team_id'],
      [[1, 2], 400, 'invalid_request', 'JSON object'],
      [{ ...base, soft_cap: 9, hard_cap: 8 }, 400, 'invalid_request', 'soft_cap 9 is above hard_cap 8'],
      [{ ...base, hard_cap: -1 }, 400, 'invalid_request', 'negative'],
    ];
    for (const [body, status, code, message] of cases) {
      const res = await call(emu, 'POST', '/v1/wallets/allocate', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message).toContain(message);
    }
    const badJson = await call(emu, 'POST', '/v1/wallets/allocate', undefined, { raw: '{"team_id": ' });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.code).toBe('invalid_json');
    const huge = await call(emu, 'POST', '/v1/wallets/allocate', undefined, { raw: JSON.stringify({ ...base, pad: 'x'.repeat(1024 * 1024) }) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
    // the wallet was never created by any of these
    expect((await call(emu, 'GET', '/v1/wallets/balance?team_id=search')).status).toBe(404);
  });

  it('validates gateway bodies', async () => {
    const gw = { token: emu.gatewayToken };
    const cases: Array<[string, unknown, number, string]> = [
      ['/v1/gateway/wallets/reserve', { team_id: 'org', request_id: 'x' }, 400, 'missing field "estimated_cost"'],
      ['/v1/gateway/wallets/reserve', { team_id: 'org', estimated_cost: -1 }, 400, 'negative'],
      ['/v1/gateway/wallets/reserve', { team_id: 'ghost', estimated_cost: 1 }, 404, 'ghost'],
      ['/v1/gateway/wallets/settle', { reservation_id: 'res_x', actual_cost: 1, provider: 'openai', model: 'gpt-4o', input_tokens: 1, output_tokens: 1, cached: false }, 404, 'res_x'],
      ['/v1/gateway/wallets/settle', { reservation_id: 'res_x', actual_cost: 1, provider: 'openai', model: 'gpt-4o', input_tokens: -1, output_tokens: 1 }, 400, 'input_tokens'],
      ['/v1/gateway/wallets/settle', { reservation_id: 'res_x', actual_cost: 1, model: 'gpt-4o', input_tokens: 1, output_tokens: 1 }, 400, 'provider'],
      ['/v1/gateway/wallets/release', {}, 400, 'reservation_id'],
    ];
    for (const [path, body, status, message] of cases) {
      const res = await call(emu, 'POST', path, body, gw);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(status);
      expect(res.body.error.message).toContain(message);
    }
  });
});
