// The Parquet writer read back by two independent readers: DuckDB (exact
// decimal sums, SQL types) and hyparquet (the file's schema and metadata).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { RowPages, writeRows, type Column } from '../../src/output/index.js';
import { UsageError } from '../../src/errors.js';
import { type Money, moneyFromDecimal, negateMoney } from '../../src/domain/money.js';
import { testContext } from '../helpers/context.js';

interface Row {
  at: string;
  team: string | null;
  tokens: number;
  cached: boolean;
  cost: Money | null;
  qty: bigint;
  day: string;
  share: number;
}

const COLUMNS: Column<Row>[] = [
  { name: 'ts', kind: 'time', get: (r) => r.at },
  { name: 'team', kind: 'text', get: (r) => r.team },
  { name: 'tokens', kind: 'int', get: (r) => r.tokens },
  { name: 'cached', kind: 'bool', get: (r) => r.cached },
  { name: 'cost', kind: 'money', get: (r) => r.cost },
  { name: 'qty', kind: 'decimal', scale: 6, get: (r) => r.qty },
  { name: 'day', kind: 'date', get: (r) => r.day },
  { name: 'share', kind: 'share', get: (r) => r.share },
];

// Costs a double cannot hold: 0.000000291 × 1e9 is 290.99999999999994 in floating point.
const COSTS = ['0.000000291', '0.0000375', '123456789.123456789', '0.000000001', '0.1', '0.2'];

function rows(n: number): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    at: new Date(Date.UTC(2026, 2, 1) + i * 1500).toISOString(),
    team: i % 7 === 0 ? null : `team-${i % 5}`,
    tokens: 100 + i,
    cached: i % 3 === 0,
    cost: i % 11 === 0 ? null : moneyFromDecimal(COSTS[i % COSTS.length] as string),
    qty: BigInt(250 + i),
    day: '2026-03-01',
    share: i / n,
  }));
}

function exactSum(list: readonly Row[]): string {
  const total = list.reduce((a, r) => a + (r.cost ?? 0n), 0n);
  const text = total.toString().padStart(10, '0');
  return `${text.slice(0, -9)}.${text.slice(-9)}`;
}

