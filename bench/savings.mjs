#!/usr/bin/env node
// Benchmark (not a test): N imported events through `kt savings` against the
// emulator, beside the baseline `kt events list --format csv > /dev/null` on
// the same emulator in the same run. Reports rows/s and peak RSS (via
// /usr/bin/time -v) for both, and kt savings' peak RSS at 100k vs N events:
// constant memory shows as the same RSS at both sizes. The events go into
// the emulator with `kt emulator start --import` (a minute or so for 1M).
//
//   npm run build && node bench/savings.mjs [--events 1000000]
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const N = Number(flag('--events', '1000000'));
const SMALL = Math.min(100_000, N);
const BASE = Date.UTC(2026, 0, 1);
const STEP_MS = 10_000; // one event every 10 s: 1M events span ~116 days
const SINCE = new Date(BASE).toISOString();
const UNTIL = new Date(BASE + N * STEP_MS).toISOString();
const UNTIL_SMALL = new Date(BASE + SMALL * STEP_MS).toISOString();
const work = mkdtempSync(join(tmpdir(), 'kt-bench-savings-'));
const log = (line) => process.stderr.write(`${line}\n`);

// Every rule has work to do: gpt-4o with short outputs (routing), cached
// events (caching), a model outside the allowlist, and hard caps per team.
const POLICY = `spend_controls:
  - {team: search, hard_cap: 300, soft_cap: 200, period: monthly}
  - {team: ads, hard_cap: 250, period: monthly}
model_groups:
  - name: cost-optimized
    routing: cost-priority
    models:
      - {provider: openai, model: gpt-4o-mini, max_tokens: 1000, priority: 1}
      - {provider: openai, model: gpt-4o, priority: 2}
model_allowlist: [gpt-4o-mini, claude-haiku]
`;

async function generate(file) {
  const out = createWriteStream(file);
  const teams = ['search', 'ads', 'platform', 'research', 'support'];
  const models = [
    ['openai', 'gpt-4o'],
    ['openai', 'gpt-4o-mini'],
    ['anthropic', 'claude-sonnet'],
    ['google', 'gemini-pro'],
  ];
  for (let i = 0; i < N; i += 1) {
    const [provider, model] = models[i % models.length];
    const cached = i % 7 === 0;
    const line = JSON.stringify({
      timestamp: new Date(BASE + i * STEP_MS).toISOString(),
      team_id: teams[i % teams.length],
      user_id: `user-${i % 97}`,
      provider,
      model,
      input_tokens: 100 + (i % 900),
      output_tokens: 10 + (i % 1500),
      cached,
      cost: cached ? 0 : ((i % 5000) + 1) / 1e5,
      currency: 'USD',
      request_id: `req-${i}`,
    });
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
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

/** Runs a command under /usr/bin/time -v, stdout to /dev/null; returns wall seconds and peak RSS in MB. */
async function measure(argv, env) {
  const timeFile = join(work, 'time.txt');
  const started = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-v', '-o', timeFile, process.execPath, KT, ...argv], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const [code] = await once(child, 'close');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`kt ${argv.join(' ')} failed (${code}): ${stderr}`);
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(timeFile, 'utf8'))?.[1] ?? NaN);
  return { seconds, rssMb: rssKb / 1024 };
}

async function main() {
  if (!existsSync('/usr/bin/time')) throw new Error('needs /usr/bin/time (apt-get install -y time)');
  const importFile = join(work, 'events.ndjson');
  const policy = join(work, 'policy.yaml');
  writeFileSync(policy, POLICY);
  log(`generating ${N.toLocaleString('en-US')} events…`);
  await generate(importFile);
  log('starting the emulator (importing)…');
  const t0 = Date.now();
  const emu = await startEmulator(importFile);
  log(`emulator ready in ${((Date.now() - t0) / 1000).toFixed(1)}s at ${emu.url}`);
  const env = { KEEPTRUSTS_API_URL: emu.url, KEEPTRUSTS_API_TOKEN: emu.token, KT_CONFIG_DIR: work, NO_COLOR: '1' };
  try {
    const savings = (until) => measure(['-q', 'savings', '--since', SINCE, '--until', until, '--policy', policy, '--group-by', 'team', '--format', 'csv'], env);
    const exportCsv = (until) => measure(['-q', 'events', 'list', '--since', SINCE, '--until', until, '--format', 'csv'], env);
    log(`kt savings, ${SMALL.toLocaleString('en-US')} events…`);
    const small = await savings(UNTIL_SMALL);
    log(`kt events list --format csv, ${N.toLocaleString('en-US')} events…`);
    const base = await exportCsv(UNTIL);
    log(`kt savings, ${N.toLocaleString('en-US')} events…`);
    const full = await savings(UNTIL);
    const row = (name, r) => `| ${name} | ${r.seconds.toFixed(1)} | ${Math.round(N / r.seconds).toLocaleString('en-US')} | ${r.rssMb.toFixed(0)} MB |`;
    const lines = [
      `${N.toLocaleString('en-US')} events through the emulator (${process.version}, ${new Date().toISOString().slice(0, 10)}):`,
      '',
      '| command | seconds | rows/s | peak RSS |',
      '|---|---:|---:|---:|',
      row('kt events list --format csv > /dev/null (baseline)', base),
      row('kt savings --policy FILE --group-by team --format csv', full),
      '',
      `kt savings peak RSS: ${small.rssMb.toFixed(0)} MB at ${SMALL.toLocaleString('en-US')} events, ${full.rssMb.toFixed(0)} MB at ${N.toLocaleString('en-US')}.`,
      `kt savings takes ${(full.seconds / base.seconds).toFixed(2)}x the time of the CSV export.`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    emu.child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
