// kt events tail: the most recent events (the product CLI's command), oldest
// first like tail(1); with --follow, new events as they arrive until Ctrl-C.
//
// A server that lists newest first (the product) gives the last N in one
// page. One that lists oldest first (kt's contract) is read to the end of
// the window, keeping only the last N in a ring, so memory stays at N rows.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from '../context.js';
import { InterruptedError, UsageError } from '../../errors.js';
import { eventPages, type EventFilter, type EventPageHooks, type SpendEvent } from '../../api/events.js';
import { rawEventsNotice } from '../raw-events.js';
import type { ApiClient } from '../../api/client.js';
import { MAX_PAGE_SIZE } from '../../domain/events.js';
import { durationMs, parseDuration } from '../../domain/time.js';
import { displayWidth } from '../../output/chart.js';
import { selectColumns, writeRows, type Column } from '../../output/index.js';
import { CellRenderer } from '../../output/cells.js';
import { withSpinner } from '../../output/spinner.js';
import { readOutputOptions, type RawOutputOptions } from '../flags.js';
import { EVENT_COLUMNS } from './list.js';
import { parseEventsList, type EventsFilterOptions } from './options.js';

export interface EventsTailOptions extends RawOutputOptions, Pick<EventsFilterOptions, 'since' | 'team' | 'provider' | 'model' | 'verdict' | 'limit' | 'tz'> {
  follow?: boolean;
  interval?: string;
}

export const TAIL_DEFAULT_LIMIT = 50;
const TAIL_TABLE = ['timestamp', 'id', 'verdict', 'reason_code'];
/** The product's tail table heads its columns TIME, ID, VERDICT, REASON. */
const TAIL_COLUMNS: readonly Column<SpendEvent>[] = EVENT_COLUMNS.map((c) => (c.name === 'timestamp' ? { ...c, header: 'TIME' } : c));
const ALL_FIELDS = EVENT_COLUMNS.map((c) => c.name);

/** Keeps the newest `size` events seen, in time order. */
class Ring {
  private readonly rows: SpendEvent[] = [];
  constructor(private readonly size: number) {}
  add(events: readonly SpendEvent[]): void {
    this.rows.push(...events);
    if (this.rows.length > this.size * 2) this.trim();
  }
  private trim(): void {
    this.rows.sort(byTime);
    this.rows.splice(0, Math.max(0, this.rows.length - this.size));
  }
  get full(): boolean {
    return this.rows.length >= this.size;
  }
  result(): SpendEvent[] {
    this.trim();
    return this.rows;
  }
}

function byTime(a: SpendEvent, b: SpendEvent): number {
  const d = Date.parse(a.timestamp) - Date.parse(b.timestamp);
  return d !== 0 ? d : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function parseInterval(text: string | undefined): number {
  if (text === undefined) return 2000;
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed) && Number(trimmed) > 0) return Number(trimmed) * 1000;
  if (parseDuration(trimmed) !== undefined) {
    const ms = durationMs(trimmed);
    if (ms >= 1000 && ms <= 3_600_000) return ms;
  }
  throw new UsageError(`invalid --interval "${text}": use seconds or a duration between 1s and 1h, e.g. 5s`, 'kt events tail --follow --interval 5s');
}

/** The newest `limit` events of the window, oldest first. */
async function lastEvents(api: ApiClient, filter: EventFilter, limit: number, hooks: EventPageHooks = {}): Promise<SpendEvent[]> {
  const ring = new Ring(limit);
  let previous: number | undefined;
  for await (const page of eventPages(api, filter, Math.min(MAX_PAGE_SIZE, limit), undefined, hooks)) {
    ring.add(page);
    const first = Date.parse(page[0]?.timestamp ?? '');
    const last = Date.parse(page[page.length - 1]?.timestamp ?? '');
    // Newest first: once N rows are in, everything after is older.
    const newestFirst = first > last || (previous !== undefined && first < previous);
    previous = last;
    if (newestFirst && ring.full) break;
  }
  return ring.result();
}

