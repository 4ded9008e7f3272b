// Benchmark: reserve+settle pairs per second and request latency (p50/p99) at
// 50 concurrent clients against `kt emulator` (file database, WAL, durable
// commits), side by side with a bare node:http server answering same-sized
// JSON (bench/bare-server.mjs). Both servers run as their own process, and
// the two are measured in alternating rounds so a noisy neighbour hits both;
// then a zero-overspend check with 50 clients draining a small wallet.
//
//   npm run build && node bench/emulator.mjs [--seconds 3] [--rounds 3] [--clients 50] [--db :memory:]
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const SECONDS = Number(arg('seconds', '3'));
const ROUNDS = Number(arg('rounds', '3'));
const CLIENTS = Number(arg('clients', '50'));
const KT = fileURLToPath(new URL('../bin/kt.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kt-bench-'));
const DB = arg('db', join(dir, 'bench.db'));

const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });

function post(base, path, token, body) {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const req = request(
      { agent, hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function get(base, path, token) {
  const res = await fetch(new URL(path, base), { headers: { Authorization: `Bearer ${token}` } });
  return res.json();
}

function startEmulator() {
  const child = spawn(process.execPath, [KT, 'emulator', 'start', '--port', '0', '--db', DB, '--seed', 'none', '--json'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, ...JSON.parse(out.slice(0, nl)) });
    });
    child.once('exit', (code) => reject(new Error(`emulator exited ${code}`)));
  });
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Runs `pair` in CLIENTS loops for `seconds`; returns the pairs done, the time, and every request's and pair's latency. */
async function drive(pair, seconds) {
  const requests = [];
  const pairs = [];
  let stop = false;
  const deadline = setTimeout(() => (stop = true), seconds * 1000);
  let n = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      while (!stop) {
        const t0 = performance.now();
        const t1 = await pair(c, n++);
        const t2 = performance.now();
        requests.push(t1 - t0, t2 - t1);
        pairs.push(t2 - t0);
      }
    }),
  );
  clearTimeout(deadline);
  return { count: pairs.length, elapsed: (performance.now() - started) / 1000, requests, pairs };
}

/** Pools rounds: throughput over the summed time, percentiles over every sample. */
function pool(rounds) {
  const requests = rounds.flatMap((r) => r.requests).sort((a, b) => a - b);
  const pairs = rounds.flatMap((r) => r.pairs).sort((a, b) => a - b);
  const count = rounds.reduce((a, r) => a + r.count, 0);
  const elapsed = rounds.reduce((a, r) => a + r.elapsed, 0);
  return {
    perSecond: count / elapsed,
    rounds: rounds.map((r) => Math.round(r.count / r.elapsed)),
    p50: pct(requests, 50),
    p99: pct(requests, 99),
    pairP99: pct(pairs, 99),
  };
}

function startBare(bodies) {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./bare-server.mjs', import.meta.url))], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BARE_BODIES: JSON.stringify(bodies) },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, url: out.slice(0, nl) });
    });
    child.once('exit', (code) => reject(new Error(`bare server exited ${code}`)));
  });
}

const emu = await startEmulator();
const admin = (path, body) => post(emu.url, path, emu.admin_token, body);
const gw = (path, body) => post(emu.url, path, emu.gateway_token, body);
await admin('/v1/wallets/allocate', { team_id: 'org', amount: 10_000_000, currency: 'USD', period: 'monthly' });
await admin('/v1/wallets/allocate', { team_id: 'engineering', amount: 5_000_000, currency: 'USD', period: 'monthly' });
await admin('/v1/wallets/allocate', { team_id: 'search', amount: 1_000_000, currency: 'USD', period: 'monthly', parent_id: 'engineering' });

const settleBody = (id, cost) => ({ reservation_id: id, actual_cost: cost, provider: 'openai', model: 'gpt-4o-mini', input_tokens: 1200, output_tokens: 300, cached: false });
// Sample bodies so the bare server answers with exactly the emulator's response sizes.
const sampleReserve = await gw('/v1/gateway/wallets/reserve', { team_id: 'search', estimated_cost: 0.01, request_id: 'sample' });
const sampleSettle = await gw('/v1/gateway/wallets/settle', settleBody(sampleReserve.body.reservation_id, 0.0036));
const bareBodies = { reserve: JSON.stringify(sampleReserve.body), settle: JSON.stringify(sampleSettle.body) };

