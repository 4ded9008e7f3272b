// The shapes the events list command shares with its chart, schema and
// dataset modules; kept apart so that those modules import no command code.
import type { Money } from '../../domain/money.js';
import type { EventBucket } from '../../api/events.js';
import type { OutputFormats, RawOutputOptions } from '../flags.js';
import type { EventsFilterOptions } from './options.js';

export interface EventsListOptions extends RawOutputOptions, EventsFilterOptions {
  /** --schema: kt's event columns (default) or FOCUS 1.2. */
  schema?: string;
  /** --prices: list prices for --schema focus. */
  prices?: string;
  /** --dataset DIR: an incremental, partitioned export (dataset.ts). */
  dataset?: string;
  /** --lag with --dataset. */
  lag?: string;
}

export interface BucketRecord {
  raw: EventBucket;
  cost: Money;
  /** The range cuts the period, or it is still in progress. */
  partial: boolean;
}

export interface ListDefaults extends OutputFormats {
  since: string;
  /** Columns of csv/json/ndjson when --fields is not given. */
  machineFields: readonly string[];
}
