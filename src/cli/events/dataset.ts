// kt events export|list --dataset DIR: an incremental, resumable export into
// a Hive-partitioned dataset (DIR/date=YYYY-MM-DD/part-N.ext + _manifest.json).
//
// One run: take DIR/.lock; read and check the manifest against the files
// (a part missing or altered stops the run, nothing is overwritten; a part
// file the manifest does not list is a leftover of a killed run and is
// removed); fetch events from the watermark (minus --lag, for late arrivals,
// skipping ids already in) up to now − --lag; write them in time order into
// one part per date, each part committed alone (written to a temp file,
// fsynced, renamed, then the manifest rewritten atomically with the part and
// a later watermark). A failed fetch first commits the part in progress, so
// a flaky server still moves the dataset forward; a kill loses at most the
// part in progress, whose events the next run fetches again.
import { join, resolve } from 'node:path';
import type { Context } from '../context.js';
import { UsageError, FailureError } from '../../errors.js';
import { eventPages, type SpendEvent } from '../../api/events.js';
import { durationMs, TimeError } from '../../domain/time.js';
import { localDate } from '../../domain/periods.js';
import { formatMoney, moneyFromDecimal } from '../../domain/money.js';
import {
  commitPart,
  DATASET_FORMATS,
  fetchStart,
  LOCK_FILE,
  MANIFEST_FILE,
  ManifestError,
  manifestCost,
  manifestText,
  nextPartNumber,
  parseManifest,
  PartTally,
  partPath,
  settingsMismatch,
  type DatasetFormat,
  type DatasetManifest,
} from '../../domain/dataset.js';
import type { FocusLine } from '../../domain/focus.js';
import { RowPages, selectColumns, writeRows, type Column } from '../../output/index.js';
import {
  acquireLock,
  directoryEntries,
  ensureDirectory,
  fileDigest,
  listPartFiles,
  readManifestFile,
  removeFile,
  writeManifestFile,
} from '../../output/dataset-files.js';
import type { SpendEvent as EventRow } from '../../api/events.js';
import type { EventsListOptions, ListDefaults } from './list-types.js';
import { readSchema } from './schema.js';
import { parseEventsList } from './options.js';

/** A part closes at this many events even within one date, so a long day is committed in steps. */
export const PART_MAX_EVENTS = 500_000;

/**
 * Batches handed from the fetch loop to a part's writer, one at a time:
 * push waits until the writer has taken the previous batch (or has stopped).
 */
class BatchChannel<T> implements AsyncIterable<readonly T[]> {
  private item: readonly T[] | undefined;
  private ended = false;
  private gone = false;
  private wakeReader: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;

  async push(batch: readonly T[]): Promise<void> {
    while (this.item !== undefined && !this.gone) await new Promise<void>((r) => (this.wakeWriter = r));
    if (this.gone) return;
    this.item = batch;
    this.wakeReader?.();
  }

