// Text charts for terminals: horizontal bars (events --chart), bars with an
// interval and a point estimate (forecast --chart, events anomalies --chart)
// and a single utilisation bar for wallets. Pure: callers colour and print
// the lines.
import stringWidth from 'string-width';

export interface BarRow {
  label: string;
  value: number;
  /** Text printed after the bar instead of the raw value, e.g. `$1,234.56`. */
  display?: string;
}

export interface BarChartOptions {
  /** Total line width in columns (label + bar + value). */
  width: number;
  /** Wraps the bar characters, e.g. a chalk colour; identity by default. */
  color?: (bar: string) => string;
}

const FULL = '█';
// Eighth blocks give sub-column resolution on the bar's last cell.
const PARTIAL = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/**
 * One line per row: label padded to the longest label, a bar scaled to the
 * largest value, then the value. Negative and non-finite values draw no bar.
 */
export function barChart(rows: readonly BarRow[], options: BarChartOptions): string[] {
  if (rows.length === 0) return [];
  const color = options.color ?? ((bar: string): string => bar);
  const labelWidth = rows.reduce((w, r) => Math.max(w, displayWidth(r.label)), 0);
  const texts = rows.map((r) => r.display ?? formatPlain(r.value));
  const valueWidth = texts.reduce((w, t) => Math.max(w, displayWidth(t)), 0);
  const barWidth = Math.max(1, options.width - labelWidth - valueWidth - 2);
  const max = rows.reduce((m, r) => (Number.isFinite(r.value) ? Math.max(m, r.value) : m), 0);
  return rows.map((row, i) => {
    const eighths = max > 0 && Number.isFinite(row.value) && row.value > 0 ? Math.round((row.value / max) * barWidth * 8) : 0;
    let bar = FULL.repeat(Math.floor(eighths / 8)) + (PARTIAL[eighths % 8] ?? '');
    // A positive value never disappears entirely.
    if (bar === '' && row.value > 0) bar = PARTIAL[1] ?? '';
    const padding = ' '.repeat(Math.max(0, barWidth - bar.length));
    const label = row.label + ' '.repeat(labelWidth - displayWidth(row.label));
    const text = texts[i] ?? '';
    const styled = bar === '' ? '' : color(bar);
    return `${label} ${styled}${padding} ${' '.repeat(valueWidth - displayWidth(text))}${text}`.trimEnd();
  });
}

export interface StackedRow {
  label: string;
  /** One value per series, in the order of options.series. */
  values: readonly number[];
  /** Text printed after the bar, e.g. the period's total `$1,234.56`. */
  display: string;
}

export interface StackedChartOptions {
  width: number;
  /** Series names, for the legend. */
  series: readonly string[];
  /** Colours per series (cycled); none when not on a colour terminal. */
  colors?: ReadonlyArray<(text: string) => string>;
}

/** Fill characters per series, so the stack reads without colour too. */
export const STACK_GLYPHS = ['█', '▓', '▒', '░'] as const;

/**
 * Stacked horizontal bars: one line per row, each series a segment drawn in
 * its own fill (and colour), the whole bar scaled to the largest row total;
 * a legend line first. Segment edges are rounded on the running total, so a
 * bar is as long as its total says whatever the number of segments.
 */
export function stackedBarChart(rows: readonly StackedRow[], options: StackedChartOptions): string[] {
  if (rows.length === 0) return [];
  const paint = (i: number, text: string): string => {
    const color = options.colors === undefined || options.colors.length === 0 ? undefined : options.colors[i % options.colors.length];
    return color === undefined ? text : color(text);
  };
  const glyph = (i: number): string => STACK_GLYPHS[i % STACK_GLYPHS.length] ?? FULL;
  const legend = options.series.map((name, i) => `${paint(i, glyph(i))} ${name}`).join('  ');
  const totals = rows.map((r) => r.values.reduce((sum, v) => sum + (Number.isFinite(v) && v > 0 ? v : 0), 0));
  const max = totals.reduce((m, t) => Math.max(m, t), 0);
  const labelWidth = rows.reduce((w, r) => Math.max(w, displayWidth(r.label)), 0);
  const valueWidth = rows.reduce((w, r) => Math.max(w, displayWidth(r.display)), 0);
  const barWidth = Math.max(1, options.width - labelWidth - valueWidth - 2);
  const lines = rows.map((row) => {
    let running = 0;
    let drawn = 0;
    let bar = '';
    row.values.forEach((value, i) => {
      if (!(Number.isFinite(value) && value > 0) || max === 0) return;
      running += value;
      const edge = Math.round((running / max) * barWidth);
      // A positive segment never disappears entirely.
      const cells = Math.max(edge - drawn, drawn < barWidth ? 1 : 0);
      if (cells > 0) bar += paint(i, glyph(i).repeat(cells));
      drawn += cells;
    });
    const label = row.label + ' '.repeat(labelWidth - displayWidth(row.label));
    const padding = ' '.repeat(Math.max(0, barWidth - drawn));
    return `${label} ${bar}${padding} ${' '.repeat(valueWidth - displayWidth(row.display))}${row.display}`.trimEnd();
  });
  return [legend, ...lines];
}

