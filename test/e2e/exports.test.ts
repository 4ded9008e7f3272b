// Warehouse exports end to end: the built kt against a real emulator, read
// back by DuckDB (an independent Parquet and CSV reader) with exact sums.
// --format parquet, --schema focus and --dataset DIR (incremental runs, kill
// -9 and resume, a flaky server, the lock, a tampered dataset, bad input).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { KT_BIN, ktEnv, runKt } from '../helpers/run-kt.js';
import { startEmulator, type Emulator } from '../helpers/emulator.js';
import { call } from '../helpers/emulator-api.js';
import { runKtInPty } from '../helpers/pty.js';
import { toolAvailable } from '../helpers/tools.js';
import { addMoney, formatDecimal, moneyFromDecimal, nanos, sumMoney, ZERO } from '../../src/domain/money.js';

const NOW = '2026-03-10T12:00:00Z';
const FOCUS_MANDATORY = [
  'BilledCost',
  'BillingAccountId',
  'BillingAccountName',
  'BillingCurrency',
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'ContractedCost',
  'EffectiveCost',
  'InvoiceIssuerName',
  'ListCost',
  'PricingQuantity',
  'PricingUnit',
  'ProviderName',
  'PublisherName',
  'ServiceCategory',
  'ServiceName',
];

interface ImportedEvent {
  timestamp: string;
  team_id: string;
  user_id: string;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cached: boolean;
  cost: string;
  request_id: string;
}

const MODELS: Array<[string, string, bigint, bigint]> = [
  ['openai', 'gpt-4o-mini', 150n, 600n],
  ['anthropic', 'claude-sonnet', 3000n, 15000n],
  ['openai', 'gpt-4o', 2500n, 10000n],
  ['meta', 'llama-3-70b', 0n, 0n],
];

/** `n` events, one every `stepMinutes` from `start`: list-priced (nano-exact), cached ones free, llama at an odd price. */
function makeEvents(n: number, start: string, stepMinutes: number, prefix = 'r'): ImportedEvent[] {
  const t0 = Date.parse(start);
  return Array.from({ length: n }, (_, i) => {
    const [provider, model, inPrice, outPrice] = MODELS[i % MODELS.length] as [string, string, bigint, bigint];
    const input = 37 + ((i * 131) % 4000);
    const output = i % 9 === 0 ? 0 : 11 + ((i * 17) % 900);
    const cached = i % 6 === 1;
    const cost = cached ? 0n : model === 'llama-3-70b' ? 291n + BigInt(i) : BigInt(input) * inPrice + BigInt(output) * outPrice;
    return {
      timestamp: new Date(t0 + i * stepMinutes * 60_000).toISOString(),
      team_id: ['search', 'ads', 'platform'][i % 3] as string,
      user_id: `user-${i % 13}`,
      provider,
      model,
      input_tokens: input,
      output_tokens: output,
      cached,
      cost: formatDecimal(nanos(cost)),
      request_id: `${prefix}-${i}`,
    };
  });
}

function writeImport(dir: string, events: readonly ImportedEvent[]): string {
  const file = join(dir, 'events.ndjson');
  // cost as a JSON number written in decimal (the emulator reads it exactly)
  writeFileSync(file, events.map((e) => JSON.stringify(e).replace(/"cost":"([^"]+)"/, '"cost":$1')).join('\n') + '\n');
  return file;
}

interface ApiEvent {
  id: string;
  timestamp: string;
  cost: number | string;
}

/** Every event of a range straight from the API (retrying the faults a flaky emulator injects). */
async function apiEvents(emu: Emulator, since: string, until: string): Promise<ApiEvent[]> {
  const all: ApiEvent[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ since, until, limit: '1000' });
    if (cursor !== null) params.set('cursor', cursor);
    const res = await call(emu, 'GET', `/v1/events?${params.toString()}`);
    if (res.status === 503) continue;
    expect(res.status).toBe(200);
    all.push(...(res.body.data as ApiEvent[]));
    cursor = res.body.next_cursor as string | null;
  } while (cursor !== null);
  return all;
}

