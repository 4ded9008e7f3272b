// kt events list --chart: aggregated spend drawn as bars on the terminal.
// Its own module so that string-width and chalk load only for a chart, not
// for every events command.
import type { Context } from '../context.js';
import { addMoney, formatMoney, type Money, moneyToFloat, sumMoney, ZERO } from '../../domain/money.js';
import type { GroupKey } from '../../domain/events.js';
import { barChart, STACK_GLYPHS, stackedBarChart } from '../../output/chart.js';
import { CellRenderer } from '../../output/cells.js';
import type { PeriodColumn } from '../../output/index.js';
import { stdoutStyle } from '../../output/style.js';
import type { BucketRecord } from './list-types.js';

export interface ChartSpec {
  /** The period column, as a table shows it. */
  label: PeriodColumn<BucketRecord>;
  groupBy: readonly GroupKey[];
  /** A bucket's value for one --group-by key. */
  groupValue: (record: BucketRecord, key: GroupKey) => string | null | undefined;
  tz: string | undefined;
}

/** Most series a stacked chart draws (the rest are summed as "other"): more fills than this cannot be told apart. */
const MAX_SERIES = STACK_GLYPHS.length;

export function drawChart(ctx: Context, records: readonly BucketRecord[], spec: ChartSpec): void {
  const { label, groupBy, groupValue, tz } = spec;
  if (records.length === 0) {
    ctx.io.stderr.write('no events\n');
    return;
  }
  const style = stdoutStyle(ctx);
  const renderer = new CellRenderer(tz);
  const columns = (ctx.io.stdout as { columns?: number }).columns;
  // A terminal that reports no size (0, or none) gets 80 columns.
  const width = Math.min(columns !== undefined && columns > 0 ? columns : 80, 120);
  // One entry per period, in order; a period is partial when any of its rows is.
  const periods = new Map<string, { record: BucketRecord; total: Money; byGroup: Map<string, Money> }>();
  for (const r of records) {
    let entry = periods.get(r.raw.period_start);
    if (entry === undefined) {
      entry = { record: r, total: ZERO, byGroup: new Map() };
      periods.set(r.raw.period_start, entry);
    }
    entry.total = addMoney(entry.total, r.cost);
    if (r.partial) entry.record = r;
    const group = groupBy.map((key) => groupValue(r, key) ?? '(none)').join('/');
    entry.byGroup.set(group, addMoney(entry.byGroup.get(group) ?? ZERO, r.cost));
  }
  const entries = [...periods.values()];
  let lines: string[];
  if (groupBy.length === 0) {
    lines = barChart(
      entries.map((e) => ({ label: renderer.table(label, e.record), value: moneyToFloat(e.total), display: formatMoney(e.total) })),
      { width, color: ctx.io.colorStdout ? (bar) => style.cyan(bar) : undefined },
    );
  } else {
    // Stacked bars: the biggest groups by cost over the range, the rest as one "other" series.
    const byGroup = new Map<string, Money>();
    for (const e of entries) for (const [group, cost] of e.byGroup) byGroup.set(group, addMoney(byGroup.get(group) ?? ZERO, cost));
    const ranked = [...byGroup.entries()].sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : a[0] < b[0] ? -1 : 1)).map(([group]) => group);
    const shown = ranked.length <= MAX_SERIES ? ranked : ranked.slice(0, MAX_SERIES - 1);
    const rest = ranked.length - shown.length;
    const series = rest > 0 ? [...shown, `other (${rest} ${groupNoun(groupBy, rest)})`] : shown;
    const colours = [style.cyan, style.magenta, style.yellow, style.green];
    lines = stackedBarChart(
      entries.map((e) => {
        const values = shown.map((group) => moneyToFloat(e.byGroup.get(group) ?? ZERO));
        if (rest > 0) values.push(moneyToFloat(sumMoney([...e.byGroup.entries()].filter(([group]) => !shown.includes(group)).map(([, cost]) => cost))));
        return { label: renderer.table(label, e.record), values, display: formatMoney(e.total) };
      }),
      { width, series, colors: ctx.io.colorStdout ? colours.map((c) => (text: string) => c(text)) : undefined },
    );
  }
  ctx.io.stdout.write(`${lines.join('\n')}\n`);
}

function groupNoun(groupBy: readonly GroupKey[], n: number): string {
  if (groupBy.length !== 1) return n === 1 ? 'group' : 'groups';
  const key = groupBy[0] ?? 'team';
  return n === 1 ? key : `${key}s`;
}
