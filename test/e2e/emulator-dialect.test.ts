// `kt emulator start --dialect product` over plain HTTP: the envelopes, order,
// limits, whoami and error bodies the product's public docs show; and the
// product's event fields (verdict filter included) in kt's own dialect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../helpers/emulator.js';
import { call } from '../helpers/emulator-api.js';

const NOW = '2026-11-28T15:00:00.000Z';

describe('kt emulator --dialect product', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator(['--seed', 'demo', '--seed-events', '1500'], { now: NOW, dialect: 'product' });
  });
  afterAll(async () => {
    expect(await emu.stop()).toBe(0);
  });

  it('lists events under "events", newest first, 50 by default, no cursor', async () => {
    const res = await call(emu, 'GET', '/v1/events');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['events']);
    const events = res.body.events;
    expect(events).toHaveLength(50);
    for (let i = 1; i < events.length; i += 1) expect(events[i].timestamp <= events[i - 1].timestamp).toBe(true);
    expect(events[0]).toMatchObject({ event_type: 'decision', config_version: '0.2.0' });
    expect(events[0].id).toMatch(/^evt_/);
    expect(events[0].event_cost_attribution.total_cost_usd).toEqual(events[0].cost);
    // The newest of all: nothing later exists.
    const later = await call(emu, 'GET', `/v1/events?since=${encodeURIComponent(events[0].timestamp)}`);
    expect(later.body.events.every((e: { timestamp: string }) => e.timestamp === events[0].timestamp)).toBe(true);
  });

  it('caps limit at 1000 and honours since, until, team_id, provider, model and verdict; ignores aggregate', async () => {
    const all = await call(emu, 'GET', '/v1/events?limit=5000');
    expect(all.status).toBe(200);
    expect(all.body.events).toHaveLength(1000);
    const since = '2026-11-01T00:00:00.000Z';
    const until = '2026-11-15T00:00:00.000Z';
    const window = await call(emu, 'GET', `/v1/events?since=${since}&until=${until}&limit=1000&team_id=search,ml&provider=openai`);
    expect(window.body.events.length).toBeGreaterThan(0);
    for (const e of window.body.events) {
      expect(e.timestamp >= since && e.timestamp < until).toBe(true);
      expect(['search', 'ml']).toContain(e.team_id);
      expect(e.provider).toBe('openai');
    }
    const model = await call(emu, 'GET', '/v1/events?model=claude-haiku&limit=20');
    expect(model.body.events.map((e: { model: string }) => e.model)).toEqual(new Array(20).fill('claude-haiku'));
    const blocked = await call(emu, 'GET', '/v1/events?verdict=block&limit=1000');
    expect(blocked.body.events.length).toBeGreaterThan(0);
    for (const e of blocked.body.events) {
      expect(e.verdict).toBe('block');
      expect(e.cost).toBe(0);
      expect(e.event_cost_attribution.total_cost_usd).toBe(0);
    }
    const aggregate = await call(emu, 'GET', '/v1/events?aggregate=monthly&limit=3');
    expect(Object.keys(aggregate.body)).toEqual(['events']);
    expect(aggregate.body.events).toHaveLength(3);
    expect(aggregate.body.events[0].id).toMatch(/^evt_/);
  });

  it('lists wallets under "wallets" and the ledger only under a wallet id, newest first', async () => {
    const wallets = await call(emu, 'GET', '/v1/wallets');
    expect(Object.keys(wallets.body)).toEqual(['wallets']);
    // The demo's eleven team and organization wallets, and one user's, in the console's shapes.
    expect(wallets.body.wallets).toHaveLength(12);
    expect(wallets.body.wallets[0]).toEqual({
      id: 'wal_org',
      scope: 'organization',
      name: 'Organization',
      currency: 'USD',
      balance: expect.any(Number),
      reserved: 0,
      total_allocated: 50000,
      total_spent: expect.any(Number),
      status: 'Healthy',
    });
    const user = wallets.body.wallets.at(-1);
    expect(user).toMatchObject({ scope: 'user', user_id: expect.any(String), balance: 100, total_allocated: 100, total_spent: 0, status: 'Healthy' });
    expect(user.id).toBe(`uwal_${String(user.user_id)}`);
    for (const w of wallets.body.wallets) expect(w.balance + w.reserved + w.total_spent).toBeCloseTo(w.total_allocated, 6);
    const search = wallets.body.wallets.find((w: { team_id: string }) => w.team_id === 'search');
    const txns = await call(emu, 'GET', `/v1/wallets/${search.id}/transactions?limit=1000`);
    expect(txns.status).toBe(200);
    expect(Object.keys(txns.body)).toEqual(['transactions']);
    const rows = txns.body.transactions;
    expect(rows.length).toBeGreaterThan(10);
    for (const r of rows) expect(r.team_id).toBe('search');
    for (let i = 1; i < rows.length; i += 1) expect(rows[i].created_at <= rows[i - 1].created_at).toBe(true);
    expect((await call(emu, 'GET', `/v1/wallets/${search.id}/transactions`)).body.transactions).toHaveLength(50);

    const seedForm = await call(emu, 'GET', '/v1/wallets/transactions?team_id=search');
    expect(seedForm.status).toBe(404);
    expect(seedForm.body).toEqual({ error: 'not found' });
    const unknown = await call(emu, 'GET', '/v1/wallets/wal_nobody/transactions');
    expect(unknown.status).toBe(404);
    expect(typeof unknown.body.error).toBe('string');
  });

  it('charges the first scope that can pay, user → team → organization, and keeps the event the team\'s', async () => {
    const gateway = { token: emu.gatewayToken };
    // A user wallet of its own, allocated by name of its user.
    const made = await call(emu, 'POST', '/v1/wallets/allocate', { user_id: 'usr_grace', amount: 10, currency: 'USD', period: 'monthly' });
    expect(made.status).toBe(200);
    expect(made.body.wallet).toMatchObject({ id: 'uwal_usr_grace', scope: 'user', user_id: 'usr_grace', balance: 10, total_allocated: 10 });
    const teamBefore = (await call(emu, 'GET', '/v1/wallets/balance?team_id=ml')).body.cascade[0];
    const orgBefore = (await call(emu, 'GET', '/v1/wallets/balance?team_id=ml')).body.cascade.at(-1);

    // Within the user's balance: the user's wallet holds it.
    const own = await call(emu, 'POST', '/v1/gateway/wallets/reserve', { team_id: 'ml', user_id: 'usr_grace', estimated_cost: 6, request_id: 'c1' }, gateway);
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ team_id: 'ml', wallet_id: 'uwal_usr_grace', scope: 'user' });
    const settled = await call(
      emu,
      'POST',
      '/v1/gateway/wallets/settle',
      { reservation_id: own.body.reservation_id, actual_cost: 5.5, provider: 'openai', model: 'gpt-4o', input_tokens: 10, output_tokens: 10, cached: false, user_id: 'usr_grace' },
      gateway,
    );
    expect(settled.status).toBe(200);
    expect(settled.body.event).toMatchObject({ team_id: 'ml', user_id: 'usr_grace', cost: 5.5 });
    // Past the user's balance (4.5 left): the team's wallet; past the team's too: the organization alone.
    const team = await call(emu, 'POST', '/v1/gateway/wallets/reserve', { team_id: 'ml', user_id: 'usr_grace', estimated_cost: 6, request_id: 'c2' }, gateway);
    expect(team.body).toMatchObject({ wallet_id: 'wal_ml', scope: 'team' });
    const org = await call(emu, 'POST', '/v1/gateway/wallets/reserve', { team_id: 'ml', estimated_cost: teamBefore.balance + 1, request_id: 'c3' }, gateway);
    expect(org.body).toMatchObject({ wallet_id: 'wal_org', scope: 'organization' });
    const none = await call(emu, 'POST', '/v1/gateway/wallets/reserve', { team_id: 'ml', estimated_cost: orgBefore.balance + 1, request_id: 'c4' }, gateway);
    expect([none.status, none.body]).toEqual([402, { error: 'insufficient balance' }]);

    const after = await call(emu, 'GET', '/v1/wallets/balance?team_id=ml&user_id=usr_grace');
    expect(after.body.effective_scope).toBe('user');
    // The user's wallet, then the team's chain up to the organization.
    expect(after.body.cascade.map((w: { id: string }) => w.id)).toEqual(['uwal_usr_grace', 'wal_ml', 'wal_engineering', 'wal_org']);
    const [userWallet, teamWallet] = after.body.cascade;
    const orgWallet = after.body.cascade.at(-1);
    expect(userWallet).toMatchObject({ id: 'uwal_usr_grace', balance: 4.5, reserved: 0, total_spent: 5.5 });
    // The user's spend is not the team's: its wallet holds only its own reservation.
    expect(teamWallet).toMatchObject({ id: 'wal_ml', reserved: 6, total_spent: teamBefore.total_spent });
    expect(orgWallet.reserved).toBeCloseTo(orgBefore.reserved + 6 + teamBefore.balance + 1, 6);
    // The user's ledger is at its wallet id.
    const txns = await call(emu, 'GET', '/v1/wallets/uwal_usr_grace/transactions');
    expect(txns.body.transactions.map((t: { type: string }) => t.type)).toEqual(['settle', 'reserve', 'allocate']);
    for (const id of [team.body.reservation_id, org.body.reservation_id]) {
      expect((await call(emu, 'POST', '/v1/gateway/wallets/release', { reservation_id: id }, gateway)).status).toBe(200);
    }
    expect((await call(emu, 'GET', '/v1/wallets/balance?team_id=ml')).body.cascade[0]).toMatchObject({ reserved: 0, balance: teamBefore.balance });
  });

  it('answers whoami as {user, organization, role, scope}', async () => {
    const res = await call(emu, 'GET', '/v1/whoami');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user: { id: expect.any(String), email: expect.stringContaining('@') },
      organization: { id: expect.any(String), name: expect.any(String) },
      role: 'admin',
      scope: ['org:billing', 'events:read'],
    });
  });

  it('writes errors as {"error": "<message>"}; every 402 says insufficient balance', async () => {
    const short = await call(emu, 'POST', '/v1/gateway/wallets/reserve', { team_id: 'search', estimated_cost: 999_999, request_id: 'r1' }, { token: emu.gatewayToken });
    expect(short.status).toBe(402);
    expect(short.body).toEqual({ error: 'insufficient balance' });
    const parent = await call(emu, 'POST', '/v1/wallets/allocate', { team_id: 'newteam', amount: 1_000_000, currency: 'USD', period: 'monthly' });
    expect(parent.status).toBe(402);
    expect(parent.body).toEqual({ error: 'insufficient balance' });
    const bad = await call(emu, 'GET', '/v1/events?verdict=maybe');
    expect(bad.status).toBe(400);
    expect(typeof bad.body.error).toBe('string');
    expect(bad.body.error).toContain('unknown verdict "maybe"');
    const auth = await call(emu, 'GET', '/v1/events', undefined, { token: 'wrong-token' });
    expect(auth.status).toBe(401);
    expect(typeof auth.body.error).toBe('string');
    const nowhere = await call(emu, 'GET', '/v1/nowhere');
    expect([nowhere.status, nowhere.body]).toEqual([404, { error: 'not found' }]);
  });
});

