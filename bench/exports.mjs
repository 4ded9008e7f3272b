#!/usr/bin/env node
// Benchmark (not a test): export N imported events from one emulator as
//   csv            kt events export --format csv -o FILE      (the baseline)
//   parquet        kt events export --format parquet -o FILE
//   focus parquet  kt events export --schema focus --format parquet -o FILE
//   focus csv      kt events export --schema focus --format csv -o FILE
//   dataset        kt events export --dataset DIR --format parquet (one run, one part per day)
// in one run, alternating (every export runs `--runs` times, best time and
// highest peak RSS kept), so drift on a shared machine hits all alike.
// Reports wall seconds, rows/s (events per second), kt's CPU seconds (user +
// system: what the writer itself costs, the emulator serving pages is the
// wall-clock bottleneck), peak RSS (/usr/bin/time -v) and file size, each
// against CSV. Then checks every file with DuckDB: row count and exact cost sum.
//
//   npm run build && node bench/exports.mjs [--events 1000000] [--runs 2]
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const KT = join(root, 'bin', 'kt.js');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const N = Number(flag('--events', '1000000'));
const RUNS = Number(flag('--runs', '2'));
const BASE = Date.UTC(2026, 0, 1);
const STEP_MS = 10_000; // one event every 10 s: 1M events span ~116 days
const SINCE = new Date(BASE).toISOString();
const UNTIL = new Date(BASE + N * STEP_MS).toISOString();
const work = mkdtempSync(join(tmpdir(), 'kt-bench-exports-'));
const log = (line) => process.stderr.write(`${line}\n`);

async function generate(file) {
  const out = createWriteStream(file);
  const teams = ['search', 'ads', 'platform', 'research', 'support'];
  const models = [
    ['openai', 'gpt-4o', 2.5, 10],
    ['openai', 'gpt-4o-mini', 0.15, 0.6],
    ['anthropic', 'claude-sonnet', 3, 15],
    ['anthropic', 'claude-haiku', 0.25, 1.25],
  ];
  let total = 0n;
  for (let i = 0; i < N; i += 1) {
    const [provider, model, inPrice, outPrice] = models[i % models.length];
    const input = 100 + ((i * 7) % 2900);
    const output = 10 + ((i * 13) % 790);
    const cached = i % 5 === 0;
    // list price, exact in nano-dollars (every price is a whole number of nano-dollars per token)
    const nanos = cached ? 0n : BigInt(Math.round(inPrice * 1000)) * BigInt(input) + BigInt(Math.round(outPrice * 1000)) * BigInt(output);
    total += nanos;
    const cost = `${nanos / 1_000_000_000n}.${String(nanos % 1_000_000_000n).padStart(9, '0')}`;
    const line = `{"timestamp":"${new Date(BASE + i * STEP_MS).toISOString()}","team_id":"${teams[i % teams.length]}","user_id":"user-${i % 97}","provider":"${provider}","model":"${model}","input_tokens":${input},"output_tokens":${output},"cached":${cached},"cost":${cost},"currency":"USD","request_id":"req-${i}"}`;
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return `${total / 1_000_000_000n}.${String(total % 1_000_000_000n).padStart(9, '0')}`;
}

function startEmulator(importFile) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KT, 'emulator', 'start', '--port', '0', '--db', ':memory:', '--json', '--seed', 'none', '--import', importFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      for (const line of buffer.split('\n')) {
        try {
          const info = JSON.parse(line);
          if (typeof info.url === 'string' && typeof info.admin_token === 'string') resolve({ child, url: info.url, token: info.admin_token });
        } catch {
          // not a complete JSON line yet
        }
      }
    });
    child.on('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
}

/** Runs kt under /usr/bin/time -v: wall seconds, CPU seconds, peak RSS in MB. */
async function measure(argv, env) {
  const timeFile = join(work, 'time.txt');
  const started = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-v', '-o', timeFile, process.execPath, KT, '-q', ...argv], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const [code] = await once(child, 'close');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`kt ${argv.join(' ')} failed (${code}): ${stderr}`);
  const report = readFileSync(timeFile, 'utf8');
  const num = (re) => Number(re.exec(report)?.[1] ?? NaN);
  return {
    seconds,
    cpu: num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/),
    rssMb: num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024,
  };
}

function sizeOf(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path, { recursive: true }).reduce((sum, name) => {
    const s = statSync(join(path, String(name)));
    return s.isFile() ? sum + s.size : sum;
  }, 0);
}

async function duck(sql) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  return (await connection.runAndReadAll(sql)).getRowObjectsJson()[0];
}