export interface IntervalPoint {
  label: string;
  actual: number | null;
  /** The point estimate (a forecast, an expected day), drawn as a diamond. */
  center: number | null;
  lower: number | null;
  upper: number | null;
  /** Printed at the end of the line. */
  display: string;
}

export interface IntervalLegend {
  actual: string;
  center: string;
  interval: string;
}

const RULE = '─';
const MARK = '◆';

/**
 * One line per point on a shared scale: the actual value as a bar, the
 * interval as a rule and the point estimate as a diamond, then a legend line.
 */
export function intervalChart(points: readonly IntervalPoint[], width: number, legend: IntervalLegend): string[] {
  if (points.length === 0) return [];
  const finite = (v: number | null): number => (v !== null && Number.isFinite(v) && v > 0 ? v : 0);
  const max = Math.max(0, ...points.flatMap((p) => [finite(p.actual), finite(p.center), finite(p.upper)]));
  const labelWidth = Math.max(...points.map((p) => displayWidth(p.label)));
  const valueWidth = Math.max(...points.map((p) => displayWidth(p.display)));
  const cells = Math.max(10, Math.floor(width) - labelWidth - valueWidth - 2);
  const at = (v: number | null): number => (max > 0 ? Math.min(cells - 1, Math.round((finite(v) / max) * (cells - 1))) : 0);
  const lines = points.map((p) => {
    const row = Array.from({ length: cells }, () => ' ');
    if (p.lower !== null && p.upper !== null) for (let i = at(p.lower); i <= at(p.upper); i++) row[i] = RULE;
    if (p.actual !== null && finite(p.actual) > 0) for (let i = 0; i <= at(p.actual); i++) row[i] = FULL;
    if (p.center !== null) row[at(p.center)] = MARK;
    const label = p.label + ' '.repeat(labelWidth - displayWidth(p.label));
    const value = ' '.repeat(valueWidth - displayWidth(p.display)) + p.display;
    return `${label} ${row.join('')} ${value}`;
  });
  lines.push(`${FULL} ${legend.actual}  ${MARK} ${legend.center}  ${RULE} ${legend.interval}`);
  return lines;
}

export type UtilizationLevel = 'ok' | 'soft' | 'hard';

export interface UtilizationBar {
  bar: string;
  level: UtilizationLevel;
}

/**
 * `███████░░░` for a used fraction of a cap or budget. Level is `soft` from
 * 80 % and `hard` from 100 % (the caller picks colours); over 100 % the bar
 * is full.
 */
export function utilizationBar(fraction: number, width: number, thresholds: { soft?: number; hard?: number } = {}): UtilizationBar {
  const soft = thresholds.soft ?? 0.8;
  const hard = thresholds.hard ?? 1;
  const safe = Number.isFinite(fraction) ? Math.max(0, fraction) : 0;
  const cells = Math.max(1, Math.floor(width));
  let filled = Math.round(Math.min(1, safe) * cells);
  // Anything used shows at least one cell; anything short of full leaves one empty.
  if (safe > 0 && filled === 0) filled = 1;
  if (safe < 1 && filled === cells && cells > 1) filled = cells - 1;
  const level: UtilizationLevel = safe >= hard ? 'hard' : safe >= soft ? 'soft' : 'ok';
  return { bar: FULL.repeat(filled) + '░'.repeat(cells - filled), level };
}

function formatPlain(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/**
 * Columns a string occupies on a terminal: East Asian wide characters and
 * emoji count two, combining marks and escapes none. string-width is what
 * cli-table3 measures box tables with, so every layout agrees.
 */
export function displayWidth(text: string): number {
  return stringWidth(text);
}
