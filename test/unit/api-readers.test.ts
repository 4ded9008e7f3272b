// The tolerant readers of the API layer: every documented field name, exact
// money from any number form, and a strict message naming the endpoint when a
// body cannot be used.
import { describe, expect, it } from 'vitest';
import { readEvent } from '../../src/api/events.js';
import { readTransaction, readWallet } from '../../src/api/wallets.js';
import { readWhoami } from '../../src/api/auth.js';
import { extractList, tailCursor } from '../../src/api/pages.js';
import { parseJsonExact } from '../../src/domain/json.js';
import { Bucketer } from '../../src/domain/buckets.js';
import { normalizeVerdict } from '../../src/domain/events.js';
import { FailureError } from '../../src/errors.js';
import { EVENT_COLUMNS } from '../../src/cli/events/list.js';
import { EVENT_FIELD_NAMES } from '../../src/domain/events.js';
import { nanos } from '../../src/domain/money.js';

const W = 'GET /v1/events';

function failure(fn: () => unknown): FailureError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FailureError) return error;
    throw error;
  }
  throw new Error('expected a FailureError');
}

describe('readEvent', () => {
  it("reads kt's contract", () => {
    const e = readEvent({ id: 'e1', timestamp: '2026-11-30T10:00:00Z', team_id: 'search', user_id: 'u', provider: 'openai', model: 'gpt-4o', input_tokens: 10, output_tokens: 5, cached: true, cost: 0.25, currency: 'EUR', request_id: 'r' }, W);
    expect(e).toMatchObject({ id: 'e1', team_id: 'search', user_id: 'u', cached: true, cost: 250_000_000n, currency: 'EUR', verdict: null });
  });

  it("reads the product's shapes: event_id, created_at, team, decision, cost_usd, event_cost_attribution", () => {
    const text = '{"event_id":"evt_9","created_at":"2026-11-30T10:00:00Z","team":"ads","decision":"allowed","cost_usd":0.0016150000000000001,"input_tokens":"250"}';
    expect(readEvent(parseJsonExact(text), W)).toMatchObject({ id: 'evt_9', timestamp: '2026-11-30T10:00:00Z', team_id: 'ads', verdict: 'allowed', cost: 1_615_000n, input_tokens: 250, currency: 'USD' });
    const nested = readEvent(parseJsonExact('{"id":"evt_1","timestamp":"2026-11-30T10:00:00Z","verdict":"block","reason_code":"pii_detected","event_type":"decision","config_version":"0.2.0","event_cost_attribution":{"total_cost_usd":3.75e-05}}'), W);
    expect(nested).toMatchObject({ cost: 37_500n, verdict: 'block', reason_code: 'pii_detected', event_type: 'decision', config_version: '0.2.0' });
    // No cost at all is not the same as zero.
    expect(readEvent({ id: 'x', timestamp: '2026-11-30T10:00:00Z' }, W).cost).toBeNull();
  });

  it('keeps digits beyond a double: a long cost arrives exact', () => {
    const e = readEvent(parseJsonExact('{"id":"x","timestamp":"2026-11-30T10:00:00Z","cost":20000.000000123}'), W);
    expect(e.cost).toBe(20_000_000_000_123n);
  });

  it('names the endpoint and the missing field for an unusable event', () => {
    expect(failure(() => readEvent({ id: 'x' }, W)).message).toBe('unexpected response from GET /v1/events: an event without "timestamp", "created_at" or "time"');
    expect(failure(() => readEvent({ id: 'x', timestamp: 'yesterday' }, W)).message).toContain('an event has timestamp "yesterday", not an ISO 8601 instant');
    expect(failure(() => readEvent({ id: 'x', timestamp: '2026-11-30T10:00:00Z', cost: 'lots' }, W)).message).toContain('an event has cost "lots"');
    expect(failure(() => readEvent({ id: 'x', timestamp: '2026-11-30T10:00:00Z', input_tokens: 'many' }, W)).message).toContain('has input_tokens "many", not a number');
    expect(failure(() => readEvent('nope', W)).hint).toContain('--debug');
  });
});

