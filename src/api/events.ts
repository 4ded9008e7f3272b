// GET /v1/events: spend events page by page, and aggregates.
//
// Read tolerantly (docs/api-contract.md § Events and the product's shapes):
// the list under `data`, `events` or as a bare array; id from `id` or
// `event_id`; time from `timestamp` or `created_at`; cost from `cost`,
// `cost_usd` or `event_cost_attribution.total_cost_usd`, exact to a
// nano-dollar; team from `team_id` or `team`; the decision from `verdict` or
// `decision`. A server that ignores a filter still gets the right rows: kt
// applies its exact-match filters again to what comes back.
import type { ApiClient, Query } from './client.js';
import { pageThrough } from './pages.js';
import { asObject, count, flag, optionalMoney, optionalText, requiredText, unexpected, type RawObject } from './read.js';
import { MAX_PAGE_SIZE, normalizeVerdict, type GroupKey } from '../domain/events.js';
import type { BucketPeriod } from '../domain/periods.js';
import { isPlainUtcInstant } from '../domain/time.js';
import { Bucketer, type SpendBucketRow } from '../domain/buckets.js';
import { type Money, ZERO } from '../domain/money.js';

/** One spend event, whatever dialect the server speaks. */
export interface SpendEvent {
  id: string;
  timestamp: string;
  team_id: string | null;
  user_id: string | null;
  provider: string | null;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cached: boolean;
  /** null when the server sent no cost at all (not the same as 0). */
  cost: Money | null;
  currency: string;
  request_id: string | null;
  verdict: string | null;
  reason_code: string | null;
  event_type: string | null;
  config_version: string | null;
}

/** One aggregation bucket (only the grouped keys are present), from the server or summed by kt. */
export type EventBucket = SpendBucketRow;

export interface EventFilter {
  /** ISO instant, inclusive. */
  since: string;
  /** ISO instant, exclusive. */
  until?: string | undefined;
  teams?: readonly string[] | undefined;
  providers?: readonly string[] | undefined;
  models?: readonly string[] | undefined;
  verdicts?: readonly string[] | undefined;
}

const ID = ['id', 'event_id'];
const TIME = ['timestamp', 'created_at', 'time'];
const TEAM = ['team_id', 'team'];
const USER = ['user_id', 'user', 'consumer'];
const INPUT = ['input_tokens', 'prompt_tokens', 'tokens_in'];
const OUTPUT = ['output_tokens', 'completion_tokens', 'tokens_out'];
const COST = ['cost', 'cost_usd'];
const VERDICT = ['verdict', 'decision'];

function filterQuery(filter: EventFilter): Record<string, string | undefined> {
  const list = (values: readonly string[] | undefined): string | undefined =>
    values === undefined || values.length === 0 ? undefined : values.join(',');
  return {
    since: filter.since,
    until: filter.until,
    team_id: list(filter.teams),
    provider: list(filter.providers),
    model: list(filter.models),
    verdict: list(filter.verdicts),
  };
}

function eventCost(o: RawObject, where: string): Money | null {
  const flat = optionalMoney(o, COST, 'an event', where);
  if (flat !== null) return flat;
  const attribution = o.event_cost_attribution;
  if (typeof attribution === 'object' && attribution !== null) {
    return optionalMoney(attribution as RawObject, ['total_cost_usd', 'total_cost', 'cost_usd'], 'an event\'s event_cost_attribution', where);
  }
  return null;
}

/** One raw event as a SpendEvent; an event without a time is unusable. */
export function readEvent(raw: unknown, where: string): SpendEvent {
  const o = asObject(raw, 'an event', where);
  const timestamp = requiredText(o, TIME, 'an event', where);
  if (!isPlainUtcInstant(timestamp) && Number.isNaN(Date.parse(timestamp))) throw unexpected(where, `an event has timestamp ${JSON.stringify(timestamp)}, not an ISO 8601 instant`);
  const id = optionalText(o, ID) ?? optionalText(o, ['request_id']) ?? `${timestamp}/${optionalText(o, TEAM) ?? ''}/${optionalText(o, ['model']) ?? ''}`;
  return {
    id,
    timestamp,
    team_id: optionalText(o, TEAM),
    user_id: optionalText(o, USER),
    provider: optionalText(o, ['provider']),
    model: optionalText(o, ['model']),
    input_tokens: count(o, INPUT, 'an event', where),
    output_tokens: count(o, OUTPUT, 'an event', where),
    cached: flag(o, ['cached', 'cache_hit']),
    cost: eventCost(o, where),
    currency: optionalText(o, ['currency']) ?? 'USD',
    request_id: optionalText(o, ['request_id']),
    verdict: optionalText(o, VERDICT),
    reason_code: optionalText(o, ['reason_code', 'reason']),
    event_type: optionalText(o, ['event_type', 'type']),
    config_version: optionalText(o, ['config_version']),
  };
}

function readBucket(raw: unknown, where: string): EventBucket {
  const o = asObject(raw, 'an aggregate bucket', where);
  const bucket: EventBucket = {
    period_start: requiredText(o, ['period_start', 'period'], 'an aggregate bucket', where),
    requests: count(o, ['requests', 'count'], 'an aggregate bucket', where),
    input_tokens: count(o, INPUT, 'an aggregate bucket', where),
    output_tokens: count(o, OUTPUT, 'an aggregate bucket', where),
    cost: optionalMoney(o, COST, 'an aggregate bucket', where) ?? ZERO,
  };
  if ('team_id' in o || 'team' in o) bucket.team_id = optionalText(o, TEAM);
  if ('provider' in o) bucket.provider = optionalText(o, ['provider']);
  if ('model' in o) bucket.model = optionalText(o, ['model']);
  return bucket;
}

