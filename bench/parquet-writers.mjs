#!/usr/bin/env node
// Benchmark (not a test, not in `npm run bench`): the npm Parquet writers kt
// could use, on the same 1M synthetic events (12 columns, the cost as
// DECIMAL(18,9)), each in its own Node process: wall seconds, rows/s, peak
// RSS, file size, and the cost total as DuckDB reads it back against the
// exact total. The candidates are installed in a scratch directory, not in
// kt's node_modules:
//
//   d=/tmp/kt-pq && for p in hyparquet-writer parquet-wasm @dsnp/parquetjs @duckdb/node-api; do
//     npm install --prefix "$d/$(echo $p | tr '/@' '__')" --no-audit --no-fund "$p"; done
//   npm install --prefix /tmp/kt-pq/parquet-wasm --no-audit --no-fund apache-arrow
//   node bench/parquet-writers.mjs --dir /tmp/kt-pq [--rows 1000000]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const DIR = flag('--dir', '/tmp/kt-pq');
const ROWS = Number(flag('--rows', '1000000'));
const work = mkdtempSync(join(tmpdir(), 'kt-pq-writers-'));

// The same rows for every writer: a deterministic generator, pages of 1,000.
const GEN = `
const TEAMS = ['search', 'ads', 'platform', 'support', 'growth'];
const MODELS = [['openai', 'gpt-4o', 2500n, 10000n], ['openai', 'gpt-4o-mini', 150n, 600n], ['anthropic', 'claude-sonnet', 3000n, 15000n], ['anthropic', 'claude-haiku', 250n, 1250n]];
export function* pages(n) {
  const t0 = Date.parse('2026-03-01T00:00:00Z');
  for (let i = 0; i < n; i += 1000) {
    const page = [];
    for (let j = i; j < Math.min(n, i + 1000); j++) {
      const m = MODELS[j % 4];
      const input = 50 + ((j * 7919) % 3000), output = 10 + ((j * 104729) % 800);
      const cached = j % 5 === 0;
      // nano-dollars; every fifth an odd amount a double cannot scale exactly (291 × 1e-9)
      const cost = cached ? 0n : j % 7 === 0 ? 291n : BigInt(input) * m[2] + BigInt(output) * m[3];
      page.push({ id: 'evt_' + j, timestamp: new Date(t0 + j * 2000).toISOString(), team: TEAMS[j % 5], user: 'user_' + (j % 300), provider: m[0], model: m[1], input_tokens: input, output_tokens: output, cached, cost, currency: 'USD', request_id: 'req_' + j.toString(36) });
    }
    yield page;
  }
}
export function expectedTotal(n) { let t = 0n; for (const p of pages(n)) for (const e of p) t += e.cost; return t; }
`;

const peak = `let peak = 0; const sample = () => { peak = Math.max(peak, process.memoryUsage().rss); }; const timer = setInterval(sample, 20);
const done = (extra) => { clearInterval(timer); sample(); process.stdout.write(JSON.stringify({ ms: performance.now() - t0, peakMb: peak / 1048576, ...extra })); };`;

