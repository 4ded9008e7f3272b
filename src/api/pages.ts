// Every page of a list, whatever way the server pages it:
//
// - kt's contract: `{"data": [...], "next_cursor": "…" | null}` — the cursor is
//   followed until it is null;
// - no cursor at all (the product's `{"events": [...]}`, or a bare array): for
//   a time-ordered list, the next page is asked for by time — since the last
//   timestamp seen (or until the first, for a server that lists newest
//   first) — and rows already written are dropped by id, until a page brings
//   nothing new. A server that ignores the window may still be read whole: a
//   page that runs past the far end of the window (older than `since` for a
//   newest-first list, at or after `until` for an oldest-first one) holds
//   every row of the window, so kt keeps the rows inside it and stops there.
//   When kt cannot show it has the whole range (a full page of one timestamp,
//   rows outside the window only on the side it has not reached), it stops
//   with an error saying how far it got: never a silent truncation.
//
// The next page is requested while the caller writes this one, but parsed
// only when its turn comes, so its rows are short-lived and the heap small.
import { FailureError } from '../errors.js';
import type { ApiClient, LazyBody, Query } from './client.js';
import { DEBUG_HINT } from './read.js';

export interface ListSpec<T> {
  /** Keys the list may come under besides `data` (e.g. `events`); a bare array is accepted too. */
  listKeys: readonly string[];
  pageSize: number;
  /** The caller stops after this many rows: no page is prefetched past them (one is still fetched if asked for). */
  maxRows?: number | undefined;
  /** One raw item as T; throws a FailureError naming what is missing and where. */
  read: (raw: unknown, where: string) => T;
  /** What the items are, for messages: `{ one: 'an event', many: 'events' }`. */
  noun?: { one: string; many: string };
  /** Sees each page's parsed body before its rows are read (top-level fields such as `raw_events_since`). */
  onBody?: (body: unknown) => void;
  /** How to page a time-ordered list when the server gives no cursor. */
  byTime?: {
    time: (item: T) => number;
    key: (item: T) => string;
  };
}

interface ListPage {
  items: unknown[];
  /** A cursor field is present (even null): the server pages by cursor. */
  cursorField: boolean;
  cursor: string | undefined;
}

const CURSOR_KEYS = ['next_cursor', 'nextCursor', 'next_page_token'] as const;

export function extractList(body: unknown, listKeys: readonly string[], where: string): ListPage {
  if (Array.isArray(body)) return { items: body, cursorField: false, cursor: undefined };
  if (typeof body !== 'object' || body === null) {
    throw new FailureError(`unexpected response from ${where}: ${body === null ? 'null' : typeof body} instead of a list`, DEBUG_HINT);
  }
  const o = body as Record<string, unknown>;
  const key = [...listKeys, 'data', 'items', 'results'].find((k) => Array.isArray(o[k]));
  if (key === undefined) {
    const names = [...listKeys, 'data'].map((k) => `"${k}"`).join(' or ');
    const keys = Object.keys(o).slice(0, 8);
    throw new FailureError(`unexpected response from ${where}: no ${names} list (the object has ${keys.length === 0 ? 'no keys' : `keys ${keys.join(', ')}`})`, DEBUG_HINT);
  }
  const pagination = typeof o.pagination === 'object' && o.pagination !== null ? (o.pagination as Record<string, unknown>) : undefined;
  let cursorField = false;
  let cursor: string | undefined;
  for (const holder of [o, pagination]) {
    if (holder === undefined) continue;
    for (const k of CURSOR_KEYS) {
      if (!(k in holder)) continue;
      cursorField = true;
      const value = holder[k];
      if (typeof value === 'string' && value !== '') cursor = value;
    }
  }
  if (o.has_more === false) cursor = undefined;
  return { items: o[key] as unknown[], cursorField, cursor };
}