const total = (events: readonly { cost: number | string }[]): string => formatDecimal(sumMoney(events.map((e) => moneyFromDecimal(String(e.cost)))));

let duck: DuckDBConnection;
async function sql(query: string): Promise<Record<string, unknown>[]> {
  return (await duck.runAndReadAll(query)).getRowObjectsJson();
}
async function one(query: string): Promise<Record<string, unknown>> {
  return (await sql(query))[0] ?? {};
}
/** DuckDB prints DECIMAL(…, 9) sums with nine decimals; kt's CSV trims to at least two. */
const dec = (text: unknown): string => formatDecimal(moneyFromDecimal(String(text)));

beforeAll(async () => {
  duck = await (await DuckDBInstance.create(':memory:')).connect();
});

describe('Parquet and FOCUS exports', () => {
  let emu: Emulator;
  let dir: string;
  let events: ImportedEvent[];
  const RANGE = ['--since', '2026-03-01T00:00:00Z', '--until', '2026-04-01T00:00:00Z'];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kt-exports-'));
    events = makeEvents(900, '2026-03-01T00:00:00Z', 13);
    emu = await startEmulator(['--import', writeImport(dir, events)], { now: NOW });
  });
  afterAll(async () => {
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes every event with the CSV columns as Parquet types, and DuckDB sums the cost exactly', async () => {
    const file = join(dir, 'events.parquet');
    const r = await runKt(['events', 'export', ...RANGE, '--format', 'parquet', '-o', file], { env: emu.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const csv = await runKt(['events', 'export', ...RANGE, '--format', 'csv'], { env: emu.env });
    const [header] = csv.stdout.split('\r\n', 1).map((line) => line.split(','));
    const types = await sql(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '${file}')`);
    expect(types.map((t) => t.column_name)).toEqual(header);
    expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toMatchObject({
      timestamp: 'TIMESTAMP WITH TIME ZONE',
      team: 'VARCHAR',
      input_tokens: 'BIGINT',
      output_tokens: 'BIGINT',
      cached: 'BOOLEAN',
      cost: 'DECIMAL(18,9)',
      id: 'VARCHAR',
    });
    const api = await apiEvents(emu, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z');
    expect(api).toHaveLength(900);
    const got = await one(`SELECT count(*)::VARCHAR AS n, count(DISTINCT id)::VARCHAR AS ids, sum(cost)::VARCHAR AS cost, min(timestamp)::VARCHAR AS first_at FROM '${file}'`);
    expect({ ...got, cost: dec(got.cost) }).toEqual({ n: '900', ids: '900', cost: total(events), first_at: '2026-03-01 00:00:00+00' });
    expect(total(api)).toBe(total(events));
    // The smallest cost, 291 nano-dollars, survives exactly.
    expect(await one(`SELECT cost::VARCHAR AS cost FROM '${file}' WHERE request_id = 'r-3'`)).toEqual({ cost: '0.000000294' });
  });

  it('streams Parquet to a pipe, and aggregates as DECIMAL(38,9) buckets', async () => {
    const piped = await runKt(['events', 'list', ...RANGE, '--format', 'parquet'], { env: emu.env });
    expect(piped.code).toBe(0);
    expect(piped.stdout.startsWith('PAR1')).toBe(true);
    const file = join(dir, 'daily.parquet');
    const r = await runKt(['events', 'list', ...RANGE, '--aggregate', 'daily', '--group-by', 'team', '-o', file], { env: emu.env });
    expect(r.code).toBe(0);
    const got = await one(`SELECT count(DISTINCT team)::VARCHAR AS teams, sum(requests)::VARCHAR AS requests, sum(cost)::VARCHAR AS cost, typeof(any_value(cost)) AS t FROM '${file}'`);
    expect({ ...got, cost: dec(got.cost) }).toEqual({ teams: '3', requests: '900', cost: total(events), t: 'DECIMAL(38,9)' });
  });

  it('runs the monthly FOCUS chargeback cron line: Parquet that DuckDB totals exactly', async () => {
    // crontab: 0 6 1 * * kt events list --since 2026-03-01 --until 2026-04-01 --schema focus -o focus-$(date +%Y%m).parquet
    const file = join(dir, 'focus-202603.parquet');
    const r = await runKt(['events', 'list', ...RANGE, '--schema', 'focus', '-o', file], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('225 events on models without a list price (llama-3-70b): ListUnitPrice left empty and ListCost = BilledCost; add prices with --prices FILE');
    const columns = (await sql(`SELECT column_name FROM (DESCRIBE SELECT * FROM '${file}')`)).map((c) => c.column_name);
    for (const column of FOCUS_MANDATORY) expect(columns).toContain(column);
    const got = await one(
      `SELECT count(DISTINCT x_EventId)::VARCHAR AS events, sum(BilledCost)::VARCHAR AS billed, sum(EffectiveCost)::VARCHAR AS effective,
              sum(ConsumedQuantity)::VARCHAR AS tokens, string_agg(DISTINCT ServiceCategory, ',') AS category, string_agg(DISTINCT BillingAccountId, ',') AS account,
              count(*) FILTER (WHERE ListUnitPrice IS NOT NULL AND ListCost <> ListUnitPrice * PricingQuantity)::VARCHAR AS list_rule_broken,
              count(*) FILTER (WHERE ContractedCost <> ListCost)::VARCHAR AS contracted_differs,
              count(*) FILTER (WHERE x_Cached AND BilledCost <> 0)::VARCHAR AS cached_billed,
              sum(ListCost - BilledCost) FILTER (WHERE x_Cached)::VARCHAR AS caching_saved,
              count(*) FILTER (WHERE ChargePeriodEnd - ChargePeriodStart <> INTERVAL 1 HOUR)::VARCHAR AS not_hourly,
              string_agg(DISTINCT strftime(BillingPeriodStart AT TIME ZONE 'UTC', '%Y-%m-%d'), ',') AS billing_period
       FROM '${file}'`,
    );
    const tokens = events.reduce((a, e) => a + e.input_tokens + e.output_tokens, 0);
    const cachedList = events
      .filter((e) => e.cached)
      .reduce((a, e) => {
        const [, , inPrice, outPrice] = MODELS.find((m) => m[1] === e.model) as [string, string, bigint, bigint];
        return a + (BigInt(e.input_tokens) * inPrice + BigInt(e.output_tokens) * outPrice);
      }, 0n);
    expect({ ...got, billed: dec(got.billed), effective: dec(got.effective), caching_saved: dec(got.caching_saved) }).toEqual({
      events: '900',
      billed: total(events),
      effective: total(events),
      tokens: String(tokens),
      category: 'AI and Machine Learning',
      account: 'demo',
      list_rule_broken: '0',
      contracted_differs: '0',
      cached_billed: '0',
      caching_saved: formatDecimal(nanos(cachedList)),
      not_hourly: '0',
      billing_period: '2026-03-01',
    });
    expect(cachedList).toBeGreaterThan(0n);
  });

  it('writes FOCUS CSV in the spec formats: UTC DateTimeFormat, plain decimals, JSON tags, empty nulls', async () => {
    const r = await runKt(['events', 'export', ...RANGE, '--schema', 'focus', '--format', 'csv'], { env: emu.env });
    expect(r.code).toBe(0);
    const rows = parse<Record<string, string>>(r.stdout, { columns: true });
    expect(rows).toHaveLength(900 * 2 - 100); // no output row for the 100 requests without output tokens
    let billed = ZERO;
    for (const row of rows) {
      for (const c of ['BillingPeriodStart', 'BillingPeriodEnd', 'ChargePeriodStart', 'ChargePeriodEnd']) expect(row[c]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      for (const c of ['BilledCost', 'ListCost', 'EffectiveCost', 'ContractedCost', 'PricingQuantity', 'ConsumedQuantity']) expect(row[c]).toMatch(/^\d+(\.\d+)?$/);
      expect(row.ChargeClass).toBe('');
      expect(JSON.parse(row.Tags ?? '')).toMatchObject({ 'kt/user_id': expect.stringMatching(/^user-/), 'kt/request_id': expect.stringMatching(/^r-/) });
      billed = addMoney(billed, moneyFromDecimal(row.BilledCost ?? ''));
    }
    expect(formatDecimal(billed)).toBe(total(events));

    // JSON: the tags as an object, money as exact decimal numbers.
    const json = await runKt(['events', 'export', ...RANGE, '--schema', 'focus', '--limit', '2'], { env: emu.env });
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(doc).toHaveLength(3); // r-0 has no output tokens: one row; r-1 two
    expect(doc[0]).toMatchObject({ ChargeCategory: 'Usage', ChargeClass: null, Tags: { 'kt/user_id': 'user-0', 'kt/request_id': 'r-0' }, x_TokenClass: 'input' });
    expect(json.stdout).toMatch(/"BilledCost":\d+\.\d+,/);
  });

  it.skipIf(!toolAvailable('script'))('refuses Parquet on a terminal (exit 2) and writes it with -o', async () => {
    const run = runKtInPty(['events', 'export', ...RANGE, '--format', 'parquet'], emu.env);
    expect(await run.exit).toBe(2);
    expect(run.output()).toContain('refusing to write Parquet (binary data) to a terminal');
    expect(run.output()).toContain('pass -o FILE.parquet');
  });
});

describe('bad input to the exports', () => {
  let emu: Emulator;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kt-exports-bad-'));
    emu = await startEmulator(['--import', writeImport(dir, makeEvents(50, '2026-03-09T00:00:00Z', 20))], { now: NOW });
  });
  afterAll(async () => {
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    [['events', 'export', '--dataset', 'D', '-o', 'x.parquet'], '--dataset writes into its directory; leave out -o/--output'],
    [['events', 'export', '--dataset', 'D', '--limit', '5'], '--limit does not apply to --dataset'],
    [['events', 'export', '--dataset', 'D', '--format', 'json'], '--dataset writes csv, ndjson or parquet'],
    [['events', 'list', '--dataset', 'D', '--aggregate', 'daily'], '--dataset exports events, not aggregates'],
    [['events', 'export', '--dataset', 'D', '--format', 'csv', '--no-header'], '--no-header does not apply to --dataset'],
    [['events', 'export', '--dataset', 'D', '--lag', 'soon'], 'invalid --lag "soon": use a duration such as 5m, 30s or 0s'],
    [['events', 'export', '--lag', '5m'], '--lag applies to --dataset DIR only'],
    [['events', 'export', '--schema', 'focus', '--fields', 'id', '--format', 'csv'], '--fields does not apply to --schema focus'],
    [['events', 'list', '--schema', 'focus'], '--schema focus writes csv, json, ndjson or parquet, not a table'],
    [['events', 'list', '--schema', 'focus', '--aggregate', 'daily', '--format', 'csv'], '--schema focus writes one row per request and price; it does not aggregate'],
    [['events', 'export', '--schema', 'focus', '--tz', 'Europe/Berlin'], '--tz does not apply to --schema focus: FOCUS dates and times are UTC'],
    [['events', 'export', '--prices', 'p.yaml'], '--prices applies to --schema focus'],
    [['events', 'export', '--schema', 'cur'], "argument 'cur' is invalid. Allowed choices are kt, focus"],
    [['events', 'export', '--format', 'xlsx'], "argument 'xlsx' is invalid. Allowed choices are json, csv, ndjson, parquet"],
    [['wallets', 'list', '-o', 'w.parquet'], '--output w.parquet: this command cannot write parquet; it writes table, csv, json, ndjson'],
  ])('kt %j exits 2: %s', async (args, message) => {
    const r = await runKt(args, { env: emu.env, cwd: dir });
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, 'D'))).toBe(false);
    expect(r.stdout).toBe('');
  });

  it('reports a --prices file it cannot read (exit 1) or parse (exit 2)', async () => {
    const missing = await runKt(['events', 'export', '--schema', 'focus', '--format', 'csv', '--prices', join(dir, 'none.yaml')], { env: emu.env });
    expect(missing.stderr).toContain('cannot read --prices file');
    expect(missing.code).toBe(1);
    writeFileSync(join(dir, 'bad.yaml'), 'gpt-4o: {input: -1, output: 2}\n');
    const bad = await runKt(['events', 'export', '--schema', 'focus', '--format', 'csv', '--prices', join(dir, 'bad.yaml')], { env: emu.env });
    expect(bad.stderr).toContain('invalid --prices file');
    expect(bad.code).toBe(2);
  });
});

/** Runs kt with the dataset flags; the clock is the emulator's. */
function datasetRun(emu: Emulator, ds: string, extra: string[] = [], env: Record<string, string> = {}) {
  return runKt(['events', 'export', '--dataset', ds, '--since', '2026-03-01T00:00:00Z', ...extra], { env: { ...emu.env, ...env }, timeoutMs: 60_000 });
}

interface Manifest {
  format: string;
  schema: string;
  fields: string[];
  watermark: string;
  parts: Array<{ path: string; date: string; rows: number; events: number; cost_total: string; sha256: string; bytes: number; min_timestamp: string; max_timestamp: string }>;
  focus?: { Schema: { FocusVersion: string } };
}
const readManifest = (ds: string): Manifest => JSON.parse(readFileSync(join(ds, '_manifest.json'), 'utf8')) as Manifest;

/** The dataset read as one table by DuckDB (hive partitioning): rows, distinct ids, exact cost. */
async function datasetTotals(ds: string): Promise<{ n: string; ids: string; cost: string }> {
  const got = await one(`SELECT count(*)::VARCHAR AS n, count(DISTINCT id)::VARCHAR AS ids, coalesce(sum(cost), 0)::VARCHAR AS cost FROM read_parquet('${ds}/*/*.parquet', hive_partitioning = true)`);
  return { n: String(got.n), ids: String(got.ids), cost: dec(got.cost) };
}

/** Every manifest part matches its file, and the parts add up to the whole. */
function checkManifest(ds: string, m: Manifest): void {
  for (const part of m.parts) {
    const bytes = readFileSync(join(ds, part.path));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(part.sha256);
    expect(bytes.length).toBe(part.bytes);
    expect(part.path).toBe(`date=${part.date}/${part.path.split('/')[1]}`);
    expect(part.min_timestamp.slice(0, 10) <= part.date && part.date <= part.max_timestamp.slice(0, 10)).toBe(true);
  }
}

describe('kt events export --dataset', () => {
  let emu: Emulator;
  let dir: string;
  let events: ImportedEvent[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kt-dataset-'));
    // 600 events, one every 20 minutes from March 2 to the morning of March 10.
    events = makeEvents(600, '2026-03-02T00:00:00Z', 20);
    emu = await startEmulator(['--import', writeImport(dir, events)], { now: NOW });
  });
  afterAll(async () => {
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports incrementally: a part per date, the watermark at now − lag, late arrivals picked up, nothing twice', async () => {
    const ds = join(dir, 'ds');
    const first = await datasetRun(emu, ds);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('9 parts committed, 600 events');
    let m = readManifest(ds);
    expect(m.format).toBe('parquet');
    expect(m.watermark).toBe('2026-03-10T11:55:00.000Z');
    expect(m.parts.map((p) => p.date)).toEqual(['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09', '2026-03-10']);
    expect(m.parts.reduce((a, p) => a + p.events, 0)).toBe(600);
    checkManifest(ds, m);
    expect(await datasetTotals(ds)).toEqual({ n: '600', ids: '600', cost: total(events) });

    // An hour passes. Two requests arrive: one now, one late, stamped inside the last run's lag window.
    const late = { team_id: 'search', provider: 'openai', model: 'gpt-4o-mini', input_tokens: 1000, output_tokens: 10, cost: 0.000156, timestamp: '2026-03-10T11:52:00Z' };
    expect((await call(emu, 'POST', '/v1/emulator/clock', { advance: '1h' })).status).toBe(200);
    expect((await call(emu, 'POST', '/v1/events', { ...late, request_id: 'late-1' })).status).toBe(201);
    expect((await call(emu, 'POST', '/v1/events', { ...late, request_id: 'new-1', timestamp: '2026-03-10T12:30:00Z', cost: 0.000000291 })).status).toBe(201);
    const env = { KT_NOW: '2026-03-10T13:00:00Z' };
    const second = await datasetRun(emu, ds, [], env);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('1 part committed, 2 events');
    m = readManifest(ds);
    expect(m.watermark).toBe('2026-03-10T12:55:00.000Z');
    expect(m.parts).toHaveLength(10);
    expect(m.parts[9]).toMatchObject({ path: 'date=2026-03-10/part-000010.parquet', events: 2, cost_total: '0.000156291', min_timestamp: '2026-03-10T11:52:00.000Z', max_timestamp: '2026-03-10T12:30:00.000Z' });
    checkManifest(ds, m);
    const api = await apiEvents(emu, '2026-03-01T00:00:00Z', '2026-03-10T12:55:00Z');
    expect(await datasetTotals(ds)).toEqual({ n: '602', ids: '602', cost: total(api) });

    // Nothing new: a third run commits nothing and keeps the dataset as it was.
    const third = await datasetRun(emu, ds, ['--lag', '0s'], env);
    expect(third.code).toBe(0);
    expect(await datasetTotals(ds)).toEqual({ n: '602', ids: '602', cost: total(api) });
    // The partition column reads as a date; one date's rows are that date's events.
    expect(await one(`SELECT count(*)::VARCHAR AS n, typeof(any_value(date)) AS t FROM read_parquet('${ds}/*/*.parquet', hive_partitioning = true) WHERE date = DATE '2026-03-10'`)).toEqual({
      n: String(api.filter((e) => e.timestamp.startsWith('2026-03-10')).length),
      t: 'DATE',
    });
  });

  it('writes a FOCUS CSV dataset that DuckDB reads as one table, BilledCost exact, with the FOCUS metadata in the manifest', async () => {
    const ds = join(dir, 'focus');
    const r = await datasetRun(emu, ds, ['--schema', 'focus', '--format', 'csv', '--until', '2026-03-06T00:00:00Z']);
    expect(r.code).toBe(0);
    const m = readManifest(ds);
    expect(m.schema).toBe('focus');
    expect(m.focus?.Schema.FocusVersion).toBe('1.2');
    expect(m.watermark).toBe('2026-03-06T00:00:00.000Z');
    checkManifest(ds, m);
    const inRange = events.filter((e) => Date.parse(e.timestamp) < Date.parse('2026-03-06T00:00:00Z'));
    const got = await one(
      `SELECT count(DISTINCT x_EventId)::VARCHAR AS events, sum(BilledCost)::VARCHAR AS billed FROM read_csv('${ds}/*/*.csv', hive_partitioning = true, types = {'BilledCost': 'DECIMAL(18,9)'})`,
    );
    expect({ ...got, billed: dec(got.billed) }).toEqual({ events: String(inRange.length), billed: total(inRange) });
    expect(m.parts.reduce((a, p) => a + p.rows, 0)).toBe(inRange.length * 2 - inRange.filter((e) => e.output_tokens === 0).length);

    // The same directory with other settings is refused; nothing changes.
    const before = readFileSync(join(ds, '_manifest.json'), 'utf8');
    const other = await datasetRun(emu, ds, ['--format', 'parquet']);
    expect(other.stderr).toContain(`${ds} was created with --format csv (not parquet), --schema focus (not kt)`);
    expect(other.code).toBe(2);
    expect(readFileSync(join(ds, '_manifest.json'), 'utf8')).toBe(before);
  });

  it('refuses a second run while one holds the lock (exit 1), and takes over a lock whose process is gone', async () => {
    const ds = join(dir, 'locked');
    mkdirSync(ds);
    writeFileSync(join(ds, '.lock'), JSON.stringify({ pid: process.pid, hostname: hostname(), started_at: '2026-03-10T11:59:00.000Z' }));
    const refused = await datasetRun(emu, ds);
    expect(refused.stderr).toContain(`another kt run (pid ${process.pid}, since 2026-03-10T11:59:00.000Z) is writing ${ds}`);
    expect(refused.code).toBe(1);
    expect(existsSync(join(ds, '_manifest.json'))).toBe(false);

    const gone = spawn(process.execPath, ['-e', '']);
    const deadPid = gone.pid as number;
    await new Promise((resolve) => gone.once('exit', resolve));
    writeFileSync(join(ds, '.lock'), JSON.stringify({ pid: deadPid, hostname: hostname(), started_at: '2026-03-10T11:00:00.000Z' }));
    // That run was killed while it wrote its first manifest, and was writing its first part.
    writeFileSync(join(ds, `._manifest.json.${deadPid}.0a1b2c.tmp`), '{"kt_dataset": 1');
    mkdirSync(join(ds, 'date=2026-03-02'));
    writeFileSync(join(ds, 'date=2026-03-02', 'part-000001.parquet'), 'PAR1 half a file');
    const taken = await datasetRun(emu, ds);
    expect(taken.stderr).toContain(`took over the lock left by kt pid ${deadPid}`);
    expect(taken.code).toBe(0);
    expect(taken.stderr).toContain('removed date=2026-03-02/part-000001.parquet: left uncommitted by an interrupted run');
    expect(existsSync(join(ds, '.lock'))).toBe(false);
    expect(existsSync(join(ds, `._manifest.json.${deadPid}.0a1b2c.tmp`))).toBe(false);
    // (an earlier test added a late request at 11:52, inside this window)
    const api = await apiEvents(emu, '2026-03-01T00:00:00Z', '2026-03-10T11:55:00Z');
    expect(await datasetTotals(ds)).toEqual({ n: String(api.length), ids: String(api.length), cost: total(api) });
  });

  it('reports a dataset whose files do not match the manifest (exit 1) and leaves it as it is', async () => {
    const ds = join(dir, 'tampered');
    expect((await datasetRun(emu, ds, ['--format', 'ndjson'])).code).toBe(0);
    const m = readManifest(ds);
    const manifestBefore = readFileSync(join(ds, '_manifest.json'), 'utf8');
    appendFileSync(join(ds, m.parts[2]?.path ?? ''), '{"id":"forged"}\n');
    unlinkSync(join(ds, m.parts[4]?.path ?? ''));
    const r = await datasetRun(emu, ds, ['--format', 'ndjson']);
    expect(r.stderr).toContain(`${ds} does not match its _manifest.json: ${m.parts[2]?.path} was altered (its sha256 is not the manifest's); ${m.parts[4]?.path} is missing`);
    expect(r.stderr).toContain('kt leaves the dataset as it is');
    expect(r.code).toBe(1);
    expect(readFileSync(join(ds, '_manifest.json'), 'utf8')).toBe(manifestBefore);

    writeFileSync(join(ds, '_manifest.json'), '{"kt_dataset": 1, "format": "ndjson"');
    const corrupt = await datasetRun(emu, ds, ['--format', 'ndjson']);
    expect(corrupt.stderr).toContain(`${join(ds, '_manifest.json')} is not a valid kt dataset manifest: not JSON`);
    expect(corrupt.code).toBe(1);

    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    const refused = await datasetRun(emu, foreign);
    expect(refused.stderr).toContain(`${foreign} is not empty and has no _manifest.json: not a kt dataset`);
    expect(refused.code).toBe(1);
    expect(readFileSync(join(foreign, 'notes.txt'), 'utf8')).toBe('mine');
  });
});

describe('kt events export --dataset under kills and outages', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kt-dataset-crash-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resumes after kill -9 in the middle of a run: every event once', async () => {
    // 30 days of 200 events a day; every events page takes 150 ms, so the run is still going when it is killed.
    const events = makeEvents(6000, '2026-02-08T00:00:00Z', 7.2);
    const emu = await startEmulator(['--import', writeImport(dir, events), '--faults', 'latency=150ms path=/v1/events'], { now: NOW });
    try {
      const ds = join(dir, 'killed');
      const child = spawn(process.execPath, [KT_BIN, 'events', 'export', '--dataset', ds, '--since', '2026-02-01T00:00:00Z'], { env: ktEnv(emu.env), stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // Wait for the first commits (the manifest listing parts), then kill.
      await new Promise<void>((resolve, reject) => {
        const poll = setInterval(() => {
          try {
            if (existsSync(join(ds, '_manifest.json')) && readManifest(ds).parts.length >= 3) {
              clearInterval(poll);
              resolve();
            }
          } catch {
            // the manifest is replaced by rename: a read never sees half of it
          }
        }, 10);
        child.once('exit', () => {
          clearInterval(poll);
          reject(new Error('the run ended before it could be killed'));
        });
      });
      child.kill('SIGKILL');
      await exited;
      const partial = readManifest(ds);
      expect(partial.parts.length).toBeGreaterThanOrEqual(3);
      expect(existsSync(join(ds, '.lock'))).toBe(true);

      const resumed = await runKt(['events', 'export', '--dataset', ds], { env: emu.env, timeoutMs: 60_000 });
      expect(resumed.stderr).toContain('took over the lock left by kt pid');
      expect(resumed.code).toBe(0);
      const m = readManifest(ds);
      checkManifest(ds, m);
      expect(m.parts.slice(0, partial.parts.length)).toEqual(partial.parts);
      expect(await datasetTotals(ds)).toEqual({ n: '6000', ids: '6000', cost: total(events) });
    } finally {
      await emu.stop();
    }
  });

  it('reaches the complete dataset through a server failing 60% of its event pages, nothing lost or doubled', async () => {
    const events = makeEvents(3000, '2026-02-20T00:00:00Z', 8);
    const emu = await startEmulator(['--import', writeImport(dir, events), '--faults', '503 rate=0.6 path=/v1/events', '--faults-seed', '11'], { now: NOW });
    try {
      const ds = join(dir, 'flaky');
      const codes: number[] = [];
      for (let run = 0; run < 25; run += 1) {
        const r = await runKt(['--retries', '1', 'events', 'export', '--dataset', ds, '--since', '2026-02-01T00:00:00Z'], { env: emu.env, timeoutMs: 60_000 });
        codes.push(r.code ?? -1);
        if (r.code === 0) break;
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('error: service unavailable (injected fault)');
      }
      expect(codes.at(-1)).toBe(0);
      expect(codes.length).toBeGreaterThan(1);
      const m = readManifest(ds);
      checkManifest(ds, m);
      expect(m.watermark).toBe('2026-03-10T11:55:00.000Z');
      expect(await datasetTotals(ds)).toEqual({ n: '3000', ids: '3000', cost: total(events) });
    } finally {
      await emu.stop();
    }
  });
});
