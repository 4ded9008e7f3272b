// Hourly usage rollups before the raw events (the full demo's retention):
// the events aggregate reads both exactly, each rollup hour counted in the
// bucket and range its start falls in; verdict filters cannot reach into the
// rollups; the events list says where the raw events begin.
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/emulator/store.js';
import { aggregateEvents, listEvents } from '../../src/emulator/list-endpoints.js';
import { RawJson } from '../../src/emulator/resource-json.js';
import { ApiFailure } from '../../src/emulator/failure.js';
import { DEFAULT_DECISION, type EventInput } from '../../src/emulator/schema.js';
import { rawEventsStartAfter } from '../../src/api/events.js';
import { type Money, nanos } from '../../src/domain/money.js';

const NOW = Date.parse('2026-03-20T12:00:00Z');
const RAW_SINCE = Date.parse('2026-03-10T00:00:00+00:00');
const $ = (cents: number): Money => nanos(BigInt(cents) * 10_000_000n);

function event(ts: string, team: string, model: string, cents: number, verdict: 'allow' | 'block' = 'allow'): EventInput {
  return {
    ts: Date.parse(ts),
    team_id: team,
    user_id: null,
    provider: model.startsWith('claude') ? 'anthropic' : 'openai',
    model,
    input_tokens: 100,
    output_tokens: verdict === 'block' ? 0 : 10,
    cached: false,
    cost: $(cents),
    currency: 'USD',
    request_id: null,
    decision: { ...DEFAULT_DECISION, verdict },
  };
}

type Bucket = { period_start: string; team_id?: string; model?: string; requests: number; input_tokens: number; output_tokens: number; cost: bigint };
const aggregate = (store: Store, query: string): Bucket[] => (aggregateEvents(store, new URLSearchParams(query)) as { data: Bucket[] }).data;

