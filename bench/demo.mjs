#!/usr/bin/env node
// Benchmark (not a test): the full demo seed and `npm run demo`, against the
// limits of docs/emulator.md (seeding at most 20 s, `npm run demo` at most
// 45 s, the emulator's peak RSS under 500 MB), each beside a baseline in the
// same run on the same machine:
//
// - seeding `kt emulator start --seed demo` into a file database, against
//   `--seed none --import` of the same raw events (exported from the seeded
//   emulator once): what generating a year, its rollups and ledger costs
//   over loading the raw events alone;
// - the emulator's peak RSS (VmHWM) after seeding, and after serving the
//   chargeback export and `kt savings` over the 30 days of raw events;
// - `node scripts/demo.mjs` (what `npm run demo` runs after the build; the
//   build is timed apart), against the one 30-day export it contains.
//
// Runs alternate (seed, import, demo) for --rounds rounds; medians reported.
// Every run stands at the demo's instant (KT_NOW, the same rule as the demo).
//
//   npm run build && node bench/demo.mjs [--rounds 2]
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const KT = join(root, 'bin', 'kt.js');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const ROUNDS = Number(flag('--rounds', '2'));
const log = (line) => process.stderr.write(`${line}\n`);
const work = mkdtempSync(join(tmpdir(), 'kt-bench-demo-'));

/** 15:00 UTC on the latest 28th at or before now: the instant scripts/demo.mjs stands at. */
function demoInstant(now) {
  const d = new Date(now);
  const thisMonth = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 28, 15);
  return new Date(thisMonth <= now ? thisMonth : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 28, 15)).toISOString();
}
const KT_NOW = process.env.KT_NOW || demoInstant(Date.now());
const baseEnv = { ...process.env, KT_NOW, NO_COLOR: '1', KT_CONFIG_DIR: join(work, 'config') };

/** Peak resident set of a live process, MB (Linux). */
function peakRssMb(pid) {
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return kb / 1024;
}

/** Starts an emulator; resolves once its handshake line is out, with the time that took. */
function startEmulator(extra, db) {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [KT, 'emulator', 'start', '--port', '0', '--db', db, '--json', ...extra], { env: baseEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const info = JSON.parse(out.slice(0, nl));
      resolve({ child, seconds, env: { ...baseEnv, KEEPTRUSTS_API_URL: info.url, KEEPTRUSTS_API_TOKEN: info.admin_token }, stderr: () => stderr });
    });
    child.once('exit', (code) => reject(new Error(`emulator exited (${code}): ${stderr}`)));
  });
}

async function stop(emu) {
  emu.child.kill('SIGTERM');
  await once(emu.child, 'exit');
}

