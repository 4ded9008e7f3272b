// kt events list against a real emulator, through the built binary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { KT_BIN, ktEnv, runKt } from '../helpers/run-kt.js';
import { startEmulator } from '../helpers/emulator.js';

/** The fixed instant the emulator and kt stand at: the tests read the same on any day. */
const NOW = '2026-11-28T15:00:00Z';
import { moneyFromJson, parseAmount } from '../../src/domain/money.js';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

interface ApiEvent {
  id: string;
  timestamp: string;
  team_id: string;
  user_id: string | null;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cached: boolean;
  cost: number;
  currency: string;
  request_id: string | null;
}

/** Every event of a range, paged straight from the API (not through kt). */
async function fetchEvents(emu: Emulator, query: Record<string, string>): Promise<ApiEvent[]> {
  const all: ApiEvent[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ ...query, limit: '1000' });
    if (cursor !== null) params.set('cursor', cursor);
    const res = await fetch(`${emu.url}/v1/events?${params.toString()}`, { headers: { authorization: `Bearer ${emu.adminToken}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: ApiEvent[]; next_cursor: string | null };
    all.push(...body.data);
    cursor = body.next_cursor;
  } while (cursor !== null);
  return all;
}

function csv(text: string): string[][] {
  const rows: string[][] = parse(text);
  return rows;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kt-events-'));
}

const RANGE = ['--since', '2020-01-01T00:00:00Z', '--until', '2030-01-01T00:00:00Z'];

describe('kt events list (demo data)', () => {
  let emu: Emulator;
  let env: Record<string, string>;
  beforeAll(async () => {
    emu = await startEmulator(['--seed', 'demo', '--seed-events', '2500'], { now: NOW });
    env = emu.env;
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('runs the chargeback line verbatim and returns exactly the last 30 days', async () => {
    // kt's clock is fixed (KT_NOW): "30d" is exactly 30 days before it.
    const now = Date.parse(NOW);
    const r = await runKt(['events', 'list', '--since', '30d', '--format', 'csv', '--fields', 'team,provider,model,cost,timestamp'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [header, ...rows] = csv(r.stdout);
    expect(header).toEqual(['team', 'provider', 'model', 'cost', 'timestamp']);
    expect(rows.length).toBeGreaterThan(0);

    // kt's rows are a suffix of the ordered list.
    const api = await fetchEvents(emu, { since: new Date(now - 31 * 86_400_000).toISOString() });
    const suffix = api.slice(api.length - rows.length);
    // Amounts compared in micros: 1.5 and 1.50 are the same amount.
    expect(rows.map(([team, provider, model, cost, ts]) => [team, provider, model, parseAmount(cost!, { allowZero: true }), Date.parse(ts!)])).toEqual(
      suffix.map((e) => [e.team_id, e.provider, e.model, moneyFromJson(e.cost), Date.parse(e.timestamp)]),
    );
    const firstIncluded = suffix[0]!;
    expect(Date.parse(firstIncluded.timestamp)).toBeGreaterThanOrEqual(now - 30 * 86_400_000);
    // The seed covers more than 31 days, so an event just before the range exists and was left out.
    const lastExcluded = api[api.length - rows.length - 1];
    expect(lastExcluded).toBeDefined();
    expect(Date.parse(lastExcluded!.timestamp)).toBeLessThan(now - 30 * 86_400_000);
    for (const row of rows) expect(row[4]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
  });

  it('writes the chargeback file through a real shell redirect', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'kt'), `#!/bin/sh\nexec "${process.execPath}" "${KT_BIN}" "$@"\n`);
    chmodSync(join(dir, 'kt'), 0o755);
    const line = 'kt events list --since 30d --format csv --fields team,provider,model,cost,timestamp > monthly-chargeback-$(date +%Y%m).csv';
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('sh', ['-c', line], { cwd: dir, env: ktEnv({ ...env, PATH: `${dir}:${process.env.PATH ?? ''}` }), stdio: 'ignore' });
      child.on('error', reject);
      child.on('close', resolve);
    });
    expect(code).toBe(0);
    const file = readdirSync(dir).find((f) => /^monthly-chargeback-\d{6}\.csv$/.test(f));
    expect(file).toBeDefined();
    const [header, ...rows] = csv(readFileSync(join(dir, file!), 'utf8'));
    expect(header).toEqual(['team', 'provider', 'model', 'cost', 'timestamp']);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('exports every field exactly as the API has it (independent CSV parser)', async () => {
    const r = await runKt(['events', 'list', ...RANGE, '--format', 'csv'], { env });
    expect(r.code).toBe(0);
    const [header, ...rows] = csv(r.stdout);
    expect(header).toEqual(['timestamp', 'team', 'user', 'provider', 'model', 'input_tokens', 'output_tokens', 'cached', 'cost', 'currency', 'request_id', 'id']);
    const api = await fetchEvents(emu, { since: '2020-01-01T00:00:00Z', until: '2030-01-01T00:00:00Z' });
    expect(api.length).toBeGreaterThan(2000);
    expect(rows.length).toBe(api.length);
    rows.forEach((row, i) => {
      const e = api[i]!;
      expect(row[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
      expect(Date.parse(row[0]!)).toBe(Date.parse(e.timestamp));
      expect(row.slice(1, 8)).toEqual([
        e.team_id,
        e.user_id ?? '',
        e.provider,
        e.model,
        String(e.input_tokens),
        String(e.output_tokens),
        String(e.cached),
      ]);
      expect(parseAmount(row[8]!, { allowZero: true })).toBe(moneyFromJson(e.cost));
      expect(row.slice(9)).toEqual([e.currency, e.request_id ?? '', e.id]);
    });
  });

  it('sums the CSV cost column to the aggregate total to the micro-unit', async () => {
    const exported = await runKt(['events', 'list', ...RANGE, '--format', 'csv', '--fields', 'cost', '--no-header'], { env });
    expect(exported.code).toBe(0);
    const total = csv(exported.stdout).reduce((sum, [cost]) => sum + parseAmount(cost!, { allowZero: true }), 0n);
    const agg = await runKt(['events', 'list', ...RANGE, '--aggregate', 'monthly', '--json'], { env });
    expect(agg.code).toBe(0);
    const buckets = JSON.parse(agg.stdout) as Array<{ cost: number; requests: number }>;
    expect(buckets.reduce((sum, b) => sum + moneyFromJson(b.cost), 0n)).toBe(total);
    expect(buckets.reduce((sum, b) => sum + b.requests, 0)).toBe(csv(exported.stdout).length);
  });

  it('stops paging at --limit', async () => {
    const r = await runKt(['events', 'list', ...RANGE, '--format', 'csv', '--limit', '1500', '--fields', 'id'], { env });
    expect(r.code).toBe(0);
    const [, ...rows] = csv(r.stdout);
    const api = await fetchEvents(emu, { since: '2020-01-01T00:00:00Z', until: '2030-01-01T00:00:00Z' });
    expect(rows.map((row) => row[0])).toEqual(api.slice(0, 1500).map((e) => e.id));
  });

  it('renders timestamps with the offset of --tz', async () => {
    const r = await runKt(['events', 'list', ...RANGE, '--format', 'csv', '--limit', '3', '--fields', 'timestamp,id', '--tz', 'Asia/Kolkata'], { env });
    expect(r.code).toBe(0);
    const [, ...rows] = csv(r.stdout);
    const api = await fetchEvents(emu, { since: '2020-01-01T00:00:00Z', until: '2030-01-01T00:00:00Z' });
    rows.forEach((row, i) => {
      expect(row[0]).toMatch(/\+05:30$/);
      expect(Date.parse(row[0]!)).toBe(Date.parse(api[i]!.timestamp));
    });
  });

  it('filters by team, provider and model (repeatable and comma lists)', async () => {
    const api = await fetchEvents(emu, { since: '2020-01-01T00:00:00Z', until: '2030-01-01T00:00:00Z' });
    const [a, b] = [...new Set(api.map((e) => e.team_id))];
    const model = api[0]!.model;
    const r = await runKt(['events', 'list', ...RANGE, '--json', '--team', `${a},${b}`, '--team', a!, '--model', model], { env });
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ team: string; model: string }>;
    const expected = api.filter((e) => (e.team_id === a || e.team_id === b) && e.model === model);
    expect(rows.length).toBe(expected.length);
    for (const row of rows) {
      expect([a, b]).toContain(row.team);
      expect(row.model).toBe(model);
    }
  });

  describe('empty result', () => {
    const EMPTY = ['--since', '2020-01-01', '--until', '2020-01-02'];
    it('csv is the header only', async () => {
      const r = await runKt(['events', 'list', ...EMPTY, '--format', 'csv', '--fields', 'team,cost'], { env });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('team,cost\r\n');
    });
    it('json is []', async () => {
      const r = await runKt(['events', 'list', ...EMPTY, '--json'], { env });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([]);
    });
    it('table says "no events" on stderr', async () => {
      const r = await runKt(['events', 'list', ...EMPTY, '--format', 'table'], { env });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('no events');
    });
  });

  describe('bad input exits 2 with a clear message', () => {
    const cases: Array<[string, string[], string]> = [
      ['--since in the future', ['--since', '2099-01-01'], 'is in the future'],
      ['--since not before --until', ['--since', '2026-01-02', '--until', '2026-01-01'], 'must be before --until'],
      ['--since equal to --until', ['--since', '2026-01-01', '--until', '2026-01-01'], 'must be before --until'],
      ['unparseable --since', ['--since', 'last tuesday'], 'invalid --since: invalid time "last tuesday"'],
      ['impossible --until month', ['--until', '2026-13-01'], 'invalid --until: invalid date "2026-13-01": 2026-13 has no day 01'],
      ['impossible --since date-time with an offset', ['--since', '2026-02-30T10:00:00+02:00'], 'invalid --since: invalid date "2026-02-30T10:00:00+02:00": 2026-02 has no day 30'],
      ['impossible --since hour', ['--since', '2026-02-03T24:30:00Z'], 'invalid --since: invalid time of day in "2026-02-03T24:30:00Z"'],
      ['unknown --tz', ['--tz', 'Europe/Atlantis'], 'invalid --tz "Europe/Atlantis": not an IANA time zone'],
      ['--limit 0', ['--limit', '0'], 'invalid --limit "0": use a whole number greater than zero'],
      ['--limit negative', ['--limit=-3'], 'invalid --limit "-3": use a whole number greater than zero'],
      ['--limit not an integer', ['--limit', '1.5'], 'invalid --limit "1.5": use a whole number greater than zero'],
      ['unknown --aggregate', ['--aggregate', 'hourly'], 'daily, weekly, monthly'],
      ['unknown --group-by key', ['--aggregate', 'daily', '--group-by', 'team,region'], 'unknown key "region"'],
      ['--group-by without --aggregate', ['--group-by', 'team'], '--group-by needs --aggregate'],
      ['--fields not a group key when aggregating', ['--aggregate', 'daily', '--fields', 'team,cost'], '"team" is not a column when aggregating (add --group-by team)'],
      ['--fields an event field when aggregating', ['--aggregate', 'daily', '--group-by', 'team', '--fields', 'team,user'], '"user" is not a column when aggregating'],
      ['unknown field', ['--fields', 'team,costs'], 'unknown field "costs"'],
      ['empty --team entry', ['--team', 'search,'], 'invalid --team "search,": empty name in the list'],
    ];
    it.each(cases)('%s', async (_name, args, message) => {
      const r = await runKt(['events', 'list', ...args, '--format', 'csv'], { env });
      expect(r.stderr).toContain(message);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
    });
  });

  describe('credentials are checked before anything reaches stdout', () => {
    it('no token: exit 4, and the cron file stays empty (no CSV header)', async () => {
      const r = await runKt(['events', 'list', '--since', '30d', '--format', 'csv', '--fields', 'team,provider,model,cost,timestamp'], {
        env: { KEEPTRUSTS_API_URL: emu.url, KT_CONFIG_DIR: tempDir() },
      });
      expect(r.code).toBe(4);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('error: not logged in: no API token for profile "default"');
    });
    it('a token the server refuses: exit 4, nothing on stdout', async () => {
      const r = await runKt(['events', 'list', '--since', '30d', '--format', 'csv'], { env: { ...env, KEEPTRUSTS_API_TOKEN: 'kt_wrong_token' } });
      expect(r.code).toBe(4);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('error:');
    });
  });

  it('--chart off a terminal warns and writes the daily aggregate instead', async () => {
    const r = await runKt(['events', 'list', ...RANGE, '--chart', '--format', 'csv', '--fields', 'period_start,requests'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning: --chart draws on a terminal only; writing the aggregated rows instead');
    const [header, ...rows] = csv(r.stdout);
    expect(header).toEqual(['period_start', 'requests']);
    for (const row of rows) expect(row[0]).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00Z$/);
    const api = await fetchEvents(emu, { since: '2020-01-01T00:00:00Z', until: '2030-01-01T00:00:00Z' });
    expect(rows.reduce((sum, row) => sum + Number(row[1]), 0)).toBe(api.length);
    expect(rows.length).toBe(new Set(api.map((e) => e.timestamp.slice(0, 10))).size);
  });

  it('starts --help with examples, the chargeback line among them', async () => {
    const r = await runKt(['events', 'list', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('Examples:\n')).toBe(true);
    expect(r.stdout).toContain('kt events list --since 30d --format csv --fields team,provider,model,cost,timestamp > monthly-chargeback-$(date +%Y%m).csv');
  });

  it('writes -o atomically and leaves no temp file behind', async () => {
    const dir = tempDir();
    const target = join(dir, 'out.csv');
    const r = await runKt(['events', 'list', ...RANGE, '--format', 'csv', '-o', target, '--fields', 'id'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readdirSync(dir)).toEqual(['out.csv']);
    expect(csv(readFileSync(target, 'utf8')).length).toBeGreaterThan(2000);
  });
});
