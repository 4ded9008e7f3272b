// kt events list: spend events (or server-side aggregates) streamed to the
// output layer page by page, so a million-row chargeback export runs in
// constant memory.
import type { Context } from '../context.js';
import { UsageError } from '../../errors.js';
import { addMoney, formatMoney, type Money, ZERO } from '../../domain/money.js';
import { aggregateEvents, eventPages, type SpendEvent } from '../../api/events.js';
import { rawEventsNotice } from '../raw-events.js';
import { isGroupKey, MAX_PAGE_SIZE, type GroupKey } from '../../domain/events.js';
import { checkBinaryTarget, RowPages, selectColumns, writeRows, type Column, type PeriodColumn } from '../../output/index.js';
import { PARTIAL_MARK } from '../../output/cells.js';
import { isPartialBucket } from '../../domain/buckets.js';
import type { BucketPeriod } from '../../domain/periods.js';
import { withSpinner } from '../../output/spinner.js';
import { rateLine } from '../../output/progress.js';
import { readOutputOptions } from '../flags.js';
import { parseEventsList } from './options.js';
import type { BucketRecord, EventsListOptions, ListDefaults } from './list-types.js';
import { EVENT_FORMATS, readSchema } from './schema.js';

// Rows are the events as the API layer read them (cost exact, in
// nano-units), with no per-row wrapper: a million-row export allocates as
// little as possible. Fields a server did not send are empty cells.
export const EVENT_COLUMNS: readonly Column<SpendEvent>[] = [
  { name: 'timestamp', kind: 'time', get: (r) => r.timestamp },
  { name: 'team', kind: 'text', get: (r) => r.team_id },
  { name: 'user', kind: 'text', get: (r) => r.user_id },
  { name: 'provider', kind: 'text', get: (r) => r.provider },
  { name: 'model', kind: 'text', get: (r) => r.model },
  { name: 'input_tokens', header: 'INPUT', kind: 'int', get: (r) => r.input_tokens },
  { name: 'output_tokens', header: 'OUTPUT', kind: 'int', get: (r) => r.output_tokens },
  { name: 'cached', kind: 'bool', get: (r) => r.cached },
  { name: 'cost', kind: 'money', get: (r) => r.cost, currency: (r) => r.currency },
  { name: 'currency', kind: 'text', get: (r) => r.currency },
  { name: 'request_id', kind: 'text', get: (r) => r.request_id },
  { name: 'id', kind: 'text', get: (r) => r.id },
  { name: 'verdict', kind: 'text', get: (r) => r.verdict },
  { name: 'reason_code', header: 'REASON', kind: 'text', get: (r) => r.reason_code },
  { name: 'event_type', header: 'TYPE', kind: 'text', get: (r) => r.event_type },
  { name: 'config_version', header: 'CONFIG', kind: 'text', get: (r) => r.config_version },
];

/** The contract's columns: what a CSV has by default (the product's fields on request via --fields). */
export const EVENT_CONTRACT_FIELDS = ['timestamp', 'team', 'user', 'provider', 'model', 'input_tokens', 'output_tokens', 'cached', 'cost', 'currency', 'request_id', 'id'];

const EVENT_TABLE_DEFAULT = ['timestamp', 'team', 'provider', 'model', 'input_tokens', 'output_tokens', 'cost'];
const EVENT_ALL = EVENT_CONTRACT_FIELDS;

const GROUP_FIELD: Record<GroupKey, 'team_id' | 'provider' | 'model'> = { team: 'team_id', provider: 'provider', model: 'model' };

const PERIOD_HEADER: Record<BucketPeriod, string> = { daily: 'DAY', weekly: 'WEEK OF', monthly: 'MONTH' };

function periodColumn(period: BucketPeriod): PeriodColumn<BucketRecord> {
  return { name: 'period_start', header: PERIOD_HEADER[period], kind: 'period', period, get: (r) => r.raw.period_start, partial: (r) => r.partial };
}

