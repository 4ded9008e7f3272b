// Typed calls for GET /v1/events (docs/api-contract.md § Events).
import type { ApiClient, Query } from './client.js';
import { MAX_PAGE_SIZE, type GroupKey } from '../domain/events.js';
import type { BucketPeriod } from '../domain/periods.js';

/** One spend event as the API sends it (cost in the major unit). */
export interface ApiEvent {
  id: string;
  timestamp: string;
  team_id: string;
  user_id: string | null;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cached: boolean;
  cost: number;
  currency: string;
  request_id: string | null;
}

/** One aggregation bucket; only the grouped keys are present. */
export interface ApiEventBucket {
  period_start: string;
  team_id?: string;
  provider?: string;
  model?: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost: number;
}

export interface EventFilter {
  /** ISO instant, inclusive. */
  since: string;
  /** ISO instant, exclusive. */
  until?: string | undefined;
  teams?: readonly string[] | undefined;
  providers?: readonly string[] | undefined;
  models?: readonly string[] | undefined;
}

function filterQuery(filter: EventFilter): Record<string, string | undefined> {
  const list = (values: readonly string[] | undefined): string | undefined =>
    values === undefined || values.length === 0 ? undefined : values.join(',');
  return {
    since: filter.since,
    until: filter.until,
    team_id: list(filter.teams),
    provider: list(filter.providers),
    model: list(filter.models),
  };
}

/**
 * Pages of raw events in (timestamp, id) order. The client prefetches the
 * next page while the caller consumes this one; stopping the iteration stops
 * the paging.
 */
export function eventPages(api: ApiClient, filter: EventFilter, pageSize = MAX_PAGE_SIZE): AsyncGenerator<ApiEvent[], void, undefined> {
  const query: Query = filterQuery(filter);
  return api.pages<ApiEvent>('/v1/events', query, { pageSize: Math.min(MAX_PAGE_SIZE, Math.max(1, pageSize)) });
}

/** Buckets of spend per period (and group), computed by the server. */
export async function aggregateEvents(
  api: ApiClient,
  filter: EventFilter,
  options: { aggregate: BucketPeriod; groupBy: readonly GroupKey[]; tz: string },
): Promise<ApiEventBucket[]> {
  const query: Query = {
    ...filterQuery(filter),
    aggregate: options.aggregate,
    group_by: options.groupBy.length > 0 ? options.groupBy.join(',') : undefined,
    tz: options.tz,
  };
  const buckets: ApiEventBucket[] = [];
  // The contract returns every bucket in one page; follow a cursor anyway should one appear.
  for await (const page of api.pages<ApiEventBucket>('/v1/events', query)) buckets.push(...page);
  return buckets;
}
