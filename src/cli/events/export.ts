// kt events export: the product CLI's export — every event of a range as JSON
// (default), CSV or NDJSON, to stdout or a file written atomically. The same
// streaming path as `kt events list`, with the product's defaults: the last
// 24 hours, JSON, every field (the product's verdict, reason and config
// version included).
import type { Context } from '../context.js';
import type { Format } from '../../output/index.js';
import { EVENT_COLUMNS, runEventsList } from './list.js';
import type { EventsListOptions } from './list-types.js';

export type EventsExportOptions = Pick<
  EventsListOptions,
  'since' | 'until' | 'team' | 'provider' | 'model' | 'verdict' | 'limit' | 'tz' | 'format' | 'json' | 'fields' | 'output' | 'header' | 'schema' | 'prices' | 'dataset' | 'lag'
>;

export const EXPORT_FORMATS = ['json', 'csv', 'ndjson', 'parquet'] as const satisfies readonly Format[];

export default async function eventsExport(ctx: Context, opts: EventsExportOptions): Promise<void> {
  // JSON unless --format, --json or the -o file's extension says otherwise (flags.ts: the one -o rule).
  await runEventsList(ctx, opts, { since: '24h', machineFields: EVENT_COLUMNS.map((c) => c.name), formats: EXPORT_FORMATS, defaultFormat: 'json' });
}
