#!/usr/bin/env node
// Benchmark (not a test): export N imported events to CSV three ways against
// the same emulator, in one run:
//   kt        kt events list --format csv -o FILE
//   raw       a Node page-fetch loop with undici that discards the rows (the transport limit)
//   curl|jq   a bash loop: curl each page, jq -r '.data[] | [...] | @csv' (what a user would write)
// Reports rows/s and peak RSS (via /usr/bin/time -v), and kt's peak RSS at 100k vs N.
//
//   npm run build && node bench/events-export.mjs [--events 1000000]
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
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
// Another kt build (its bin/kt.js) exported side by side in the same run, e.g.
// the commit before a change: `git worktree add /tmp/kt-before HEAD~1`, build it,
// then `--baseline /tmp/kt-before/bin/kt.js`.
const BASELINE = flag('--baseline', undefined);
const SMALL = Math.min(100_000, N);
const BASE = Date.UTC(2026, 0, 1);
const STEP_MS = 10_000; // one event every 10 s: 1M events span ~116 days
const SINCE = new Date(BASE).toISOString();
const UNTIL = new Date(BASE + N * STEP_MS).toISOString();
const UNTIL_SMALL = new Date(BASE + SMALL * STEP_MS).toISOString();
const work = mkdtempSync(join(tmpdir(), 'kt-bench-events-'));
const log = (line) => process.stderr.write(`${line}\n`);

async function generate(file) {
  const out = createWriteStream(file);
  const teams = ['search', 'ads', 'platform', 'research', 'support'];
  const models = [
    ['openai', 'gpt-4o'],
    ['anthropic', 'claude-sonnet'],
    ['google', 'gemini-pro'],
  ];
  for (let i = 0; i < N; i += 1) {
    const [provider, model] = models[i % models.length];
    const line = JSON.stringify({
      timestamp: new Date(BASE + i * STEP_MS).toISOString(),
      team_id: teams[i % teams.length],
      user_id: `user-${i % 97}`,
      provider,
      model,
      input_tokens: 100 + (i % 900),
      output_tokens: 10 + (i % 300),
      cached: i % 4 === 0,
      cost: ((i % 5000) + 1) / 1e4,
      currency: 'USD',
      request_id: `req-${i}`,
    });
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function startEmulator(importFile, bin = KT) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'emulator', 'start', '--port', '0', '--db', ':memory:', '--json', '--seed', 'none', '--import', importFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      for (const line of buffer.split('\n')) {
        try {
          const info = JSON.parse(line);
          const url = info.url;
          const token = info.adminToken ?? info.admin_token ?? info.tokens?.admin;
          if (typeof url === 'string' && typeof token === 'string') resolve({ child, url, token });
        } catch {
          // not a complete JSON line yet
        }
      }
    });
    child.on('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
}

/** Runs a command under /usr/bin/time -v; returns wall seconds and peak RSS in MB. */
async function measure(command, argv, env) {
  const timeFile = join(work, 'time.txt');
  const started = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-v', '-o', timeFile, command, ...argv], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const [code] = await once(child, 'close');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`${command} ${argv.join(' ')} failed (${code}): ${stderr}`);
  const report = (await import('node:fs')).readFileSync(timeFile, 'utf8');
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(report)?.[1] ?? NaN);
  return { seconds, rssMb: rssKb / 1024 };
}

const RAW_LOOP = `
import { request, Agent } from 'undici';
const [url, token, since, until] = process.argv.slice(1);
const dispatcher = new Agent({ keepAliveTimeout: 30_000 });
let cursor = null, pages = 0;
do {
  const q = new URLSearchParams({ since, until, limit: '1000' });
  if (cursor) q.set('cursor', cursor);
  const res = await request(url + '/v1/events?' + q, { headers: { authorization: 'Bearer ' + token }, dispatcher });
  if (res.statusCode !== 200) throw new Error('HTTP ' + res.statusCode);
  const text = await res.body.text();
  // The rows are discarded; only the cursor at the end of the body is read.
  const m = /"next_cursor":\\s*(null|"([^"]*)")/.exec(text.slice(-512));
  cursor = m && m[2] !== undefined ? m[2] : null;
  pages += 1;
} while (cursor);
await dispatcher.close();
`;

const CURL_JQ = `
set -euo pipefail
url="$1"; token="$2"; since="$3"; until="$4"; out="$5"; cursor=""
: > "$out"
echo 'timestamp,team,user,provider,model,input_tokens,output_tokens,cached,cost,currency,request_id,id' >> "$out"
while :; do
  page=$(curl -sf -H "Authorization: Bearer $token" "$url/v1/events?since=$since&until=$until&limit=1000&cursor=$cursor")
  jq -r '.data[] | [.timestamp,.team_id,.user_id,.provider,.model,.input_tokens,.output_tokens,.cached,.cost,.currency,.request_id,.id] | @csv' <<<"$page" >> "$out"
  cursor=$(jq -r '.next_cursor // empty' <<<"$page")
  [ -n "$cursor" ] || break
done
`;