describe("kt's dialect: product fields, the verdict filter, transactions under a wallet id", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator(['--seed', 'demo', '--seed-events', '1500'], { now: NOW });
  });
  afterAll(async () => {
    expect(await emu.stop()).toBe(0);
  });

  it('filters events by verdict (comma list) and refuses an unknown one', async () => {
    const mixed = await call(emu, 'GET', '/v1/events?verdict=redact,escalate&limit=1000');
    expect(mixed.status).toBe(200);
    expect(mixed.body.next_cursor).toBeNull();
    const verdicts = new Set(mixed.body.data.map((e: { verdict: string }) => e.verdict));
    expect([...verdicts].sort()).toEqual(['escalate', 'redact']);
    const blocked = await call(emu, 'GET', '/v1/events?verdict=block&limit=1000');
    for (const e of blocked.body.data) expect([e.verdict, e.cost, e.output_tokens]).toEqual(['block', 0, 0]);
    const bad = await call(emu, 'GET', '/v1/events?verdict=allow,deny');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
  });

  it('serves /v1/wallets/{id}/transactions with the same rows and paging as the team query', async () => {
    const byQuery = await call(emu, 'GET', '/v1/wallets/transactions?team_id=search&limit=100');
    const byId = await call(emu, 'GET', '/v1/wallets/wal_search/transactions?limit=100');
    expect(byId.status).toBe(200);
    expect(byId.body).toEqual(byQuery.body);
    const next = await call(emu, 'GET', `/v1/wallets/wal_search/transactions?limit=100&cursor=${byId.body.next_cursor}`);
    const nextByQuery = await call(emu, 'GET', `/v1/wallets/transactions?team_id=search&limit=100&cursor=${byQuery.body.next_cursor}`);
    expect(next.body).toEqual(nextByQuery.body);
  });

  it('takes a gateway event on POST /v1/events with the product fields, and refuses a blocked request that costs', async () => {
    const body = {
      team_id: 'search',
      provider: 'openai',
      model: 'gpt-4o-mini',
      input_tokens: 250,
      output_tokens: 0,
      verdict: 'redact',
      reason_code: 'pii_detected',
      config_version: '0.3.1',
      event_cost_attribution: { total_cost_usd: 0.0000375, source_spend_log_id: 'spl_abc' },
    };
    const res = await call(emu, 'POST', '/v1/events', body, { token: emu.gatewayToken });
    expect(res.status).toBe(201);
    expect(res.body.event).toMatchObject({
      team_id: 'search',
      cost: 0.0000375,
      verdict: 'redact',
      reason_code: 'pii_detected',
      event_type: 'decision',
      config_version: '0.3.1',
      event_cost_attribution: { total_cost_usd: 0.0000375, source_spend_log_id: 'spl_abc' },
      timestamp: NOW,
    });
    const listed = await call(emu, 'GET', `/v1/events?verdict=redact&since=${NOW}`);
    expect(listed.body.data.map((e: { id: string }) => e.id)).toEqual([res.body.event.id]);
    const costly = await call(emu, 'POST', '/v1/events', { ...body, verdict: 'block', event_cost_attribution: undefined, cost: 0.01 });
    expect(costly.status).toBe(400);
    expect(costly.body.error.message).toContain('a blocked request costs 0');
  });
});