const WRITERS = {
  'hyparquet-writer': (out) => `
import { ByteWriter, ParquetWriter } from '${DIR}/hyparquet-writer/node_modules/hyparquet-writer/src/index.js';
import { openSync, writeSync, closeSync } from 'node:fs';
import { pages } from './gen.mjs';
${peak}
const t0 = performance.now();
const fd = openSync('${out}', 'w');
const w = new ByteWriter();
w.flush = () => { writeSync(fd, new Uint8Array(w.buffer, 0, w.index)); w.index = 0; };
w.finish = () => w.flush();
const S = (name) => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type: 'OPTIONAL' });
const schema = [{ name: 'root', num_children: 12 },
  { name: 'timestamp', type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' }, repetition_type: 'OPTIONAL' },
  S('team'), S('user'), S('provider'), S('model'),
  { name: 'input_tokens', type: 'INT64', repetition_type: 'OPTIONAL' }, { name: 'output_tokens', type: 'INT64', repetition_type: 'OPTIONAL' },
  { name: 'cached', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
  { name: 'cost', type: 'INT64', converted_type: 'DECIMAL', logical_type: { type: 'DECIMAL', precision: 18, scale: 9 }, precision: 18, scale: 9, repetition_type: 'OPTIONAL' },
  S('currency'), S('request_id'), S('id')];
const pw = new ParquetWriter({ writer: w, schema });
const names = schema.slice(1).map((s) => s.name);
let cols = names.map(() => []), n = 0;
const flush = () => { if (n) pw.write({ columnData: names.map((name, i) => ({ name, data: cols[i] })), rowGroupSize: n }); cols = names.map(() => []); n = 0; };
for (const page of pages(${ROWS})) for (const e of page) {
  const v = [BigInt(Date.parse(e.timestamp)) * 1000n, e.team, e.user, e.provider, e.model, BigInt(e.input_tokens), BigInt(e.output_tokens), e.cached, e.cost, e.currency, e.request_id, e.id];
  for (let i = 0; i < 12; i++) cols[i].push(v[i]);
  if (++n === 16384) flush();
}
flush(); pw.finish(); closeSync(fd);
done({});`,

  'parquet-wasm + apache-arrow': (out) => `
import * as arrow from '${DIR}/parquet-wasm/node_modules/apache-arrow/Arrow.node.mjs';
import * as pw from '${DIR}/parquet-wasm/node_modules/parquet-wasm/esm/parquet_wasm.js';
import { readFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { pages } from './gen.mjs';
${peak}
const t0 = performance.now();
await pw.default({ module_or_path: readFileSync('${DIR}/parquet-wasm/node_modules/parquet-wasm/esm/parquet_wasm_bg.wasm') });
const dec = new arrow.Decimal(9, 18, 128);
function table(rows) {
  const n = rows.length, words = new Uint32Array(n * 4);
  rows.forEach((e, i) => { const v = BigInt.asUintN(128, e.cost); for (let k = 0; k < 4; k++) words[i * 4 + k] = Number((v >> BigInt(32 * k)) & 0xffffffffn); });
  const s = (f) => arrow.vectorFromArray(rows.map(f), new arrow.Utf8());
  const i64 = (f) => arrow.makeVector(BigInt64Array.from(rows, f));
  return new arrow.Table({
    timestamp: arrow.makeVector(arrow.makeData({ type: new arrow.TimestampMicrosecond('UTC'), length: n, data: BigInt64Array.from(rows, (e) => BigInt(Date.parse(e.timestamp)) * 1000n) })),
    team: s((e) => e.team), user: s((e) => e.user), provider: s((e) => e.provider), model: s((e) => e.model),
    input_tokens: i64((e) => BigInt(e.input_tokens)), output_tokens: i64((e) => BigInt(e.output_tokens)),
    cached: arrow.vectorFromArray(rows.map((e) => e.cached), new arrow.Bool()),
    cost: arrow.makeVector(arrow.makeData({ type: dec, length: n, data: words })),
    currency: s((e) => e.currency), request_id: s((e) => e.request_id), id: s((e) => e.id) });
}
function* batches() { let rows = []; for (const page of pages(${ROWS})) for (const e of page) { rows.push(e); if (rows.length === 16384) { yield table(rows); rows = []; } } if (rows.length) yield table(rows); }
const it = batches();
const input = new ReadableStream({ pull(c) { const r = it.next(); if (r.done) { c.close(); return; } for (const b of pw.Table.fromIPCStream(arrow.tableToIPC(r.value, 'stream')).recordBatches()) c.enqueue(b); } });
const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).setMaxRowGroupSize(16384).build();
const fd = openSync('${out}', 'w');
for await (const chunk of await pw.transformParquetStream(input, props)) writeSync(fd, chunk);
closeSync(fd);
done({});`,

  '@dsnp/parquetjs': (out) => `
import { createRequire } from 'node:module';
import { pages } from './gen.mjs';
const parquet = createRequire(import.meta.url)('${DIR}/_dsnp_parquetjs/node_modules/@dsnp/parquetjs');
${peak}
const t0 = performance.now();
const schema = new parquet.ParquetSchema({ timestamp: { type: 'TIMESTAMP_MICROS' }, team: { type: 'UTF8' }, user: { type: 'UTF8' }, provider: { type: 'UTF8' }, model: { type: 'UTF8' },
  input_tokens: { type: 'INT64' }, output_tokens: { type: 'INT64' }, cached: { type: 'BOOLEAN' }, cost: { type: 'DECIMAL', precision: 18, scale: 9 },
  currency: { type: 'UTF8' }, request_id: { type: 'UTF8' }, id: { type: 'UTF8' } });
const w = await parquet.ParquetWriter.openFile(schema, '${out}', { rowGroupSize: 16384, useDataPageV2: false });
// Its DECIMAL takes a number (a bigint throws): the exact amount goes through a double.
for (const page of pages(${ROWS})) for (const e of page) await w.appendRow({ ...e, timestamp: BigInt(Date.parse(e.timestamp)) * 1000n, cost: Number(e.cost) / 1e9 });
await w.close();
done({});`,

  '@duckdb/node-api (appender + COPY)': (out) => `
import { DuckDBInstance, DuckDBDecimalValue, DuckDBTimestampTZValue } from '${DIR}/_duckdb_node-api/node_modules/@duckdb/node-api/lib/index.js';
import { pages } from './gen.mjs';
${peak}
const t0 = performance.now();
const c = await (await DuckDBInstance.create(':memory:')).connect();
await c.run('CREATE TABLE ev (timestamp TIMESTAMPTZ, team VARCHAR, "user" VARCHAR, provider VARCHAR, model VARCHAR, input_tokens BIGINT, output_tokens BIGINT, cached BOOLEAN, cost DECIMAL(18,9), currency VARCHAR, request_id VARCHAR, id VARCHAR)');
const a = await c.createAppender('ev');
for (const page of pages(${ROWS})) for (const e of page) {
  a.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(Date.parse(e.timestamp)) * 1000n)); a.appendVarchar(e.team); a.appendVarchar(e.user); a.appendVarchar(e.provider); a.appendVarchar(e.model);
  a.appendBigInt(BigInt(e.input_tokens)); a.appendBigInt(BigInt(e.output_tokens)); a.appendBoolean(e.cached); a.appendDecimal(new DuckDBDecimalValue(e.cost, 18, 9));
  a.appendVarchar(e.currency); a.appendVarchar(e.request_id); a.appendVarchar(e.id); a.endRow();
}
a.closeSync();
await c.run("COPY ev TO '${out}' (FORMAT parquet)");
done({});`,
};