  end(): void {
    this.ended = true;
    this.wakeReader?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<readonly T[]> {
    try {
      for (;;) {
        if (this.item !== undefined) {
          const batch = this.item;
          this.item = undefined;
          this.wakeWriter?.();
          yield batch;
          continue;
        }
        if (this.ended) return;
        await new Promise<void>((r) => (this.wakeReader = r));
      }
    } finally {
      this.gone = true;
      this.wakeWriter?.();
    }
  }
}

interface OpenPart<R> {
  date: string;
  path: string;
  tally: PartTally;
  batch: R[];
  channel: BatchChannel<R>;
  written: Promise<unknown>;
}

/** --format with --dataset: csv, ndjson or parquet; undefined when not given (the dataset's own, or parquet for a new one). */
function requestedFormat(opts: EventsListOptions): DatasetFormat | undefined {
  if (opts.json === true || opts.format === 'json') {
    throw new UsageError('--dataset writes csv, ndjson or parquet (one JSON array per part would not append)', 'use --format ndjson');
  }
  if (opts.format === undefined) return undefined;
  if (!(DATASET_FORMATS as readonly string[]).includes(opts.format)) throw new UsageError(`invalid --format "${opts.format}" with --dataset: use ${DATASET_FORMATS.join(', ')}`);
  return opts.format as DatasetFormat;
}

function lagFlag(text: string | undefined): number {
  try {
    return durationMs(text ?? '5m');
  } catch (error) {
    if (error instanceof TimeError) throw new UsageError(`invalid --lag "${text ?? ''}": use a duration such as 5m, 30s or 0s`);
    throw error;
  }
}

/** The date partition of an event: its UTC date, or its date in --tz. */
function partitionDate(timestamp: string, tz: string): string {
  if (tz === 'UTC' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(timestamp)) return timestamp.slice(0, 10);
  return localDate(new Date(timestamp), tz);
}

/** `eventColumns`: kt's event columns (list.ts passes them: it loads this module, not the other way round). */
export async function runDataset(ctx: Context, opts: EventsListOptions, defaults: ListDefaults, eventColumns: readonly Column<EventRow>[]): Promise<void> {
  const started = ctx.now();
  if (opts.dataset === undefined || opts.dataset.trim() === '') throw new UsageError('--dataset needs a directory');
  if (opts.output !== undefined) throw new UsageError('--dataset writes into its directory; leave out -o/--output');
  if (opts.limit !== undefined) throw new UsageError('--limit does not apply to --dataset: each run exports everything up to now − --lag');
  if (opts.aggregate !== undefined || opts.chart === true) throw new UsageError('--dataset exports events, not aggregates; leave out --aggregate/--chart');
  if (opts.header === false) throw new UsageError('--no-header does not apply to --dataset: every CSV part has its header, as readers of a dataset expect');
  const dir = resolve(opts.dataset);
  const lagMs = lagFlag(opts.lag);
  const parsed = parseEventsList(opts, started, defaults);
  const tz = parsed.tz ?? 'UTC';
  // Every flag is checked before DIR is created or locked.
  const requested = requestedFormat(opts);
  const schema = readSchema(opts, requested ?? 'parquet');
  const columns: readonly Column<unknown>[] =
    schema === 'focus'
      ? ((await import('./focus.js')).FOCUS_COLUMNS as readonly Column<unknown>[])
      : (selectColumns(eventColumns, opts.fields, defaults.machineFields) as readonly Column<unknown>[]);

  await ensureDirectory(dir);
  const lock = await acquireLock(dir, started, (info) =>
    ctx.log.warn(`took over the lock left by kt pid ${info.pid} (started ${info.started_at}), which is no longer running`),
  );
  try {
    const text = await readManifestFile(dir);
    let existing: DatasetManifest | undefined;
    if (text !== undefined) {
      try {
        existing = parseManifest(text);
      } catch (error) {
        if (error instanceof ManifestError) {
          throw new FailureError(`${join(dir, MANIFEST_FILE)} is not a valid kt dataset manifest: ${error.message}`, 'kt leaves it as it is; restore it, or export into another directory');
        }
        throw error;
      }
    } else {
      // A first run killed before its first commit leaves only date directories (and maybe a manifest's temp file).
      const entries = ((await directoryEntries(dir)) ?? []).filter((name) => name !== LOCK_FILE && !/^date=\d{4}-\d{2}-\d{2}$/.test(name) && !isManifestTemp(name));
      if (entries.length > 0) {
        throw new FailureError(`${dir} is not empty and has no ${MANIFEST_FILE}: not a kt dataset`, 'start a dataset in an empty (or new) directory');
      }
    }
    const format = requested ?? existing?.format ?? 'parquet';
    const settings = {
      format,
      schema,
      fields: columns.map((c) => c.name),
      tz,
      filter: { teams: parsed.filter.teams, providers: parsed.filter.providers, models: parsed.filter.models, verdicts: parsed.filter.verdicts },
    };

    let manifest: DatasetManifest;
    if (existing !== undefined) {
      const mismatch = settingsMismatch(existing, settings);
      if (mismatch.length > 0) {
        throw new UsageError(`${dir} was created with ${mismatch.join(', ')}`, 'pass the same flags on every run, or export into another directory');
      }
      await checkParts(ctx, dir, existing);
      if (opts.since !== undefined) ctx.log.debug(`resuming ${dir} at its watermark ${existing.watermark}; --since only starts a new dataset`);
      manifest = existing;
    } else {
      const since = parsed.filter.since;
      manifest = {
        kt_dataset: 1,
        ...settings,
        since,
        watermark: since,
        recent: { since, events: [] },
        parts: [],
        ...(schema === 'focus' ? { focus: JSON.parse((await import('./focus.js')).focusMetadataText(started)) as unknown } : {}),
        updated_at: started.toISOString(),
      };
      // Written with the first commit: a first run that fails before it leaves no dataset behind.
      await checkParts(ctx, dir, manifest);
    }

    const start = fetchStart(existing, new Date(parsed.filter.since), lagMs);
    const horizon = started.getTime() - lagMs;
    const end = new Date(parsed.filter.until === undefined ? horizon : Math.min(horizon, Date.parse(parsed.filter.until)));
    if (start.getTime() >= end.getTime()) {
      ctx.log.info(`${dir} is up to date: watermark ${manifest.watermark}, nothing before ${end.toISOString()} (now − --lag) is missing`);
      return;
    }
    await exportRange(ctx, { dir, format, schema, columns, tz, lagMs, pricesFile: opts.prices, filter: { ...parsed.filter, since: start.toISOString(), until: end.toISOString() }, end }, manifest);
  } finally {
    await lock.release();
  }
}

/** A manifest's temp file left by a run killed while it replaced the manifest. */
function isManifestTemp(name: string): boolean {
  return name.startsWith(`.${MANIFEST_FILE}.`) && name.endsWith('.tmp');
}

/** Parts listed but missing or altered stop the run; part files not listed (a killed run's) are removed. */
async function checkParts(ctx: Context, dir: string, manifest: DatasetManifest): Promise<void> {
  const problems: string[] = [];
  for (const part of manifest.parts) {
    const digest = await fileDigest(join(dir, part.path));
    if (digest === undefined) problems.push(`${part.path} is missing`);
    else if (digest.bytes !== part.bytes || digest.sha256 !== part.sha256) problems.push(`${part.path} was altered (its sha256 is not the manifest's)`);
  }
  if (problems.length > 0) {
    const more = problems.length > 3 ? ` and ${problems.length - 3} more` : '';
    throw new FailureError(
      `${dir} does not match its ${MANIFEST_FILE}: ${problems.slice(0, 3).join('; ')}${more}`,
      'kt leaves the dataset as it is: restore the files, or start a new dataset in another directory',
    );
  }
  for (const name of (await directoryEntries(dir)) ?? []) if (isManifestTemp(name)) await removeFile(join(dir, name));
  const listed = new Set(manifest.parts.map((p) => p.path));
  for (const file of await listPartFiles(dir)) {
    if (listed.has(file)) continue;
    await removeFile(join(dir, file));
    ctx.log.info(`removed ${file}: left uncommitted by an interrupted run (its events are fetched again)`);
  }
}

interface RangeJob {
  dir: string;
  format: DatasetFormat;
  schema: 'kt' | 'focus';
  columns: readonly Column<unknown>[];
  tz: string;
  lagMs: number;
  pricesFile: string | undefined;
  filter: { since: string; until: string; teams?: readonly string[] | undefined; providers?: readonly string[] | undefined; models?: readonly string[] | undefined; verdicts?: readonly string[] | undefined };
  end: Date;
}

async function exportRange(ctx: Context, job: RangeJob, initial: DatasetManifest): Promise<void> {
  let manifest = initial;
  const api = await ctx.api();
  let toRows: (event: SpendEvent) => readonly unknown[] = (event) => [event];
  let focusWarning: (() => string | undefined) | undefined;
  let parquetMetadata: Record<string, string> | undefined;
  if (job.schema === 'focus') {
    const focus = await import('./focus.js');
    const mapper = await focus.focusMapper(ctx, api, job.pricesFile);
    toRows = (event): FocusLine[] => mapper.lines(event);
    focusWarning = () => focus.unpricedNotice(mapper);
    parquetMetadata = { 'focus.metadata': JSON.stringify(manifest.focus) };
  }
  const known = new Set(manifest.recent.events.map((e) => e[1]));
  let next = nextPartNumber(manifest.parts);
  let committedParts = 0;
  let committedEvents = 0;
  let skipped = 0;

  const open = async (date: string): Promise<OpenPart<unknown>> => {
    const path = partPath(date, next, job.format);
    next += 1;
    await ensureDirectory(join(job.dir, `date=${date}`));
    const channel = new BatchChannel<unknown>();
    const written = writeRows(ctx, new RowPages(channel), job.columns, {
      format: job.format,
      output: join(job.dir, path),
      header: true,
      tz: job.schema === 'focus' || job.tz === 'UTC' ? undefined : job.tz,
      parquetMetadata,
    });
    // A writer failure surfaces at commit; until then it must not be unhandled.
    written.catch(() => undefined);
    return { date, path, tally: new PartTally(), batch: [], channel, written };
  };

  const commit = async (part: OpenPart<unknown>, watermark: Date): Promise<void> => {
    if (part.batch.length > 0) await part.channel.push(part.batch.splice(0));
    part.channel.end();
    await part.written;
    const digest = await fileDigest(join(job.dir, part.path));
    if (digest === undefined) throw new FailureError(`${join(job.dir, part.path)} vanished right after it was written`);
    manifest = commitPart(manifest, part.tally.part(part.path, part.date, digest), part.tally.committed, watermark, job.lagMs, ctx.now());
    await writeManifestFile(job.dir, manifestText(manifest));
    committedParts += 1;
    committedEvents += part.tally.events;
  };

  const abandon = async (part: OpenPart<unknown>): Promise<void> => {
    part.channel.end();
    await part.written.catch(() => undefined);
    await removeFile(join(job.dir, part.path)).catch(() => undefined);
  };

  let current: OpenPart<unknown> | undefined;
  let fetching = false;
  const pages = eventPages(api, job.filter);
  try {
    for (;;) {
      fetching = true;
      const step = await pages.next();
      fetching = false;
      if (step.done === true) break;
      for (const event of step.value) {
        // Only the overlap with the last run can repeat: one run's pages never do.
        if (known.has(event.id)) {
          skipped += 1;
          continue;
        }
        const date = partitionDate(event.timestamp, job.tz);
        if (current !== undefined && (current.date !== date || current.tally.events >= PART_MAX_EVENTS)) {
          await commit(current, new Date(current.tally.maxMs));
          current = undefined;
        }
        current ??= await open(date);
        const rows = toRows(event);
        for (const row of rows) current.batch.push(row);
        current.tally.add(event, rows.length);
      }
      if (current !== undefined && current.batch.length > 0) await current.channel.push(current.batch.splice(0));
    }
    if (current !== undefined) await commit(current, job.end);
    else {
      manifest = commitPart(manifest, undefined, [], job.end, job.lagMs, ctx.now());
      await writeManifestFile(job.dir, manifestText(manifest));
    }
    current = undefined;
  } catch (error) {
    if (current !== undefined) {
      // A failed fetch: what arrived is complete and in order; keep it. Anything
      // else (a write error, Ctrl-C): drop the part in progress.
      if (fetching && !ctx.signal.aborted && current.tally.events > 0) {
        const part = current;
        current = undefined;
        try {
          await commit(part, new Date(part.tally.maxMs));
          ctx.log.warn(`committed ${part.path} (${part.tally.events.toLocaleString('en-US')} events) before the failure; the next run resumes after it`);
        } catch {
          await abandon(part);
        }
      } else {
        await abandon(current);
      }
    }
    throw error;
  } finally {
    await pages.return(undefined).catch(() => undefined);
    const warning = focusWarning?.();
    if (warning !== undefined) ctx.log.warn(warning);
    if (!ctx.globals.quiet) {
      const total = formatMoney(moneyFromDecimal(manifestCost(manifest.parts)));
      const dup = skipped > 0 ? ` (${skipped.toLocaleString('en-US')} already in the dataset skipped)` : '';
      ctx.log.info(
        `${job.dir}: ${committedParts} part${committedParts === 1 ? '' : 's'} committed, ${committedEvents.toLocaleString('en-US')} events${dup}; ` +
          `dataset ${manifest.parts.length} parts, total ${total}, watermark ${manifest.watermark}`,
      );
    }
  }
}
