// A text chart of a forecast for terminals: one line per month, the actual
// spend as a bar, the prediction interval as a rule and the forecast as a
// diamond on the same scale. Pure: the caller prints (and colours) the lines.
import { displayWidth } from '../../output/chart.js';

export interface ChartPoint {
  label: string;
  actual: number | null;
  forecast: number | null;
  lower: number | null;
  upper: number | null;
  /** Printed at the end of the line. */
  display: string;
}

const BAR = '█';
const RULE = '─';
const MARK = '◆';

export function forecastChart(points: readonly ChartPoint[], width: number, levelPct: number): string[] {
  if (points.length === 0) return [];
  const finite = (v: number | null): number => (v !== null && Number.isFinite(v) && v > 0 ? v : 0);
  const max = Math.max(0, ...points.flatMap((p) => [finite(p.actual), finite(p.forecast), finite(p.upper)]));
  const labelWidth = Math.max(...points.map((p) => displayWidth(p.label)));
  const valueWidth = Math.max(...points.map((p) => displayWidth(p.display)));
  const cells = Math.max(10, Math.floor(width) - labelWidth - valueWidth - 2);
  const at = (v: number | null): number => (max > 0 ? Math.min(cells - 1, Math.round((finite(v) / max) * (cells - 1))) : 0);
  const lines = points.map((p) => {
    const row = Array.from({ length: cells }, () => ' ');
    if (p.lower !== null && p.upper !== null) for (let i = at(p.lower); i <= at(p.upper); i++) row[i] = RULE;
    if (p.actual !== null && finite(p.actual) > 0) for (let i = 0; i <= at(p.actual); i++) row[i] = BAR;
    if (p.forecast !== null) row[at(p.forecast)] = MARK;
    const label = p.label + ' '.repeat(labelWidth - displayWidth(p.label));
    const value = ' '.repeat(valueWidth - displayWidth(p.display)) + p.display;
    return `${label} ${row.join('')} ${value}`;
  });
  lines.push(`${BAR} actual  ${MARK} forecast  ${RULE} ${levelPct}% interval`);
  return lines;
}