function bucketColumns(period: BucketPeriod, groupBy: readonly GroupKey[]): Column<BucketRecord>[] {
  return [
    periodColumn(period),
    ...groupBy.map((key): Column<BucketRecord> => ({ name: key, kind: 'text', get: (r) => r.raw[GROUP_FIELD[key]] })),
    { name: 'requests', kind: 'int', get: (r) => r.raw.requests },
    { name: 'input_tokens', header: 'INPUT', kind: 'int', get: (r) => r.raw.input_tokens },
    { name: 'output_tokens', header: 'OUTPUT', kind: 'int', get: (r) => r.raw.output_tokens },
    // A bucket sums many events: DECIMAL(38, 9) in Parquet.
    { name: 'cost', kind: 'money', precision: 38, get: (r) => r.cost },
    { name: 'partial', kind: 'bool', get: (r) => r.partial },
  ];
}

/** Why some periods carry PARTIAL_MARK (said once, on stderr, under a table or chart that shows one). */
const PARTIAL_NOTE = `${PARTIAL_MARK} partial period: the range starts or ends inside it, or it is still in progress`;

/** Passes pages through, counting and summing them, and stops the paging once `limit` rows are out. */
export async function* countedPages(pages: AsyncGenerator<SpendEvent[], void, undefined>, limit: number | undefined, totals: Totals): AsyncGenerator<SpendEvent[]> {
  let remaining = limit ?? Number.POSITIVE_INFINITY;
  for await (const page of pages) {
    const rows = page.length > remaining ? page.slice(0, remaining) : page;
    remaining -= rows.length;
    for (const event of rows) totals.add(event.currency, event.cost);
    if (rows.length > 0) yield rows;
    if (remaining <= 0) return;
  }
}

export class Totals {
  rows = 0;
  /** Events the server sent without any cost field. */
  noCost = 0;
  readonly cost = new Map<string, Money>();
  add(currency: string, cost: Money | null): void {
    this.rows += 1;
    if (cost === null) {
      this.noCost += 1;
      return;
    }
    this.cost.set(currency, addMoney(this.cost.get(currency) ?? ZERO, cost));
  }
  describe(): string {
    const parts = [...this.cost.entries()].map(([currency, cost]) => formatMoney(cost, currency));
    return parts.length === 0 ? formatMoney(ZERO) : parts.join(' + ');
  }
  /** A warning when some events had no cost (their cells are empty, the total leaves them out). */
  missingCostNotice(): string | undefined {
    if (this.noCost === 0) return undefined;
    const n = this.noCost.toLocaleString('en-US');
    return `${n} event${this.noCost === 1 ? '' : 's'} had no cost field (cost, cost_usd or event_cost_attribution.total_cost_usd): empty cost cells, left out of the total`;
  }
}

export default function eventsList(ctx: Context, opts: EventsListOptions): Promise<void> {
  return runEventsList(ctx, opts, { since: '7d', machineFields: EVENT_ALL });
}

