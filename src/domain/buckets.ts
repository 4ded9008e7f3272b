// Spend per local period (and group), summed from single events: what kt
// computes itself when a control plane has no aggregation endpoint (the
// product's API lists events only). Pure and exact: money is summed as
// bigint; the bucket of an event is the local day, Monday-week or month in
// the zone, so a DST change never moves an event into the wrong day.
import type { GroupKey } from './events.js';
import { addMoney, type Money, ZERO } from './money.js';
import { bucketStart, formatWithOffset, nextBucketStart, type BucketPeriod } from './periods.js';

export interface BucketInput {
  timestamp: string;
  team_id: string | null;
  provider: string | null;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cost: Money | null;
}

export interface SpendBucketRow {
  period_start: string;
  team_id?: string | null;
  provider?: string | null;
  model?: string | null;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost: Money;
}

const FIELD: Record<GroupKey, 'team_id' | 'provider' | 'model'> = { team: 'team_id', provider: 'provider', model: 'model' };

interface Acc {
  start: number;
  keys: Array<string | null>;
  requests: number;
  input: number;
  output: number;
  cost: Money;
}

export class Bucketer {
  private readonly buckets = new Map<string, Acc>();
  /** The bucket the last event fell in: events mostly come in time order. */
  private current: { from: number; to: number } | undefined;

  constructor(
    private readonly period: BucketPeriod,
    private readonly groupBy: readonly GroupKey[],
    private readonly tz: string,
  ) {}

  add(event: BucketInput): void {
    const ms = Date.parse(event.timestamp);
    if (Number.isNaN(ms)) return;
    if (this.current === undefined || ms < this.current.from || ms >= this.current.to) {
      const from = bucketStart(new Date(ms), this.period, this.tz);
      this.current = { from: from.getTime(), to: nextBucketStart(from, this.period, this.tz).getTime() };
    }
    const start = this.current.from;
    const keys = this.groupBy.map((k) => event[FIELD[k]]);
    const id = `${start}\u0000${keys.join('\u0000')}`;
    let acc = this.buckets.get(id);
    if (acc === undefined) {
      acc = { start, keys, requests: 0, input: 0, output: 0, cost: ZERO };
      this.buckets.set(id, acc);
    }
    acc.requests += 1;
    acc.input += event.input_tokens;
    acc.output += event.output_tokens;
    if (event.cost !== null) acc.cost = addMoney(acc.cost, event.cost);
  }

  /** Buckets in period order, then by group keys. */
  rows(): SpendBucketRow[] {
    const sorted = [...this.buckets.values()].sort((a, b) => a.start - b.start || compareKeys(a.keys, b.keys));
    return sorted.map((acc) => {
      const row: SpendBucketRow = {
        period_start: formatWithOffset(new Date(acc.start), this.tz),
        requests: acc.requests,
        input_tokens: acc.input,
        output_tokens: acc.output,
        cost: acc.cost,
      };
      this.groupBy.forEach((k, i) => (row[FIELD[k]] = acc.keys[i] ?? null));
      return row;
    });
  }
}

function compareKeys(a: ReadonlyArray<string | null>, b: ReadonlyArray<string | null>): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Whether a bucket holds less than its whole period: the range starts after
 * the period does, or ends before it does, or the period is still in
 * progress at `now`. Such a bucket's total is not comparable with a full
 * one's, so it is marked wherever it is shown.
 */
export function isPartialBucket(periodStart: string, period: BucketPeriod, tz: string, range: { since: Date; until: Date | undefined; now: Date }): boolean {
  const start = Date.parse(periodStart);
  if (Number.isNaN(start)) return false;
  const end = nextBucketStart(new Date(start), period, tz).getTime();
  const until = Math.min(range.until?.getTime() ?? range.now.getTime(), range.now.getTime());
  return start < range.since.getTime() || end > until;
}