export default async function eventsTail(ctx: Context, opts: EventsTailOptions): Promise<void> {
  const now = ctx.now();
  const parsed = parseEventsList({ ...opts, limit: opts.limit ?? String(TAIL_DEFAULT_LIMIT) }, now, { since: '24h' });
  const limit = parsed.limit ?? TAIL_DEFAULT_LIMIT;
  const follow = opts.follow === true;
  const interval = parseInterval(opts.interval);
  if (opts.interval !== undefined && !follow) throw new UsageError('--interval needs --follow');
  const output = readOutputOptions(ctx, opts);
  if (follow && output.output !== undefined) throw new UsageError('--follow writes to stdout; leave out --output', 'redirect instead: kt events tail --follow --json > events.ndjson');
  const format = follow && output.format === 'json' ? 'ndjson' : output.format;
  const columns = selectColumns(TAIL_COLUMNS, output.fields, format === 'table' ? TAIL_TABLE : ALL_FIELDS);
  const api = await ctx.api();
  const events = await withSpinner(ctx, 'fetching the latest events', () => lastEvents(api, parsed.filter, limit, { rawEventsSince: rawEventsNotice(ctx) }));

  if (!follow) {
    await writeRows(ctx, events, columns, { format, header: output.header, output: output.output, tz: parsed.tz, emptyNotice: 'no events' });
    return;
  }

  // --follow: the table keeps fixed column widths so batches line up; JSON
  // becomes one object per line (an array never ends); CSV has one header.
  const renderer = new CellRenderer(parsed.tz);
  let headerDue = output.header !== false;
  let widths: number[] | undefined;
  const print = async (batch: readonly SpendEvent[]): Promise<void> => {
    if (format === 'table') {
      const headers = columns.map((c) => c.header ?? c.name.toUpperCase());
      const rows = batch.map((e) => columns.map((c) => renderer.table(c, e)));
      // Widths are fixed by the header, the first batch and the widest form a column can take, so later batches line up.
      widths ??= followWidths(columns, [headers, ...rows], renderer);
      if (headerDue) ctx.io.stdout.write(`${tableLine(headers, widths)}\n`);
      headerDue = false;
      for (const cells of rows) ctx.io.stdout.write(`${tableLine(cells, widths)}\n`);
      return;
    }
    if (batch.length === 0 && !headerDue) return;
    await writeRows(ctx, batch, columns, { format, header: headerDue, tz: parsed.tz, emptyNotice: '' });
    headerDue = false;
  };
  await print(events);
  ctx.log.info(`following new events every ${interval / 1000}s; Ctrl-C to stop`);
  const seen = new Map<string, number>();
  let edge = events.length > 0 ? Date.parse(events[events.length - 1]?.timestamp ?? '') : Date.parse(parsed.filter.since);
  for (const e of events) seen.set(e.id, Date.parse(e.timestamp));
  let wait = interval;
  for (;;) {
    try {
      await sleep(wait, undefined, { signal: ctx.signal });
    } catch {
      throw new InterruptedError();
    }
    const fresh: SpendEvent[] = [];
    try {
      // A millisecond back: servers differ on whether `since` is inclusive; ids already shown are dropped.
      for await (const page of eventPages(api, { ...parsed.filter, since: new Date(edge - 1).toISOString(), until: undefined })) fresh.push(...page);
      wait = interval;
    } catch (error) {
      if (ctx.signal.aborted) throw new InterruptedError();
      // A hiccup while following is reported and retried, backing off up to a minute.
      ctx.log.warn(`${error instanceof Error ? error.message : String(error)}; retrying in ${Math.round(Math.min(wait * 2, 60_000) / 1000)}s`);
      wait = Math.min(wait * 2, 60_000);
      continue;
    }
    const batch: SpendEvent[] = [];
    for (const e of fresh) {
      if (seen.has(e.id)) continue;
      const t = Date.parse(e.timestamp);
      seen.set(e.id, t);
      if (t > edge) edge = t;
      batch.push(e);
    }
    await print(batch.sort(byTime));
    // Only ids near the edge can come back.
    for (const [id, t] of seen) if (t < edge - 1) seen.delete(id);
  }
}

/** Room kept for columns whose width varies from event to event (ids, reasons, models). */
const FOLLOW_WIDTHS: Readonly<Record<string, number>> = { id: 24, verdict: 8, reason_code: 26, team: 14, provider: 10, model: 18, cost: 12 };

/** A timestamp with milliseconds: the widest a time cell gets in a zone. */
const WIDEST_TIME = new Date(Date.UTC(2026, 11, 31, 23, 59, 59, 999));

export function followWidths(columns: readonly Column<SpendEvent>[], lines: readonly (readonly string[])[], renderer: CellRenderer): number[] {
  return columns.map((c, i) => {
    let width = c.kind === 'time' ? displayWidth(renderer.time(WIDEST_TIME)) : (FOLLOW_WIDTHS[c.name] ?? 12);
    for (const cells of lines) width = Math.max(width, displayWidth(cells[i] ?? ''));
    return width;
  });
}

/** Cells padded to fixed widths with two spaces between (the last one left as is); a longer cell pushes the rest along. */
export function tableLine(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((text, i) => {
      if (i === cells.length - 1) return text;
      return text + ' '.repeat(Math.max(1, (widths[i] ?? 12) - displayWidth(text) + 2));
    })
    .join('');
}
