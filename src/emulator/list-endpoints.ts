// The list endpoints: events and wallet transactions paged by keyset on
// (timestamp, seq) — never OFFSET — and the events aggregate by time bucket.
import { TRANSACTION_TYPES, isTransactionType } from '../domain/ledger.js';

import { BUCKET_PERIODS, bucketStart, formatWithOffset, isBucketPeriod, nextBucketStart } from '../domain/periods.js';
import { GROUP_KEYS, MAX_PAGE_SIZE } from '../domain/events.js';
import { isTimeZone } from '../domain/time.js';
import { invalid } from './failure.js';
import { instantParam, limitParam, listParam } from './request-fields.js';
import { eventJson, eventText, RawJson, txnJson } from './resource-json.js';
import { EVENT_MONEY, fromDb, iso, isVerdict, TXN_MONEY, VERDICTS, type EventRow, type TxnRow } from './schema.js';
import type { Store } from './store.js';

function encodeCursor(ts: number, seq: number): string {
  return Buffer.from(`${ts}:${seq}`).toString('base64url');
}

function decodeCursor(q: URLSearchParams): { ts: number; seq: number } | undefined {
  const text = q.get('cursor');
  if (text === null || text === '') return undefined;
  const match = /^(-?\d+):(\d+)$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (match === null) throw invalid('invalid cursor: pass next_cursor from the previous page unchanged');
  return { ts: Number(match[1]), seq: Number(match[2]) };
}

function placeholders(n: number): string {
  return new Array(n).fill('?').join(', ');
}

/** Ledger rows; `team` (from the path /v1/wallets/{id}/transactions) stands for the team_id parameter. */
export function transactions(store: Store, q: URLSearchParams, options: ListShape = KT_LIST, team?: string): unknown {
  const where: string[] = [];
  const params: unknown[] = [];
  const teams = team === undefined ? listParam(q, 'team_id') : [team];
  if (teams !== undefined) {
    for (const t of teams) store.wallets.get(t);
    where.push(`wallet_team IN (${placeholders(teams.length)})`);
    params.push(...teams);
  }
  const types = listParam(q, 'type');
  if (types !== undefined) {
    for (const t of types) {
      if (!isTransactionType(t)) throw invalid(`unknown type "${t}": use ${TRANSACTION_TYPES.join(', ')}`);
    }
    where.push(`type IN (${placeholders(types.length)})`);
    params.push(...types);
  }
  return page(store, 'transactions', 'created_at', where, params, q, options, (row) => txnJson(fromDb<TxnRow>(row, TXN_MONEY)));
}

/**
 * The filters of an events request as SQL. `verdict` is left out when
 * `withVerdict` is false (rollups keep no verdicts) and returned instead.
 */
function eventFilters(store: Store, q: URLSearchParams, withVerdict = true): { where: string[]; params: unknown[]; verdicts: string[] | undefined } {
  const where: string[] = [];
  const params: unknown[] = [];
  let teams = listParam(q, 'team_id');
  if (teams !== undefined) {
    for (const t of teams) store.wallets.get(t);
    const descendants = q.get('descendants');
    if (descendants !== null && descendants !== 'true' && descendants !== 'false') throw invalid('descendants must be true or false');
    if (descendants === 'true') teams = [...new Set(teams.flatMap((t) => store.wallets.subtree(t)))];
    where.push(`team_id IN (${placeholders(teams.length)})`);
    params.push(...teams);
  }
  for (const field of ['provider', 'model']) {
    const values = listParam(q, field);
    if (values !== undefined) {
      where.push(`${field} IN (${placeholders(values.length)})`);
      params.push(...values);
    }
  }
  const verdicts = listParam(q, 'verdict');
  if (verdicts !== undefined) {
    for (const v of verdicts) if (!isVerdict(v)) throw invalid(`unknown verdict "${v}": use ${VERDICTS.join(', ')}`);
    if (withVerdict) {
      where.push(`verdict IN (${placeholders(verdicts.length)})`);
      params.push(...verdicts);
    }
  }
  return { where, params, verdicts };
}

/**
 * How a list answers. kt's dialect: `{data, next_cursor}`, oldest first, paged
 * by keyset. The product's: `{<name>: [...]}`, newest first, one page of at
 * most `limit` rows and no cursor (an over-large limit is capped, not refused).
 */
export interface ListShape {
  dialect: 'kt' | 'product';
  /** The product's key for the list: events, transactions. */
  name?: string;
}

export const KT_LIST: ListShape = { dialect: 'kt' };

export const PRODUCT_DEFAULT_LIMIT = 50;