/** Runs a command to its end, stdout to a file (or nowhere); returns wall seconds. */
async function timed(argv, env, outFile) {
  const started = process.hrtime.bigint();
  const out = outFile === undefined ? 'ignore' : 'pipe';
  const child = spawn(argv[0], argv.slice(1), { cwd: root, env, stdio: ['ignore', out, 'pipe'] });
  if (outFile !== undefined) child.stdout.pipe(createWriteStream(outFile));
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const [code] = await once(child, 'close');
  if (code !== 0) throw new Error(`${argv.join(' ')} failed (${code}): ${stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** The seeded raw events, read from the API page by page, as an --import file (the API's event is the import's line). */
async function exportRaw(env, file) {
  const out = createWriteStream(file);
  let cursor = null;
  do {
    const url = new URL('/v1/events', env.KEEPTRUSTS_API_URL);
    url.searchParams.set('since', '2000-01-01');
    url.searchParams.set('limit', '1000');
    if (cursor !== null) url.searchParams.set('cursor', cursor);
    const res = await fetch(url, { headers: { Authorization: `Bearer ${env.KEEPTRUSTS_API_TOKEN}` } });
    const page = await res.json();
    for (const e of page.data) if (!out.write(`${JSON.stringify(e)}\n`)) await once(out, 'drain');
    cursor = page.next_cursor;
  } while (cursor !== null);
  out.end();
  await once(out, 'finish');
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  // npm run demo builds first: timed once.
  const buildStart = process.hrtime.bigint();
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
  const buildSeconds = Number(process.hrtime.bigint() - buildStart) / 1e9;

  const seed = [];
  const imports = [];
  const rssSeeded = [];
  const rssServed = [];
  const exportSeconds = [];
  const savingsSeconds = [];
  const demo = [];
  let seeded = '';
  const rawFile = join(work, 'raw.ndjson');
  for (let round = 1; round <= ROUNDS; round += 1) {
    log(`round ${round}/${ROUNDS} at KT_NOW=${KT_NOW}: the full seed…`);
    const db = join(work, `full-${round}.db`);
    const full = await startEmulator(['--seed', 'demo'], db);
    seed.push(full.seconds);
    rssSeeded.push(peakRssMb(full.child.pid));
    if (round === 1) await exportRaw(full.env, rawFile);
    exportSeconds.push(await timed(['sh', '-c', `node ${KT} -q events list --since 30d --format csv --fields team,provider,model,cost,timestamp > /dev/null`], full.env));
    savingsSeconds.push(await timed([process.execPath, KT, '-q', 'savings'], full.env));
    rssServed.push(peakRssMb(full.child.pid));
    seeded = /seeded demo data: [^\n]*/.exec(full.stderr())?.[0] ?? '';
    await stop(full);
    rmSync(db, { force: true });
    rmSync(`${db}-wal`, { force: true });
    rmSync(`${db}-shm`, { force: true });

    log(`round ${round}/${ROUNDS}: the baseline, --import of the same raw events…`);
    const baseDb = join(work, `import-${round}.db`);
    const base = await startEmulator(['--seed', 'none', '--import', rawFile], baseDb);
    imports.push(base.seconds);
    await stop(base);
    rmSync(baseDb, { force: true });
    rmSync(`${baseDb}-wal`, { force: true });
    rmSync(`${baseDb}-shm`, { force: true });

    log(`round ${round}/${ROUNDS}: node scripts/demo.mjs…`);
    demo.push(await timed([process.execPath, join(root, 'scripts', 'demo.mjs')], baseEnv));
  }

  const row = (name, xs) => `| ${name} | ${xs.map((x) => x.toFixed(1)).join(', ')} | ${median(xs).toFixed(1)} |`;
  const verdict = (value, limit) => `${value.toFixed(1)} (limit ${limit}: ${value <= limit ? 'within' : 'OVER'})`;
  const lines = [
    `The full demo at KT_NOW=${KT_NOW} (${process.version}, ${new Date().toISOString().slice(0, 10)}, ${ROUNDS} rounds):`,
    `${seeded}.`,
    '',
    '| measure | seconds per round | median |',
    '|---|---|---:|',
    row('kt emulator start --seed demo (file database), to the handshake', seed),
    row('baseline: --seed none --import of the same raw events', imports),
    row('kt events list --since 30d --format csv (the chargeback export)', exportSeconds),
    row('kt savings (30 days of raw events)', savingsSeconds),
    row('node scripts/demo.mjs', demo),
    '',
    `Seeding: ${verdict(median(seed), 20)} s, ${(median(seed) / median(imports)).toFixed(2)}x importing its raw events.`,
    `npm run demo: build ${buildSeconds.toFixed(1)} s + demo ${median(demo).toFixed(1)} s = ${verdict(buildSeconds + median(demo), 45)} s; the demo takes ${(median(demo) / median(exportSeconds)).toFixed(2)}x its 30-day export.`,
    `Emulator peak RSS: ${Math.max(...rssSeeded).toFixed(0)} MB after seeding, ${verdict(Math.max(...rssServed), 500)} MB after serving the export and kt savings.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main()
  .catch((error) => {
    process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