const PACKAGES = {
  'hyparquet-writer': 'hyparquet-writer',
  'parquet-wasm + apache-arrow': 'parquet-wasm',
  '@dsnp/parquetjs': '_dsnp_parquetjs',
  '@duckdb/node-api (appender + COPY)': '_duckdb_node-api',
};

function du(path) {
  const r = spawnSync('du', ['-sk', path], { encoding: 'utf8' });
  return Number(r.stdout.split('\t')[0]) / 1024;
}

async function main() {
  writeFileSync(join(work, 'gen.mjs'), GEN);
  const { expectedTotal } = await import(join(work, 'gen.mjs'));
  const nanos = expectedTotal(ROWS);
  const expected = `${nanos / 1_000_000_000n}.${String(nanos % 1_000_000_000n).padStart(9, '0')}`;
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  const lines = [
    `Parquet writers on ${ROWS.toLocaleString('en-US')} events (${process.version}, ${new Date().toISOString().slice(0, 10)}); exact cost total ${expected}:`,
    '',
    '| writer | seconds | rows/s | peak RSS | file | installed | cost total read by DuckDB |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const [name, source] of Object.entries(WRITERS)) {
    const pkgDir = join(DIR, PACKAGES[name]);
    if (!existsSync(join(pkgDir, 'node_modules'))) {
      lines.push(`| ${name} | not installed in ${pkgDir} | | | | | |`);
      continue;
    }
    const out = join(work, `${PACKAGES[name]}.parquet`);
    const script = join(work, `${PACKAGES[name]}.mjs`);
    writeFileSync(script, source(out));
    process.stderr.write(`${name}…\n`);
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', cwd: work, maxBuffer: 1 << 20 });
    if (r.status !== 0) {
      lines.push(`| ${name} | failed: ${(r.stderr.split('\n').find((l) => /Error/.test(l)) ?? r.stderr.slice(0, 80)).trim()} | | | | | |`);
      continue;
    }
    const m = JSON.parse(r.stdout);
    const got = (await duck.runAndReadAll(`SELECT count(*)::VARCHAR AS n, sum(cost)::VARCHAR AS s FROM '${out}'`)).getRowObjectsJson()[0];
    const verdict = got.n === String(ROWS) && got.s === expected ? 'exact' : `${got.s} (off by ${(BigInt(got.s.replace('.', '')) - nanos).toString()} nano)`;
    lines.push(
      `| ${name} | ${(m.ms / 1000).toFixed(1)} | ${Math.round((ROWS / m.ms) * 1000).toLocaleString('en-US')} | ${m.peakMb.toFixed(0)} MB | ${(statSync(out).size / 1e6).toFixed(1)} MB | ${du(join(pkgDir, 'node_modules')).toFixed(1)} MB | ${verdict} |`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main()
  .catch((error) => {
    process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