describe('aggregates over rollups and raw events', () => {
  let store: Store;
  beforeAll(() => {
    store = new Store(new Database(':memory:'), { reservationTtlMs: 60_000, now: () => NOW });
    for (const [team, parent] of [['org', null], ['engineering', 'org'], ['search', 'engineering'], ['support', 'org']] as const) {
      store.wallets.create({ team_id: team, name: team, parent_id: parent, currency: 'USD', period: 'monthly', allocation: nanos(0n), soft_cap: null, hard_cap: null });
    }
    const hour = (iso: string, team: string, model: string, requests: number, cents: number): void =>
      store.rollups.insert({
        hour_start: Date.parse(iso),
        team_id: team,
        provider: model.startsWith('claude') ? 'anthropic' : 'openai',
        model,
        requests,
        cached: 1,
        blocked: 0,
        input_tokens: requests * 100,
        output_tokens: requests * 10,
        cost: $(cents),
      });
    hour('2026-03-01T22:00:00Z', 'search', 'gpt-4o', 10, 500);
    hour('2026-03-01T23:00:00Z', 'search', 'gpt-4o-mini', 4, 100);
    hour('2026-03-02T05:00:00Z', 'support', 'claude-sonnet', 3, 200);
    store.rollups.setRawEventsSince(RAW_SINCE);
    store.loadHistory([event('2026-03-10T01:00:00Z', 'search', 'gpt-4o', 50), event('2026-03-12T09:00:00Z', 'support', 'claude-sonnet', 0, 'block')]);
  });

  it('daily buckets in UTC: the rollup hours by their day, then the raw events; requests and cost summed exactly', () => {
    const rows = aggregate(store, 'aggregate=daily&since=2026-03-01&until=2026-04-01');
    expect(rows.map((r) => [r.period_start, r.requests, r.input_tokens, r.output_tokens, r.cost])).toEqual([
      ['2026-03-01T00:00:00+00:00', 14, 1400, 140, $(600)],
      ['2026-03-02T00:00:00+00:00', 3, 300, 30, $(200)],
      ['2026-03-10T00:00:00+00:00', 1, 100, 10, $(50)],
      ['2026-03-12T00:00:00+00:00', 1, 100, 0, 0n],
    ]);
    const month = aggregate(store, 'aggregate=monthly&since=2026-03-01&until=2026-04-01');
    expect(month.map((r) => [r.period_start, r.requests, r.cost])).toEqual([['2026-03-01T00:00:00+00:00', 19, $(850)]]);
  });

  it('another zone moves whole rollup hours to its local days (Berlin is UTC+1 in early March)', () => {
    const rows = aggregate(store, 'aggregate=daily&tz=Europe/Berlin&since=2026-03-01&until=2026-04-01');
    expect(rows.map((r) => [r.period_start, r.requests, r.cost])).toEqual([
      ['2026-03-01T00:00:00+01:00', 10, $(500)],
      ['2026-03-02T00:00:00+01:00', 7, $(300)],
      ['2026-03-10T00:00:00+01:00', 1, $(50)],
      ['2026-03-12T00:00:00+01:00', 1, 0n],
    ]);
  });

  it('groups and filters the rollups like the events: by team and model, a subtree with descendants=true', () => {
    const rows = aggregate(store, 'aggregate=monthly&group_by=team,model&team_id=engineering&descendants=true&since=2026-03-01');
    expect(rows.map((r) => [r.team_id, r.model, r.requests, r.cost])).toEqual([
      ['search', 'gpt-4o', 11, $(550)],
      ['search', 'gpt-4o-mini', 4, $(100)],
    ]);
    expect(aggregate(store, 'aggregate=monthly&model=claude-sonnet&since=2026-03-01').map((r) => [r.requests, r.cost])).toEqual([[4, $(200)]]);
  });

  it('a range counts a rollup hour when the hour starts inside it', () => {
    const rows = aggregate(store, 'aggregate=monthly&since=2026-03-01T22:30:00Z&until=2026-03-02T05:00:00Z');
    expect(rows.map((r) => [r.requests, r.cost])).toEqual([[4, $(100)]]);
  });

  it('a verdict filter that reaches into the rollups is refused; from the raw events on it is answered', () => {
    let failure: unknown;
    try {
      aggregate(store, 'aggregate=daily&verdict=block&since=2026-03-01');
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(ApiFailure);
    expect((failure as ApiFailure).status).toBe(400);
    expect((failure as ApiFailure).message).toBe(
      'spend before 2026-03-10T00:00:00.000Z is kept as hourly rollups, which carry no verdicts: a verdict filter needs since at or after 2026-03-10T00:00:00.000Z',
    );
    expect(aggregate(store, 'aggregate=daily&verdict=block&since=2026-03-10').map((r) => [r.period_start, r.requests])).toEqual([['2026-03-12T00:00:00+00:00', 1]]);
  });

  it("the events list says where the raw events begin (kt's dialect), and kt tells a range that starts before it", () => {
    const page = listEvents(store, new URLSearchParams('since=2026-03-01'));
    expect(page).toBeInstanceOf(RawJson);
    const body = JSON.parse((page as RawJson).text) as { data: unknown[]; raw_events_since: string; next_cursor: null };
    expect(body.raw_events_since).toBe('2026-03-10T00:00:00.000Z');
    expect(body.data).toHaveLength(2);
    expect((page as RawJson).text.endsWith('"next_cursor":null}')).toBe(true);
    expect(rawEventsStartAfter(body, '2026-03-01T00:00:00.000Z')).toBe('2026-03-10T00:00:00.000Z');
    expect(rawEventsStartAfter(body, '2026-03-10T00:00:00.000Z')).toBeUndefined();
    expect(rawEventsStartAfter({ data: [] }, '2026-03-01T00:00:00.000Z')).toBeUndefined();
    expect(rawEventsStartAfter({ raw_events_since: 'soon' }, '2026-03-01T00:00:00.000Z')).toBeUndefined();
    const product = listEvents(store, new URLSearchParams('since=2026-03-01'), { dialect: 'product', name: 'events' });
    expect((product as RawJson).text).not.toContain('raw_events_since');
  });
});
