// The manifest of an incremental, Hive-partitioned export (`--dataset DIR`)
// and the bookkeeping between runs. Pure: the CLI reads and writes the files.
//
// The manifest is the truth: a part is in the dataset once the manifest
// lists it. Each part is committed alone (its file renamed into place, then
// the manifest rewritten with it and a later watermark), so a run killed at
// any moment leaves a dataset whose manifest lists only complete parts; a
// part file the manifest does not list is a leftover of such a run and is
// removed by the next one, which fetches its events again.
//
// watermark: every event before it is in the dataset. The next run fetches
// from the watermark minus the lag (events arrive late, up to the lag) and
// skips the ids it already has: `recent` lists the id and time of every
// committed event at or after `recent.since`, and a run never reaches back
// before `recent.since`, so the overlap can always be de-duplicated.
import { addMoney, formatDecimal, type Money, moneyFromDecimal, sumMoney, ZERO } from './money.js';

export const MANIFEST_FILE = '_manifest.json';
export const LOCK_FILE = '.lock';
export const DATASET_FORMATS = ['csv', 'ndjson', 'parquet'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export interface DatasetPart {
  /** Relative to the dataset directory, `/`-separated: `date=2026-03-01/part-000001.parquet`. */
  path: string;
  date: string;
  /** Rows in the file (a FOCUS dataset has one per request and price). */
  rows: number;
  /** Events the rows come from. */
  events: number;
  /** The events' recorded cost, exact decimal text. */
  cost_total: string;
  sha256: string;
  bytes: number;
  min_timestamp: string;
  max_timestamp: string;
}

export interface DatasetFilter {
  teams?: readonly string[] | undefined;
  providers?: readonly string[] | undefined;
  models?: readonly string[] | undefined;
  verdicts?: readonly string[] | undefined;
}

export interface DatasetManifest {
  kt_dataset: 1;
  format: DatasetFormat;
  schema: 'kt' | 'focus';
  fields: string[];
  /** The zone whose calendar dates name the partitions. */
  tz: string;
  filter: DatasetFilter;
  /** Where the first run started. */
  since: string;
  /** Exclusive: everything before this instant is in the dataset. */
  watermark: string;
  recent: { since: string; events: Array<[timestamp: string, id: string]> };
  parts: DatasetPart[];
  /** FOCUS metadata (schema id, version, columns) for --schema focus. */
  focus?: unknown;
  updated_at: string;
}

export class ManifestError extends Error {}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const PART_PATH = /^date=(\d{4}-\d{2}-\d{2})\/part-(\d{6,})\.(csv|ndjson|parquet)$/;

function text(o: Obj, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new ManifestError(`${where}: "${key}" must be a non-empty string`);
  return v;
}

function instant(o: Obj, key: string, where: string): string {
  const v = text(o, key, where);
  if (!INSTANT.test(v) || Number.isNaN(Date.parse(v))) throw new ManifestError(`${where}: "${key}" must be a UTC ISO instant, got ${JSON.stringify(v)}`);
  return v;
}

function count(o: Obj, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ManifestError(`${where}: "${key}" must be a whole number`);
  return v;
}

function list(o: Obj, key: string, where: string): string[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ManifestError(`${where}: "${key}" must be a list of strings`);
  return v as string[];
}

/** A manifest's text, checked field by field; ManifestError names what is wrong. */
export function parseManifest(source: string): DatasetManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(source);
  } catch (error) {
    throw new ManifestError(`not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isObj(raw)) throw new ManifestError('not a JSON object');
  if (raw.kt_dataset !== 1) throw new ManifestError('"kt_dataset" must be 1 (a manifest written by this version of kt)');
  const format = text(raw, 'format', 'manifest');
  if (!(DATASET_FORMATS as readonly string[]).includes(format)) throw new ManifestError(`"format" must be one of ${DATASET_FORMATS.join(', ')}`);
  const schema = text(raw, 'schema', 'manifest');
  if (schema !== 'kt' && schema !== 'focus') throw new ManifestError('"schema" must be kt or focus');
  const fields = list(raw, 'fields', 'manifest');
  if (fields === undefined || fields.length === 0) throw new ManifestError('"fields" must list the columns');
  const filterRaw = raw.filter ?? {};
  if (!isObj(filterRaw)) throw new ManifestError('"filter" must be an object');
  const recentRaw = raw.recent;
  if (!isObj(recentRaw) || !Array.isArray(recentRaw.events)) throw new ManifestError('"recent" must be {since, events}');
  const recentEvents = recentRaw.events.map((e, i): [string, string] => {
    if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string' || typeof e[1] !== 'string') throw new ManifestError(`recent.events[${i}] must be [timestamp, id]`);
    return [e[0], e[1]];
  });
  if (!Array.isArray(raw.parts)) throw new ManifestError('"parts" must be a list');
  const seen = new Set<string>();
  const parts = raw.parts.map((p, i): DatasetPart => {
    const where = `parts[${i}]`;
    if (!isObj(p)) throw new ManifestError(`${where} must be an object`);
    const path = text(p, 'path', where);
    const match = PART_PATH.exec(path);
    if (match === null || match[3] !== format) throw new ManifestError(`${where}: path ${JSON.stringify(path)} is not date=YYYY-MM-DD/part-N.${format}`);
    if (seen.has(path)) throw new ManifestError(`${where}: ${path} is listed twice`);
    seen.add(path);
    const date = text(p, 'date', where);
    if (date !== match[1]) throw new ManifestError(`${where}: date ${date} does not match its path ${path}`);
    const sha256 = text(p, 'sha256', where);
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new ManifestError(`${where}: "sha256" must be 64 hex digits`);
    const cost = text(p, 'cost_total', where);
    if (!/^-?\d+(\.\d+)?$/.test(cost)) throw new ManifestError(`${where}: "cost_total" must be a decimal string`);
    return {
      path,
      date,
      rows: count(p, 'rows', where),
      events: count(p, 'events', where),
      cost_total: cost,
      sha256,
      bytes: count(p, 'bytes', where),
      min_timestamp: instant(p, 'min_timestamp', where),
      max_timestamp: instant(p, 'max_timestamp', where),
    };
  });
  return {
    kt_dataset: 1,
    format: format as DatasetFormat,
    schema,
    fields,
    tz: text(raw, 'tz', 'manifest'),
    filter: {
      teams: list(filterRaw, 'teams', 'filter'),
      providers: list(filterRaw, 'providers', 'filter'),
      models: list(filterRaw, 'models', 'filter'),
      verdicts: list(filterRaw, 'verdicts', 'filter'),
    },
    since: instant(raw, 'since', 'manifest'),
    watermark: instant(raw, 'watermark', 'manifest'),
    recent: { since: instant(recentRaw, 'since', 'recent'), events: recentEvents },
    parts,
    ...(raw.focus === undefined ? {} : { focus: raw.focus }),
    updated_at: instant(raw, 'updated_at', 'manifest'),
  };
}

/** The manifest as written: two-space JSON, one part per line block, ending in a newline. */
export function manifestText(manifest: DatasetManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** `part-000042.parquet`: numbered across the whole dataset, so a name is never reused. */
export function partFileName(n: number, format: DatasetFormat): string {
  return `part-${String(n).padStart(6, '0')}.${format}`;
}

export function partPath(date: string, n: number, format: DatasetFormat): string {
  return `date=${date}/${partFileName(n, format)}`;
}

/** The number after the highest part the manifest lists. */
export function nextPartNumber(parts: readonly DatasetPart[]): number {
  let max = 0;
  for (const part of parts) {
    const match = PART_PATH.exec(part.path);
    if (match !== null) max = Math.max(max, Number(match[2]));
  }
  return max + 1;
}

/** Whether a file name inside a date directory is one kt writes (a part or its temp file). */
export function isPartFile(name: string): boolean {
  return /^part-\d{6,}\.(csv|ndjson|parquet)$/.test(name) || /^\.part-\d{6,}\.(csv|ndjson|parquet)\..*\.tmp$/.test(name);
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
  JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort());

/** What differs between the dataset's settings and this run's flags (empty when they agree). */
export function settingsMismatch(
  manifest: Pick<DatasetManifest, 'format' | 'schema' | 'fields' | 'tz' | 'filter'>,
  run: Pick<DatasetManifest, 'format' | 'schema' | 'fields' | 'tz' | 'filter'>,
): string[] {
  const out: string[] = [];
  if (manifest.format !== run.format) out.push(`--format ${manifest.format} (not ${run.format})`);
  if (manifest.schema !== run.schema) out.push(`--schema ${manifest.schema} (not ${run.schema})`);
  if (manifest.fields.join(',') !== run.fields.join(',')) out.push(`--fields ${manifest.fields.join(',')}`);
  if (manifest.tz !== run.tz) out.push(`--tz ${manifest.tz} (not ${run.tz})`);
  const filters: Array<[keyof DatasetFilter, string]> = [
    ['teams', '--team'],
    ['providers', '--provider'],
    ['models', '--model'],
    ['verdicts', '--verdict'],
  ];
  for (const [key, flag] of filters) {
    if (!sameList(manifest.filter[key], run.filter[key])) {
      const values = manifest.filter[key] ?? [];
      out.push(values.length === 0 ? `no ${flag}` : `${flag} ${values.join(',')}`);
    }
  }
  return out;
}

/**
 * Where this run starts: the first run at --since; later runs at the
 * watermark minus the lag, but never before the ids the manifest remembers.
 */
export function fetchStart(manifest: Pick<DatasetManifest, 'watermark' | 'recent'> | undefined, since: Date, lagMs: number): Date {
  if (manifest === undefined) return since;
  const back = Date.parse(manifest.watermark) - lagMs;
  return new Date(Math.max(back, Date.parse(manifest.recent.since)));
}

/** An event as the dataset bookkeeping sees it. */
export interface PartEvent {
  id: string;
  timestamp: string;
  cost: Money | null;
}

/** Sums a part's events as they are written. */
export class PartTally {
  events = 0;
  rows = 0;
  cost: Money = ZERO;
  minMs = Number.POSITIVE_INFINITY;
  maxMs = Number.NEGATIVE_INFINITY;
  readonly committed: Array<[string, string]> = [];

  add(event: PartEvent, rows: number): void {
    const ms = Date.parse(event.timestamp);
    this.events += 1;
    this.rows += rows;
    if (event.cost !== null) this.cost = addMoney(this.cost, event.cost);
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
    this.committed.push([new Date(ms).toISOString(), event.id]);
  }

  part(path: string, date: string, file: { sha256: string; bytes: number }): DatasetPart {
    return {
      path,
      date,
      rows: this.rows,
      events: this.events,
      cost_total: formatDecimal(this.cost),
      sha256: file.sha256,
      bytes: file.bytes,
      min_timestamp: new Date(this.minMs).toISOString(),
      max_timestamp: new Date(this.maxMs).toISOString(),
    };
  }
}

/**
 * The manifest after a part is committed: the part listed, the watermark
 * moved to `watermark` (never back), and `recent` holding every committed
 * event at or after the new watermark minus the lag.
 */
export function commitPart(manifest: DatasetManifest, part: DatasetPart | undefined, committed: ReadonlyArray<[string, string]>, watermark: Date, lagMs: number, now: Date): DatasetManifest {
  const mark = Math.max(Date.parse(manifest.watermark), watermark.getTime());
  const recentSince = Math.max(Date.parse(manifest.recent.since), mark - lagMs);
  const keep = (e: readonly [string, string]): boolean => Date.parse(e[0]) >= recentSince;
  return {
    ...manifest,
    watermark: new Date(mark).toISOString(),
    recent: { since: new Date(recentSince).toISOString(), events: [...manifest.recent.events.filter(keep), ...committed.filter(keep)] },
    parts: part === undefined ? manifest.parts : [...manifest.parts, part],
    updated_at: now.toISOString(),
  };
}

/** The cost of every part, summed exactly (for the run summary and tests). */
export function manifestCost(parts: readonly DatasetPart[]): string {
  return formatDecimal(sumMoney(parts.map((part) => moneyFromDecimal(part.cost_total))));
}