export async function* pageThrough<T>(api: ApiClient, path: string, query: Query, spec: ListSpec<T>): AsyncGenerator<T[], void, undefined> {
  const where = `GET ${path}`;
  const limit = spec.pageSize;
  // A prefetched request must be on the wire before kt turns to the page it
  // holds: `sent` settles once it is (or once its answer is in).
  let sent: Promise<void> = Promise.resolve();
  const request = (q: Query): Promise<LazyBody> => {
    let told: () => void = () => undefined;
    sent = new Promise<void>((resolve) => (told = resolve));
    const pending = api.fetch(path, { ...q, limit }, told);
    pending.then(told, told); // awaited later; never an unhandled rejection meanwhile
    return pending;
  };
  let next: Query | undefined = query;
  let pending: Promise<LazyBody> | undefined;
  let mode: 'cursor' | 'time' | 'single' | undefined;
  let seen = 0;
  const time = new TimePager(spec, query, where);
  for (;;) {
    if (pending === undefined) {
      if (next === undefined) return;
      pending = request(next);
    }
    let body: LazyBody | undefined = await pending;
    pending = undefined;
    next = undefined;
    // A cursor at the end of the text lets the next request go out before
    // this page is parsed: the server works while kt parses. On the first
    // page too: a cursor member closing the body means the server pages by
    // cursor.
    let early: string | undefined;
    if ((mode === undefined || mode === 'cursor') && spec.maxRows === undefined) {
      early = tailCursor(body.text);
      if (early !== undefined) {
        pending = request({ ...query, cursor: early });
        await sent;
      }
    }
    const page = readPage(body, spec, where);
    // Only the rows live on while the caller writes them: the text and its
    // parsed objects are garbage by then, so a collection during the writing
    // does not copy them (a page of events is ~1 MB against a young
    // generation held at its initial size).
    body = undefined;
    seen += page.count;
    const rows = page.rows;
    mode ??= page.cursorField ? 'cursor' : spec.byTime !== undefined ? 'time' : 'single';
    let out: T[] = rows;
    if (mode === 'cursor') {
      if (early !== undefined && page.cursor !== early) {
        // The quick look was wrong (it never should be): ask again properly.
        pending = undefined;
        early = undefined;
      }
      if (page.cursor !== undefined && early === undefined) next = { ...query, cursor: page.cursor };
    } else if (mode === 'time') {
      const fresh = time.take(rows, limit);
      if (fresh === undefined) return;
      next = time.complete ? undefined : time.nextQuery();
      out = fresh;
    }
    // The next page is on its way while the caller writes this one, unless
    // the caller said it needs no more rows than it already has.
    if (next !== undefined && (spec.maxRows === undefined || seen < spec.maxRows)) {
      pending = request(next);
      await sent;
    }
    if (out.length > 0) yield out;
  }
}

/** A page's rows and paging fields; its parsed body is dropped on return. */
function readPage<T>(body: LazyBody, spec: ListSpec<T>, where: string): { rows: T[]; count: number; cursorField: boolean; cursor: string | undefined } {
  const json = body.json();
  spec.onBody?.(json);
  const page = extractList(json, spec.listKeys, where);
  const rows = page.items.map((raw) => spec.read(raw, where));
  return { rows, count: page.items.length, cursorField: page.cursorField, cursor: page.cursor };
}

const TAIL_CURSOR = /"(?:next_cursor|nextCursor|next_page_token)"\s*:\s*"([^"\\]+)"\s*\}\s*$/;

/** The cursor when it is the last member of the body (kt's contract puts it there). */
export function tailCursor(text: string): string | undefined {
  return TAIL_CURSOR.exec(text.length > 400 ? text.slice(-400) : text)?.[1];
}

/** The state of paging by time: where the window stands and which rows at its edge are already out. */
class TimePager<T> {
  private readonly since: number | undefined;
  private readonly until: number | undefined;
  private order: 'asc' | 'desc' | undefined;
  /** The timestamp the next request starts from (asc) or stops at (desc). */
  private edge: number | undefined;
  /** Keys of rows already written whose time is within a millisecond of the edge. */
  private edgeKeys = new Map<string, number>();
  private written = 0;
  private largest = 0;
  private readonly noun: { one: string; many: string };
  /** A page reached past the far end of the window: every row of the window has been seen. */
  complete = false;

  constructor(
    private readonly spec: ListSpec<T>,
    private readonly query: Query,
    private readonly where: string,
  ) {
    this.noun = spec.noun ?? { one: 'an item', many: 'items' };
    this.since = instant(query.since);
    this.until = instant(query.until);
  }