async function main() {
  if (!existsSync('/usr/bin/time')) throw new Error('needs /usr/bin/time (apt-get install -y time)');
  const importFile = join(work, 'events.ndjson');
  log(`generating ${N.toLocaleString('en-US')} events…`);
  await generate(importFile);
  log('starting the emulator (importing)…');
  const t0 = Date.now();
  const emu = await startEmulator(importFile);
  log(`emulator ready in ${((Date.now() - t0) / 1000).toFixed(1)}s at ${emu.url}`);
  const env = { KEEPTRUSTS_API_URL: emu.url, KEEPTRUSTS_API_TOKEN: emu.token, KT_CONFIG_DIR: work, NO_COLOR: '1' };
  const results = [];
  const baseEmus = [];
  try {
    const ktCsv = join(work, 'kt.csv');
    const ktRun = (until, file, bin = KT) => measure(process.execPath, [bin, '-q', 'events', 'list', '--since', SINCE, '--until', until, '--format', 'csv', '-o', file], env);

    log('kt (warm-up, 100k)…');
    const small = await ktRun(UNTIL_SMALL, join(work, 'kt-small.csv'));
    log('kt…');
    const kt = await ktRun(UNTIL, ktCsv);
    results.push(['kt events list --format csv -o FILE', kt]);
    let baseline;
    if (BASELINE !== undefined) {
      // The baseline build against its own emulator (the server's side of an
      // export changes too), alternating so drift on a shared machine hits both alike.
      log('starting the baseline emulator (importing)…');
      const baseEmu = await startEmulator(importFile, BASELINE);
      baseEmus.push(baseEmu);
      const baseEnv = { ...env, KEEPTRUSTS_API_URL: baseEmu.url, KEEPTRUSTS_API_TOKEN: baseEmu.token };
      const baseRun = () => measure(process.execPath, [BASELINE, '-q', 'events', 'list', '--since', SINCE, '--until', UNTIL, '--format', 'csv', '-o', join(work, 'baseline.csv')], baseEnv);
      log('baseline kt…');
      baseline = await baseRun();
      log('kt again…');
      const again = await ktRun(UNTIL, ktCsv);
      log('baseline kt again…');
      const baseline2 = await baseRun();
      kt.seconds = Math.min(kt.seconds, again.seconds);
      kt.rssMb = Math.max(kt.rssMb, again.rssMb);
      baseline = { seconds: Math.min(baseline.seconds, baseline2.seconds), rssMb: Math.max(baseline.rssMb, baseline2.rssMb) };
      results.push([`baseline kt and its emulator (${BASELINE})`, baseline]);
    }

    log('raw undici page loop…');
    const raw = await measure(process.execPath, ['--input-type=module', '-e', RAW_LOOP, emu.url, emu.token, SINCE, UNTIL], {});
    results.push(['raw Node/undici page fetch (rows discarded)', raw]);

    const shFile = join(work, 'curl-jq.sh');
    writeFileSync(shFile, CURL_JQ);
    log('curl | jq loop…');
    const curl = await measure('bash', [shFile, emu.url, emu.token, SINCE, UNTIL, join(work, 'curl.csv')], {});
    results.push([`curl | jq -r '@csv' page loop`, curl]);

    const lines = [
      `Export of ${N.toLocaleString('en-US')} events to CSV (${process.version}, ${new Date().toISOString().slice(0, 10)}; kt CSV ${(statSync(ktCsv).size / 1e6).toFixed(0)} MB):`,
      '',
      '| method | seconds | rows/s | peak RSS |',
      '|---|---:|---:|---:|',
      ...results.map(([name, r]) => `| ${name} | ${r.seconds.toFixed(1)} | ${Math.round(N / r.seconds).toLocaleString('en-US')} | ${r.rssMb.toFixed(0)} MB |`),
      '',
      `kt peak RSS: ${small.rssMb.toFixed(0)} MB at ${SMALL.toLocaleString('en-US')} events, ${kt.rssMb.toFixed(0)} MB at ${N.toLocaleString('en-US')}.`,
      `kt vs curl|jq: ${(curl.seconds / kt.seconds).toFixed(1)}x faster; kt vs raw transfer: ${(kt.seconds / raw.seconds).toFixed(2)}x the time.`,
      ...(baseline === undefined
        ? []
        : [`kt vs baseline (best of two each, alternating): ${(baseline.seconds / kt.seconds).toFixed(2)}x the rows/s, ${(kt.rssMb / baseline.rssMb).toFixed(2)}x the peak RSS.`]),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    emu.child.kill('SIGTERM');
    for (const b of baseEmus) b.child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