describe('extractList', () => {
  it('finds the list under its own name, data, or as a bare array, and the cursor wherever it is', () => {
    expect(extractList({ events: [1] }, ['events'], W)).toEqual({ items: [1], cursorField: false, cursor: undefined });
    expect(extractList({ data: [1], next_cursor: 'c' }, ['events'], W)).toEqual({ items: [1], cursorField: true, cursor: 'c' });
    expect(extractList([1, 2], ['events'], W).items).toEqual([1, 2]);
    expect(extractList({ items: [1], pagination: { nextCursor: 'n' } }, ['events'], W).cursor).toBe('n');
    expect(extractList({ data: [1], next_cursor: 'c', has_more: false }, ['events'], W).cursor).toBeUndefined();
  });
  it('says what the object has when there is no list', () => {
    expect(failure(() => extractList({ status: 'ok' }, ['events'], W)).message).toBe('unexpected response from GET /v1/events: no "events" or "data" list (the object has keys status)');
  });
});

describe('readWallet and readTransaction', () => {
  it("reads kt's contract and the console's names, keeping this period's figures apart from cumulative totals", () => {
    const product = readWallet(parseJsonExact('{"id":"wal_1","team":"search","balance":3.0000000000000004,"total_allocated":10000,"total_spent":9996.999999999999,"status":"Low"}'), 'GET /v1/wallets');
    expect(product).toMatchObject({ team_id: 'search', available: 3_000_000_000n, total_allocated: 10_000_000_000_000n, total_spent: 9_997_000_000_000n, status: 'low' });
    // Unknown is not zero: what the server did not send stays null, nothing is defaulted.
    expect(product).toMatchObject({ allocated: null, spent: null, reserved: null, period: null, currency: null, name: null, scope: null });
    const contract = readWallet({ id: 'w', team_id: 'org', name: 'Org', allocated: 100, spent: 40, reserved: 10, available: 50, period: 'monthly' }, 'GET /v1/wallets');
    expect(contract).toMatchObject({ allocated: 100_000_000_000n, available: 50_000_000_000n, parent_id: null, scope: 'organization', total_allocated: null });
    // available worked out when the server leaves it out, only from three reported figures
    expect(readWallet({ team_id: 'x', allocated: 10, spent: 3, reserved: 2 }, 'w').available).toBe(5_000_000_000n);
    expect(readWallet({ team_id: 'x', allocated: 10, spent: 3 }, 'w').available).toBeNull();
    expect(readWallet({ balance: 7, id: 'wal_x' }, 'w')).toMatchObject({ team_id: 'wal_x', available: 7_000_000_000n, status: null, period: null });
    expect(failure(() => readWallet({ name: 'nameless' }, 'GET /v1/wallets')).message).toContain('a wallet without "team_id", "team", "user_id" or "id"');
  });

  it('reads scopes: the organization whatever its id, teams by scope_id, users by user_id', () => {
    expect(readWallet({ id: 'wal_7f3c', scope: 'organization', name: 'Acme', balance: 1 }, 'w')).toMatchObject({ id: 'wal_7f3c', scope: 'organization', team_id: 'org', user_id: null });
    expect(readWallet({ id: 'w2', scope_type: 'Team', scope_id: 'search', balance: 1 }, 'w')).toMatchObject({ scope: 'team', team_id: 'search' });
    expect(readWallet({ id: 'w3', scope: 'user', scope_id: 'usr_ada', team_id: 'search', balance: 1 }, 'w')).toMatchObject({ scope: 'user', user_id: 'usr_ada', team_id: null });
    // kt's contract without scopes: org is the organization, a wallet with a parent a team's.
    expect(readWallet({ team_id: 'search', parent_id: 'engineering' }, 'w').scope).toBe('team');
    expect(readWallet({ team_id: 'lonely' }, 'w').scope).toBeNull();
  });
  it('reads a transaction with its balance under either name', () => {
    expect(readTransaction({ id: 't', type: 'settle', amount: -0.001615, balance: 3, created_at: '2026-11-20T10:00:01Z' }, 'w')).toMatchObject({ amount: -1_615_000n, balance_after: 3_000_000_000n });
    expect(failure(() => readTransaction({ id: 't', created_at: '2026-11-20T10:00:01Z', type: 'settle' }, 'GET /v1/wallets/w/transactions')).message).toBe(
      'unexpected response from GET /v1/wallets/w/transactions: a transaction without "amount"',
    );
  });
});