function productLimit(q: URLSearchParams): number {
  const text = q.get('limit');
  if (text === null || text === '') return PRODUCT_DEFAULT_LIMIT;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw invalid(`invalid limit "${text}": use a whole number from 1`);
  return Math.min(Number(text), MAX_PAGE_SIZE);
}

function page(
  store: Store,
  table: 'events' | 'transactions',
  tsColumn: 'ts' | 'created_at',
  where: string[],
  params: unknown[],
  q: URLSearchParams,
  shape: ListShape,
  render: (row: unknown) => unknown,
  renderText?: (row: unknown) => string,
  rawSince?: number,
): unknown {
  const product = shape.dialect === 'product';
  const limit = product ? productLimit(q) : limitParam(q);
  const since = instantParam(q, 'since', store.now());
  const until = instantParam(q, 'until', store.now());
  if (since !== undefined) {
    where.push(`${tsColumn} >= ?`);
    params.push(since);
  }
  if (until !== undefined) {
    where.push(`${tsColumn} < ?`);
    params.push(until);
  }
  const cursor = product ? undefined : decodeCursor(q);
  if (cursor !== undefined) {
    where.push(`(${tsColumn} > ? OR (${tsColumn} = ? AND seq > ?))`);
    params.push(cursor.ts, cursor.ts, cursor.seq);
  }
  const order = product ? `${tsColumn} DESC, seq DESC` : `${tsColumn}, seq`;
  const sql = `SELECT * FROM ${table}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`;
  // A page read as plain numbers is exact when every integer in it is below
  // 2^53 (a single event's cost always is, in practice): then no BigInt is made
  // per cell. Should one not be, the page is read again in safe-integer mode,
  // where money comes back as exact bigints (render turns the rest into numbers).
  // Only the text renderer (events) takes plain numbers for money.
  const statement = store.prepareCached(sql);
  let rows = renderText === undefined ? undefined : (statement.safeIntegers(false).all(...params, limit + 1) as Array<Record<string, unknown>>);
  if (rows === undefined || !rows.every(allSafe)) rows = statement.safeIntegers(true).all(...params, limit + 1) as Array<Record<string, unknown>>;
  const more = rows.length > limit;
  if (more) rows.length = limit;
  const last = rows[rows.length - 1];
  const next = more && last !== undefined ? encodeCursor(Number(last[tsColumn]), Number(last.seq)) : null;
  if (renderText !== undefined) {
    const list = `[${rows.map(renderText).join(',')}]`;
    // The cursor stays the last member: kt reads it from the end of the text before parsing the page.
    const retention = rawSince === undefined ? '' : `"raw_events_since":${JSON.stringify(iso(rawSince))},`;
    return new RawJson(product ? `{${JSON.stringify(shape.name ?? table)}:${list}}` : `{"data":${list},${retention}"next_cursor":${JSON.stringify(next)}}`);
  }
  const data = rows.map(render);
  if (product) return { [shape.name ?? table]: data };
  return { data, next_cursor: next };
}

function allSafe(row: Record<string, unknown>): boolean {
  for (const key in row) {
    const v = row[key];
    // every integer column below 2^53 (a REAL never occurs in these tables)
    if (typeof v === 'number' && !Number.isSafeInteger(v)) return false;
  }
  return true;
}

/**
 * Events, oldest first. Where the database keeps rollups before its raw
 * events (the full demo), kt's dialect says where the raw events begin
 * (`raw_events_since`): a range that starts earlier lists only what is kept.
 */
export function listEvents(store: Store, q: URLSearchParams, shape: ListShape = KT_LIST): unknown {
  const { where, params } = eventFilters(store, q);
  const rawSince = shape.dialect === 'kt' ? store.rollups.rawEventsSince() : undefined;
  return page(
    store,
    'events',
    'ts',
    where,
    params,
    q,
    shape,
    (row) => eventJson(fromDb<EventRow>(row, EVENT_MONEY), shape.dialect === 'product'),
    (row) => eventText(fromDb<EventRow>(row, EVENT_MONEY), shape.dialect === 'product'),
    rawSince,
  );
}

// The API also takes `team_id` for `team`: it names the column it groups by.
const GROUP_COLUMNS: Readonly<Record<string, 'team_id' | 'provider' | 'model'>> = { team: 'team_id', team_id: 'team_id', provider: 'provider', model: 'model' };