export async function runEventsList(ctx: Context, opts: EventsListOptions, defaults: ListDefaults): Promise<void> {
  if (opts.dataset !== undefined) {
    const { runDataset } = await import('./dataset.js');
    return runDataset(ctx, opts, defaults, EVENT_COLUMNS);
  }
  if (opts.lag !== undefined) throw new UsageError('--lag applies to --dataset DIR only');
  const started = performance.now();
  const now = ctx.now();
  const parsed = parseEventsList(opts, now, defaults);
  const output = readOutputOptions(ctx, opts, { ...defaults, formats: defaults.formats ?? EVENT_FORMATS });
  const schema = readSchema(opts, output.format);
  checkBinaryTarget(ctx, output.format, output.output);
  const chart = opts.chart === true;
  const aggregate = parsed.aggregate ?? (chart ? 'daily' : undefined);
  const drawing = chart && ctx.io.isStdoutTTY && output.output === undefined;
  if (chart && !drawing) ctx.log.warn('--chart draws on a terminal only; writing the aggregated rows instead');
  const writeOptions = { format: output.format, header: output.header, output: output.output, tz: parsed.tz };
  const totals = new Totals();

  if (schema === 'focus') {
    const { FOCUS_COLUMNS, focusMapper, focusMetadataText, focusPages, unpricedNotice } = await import('./focus.js');
    const api = await ctx.api();
    const mapper = await focusMapper(ctx, api, opts.prices);
    const pageSize = parsed.limit === undefined ? MAX_PAGE_SIZE : Math.min(MAX_PAGE_SIZE, parsed.limit);
    const records = new RowPages(focusPages(countedPages(eventPages(api, parsed.filter, pageSize, parsed.limit), parsed.limit, totals), mapper));
    await writeRows(ctx, records, FOCUS_COLUMNS, {
      ...writeOptions,
      tz: undefined,
      parquetMetadata: { 'focus.metadata': focusMetadataText(now) },
      emptyNotice: 'no events',
      progress: { waiting: 'fetching events', line: (rows, ms) => `${rateLine(rows, ms, 'FOCUS rows')} · total ${totals.describe()}` },
    });
    const unpriced = unpricedNotice(mapper);
    if (unpriced !== undefined) ctx.log.warn(unpriced);
  } else if (aggregate === undefined) {
    const columns = selectColumns(EVENT_COLUMNS, output.fields, output.format === 'table' ? EVENT_TABLE_DEFAULT : defaults.machineFields);
    const api = await ctx.api();
    const pageSize = parsed.limit === undefined ? MAX_PAGE_SIZE : Math.min(MAX_PAGE_SIZE, parsed.limit);
    const pages = eventPages(api, parsed.filter, pageSize, parsed.limit, { rawEventsSince: rawEventsNotice(ctx) });
    const records = new RowPages(countedPages(pages, parsed.limit, totals));
    await writeRows(ctx, records, columns, {
      ...writeOptions,
      emptyNotice: 'no events',
      progress: { waiting: 'fetching events', line: (rows, ms) => `${rateLine(rows, ms, 'events')} · total ${totals.describe()}` },
    });
  } else {
    const all = bucketColumns(aggregate, parsed.groupBy);
    checkAggregateFields(output.fields, all, parsed.groupBy);
    // The mark in the period cell says it in a table; machines get the column.
    const defaultFields = all.map((c) => c.name).filter((name) => output.format !== 'table' || name !== 'partial');
    const columns = selectColumns(all, output.fields, defaultFields);
    const tz = parsed.tz ?? 'UTC';
    const api = await ctx.api();
    const buckets = await withSpinner(ctx, `aggregating spend ${aggregate}`, () =>
      aggregateEvents(api, parsed.filter, {
        aggregate,
        groupBy: parsed.groupBy,
        tz,
        onClientSide: (n) => ctx.log.info(`the control plane has no spend aggregates; kt summed ${n.toLocaleString('en-US')} events itself`),
      }),
    );
    const limited = parsed.limit === undefined ? buckets : buckets.slice(0, parsed.limit);
    const range = { since: new Date(parsed.filter.since), until: parsed.filter.until === undefined ? undefined : new Date(parsed.filter.until), now };
    const records = limited.map((raw): BucketRecord => {
      totals.add('USD', raw.cost);
      return { raw, cost: raw.cost, partial: isPartialBucket(raw.period_start, aggregate, tz, range) };
    });
    if (drawing) {
      const { drawChart } = await import('./chart.js');
      drawChart(ctx, records, { label: periodColumn(aggregate), groupBy: parsed.groupBy, groupValue: (r, key) => r.raw[GROUP_FIELD[key]], tz: parsed.tz });
    } else {
      await writeRows(ctx, records, columns, { ...writeOptions, emptyNotice: 'no events' });
    }
    const marked = (drawing || output.format === 'table') && columns.includes(all[0] as Column<BucketRecord>);
    if (marked && records.some((r) => r.partial)) ctx.log.info(PARTIAL_NOTE);
  }

  const missing = totals.missingCostNotice();
  if (missing !== undefined) ctx.log.warn(missing);
  if (ctx.io.isStderrTTY && !ctx.globals.quiet) {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const noun = aggregate === undefined ? (totals.rows === 1 ? 'event' : 'events') : totals.rows === 1 ? 'bucket' : 'buckets';
    ctx.io.stderr.write(`${totals.rows.toLocaleString('en-US')} ${noun} · total ${totals.describe()} · ${seconds}s\n`);
  }
}

function checkAggregateFields(fields: string | undefined, columns: readonly Column<BucketRecord>[], groupBy: readonly GroupKey[]): void {
  if (fields === undefined) return;
  const valid = new Set(columns.map((c) => c.name));
  for (const field of fields.split(',').map((f) => f.trim())) {
    if (valid.has(field)) continue;
    const hint = isGroupKey(field) && !groupBy.includes(field) ? ` (add --group-by ${field})` : '';
    throw new UsageError(
      `invalid --fields: "${field}" is not a column when aggregating${hint}; use ${[...valid].join(', ')}`,
      'aggregated rows have the period, the --group-by keys and the measures only',
    );
  }
}