/** The exact-match filters, applied again on kt's side. */
function matcher(filter: EventFilter): ((e: SpendEvent) => boolean) | undefined {
  const sets: Array<[keyof SpendEvent, Set<string>]> = [];
  const add = (key: keyof SpendEvent, values: readonly string[] | undefined): void => {
    if (values !== undefined && values.length > 0) sets.push([key, new Set(values)]);
  };
  add('team_id', filter.teams);
  add('provider', filter.providers);
  add('model', filter.models);
  const verdicts = filter.verdicts === undefined || filter.verdicts.length === 0 ? undefined : new Set(filter.verdicts.map((v) => normalizeVerdict(v) ?? v));
  if (sets.length === 0 && verdicts === undefined) return undefined;
  return (e) =>
    sets.every(([key, values]) => values.has(String(e[key] ?? ''))) && (verdicts === undefined || verdicts.has(normalizeVerdict(e.verdict) ?? e.verdict ?? ''));
}

export interface EventPageHooks {
  /**
   * Told once, with the server's `raw_events_since` (docs/api-contract.md §
   * Events), when the range starts before the first raw event it keeps:
   * spend before that instant is kept as aggregates only.
   */
  rawEventsSince?: (since: string) => void;
}

/** The server's `raw_events_since`, when it is later than the range's start. */
export function rawEventsStartAfter(body: unknown, since: string): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const value = (body as RawObject).raw_events_since;
  if (typeof value !== 'string') return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) || !(at > Date.parse(since)) ? undefined : value;
}

/**
 * Pages of events in time order (whichever way the server orders them). The
 * next page is requested while the caller consumes this one; stopping the
 * iteration stops the paging.
 */
export async function* eventPages(
  api: ApiClient,
  filter: EventFilter,
  pageSize = MAX_PAGE_SIZE,
  maxRows?: number,
  hooks: EventPageHooks = {},
): AsyncGenerator<SpendEvent[], void, undefined> {
  const query: Query = filterQuery(filter);
  const keep = matcher(filter);
  let told = hooks.rawEventsSince === undefined;
  const onBody = (body: unknown): void => {
    if (told) return;
    told = true;
    const since = rawEventsStartAfter(body, filter.since);
    if (since !== undefined) hooks.rawEventsSince?.(since);
  };
  const pages = pageThrough(api, '/v1/events', query, {
    listKeys: ['events'],
    pageSize: Math.min(MAX_PAGE_SIZE, Math.max(1, pageSize)),
    maxRows,
    noun: { one: 'an event', many: 'events' },
    read: readEvent,
    byTime: { time: (e) => Date.parse(e.timestamp), key: (e) => e.id },
    onBody,
  });
  for await (const page of pages) {
    const rows = keep === undefined ? page : page.filter(keep);
    if (rows.length > 0) yield rows;
  }
}

export interface AggregateOptions {
  aggregate: BucketPeriod;
  groupBy: readonly GroupKey[];
  tz: string;
  /** Ask for the teams' whole subtrees (kt's `descendants=true`). */
  descendants?: boolean;
  /**
   * When kt must sum events itself and `descendants` is set: the teams of the
   * subtrees (a server that lists events knows nothing of the hierarchy).
   */
  subtreeTeams?: () => Promise<readonly string[]>;
  /** Told once when the server has no aggregation and kt sums the events itself. */
  onClientSide?: (events: number) => void;
}

/** A list item that is an event rather than a bucket: the server ignored `aggregate`. */
function looksLikeEvent(raw: unknown): boolean {
  if (typeof raw !== 'object' || raw === null) return false;
  const o = raw as RawObject;
  return o.period_start === undefined && (o.timestamp !== undefined || o.created_at !== undefined);
}

const NOT_BUCKETS = Symbol('events instead of buckets');

/**
 * Buckets of spend per period (and group). kt's contract computes them on the
 * server; a control plane without aggregation (the product's API) answers
 * with events, and then kt pages through the events and sums them itself,
 * exactly, in the same local periods.
 */
export async function aggregateEvents(api: ApiClient, filter: EventFilter, options: AggregateOptions): Promise<EventBucket[]> {
  const query: Query = {
    ...filterQuery(filter),
    aggregate: options.aggregate,
    group_by: options.groupBy.length > 0 ? options.groupBy.join(',') : undefined,
    tz: options.tz,
    descendants: options.descendants === true ? 'true' : undefined,
  };
  const buckets: EventBucket[] = [];
  const read = (raw: unknown, where: string): EventBucket | typeof NOT_BUCKETS => (looksLikeEvent(raw) ? NOT_BUCKETS : readBucket(raw, where));
  for await (const page of pageThrough(api, '/v1/events', query, { listKeys: ['buckets', 'events'], pageSize: MAX_PAGE_SIZE, read })) {
    if (page.some((b) => b === NOT_BUCKETS)) return clientSideBuckets(api, filter, options);
    buckets.push(...(page as EventBucket[]));
  }
  return buckets;
}

async function clientSideBuckets(api: ApiClient, filter: EventFilter, options: AggregateOptions): Promise<EventBucket[]> {
  let teams = filter.teams;
  if (options.descendants === true && options.subtreeTeams !== undefined) teams = await options.subtreeTeams();
  const bucketer = new Bucketer(options.aggregate, options.groupBy, options.tz);
  let count = 0;
  for await (const page of eventPages(api, { ...filter, teams })) {
    for (const event of page) bucketer.add(event);
    count += page.length;
  }
  options.onClientSide?.(count);
  return bucketer.rows();
}