describe('readWhoami', () => {
  it("reads kt's contract and the product's user/organization/role/scope", () => {
    expect(readWhoami({ org: 'demo', name: 'admin', scopes: ['admin'] })).toEqual({ user: 'admin', organization: 'demo', organizationId: 'demo', role: null, scopes: ['admin'] });
    expect(readWhoami({ user: { id: 'u1', email: 'ada@acme.example' }, organization: { id: 'o1', name: 'Acme' }, role: 'admin', scope: 'org:billing events:read' })).toEqual({
      user: 'ada@acme.example',
      organization: 'Acme',
      organizationId: 'o1',
      role: 'admin',
      scopes: ['org:billing', 'events:read'],
    });
  });
});

describe('Bucketer', () => {
  const event = (timestamp: string, team: string, cost: bigint) => ({ timestamp, team_id: team, provider: 'openai', model: 'gpt-4o', input_tokens: 1, output_tokens: 2, cost: nanos(cost) });
  it('sums exact money per local day and team, across a DST change', () => {
    const b = new Bucketer('daily', ['team'], 'Europe/Berlin');
    // 2026-03-29: clocks go forward at 02:00 local; 22:30 UTC on the 28th is 23:30 local on the 28th.
    b.add(event('2026-03-28T22:30:00Z', 'a', 1n));
    b.add(event('2026-03-28T23:30:00Z', 'a', 2n)); // 00:30 on the 29th
    b.add(event('2026-03-29T21:59:00Z', 'a', 4n)); // 23:59 on the 29th (UTC+2)
    b.add(event('2026-03-29T22:00:00Z', 'b', 8n)); // 00:00 on the 30th
    b.add({ ...event('2026-03-29T22:00:01Z', 'b', 0n), cost: null });
    expect(b.rows()).toEqual([
      { period_start: '2026-03-28T00:00:00+01:00', team_id: 'a', requests: 1, input_tokens: 1, output_tokens: 2, cost: 1n },
      { period_start: '2026-03-29T00:00:00+01:00', team_id: 'a', requests: 2, input_tokens: 2, output_tokens: 4, cost: 6n },
      { period_start: '2026-03-30T00:00:00+02:00', team_id: 'b', requests: 2, input_tokens: 2, output_tokens: 4, cost: 8n },
    ]);
  });
});

describe('verdicts', () => {
  it("maps the product pages' words to the CLI's", () => {
    expect(['allowed', 'Blocked', 'pass', 'modified', 'escalated', 'redact'].map((v) => normalizeVerdict(v))).toEqual(['allow', 'block', 'allow', 'redact', 'escalate', 'redact']);
    expect(normalizeVerdict('flagged')).toBeUndefined();
    expect(normalizeVerdict(null)).toBeUndefined();
  });
  it('the event columns and the field vocabulary are one list', () => {
    expect(EVENT_COLUMNS.map((c) => c.name)).toEqual([...EVENT_FIELD_NAMES]);
  });
});

describe('tailCursor', () => {
  it("finds the cursor at the end of kt's page text, and nothing else", () => {
    expect(tailCursor('{"data":[{"id":"a"}],"next_cursor":"eyJ0cyI6MX0"}')).toBe('eyJ0cyI6MX0');
    expect(tailCursor('{"data":[],"next_cursor":null}')).toBeUndefined();
    expect(tailCursor('{"next_cursor":"x","data":[]}')).toBeUndefined();
    expect(tailCursor('{"data":[{"next_cursor":"inside"}]}')).toBeUndefined();
    expect(tailCursor('{"data":[],"nextCursor":"n"}\n')).toBe('n');
  });
});