export function aggregateEvents(store: Store, q: URLSearchParams): unknown {
  const period = q.get('aggregate') ?? '';
  if (!isBucketPeriod(period)) throw invalid(`invalid aggregate "${period}": use ${BUCKET_PERIODS.join(', ')}`);
  const tz = q.get('tz') ?? 'UTC';
  if (!isTimeZone(tz)) throw invalid(`unknown time zone "${tz}": use an IANA name such as Europe/Berlin`);
  const groupBy: Array<'team_id' | 'provider' | 'model'> = [];
  for (const key of listParam(q, 'group_by') ?? []) {
    const column = Object.hasOwn(GROUP_COLUMNS, key) ? GROUP_COLUMNS[key] : undefined;
    if (column === undefined) throw invalid(`invalid group_by "${key}": use ${GROUP_KEYS.join(', ')}`);
    if (!groupBy.includes(column)) groupBy.push(column);
  }
  const since = instantParam(q, 'since', store.now());
  const until = instantParam(q, 'until', store.now());
  const range = (where: string[], params: unknown[], column: string): void => {
    if (since !== undefined) {
      where.push(`${column} >= ?`);
      params.push(since);
    }
    if (until !== undefined) {
      where.push(`${column} < ?`);
      params.push(until);
    }
  };
  const raw = eventFilters(store, q);
  range(raw.where, raw.params, 'ts');
  const rollup = eventFilters(store, q, false);
  range(rollup.where, rollup.params, 'hour_start');
  const rawSince = store.rollups.rawEventsSince();
  const readsRollups = rawSince !== undefined && store.rollups.anyBetween(since ?? Number.MIN_SAFE_INTEGER, until ?? Number.MAX_SAFE_INTEGER);
  if (readsRollups && rollup.verdicts !== undefined) {
    throw invalid(
      `spend before ${iso(rawSince)} is kept as hourly rollups, which carry no verdicts: a verdict filter needs since at or after ${iso(rawSince)}`,
    );
  }
  const columns = groupBy.length === 0 ? '' : `, ${groupBy.join(', ')}`;
  const clause = (where: string[]): string => (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '');
  // Rollup hours (each counted in the bucket and range its start falls in), then the raw events;
  // each query in time order.
  const queries: Array<{ sql: string; params: unknown[] }> = [];
  if (readsRollups) {
    queries.push({
      sql: `SELECT hour_start AS ts${columns}, SUM(requests) AS requests, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,
        SUM(cost) AS cost FROM usage_hourly${clause(rollup.where)} GROUP BY hour_start${columns} ORDER BY hour_start`,
      params: rollup.params,
    });
  }
  queries.push({ sql: `SELECT ts${columns}, 1 AS requests, input_tokens, output_tokens, cost FROM events${clause(raw.where)} ORDER BY ts`, params: raw.params });
  // A bucket's bounds are computed when a row falls outside the current one (rows come in time order within each query).
  let start = 0;
  let end = -Infinity;
  const buckets = new Map<string, { start: number; keys: string[]; requests: number; input: number; output: number; cost: bigint }>();
  for (const query of queries) {
    // Safe-integer mode: costs are exact bigint nano-units, summed as such (a sum may pass 2^53).
    for (const row of store.prepareCached(query.sql).safeIntegers(true).iterate(...query.params) as IterableIterator<Record<string, bigint | string>>) {
      const ts = Number(row.ts);
      if (ts >= end || ts < start) {
        const bucket = bucketStart(new Date(ts), period, tz);
        start = bucket.getTime();
        end = nextBucketStart(bucket, period, tz).getTime();
      }
      const keys = groupBy.map((k) => String(row[k]));
      const id = `${start}\u0000${keys.join('\u0000')}`;
      let bucket = buckets.get(id);
      if (bucket === undefined) {
        bucket = { start, keys, requests: 0, input: 0, output: 0, cost: 0n };
        buckets.set(id, bucket);
      }
      bucket.requests += Number(row.requests);
      bucket.input += Number(row.input_tokens);
      bucket.output += Number(row.output_tokens);
      bucket.cost += row.cost as bigint;
    }
  }
  const sorted = [...buckets.values()].sort((a, b) => {
    if (a.start !== b.start) return a.start - b.start;
    for (let i = 0; i < a.keys.length; i += 1) {
      const x = a.keys[i] ?? '';
      const y = b.keys[i] ?? '';
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  });
  const labels = new Map<number, string>();
  return {
    data: sorted.map((bucket) => {
      let label = labels.get(bucket.start);
      if (label === undefined) {
        label = formatWithOffset(new Date(bucket.start), tz);
        labels.set(bucket.start, label);
      }
      const out: Record<string, unknown> = { period_start: label };
      groupBy.forEach((k, i) => (out[k] = bucket.keys[i]));
      out.requests = bucket.requests;
      out.input_tokens = bucket.input;
      out.output_tokens = bucket.output;
      out.cost = bucket.cost;
      return out;
    }),
    next_cursor: null,
  };
}