const bare = await startBare(bareBodies);
const barePair = async (c, i) => {
  const r = await post(bare.url, '/v1/gateway/wallets/reserve', 'x', { team_id: 'search', estimated_cost: 0.01, request_id: `b${i}` });
  const t1 = performance.now();
  await post(bare.url, '/v1/gateway/wallets/settle', 'x', settleBody(r.body.reservation_id, 0.0036));
  return t1;
};
const emuPair = async (c, i) => {
  const r = await gw('/v1/gateway/wallets/reserve', { team_id: 'search', estimated_cost: 0.01, request_id: `e${i}` });
  if (r.status !== 201) throw new Error(`reserve ${r.status}`);
  const t1 = performance.now();
  const s = await gw('/v1/gateway/wallets/settle', settleBody(r.body.reservation_id, 0.0036));
  if (s.status !== 200) throw new Error(`settle ${s.status}`);
  return t1;
};
// Warm both up (JIT, connection pools, SQLite page cache), then alternate.
await drive(barePair, 1);
await drive(emuPair, 1);
const bareRounds = [];
const emuRounds = [];
for (let round = 0; round < ROUNDS; round += 1) {
  bareRounds.push(await drive(barePair, SECONDS));
  emuRounds.push(await drive(emuPair, SECONDS));
}
const bareResult = pool(bareRounds);
const emuResult = pool(emuRounds);

// Overspend check: 50 clients race to drain a $5 wallet with estimates of $0.05
// and actual costs up to 20% above the estimate.
await admin('/v1/wallets/allocate', { team_id: 'drain', amount: 5, currency: 'USD', period: 'monthly' });
let granted = 0;
let refused = 0;
let settled = 0;
await Promise.all(
  Array.from({ length: CLIENTS }, async (_, c) => {
    for (let i = 0; ; i += 1) {
      const r = await gw('/v1/gateway/wallets/reserve', { team_id: 'drain', estimated_cost: 0.05, request_id: `d${c}-${i}` });
      if (r.status === 402) {
        refused += 1;
        return;
      }
      granted += 1;
      const actual = Number((0.04 + ((c * 7 + i) % 10) * 0.002).toFixed(6));
      const s = await gw('/v1/gateway/wallets/settle', settleBody(r.body.reservation_id, actual));
      if (s.status === 200) settled += 1;
      else await gw('/v1/gateway/wallets/release', { reservation_id: r.body.reservation_id });
    }
  }),
);
const drain = (await get(emu.url, '/v1/wallets/balance?team_id=drain', emu.admin_token)).wallet;
const events = [];
for (let cursor = null; ; ) {
  const page = await get(emu.url, `/v1/events?team_id=drain&limit=1000${cursor ? `&cursor=${cursor}` : ''}`, emu.admin_token);
  events.push(...page.data);
  if (!(cursor = page.next_cursor)) break;
}
const spentMicros = events.reduce((a, e) => a + Math.round(e.cost * 1e6), 0);
const overspend = spentMicros > 5_000_000 || drain.available < 0 || Math.round(drain.spent * 1e6) !== spentMicros;

emu.child.kill('SIGTERM');
bare.child.kill('SIGTERM');
agent.destroy();
rmSync(dir, { recursive: true, force: true });

const row = (name, r) =>
  `| ${name} | ${Math.round(r.perSecond)} (${r.rounds.join(', ')}) | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.pairP99.toFixed(2)} |`;
console.log(`node ${process.version}, ${CLIENTS} clients, ${ROUNDS} alternating rounds of ${SECONDS}s, database ${arg('db', 'file (WAL)')}`);
console.log('| server | reserve+settle pairs/s (per round) | request p50 ms | request p99 ms | pair p99 ms |');
console.log('|---|---|---|---|---|');
console.log(row('bare node:http, same-sized JSON', bareResult));
console.log(row('kt emulator', emuResult));
console.log(`ratio: ${(emuResult.perSecond / bareResult.perSecond).toFixed(2)} of bare throughput`);
console.log(`overspend check: ${granted} reservations granted, ${settled} settled, ${refused} clients refused with 402; spent ${drain.spent} of 5, available ${drain.available} → ${overspend ? 'OVERSPEND' : 'zero overspend'}`);
process.exitCode = overspend ? 1 : 0;