  /** The rows of a page not written before; undefined when the range is complete. */
  take(rows: readonly T[], limit: number): T[] | undefined {
    const { time, key } = this.spec.byTime as NonNullable<ListSpec<T>['byTime']>;
    if (rows.length === 0) return undefined;
    const times = rows.map(time);
    this.order ??= (times[0] ?? 0) > (times[times.length - 1] ?? 0) ? 'desc' : 'asc';
    // A server that ignores the window would hand back the same rows forever.
    const low = this.order === 'asc' && this.edge !== undefined ? this.edge - 1 : this.since;
    const high = this.order === 'desc' && this.edge !== undefined ? this.edge + 1 : this.until;
    const inside = (t: number): boolean => (low === undefined || t >= low) && (high === undefined || t < high);
    let page = rows;
    const outside = times.find((t) => !inside(t));
    if (outside !== undefined) {
      // The server ignores the window. A page ordered from the near end that
      // runs past the far end holds the whole window: filter it here, as
      // kt does for filters a server ignores, and ask for nothing more.
      const far = this.order === 'desc' ? low : high;
      const pastFarEnd = far !== undefined && times.some((t) => (this.order === 'desc' ? t < far : t >= far));
      if (!pastFarEnd && this.edge !== undefined) {
        // Rows come back from the part of the window already written.
        const before = this.order === 'desc' ? 'older' : 'newer';
        throw new FailureError(
          `${this.where} ignores the requested window and gives no cursor: it returned ${this.noun.one} at ${iso(outside)} again, ` +
            `and kt cannot tell whether ${this.noun.many} ${before} than ${iso(this.edge)} exist; stopped after ${this.written.toLocaleString('en-US')} rows`,
          'ask the server for pages with a cursor, or one that honours since/until; --debug shows each request and response',
        );
      }
      if (!pastFarEnd) {
        throw new FailureError(
          `${this.where} returned ${this.noun.one} at ${iso(outside)}, outside the requested window ${iso(low)} – ${iso(high)}, and gives no cursor: ` +
            `kt cannot page it without losing or repeating events; stopped after ${this.written.toLocaleString('en-US')} rows`,
          DEBUG_HINT,
        );
      }
      this.complete = true;
      page = rows.filter((_row, i) => inside(times[i] ?? 0));
      if (page.length === 0) return undefined;
    }
    // A server may cap pages below the size asked for: a page as large as the
    // largest seen may have more behind it.
    this.largest = Math.max(this.largest, rows.length);
    const fresh = page.filter((row) => !this.edgeKeys.has(key(row)));
    if (this.complete) {
      this.written += fresh.length;
      return fresh;
    }
    if (fresh.length === 0) {
      if (rows.length < Math.min(limit, this.largest) || rows.length === 1) return undefined;
      throw new FailureError(
        `${this.where} gives no cursor and returned a full page of ${rows.length} ${this.noun.many} already written, all at ${iso(this.edge)}: ` +
          `kt cannot page past that instant; stopped after ${this.written.toLocaleString('en-US')} rows (everything ${this.order === 'asc' ? 'before' : 'after'} it was written)`,
        'ask for a narrower range (--since/--until) or a server that pages with a cursor',
      );
    }
    const edge = this.order === 'asc' ? Math.max(...times) : Math.min(...times);
    // Keep the keys near the new edge: the next request starts a millisecond
    // before it (servers differ on inclusive or exclusive bounds).
    const near = new Map<string, number>();
    for (const [k, t] of this.edgeKeys) if (Math.abs(t - edge) <= 1) near.set(k, t);
    rows.forEach((row, i) => {
      const t = times[i] ?? 0;
      if (Math.abs(t - edge) <= 1) near.set(key(row), t);
    });
    this.edgeKeys = near;
    this.edge = edge;
    this.written += fresh.length;
    return fresh;
  }

  nextQuery(): Query {
    const edge = this.edge ?? 0;
    return this.order === 'desc' ? { ...this.query, until: iso(edge + 1) } : { ...this.query, since: iso(edge - 1) };
  }
}

function instant(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function iso(ms: number | undefined): string {
  return ms === undefined ? '…' : new Date(ms).toISOString();
}
