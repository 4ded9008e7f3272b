// `npm run demo`: starts the emulator in this process (free port, temporary
// database, the full demo seed) and walks through the real `kt` commands
// against it.
//
// The demo stands still at one instant (KT_NOW, for the emulator and every
// command): 15:00 UTC on the 28th of this month once that has passed, else of
// the month before. The month is then far enough along for its budget alerts
// (customer-support past its soft cap), and the same day shows the same
// numbers. Set KT_NOW to choose another instant.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { run } from '../dist/main.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const ktBin = join(root, 'bin', 'kt.js');
const work = await mkdtemp(join(tmpdir(), 'kt-demo-'));
const say = (text) => process.stderr.write(`${text}\n`);

/** 15:00 UTC on the latest 28th at or before `now`. */
function demoInstant(now) {
  const d = new Date(now);
  const thisMonth = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 28, 15);
  return new Date(thisMonth <= now ? thisMonth : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 28, 15)).toISOString();
}
const clock = process.env.KT_NOW || demoInstant(Date.now());

// The emulator's own stdout carries its JSON handshake; its log is not part of the tour.
const handshake = new PassThrough();
const silent = new Writable({ write: (_chunk, _enc, done) => done() });
const stop = new AbortController();
const emulator = run(
  ['emulator', 'start', '--port', '0', '--db', join(work, 'demo.db'), '--seed', 'demo', '--json'],
  { io: { stdout: handshake, stderr: silent, isStdoutTTY: false, isStderrTTY: false }, signal: stop.signal, env: { ...process.env, KT_NOW: clock } },
);
const info = await Promise.race([
  new Promise((resolve) => {
    let buffered = '';
    handshake.on('data', (chunk) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline >= 0) resolve(JSON.parse(buffered.slice(0, newline)));
    });
  }),
  emulator.then((code) => {
    throw new Error(`the emulator exited with code ${code} before it was ready`);
  }),
]);

// Commands run exactly as a user types them, with `kt` on PATH.
await mkdir(join(work, 'bin'));
await symlink(ktBin, join(work, 'bin', 'kt'));
const env = {
  ...process.env,
  PATH: `${join(work, 'bin')}:${process.env.PATH}`,
  KEEPTRUSTS_API_URL: info.url,
  KEEPTRUSTS_API_TOKEN: info.admin_token,
  KT_CONFIG_DIR: join(work, 'config'),
  KT_NOW: clock,
};
const csvName = `monthly-chargeback-${clock.slice(0, 7).replace('-', '')}.csv`;
const steps = [
  ['The wallet hierarchy, as the finance team sees it', 'kt wallets balance --tree'],
  ["The search team's balance and its parent chain", 'kt wallets balance --team search'],
  ['30 days of daily spend for the search team', 'kt events list --team search --since 30d --aggregate daily'],
  ['Spend by provider and model over the last 30 days', 'kt events list --since 30d --aggregate monthly --group-by provider,model'],
  ["The product document's chargeback cron line (every request of the last 30 days)", `kt events list --since 30d --format csv --fields team,provider,model,cost,timestamp > ${csvName}`],
  ['The first rows of that CSV', `head -n 5 ${csvName}`],
  ['Ledger transactions of the search team (last 90 days, newest rows)', 'kt wallets transactions --team search --since 90d --format csv | tail -n 8'],
  ['Forecast for the engineering department, from a year of monthly spend', 'kt forecast --team engineering'],
  ["What routing and caps would still save, and what caching already saved (the document's ROI summary, from the last week's events)", 'kt savings --since 7d'],
  ["The top 3 teams by spend, their model mix and caps proposed from last month's spend", 'kt savings --recommend --since 7d'],
  ['Budget alerts as a cron job runs them (exit 3 when a wallet reaches --fail-at)', 'kt wallets check --fail-at 80; echo "exit status $?"'],
  ['Spend anomalies: the day a team ran away, judged on the days before it (exit 3 on a new one)', 'kt events anomalies --since 30d; echo "exit status $?"'],
  ['Policy validation, as CI runs it', `kt policy validate ${join(root, 'examples', 'policy-config.yaml')}`],
];

let failures = 0;
say(`kt demo: emulator at ${info.url} (database ${join(work, 'demo.db')}), the clock standing at ${clock} (KT_NOW)`);
say('Demo data: a year of an organisation spending $20,000–$26,000 a month; the last 30 days as raw events, hourly rollups before (docs/emulator.md).\n');
for (const [title, command] of steps) {
  say(`\n## ${title}\n$ ${command}`);
  const code = await new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], {
      cwd: work,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    failures += 1;
    say(`(exit ${code})`);
  }
}

const csvPath = join(work, csvName);
const csvSize = await stat(csvPath).then((s) => s.size, () => -1);
say(`\nThe chargeback CSV is at ${csvPath} (${csvSize} bytes).`);
say(`To keep exploring, start your own emulator:  node ${join('bin', 'kt.js')} emulator start`);

stop.abort();
await emulator;
if (failures > 0) {
  say(`\n${failures} step(s) failed.`);
  process.exitCode = 1;
}
// The CSV stays for the user to open; the database goes.
await rm(join(work, 'demo.db'), { force: true });
await rm(join(work, 'demo.db-wal'), { force: true });
await rm(join(work, 'demo.db-shm'), { force: true });
