// A text chart of a forecast for terminals: one line per month, the actual
// spend as a bar, the prediction interval as a rule and the forecast as a
// diamond on the same scale (output/chart.ts draws it). Pure: the caller
// prints (and colours) the lines.
import { intervalChart } from '../../output/chart.js';

export interface ChartPoint {
  label: string;
  actual: number | null;
  forecast: number | null;
  lower: number | null;
  upper: number | null;
  /** Printed at the end of the line. */
  display: string;
}

export function forecastChart(points: readonly ChartPoint[], width: number, levelPct: number): string[] {
  return intervalChart(
    points.map((p) => ({ label: p.label, actual: p.actual, center: p.forecast, lower: p.lower, upper: p.upper, display: p.display })),
    width,
    { actual: 'actual', center: 'forecast', interval: `${levelPct}% interval` },
  );
}