async function main() {
  if (!existsSync('/usr/bin/time')) throw new Error('needs /usr/bin/time (apt-get install -y time)');
  const importFile = join(work, 'events.ndjson');
  log(`generating ${N.toLocaleString('en-US')} events…`);
  const expected = await generate(importFile);
  log('starting the emulator (importing)…');
  const emu = await startEmulator(importFile);
  const env = { KEEPTRUSTS_API_URL: emu.url, KEEPTRUSTS_API_TOKEN: emu.token, KT_CONFIG_DIR: work, NO_COLOR: '1', KT_NOW: new Date(BASE + N * STEP_MS + 3_600_000).toISOString() };
  const range = ['--since', SINCE, '--until', UNTIL];
  const exports = [
    { name: 'csv (baseline)', file: 'events.csv', argv: ['--format', 'csv'] },
    { name: 'parquet', file: 'events.parquet', argv: ['--format', 'parquet'] },
    { name: 'FOCUS parquet', file: 'focus.parquet', argv: ['--schema', 'focus', '--format', 'parquet'] },
    { name: 'FOCUS csv', file: 'focus.csv', argv: ['--schema', 'focus', '--format', 'csv'] },
    { name: 'dataset (parquet, a part per day)', file: 'dataset', dataset: true, argv: ['--format', 'parquet'] },
  ];
  const best = new Map();
  try {
    for (let run = 0; run < RUNS; run += 1) {
      for (const e of exports) {
        const target = join(work, e.file);
        rmSync(target, { recursive: true, force: true });
        const argv = e.dataset ? ['events', 'export', '--dataset', target, ...range, '--lag', '0s', ...e.argv] : ['events', 'export', ...range, ...e.argv, '-o', target];
        log(`run ${run + 1}/${RUNS}: ${e.name}…`);
        const m = await measure(argv, env);
        const prev = best.get(e.name);
        best.set(e.name, prev === undefined ? m : { seconds: Math.min(prev.seconds, m.seconds), cpu: Math.min(prev.cpu, m.cpu), rssMb: Math.max(prev.rssMb, m.rssMb) });
      }
    }
    log('checking the files with DuckDB…');
    const checks = {
      'csv (baseline)': await duck(`SELECT count(*)::VARCHAR n, sum(cost)::VARCHAR s FROM read_csv('${join(work, 'events.csv')}', types={'cost': 'DECIMAL(18,9)'})`),
      parquet: await duck(`SELECT count(*)::VARCHAR n, sum(cost)::VARCHAR s FROM '${join(work, 'events.parquet')}'`),
      'FOCUS parquet': await duck(`SELECT count(DISTINCT x_EventId)::VARCHAR n, sum(BilledCost)::VARCHAR s FROM '${join(work, 'focus.parquet')}'`),
      'FOCUS csv': await duck(`SELECT count(DISTINCT x_EventId)::VARCHAR n, sum(BilledCost)::VARCHAR s FROM read_csv('${join(work, 'focus.csv')}', types={'BilledCost': 'DECIMAL(18,9)'})`),
      'dataset (parquet, a part per day)': await duck(`SELECT count(*)::VARCHAR n, sum(cost)::VARCHAR s FROM read_parquet('${join(work, 'dataset')}/*/*.parquet', hive_partitioning=true)`),
    };
    const csv = best.get('csv (baseline)');
    const csvSize = sizeOf(join(work, 'events.csv'));
    const lines = [
      `Exports of ${N.toLocaleString('en-US')} events from one emulator (${process.version}, ${new Date().toISOString().slice(0, 10)}, best of ${RUNS} alternating runs; DuckDB total of every file: ${expected}):`,
      '',
      '| export | seconds | events/s | vs csv | kt CPU s | peak RSS | size | vs csv | DuckDB check |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---|',
      ...exports.map((e) => {
        const m = best.get(e.name);
        const size = sizeOf(join(work, e.file));
        const check = checks[e.name];
        const ok = check.n === String(N) && check.s.replace(/0+$/, '') === expected.replace(/0+$/, '') ? 'exact' : `MISMATCH ${check.n} rows, ${check.s}`;
        return `| ${e.name} | ${m.seconds.toFixed(1)} | ${Math.round(N / m.seconds).toLocaleString('en-US')} | ${(csv.seconds / m.seconds).toFixed(2)}x | ${m.cpu.toFixed(1)} | ${m.rssMb.toFixed(0)} MB | ${(size / 1e6).toFixed(1)} MB | ${(size / csvSize).toFixed(2)}x | ${ok} |`;
      }),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const over = exports.filter((e) => best.get(e.name).rssMb >= 150);
    if (over.length > 0) {
      process.stderr.write(`peak RSS at or above 150 MB: ${over.map((e) => e.name).join(', ')}\n`);
      process.exitCode = 1;
    }
  } finally {
    emu.child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
