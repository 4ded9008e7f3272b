// Benchmark: reserve+settle pairs per second and pair latency (p50/p99) at 50
// concurrent clients against `kt emulator` (file database, WAL, synchronous=FULL),
// side by side with a bare node:http server answering same-sized JSON in the
// same run; then a zero-overspend check with 50 clients draining a small wallet.
//
//   npm run build && node bench/emulator.mjs [--seconds 5] [--clients 50] [--db :memory:]
import { spawn } from 'node:child_process';
import { createServer, Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const SECONDS = Number(arg('seconds', '5'));
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

async function drive(pair) {
  const latencies = [];
  let stop = false;
  const deadline = setTimeout(() => (stop = true), SECONDS * 1000);
  let n = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      while (!stop) {
        const t0 = performance.now();
        await pair(c, n++);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  clearTimeout(deadline);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { pairs: latencies.length, perSecond: latencies.length / elapsed, p50: pct(latencies, 50), p99: pct(latencies, 99) };
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

const bare = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const body = req.url.endsWith('/reserve') ? bareBodies.reserve : bareBodies.settle;
    res.writeHead(req.url.endsWith('/reserve') ? 201 : 200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-Request-Id': 'req_0000000000000000' });
    res.end(body);
  });
});
await new Promise((r) => bare.listen(0, '127.0.0.1', r));
const bareUrl = `http://127.0.0.1:${bare.address().port}`;

const bareResult = await drive(async (c, i) => {
  const r = await post(bareUrl, '/v1/gateway/wallets/reserve', 'x', { team_id: 'search', estimated_cost: 0.01, request_id: `b${i}` });
  await post(bareUrl, '/v1/gateway/wallets/settle', 'x', settleBody(r.body.reservation_id, 0.0036));
});
const emuResult = await drive(async (c, i) => {
  const r = await gw('/v1/gateway/wallets/reserve', { team_id: 'search', estimated_cost: 0.01, request_id: `e${i}` });
  if (r.status !== 201) throw new Error(`reserve ${r.status}`);
  const s = await gw('/v1/gateway/wallets/settle', settleBody(r.body.reservation_id, 0.0036));
  if (s.status !== 200) throw new Error(`settle ${s.status}`);
});

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
bare.close();
agent.destroy();
rmSync(dir, { recursive: true, force: true });

const row = (name, r) => `| ${name} | ${Math.round(r.perSecond)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`;
console.log(`node ${process.version}, ${CLIENTS} clients, ${SECONDS}s each, database ${arg('db', 'file (WAL, synchronous=FULL)')}`);
console.log('| server | reserve+settle pairs/s | p50 ms | p99 ms |');
console.log('|---|---|---|---|');
console.log(row('bare node:http, same-sized JSON', bareResult));
console.log(row('kt emulator', emuResult));
console.log(`ratio: ${(emuResult.perSecond / bareResult.perSecond).toFixed(2)} of bare throughput`);
console.log(`overspend check: ${granted} reservations granted, ${settled} settled, ${refused} clients refused with 402; spent ${drain.spent} of 5, available ${drain.available} → ${overspend ? 'OVERSPEND' : 'zero overspend'}`);
process.exitCode = overspend ? 1 : 0;