describe('Parquet output', () => {
  let dir: string;
  let duck: DuckDBConnection;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kt-parquet-'));
    duck = await (await DuckDBInstance.create(':memory:')).connect();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const query = async (sql: string): Promise<Record<string, unknown>[]> => (await duck.runAndReadAll(sql)).getRowObjectsJson();

  it('writes exact DECIMAL(18,9) money, UTC timestamps, INT64, BOOLEAN, DATE and strings in row groups', async () => {
    const file = join(dir, 'rows.parquet');
    const data = rows(40_000);
    const { ctx } = testContext();
    // Pages of 1,000 as the API hands them over.
    const pages = (async function* () {
      for (let i = 0; i < data.length; i += 1000) yield data.slice(i, i + 1000);
    })();
    const result = await writeRows(ctx, new RowPages(pages), COLUMNS, { format: 'parquet', output: file });
    expect(result.rows).toBe(40_000);
    const [summary] = await query(
      `SELECT count(*)::VARCHAR AS n, sum(cost)::VARCHAR AS total, count(cost)::VARCHAR AS priced, count(team)::VARCHAR AS teams, sum(tokens)::VARCHAR AS tokens,
              sum(qty)::VARCHAR AS qty, count(*) FILTER (WHERE cached)::VARCHAR AS cached, min(ts)::VARCHAR AS first_at, max(day)::VARCHAR AS last_day FROM '${file}'`,
    );
    expect(summary).toEqual({
      n: '40000',
      total: exactSum(data),
      priced: String(data.filter((r) => r.cost !== null).length),
      teams: String(data.filter((r) => r.team !== null).length),
      tokens: String(data.reduce((a, r) => a + r.tokens, 0)),
      qty: `${data.reduce((a, r) => a + r.qty, 0n) / 1_000_000n}.${String(data.reduce((a, r) => a + r.qty, 0n) % 1_000_000n).padStart(6, '0')}`,
      cached: String(data.filter((r) => r.cached).length),
      first_at: '2026-03-01 00:00:00+00',
      last_day: '2026-03-01',
    });
    const types = await query(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '${file}')`);
    expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toEqual({
      ts: 'TIMESTAMP WITH TIME ZONE',
      team: 'VARCHAR',
      tokens: 'BIGINT',
      cached: 'BOOLEAN',
      cost: 'DECIMAL(18,9)',
      qty: 'DECIMAL(18,6)',
      day: 'DATE',
      share: 'DOUBLE',
    });
    // The smallest cost survives to the nano-unit (a float writer rounds it to 0.000000290).
    const [tiny] = await query(`SELECT cost::VARCHAR AS cost FROM '${file}' WHERE tokens = 100 + 6`);
    expect(tiny).toEqual({ cost: '0.000000291' });

    const meta = await parquetMetadataAsync(await asyncBufferFromFile(file));
    expect(meta.row_groups.length).toBe(3);
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([16_384, 16_384, 7_232]);
    expect(meta.created_by).toMatch(/^kt version /);
    const cost = meta.schema.find((e) => e.name === 'cost');
    expect(cost).toMatchObject({ type: 'INT64', converted_type: 'DECIMAL', precision: 18, scale: 9 });
    const read = await parquetReadObjects({ file: await asyncBufferFromFile(file), rowEnd: 3 });
    expect(read.map((r) => r.team as unknown)).toEqual([null, 'team-1', 'team-2']);
    // No temp file is left beside the output.
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes a valid file with the schema and no rows when there are none, and key-value metadata', async () => {
    const file = join(dir, 'empty.parquet');
    const { ctx } = testContext();
    await writeRows(ctx, [] as Row[], COLUMNS, { format: 'parquet', output: file, parquetMetadata: { 'focus.metadata': '{"x":1}' } });
    const [summary] = await query(`SELECT count(*)::VARCHAR AS n FROM '${file}'`);
    expect(summary).toEqual({ n: '0' });
    const meta = await parquetMetadataAsync(await asyncBufferFromFile(file));
    expect(meta.key_value_metadata).toEqual([{ key: 'focus.metadata', value: '{"x":1}' }]);
  });

  it('writes sums past 10^9 as DECIMAL(38,9) when the column asks for it, and refuses them in DECIMAL(18,9)', async () => {
    const file = join(dir, 'wide.parquet');
    const { ctx } = testContext();
    const big = [{ v: moneyFromDecimal('98765432109876.123456789') }, { v: negateMoney(moneyFromDecimal('0.000000007')) }];
    await writeRows(ctx, big, [{ name: 'v', kind: 'money', precision: 38, get: (r) => r.v }], { format: 'parquet', output: file });
    const [summary] = await query(`SELECT sum(v)::VARCHAR AS total, typeof(any_value(v)) AS t FROM '${file}'`);
    expect(summary).toEqual({ total: '98765432109876.123456782', t: 'DECIMAL(38,9)' });
    const narrow = join(dir, 'narrow.parquet');
    await expect(writeRows(ctx, big, [{ name: 'v', kind: 'money', get: (r) => r.v }], { format: 'parquet', output: narrow })).rejects.toThrow(/DECIMAL\(18, 9\): too many digits/);
    // The failed export left nothing behind.
    expect(readdirSync(dir).filter((f) => f.startsWith('narrow') || f.includes('narrow'))).toEqual([]);
  });

  it('streams to a pipe, and refuses a terminal (exit 2) before writing anything', async () => {
    const chunks: Buffer[] = [];
    const pipe = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        done();
      },
    });
    const { ctx } = testContext({ stdout: pipe });
    await writeRows(ctx, rows(10), COLUMNS, { format: 'parquet' });
    const bytes = Buffer.concat(chunks);
    expect(bytes.subarray(0, 4).toString()).toBe('PAR1');
    expect(bytes.subarray(-4).toString()).toBe('PAR1');

    const tty = testContext({ io: { isStdoutTTY: true } });
    const refused = writeRows(tty.ctx, rows(10), COLUMNS, { format: 'parquet' });
    await expect(refused).rejects.toThrow(UsageError);
    await expect(refused).rejects.toThrow('refusing to write Parquet (binary data) to a terminal');
    expect(tty.stdout()).toBe('');
    // With -o the terminal is not involved.
    const file = join(dir, 'tty.parquet');
    await writeRows(tty.ctx, rows(10), COLUMNS, { format: 'parquet', output: file });
    expect(readFileSync(file).subarray(0, 4).toString()).toBe('PAR1');
  });
});
