// Benchmark: reserve+settle pairs per second and request latency (p50/p99) at
// 50 concurrent clients against `kt emulator` (file database, WAL, durable
// commits), with 10 wallets and with 1,000, side by side with a bare
// node:http server answering same-sized JSON (bench/bare-server.mjs). Each
// server runs as its own process, and the three are measured in alternating
// rounds so a noisy neighbour hits all of them; then a zero-overspend check
// on each emulator with 50 clients draining a small wallet.
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
const dbFor = (name) => arg('db', join(dir, `${name}.db`));

const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS * 2 });

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

function startEmulator(db) {
  const child = spawn(process.execPath, [KT, 'emulator', 'start', '--port', '0', '--db', db, '--seed', 'none', '--json'], {
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

/** Runs `fn` over `items` with at most CLIENTS in flight. */
async function eachConcurrently(items, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

/**
 * An emulator holding `wallets` wallets: the organization, `parents` teams
 * under it, and the rest as leaf teams spread over those parents (three
 * levels, like search → engineering → org). Returns the leaf team ids.
 */
async function populate(emu, wallets, parents) {
  const admin = (body) => post(emu.url, '/v1/wallets/allocate', emu.admin_token, { currency: 'USD', period: 'monthly', ...body });
  const leafCount = wallets - 1 - parents;
  await admin({ team_id: 'org', amount: 100_000_000 });
  const parentIds = Array.from({ length: parents }, (_, p) => `dept-${p + 1}`);
  for (const id of parentIds) await admin({ team_id: id, amount: Math.ceil(leafCount / parents) * 1000 + 1000 });
  // Same-length ids in both runs, so every response has the same size.
  const leaves = Array.from({ length: leafCount }, (_, i) => `team-${String(i + 1).padStart(4, '0')}`);
  await eachConcurrently(leaves, async (team) => {
    const r = await admin({ team_id: team, amount: 1000, parent_id: parentIds[Number(team.slice(5)) % parents] });
    if (r.status !== 200) throw new Error(`allocate ${team}: ${r.status} ${JSON.stringify(r.body)}`);
  });
  const all = await get(emu.url, '/v1/wallets', emu.admin_token);
  if (all.data.length !== wallets) throw new Error(`expected ${wallets} wallets, found ${all.data.length}`);
  return leaves;
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

const settleBody = (id, cost) => ({ reservation_id: id, actual_cost: cost, provider: 'openai', model: 'gpt-4o-mini', input_tokens: 1200, output_tokens: 300, cached: false });

const small = await startEmulator(dbFor('wallets-10'));
const large = await startEmulator(dbFor('wallets-1000'));
const runs = [
  { name: 'kt emulator, 10 wallets', emu: small, leaves: await populate(small, 10, 2) },
  { name: 'kt emulator, 1,000 wallets', emu: large, leaves: await populate(large, 1000, 4) },
];

// Sample bodies so the bare server answers with exactly the emulator's response sizes.
const gwSmall = (path, body) => post(small.url, path, small.gateway_token, body);
const sampleReserve = await gwSmall('/v1/gateway/wallets/reserve', { team_id: 'team-0001', estimated_cost: 0.01, request_id: 'sample' });
const sampleSettle = await gwSmall('/v1/gateway/wallets/settle', settleBody(sampleReserve.body.reservation_id, 0.0036));
const bare = await startBare({ reserve: JSON.stringify(sampleReserve.body), settle: JSON.stringify(sampleSettle.body) });

const barePair = async (c, i) => {
  const r = await post(bare.url, '/v1/gateway/wallets/reserve', 'x', { team_id: 'team-0001', estimated_cost: 0.01, request_id: `b${i}` });
  const t1 = performance.now();
  await post(bare.url, '/v1/gateway/wallets/settle', 'x', settleBody(r.body.reservation_id, 0.0036));
  return t1;
};
// Each client walks the leaf teams from its own offset: at any moment the 50 clients spend in up to 50 different wallets.
const emuPair = ({ emu, leaves }) => async (c, i) => {
  const team = leaves[(c * 131 + i) % leaves.length];
  const r = await post(emu.url, '/v1/gateway/wallets/reserve', emu.gateway_token, { team_id: team, estimated_cost: 0.01, request_id: `e${i}` });
  if (r.status !== 201) throw new Error(`reserve ${r.status} ${JSON.stringify(r.body)}`);
  const t1 = performance.now();
  const s = await post(emu.url, '/v1/gateway/wallets/settle', emu.gateway_token, settleBody(r.body.reservation_id, 0.0036));
  if (s.status !== 200) throw new Error(`settle ${s.status}`);
  return t1;
};
// Warm every server up (JIT, connection pools, SQLite page cache), then alternate.
await drive(barePair, 1);
for (const run of runs) await drive(emuPair(run), 1);
const bareRounds = [];
const emuRounds = runs.map(() => []);
for (let round = 0; round < ROUNDS; round += 1) {
  bareRounds.push(await drive(barePair, SECONDS));
  for (const [k, run] of runs.entries()) emuRounds[k].push(await drive(emuPair(run), SECONDS));
}
const bareResult = pool(bareRounds);
const emuResults = emuRounds.map(pool);

/**
 * 50 clients race to drain a $5 wallet (under the organization) with
 * estimates of $0.05 and actual costs up to 20% above the estimate; spend
 * must never pass the budget, and the events must add up to `spent`.
 */
async function drainCheck(emu) {
  const gw = (path, body) => post(emu.url, path, emu.gateway_token, body);
  await post(emu.url, '/v1/wallets/allocate', emu.admin_token, { team_id: 'drain', amount: 5, currency: 'USD', period: 'monthly' });
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
  return { granted, refused, settled, spent: drain.spent, available: drain.available, overspend };
}
const drains = [];
for (const run of runs) drains.push(await drainCheck(run.emu));

for (const run of runs) run.emu.child.kill('SIGTERM');
bare.child.kill('SIGTERM');
agent.destroy();
rmSync(dir, { recursive: true, force: true });

const row = (name, r, ratio) =>
  `| ${name} | ${Math.round(r.perSecond)} (${r.rounds.join(', ')}) | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.pairP99.toFixed(2)} | ${ratio} |`;
console.log(`node ${process.version}, ${CLIENTS} clients, ${ROUNDS} alternating rounds of ${SECONDS}s, database ${arg('db', 'file (WAL)')}`);
console.log('| server | reserve+settle pairs/s (per round) | request p50 ms | request p99 ms | pair p99 ms | vs bare |');
console.log('|---|---|---|---|---|---|');
console.log(row('bare node:http, same-sized JSON', bareResult, ''));
runs.forEach((run, k) => console.log(row(run.name, emuResults[k], (emuResults[k].perSecond / bareResult.perSecond).toFixed(2))));
console.log(`1,000 wallets vs 10: ${(emuResults[1].perSecond / emuResults[0].perSecond).toFixed(2)} of the throughput`);
let overspent = false;
runs.forEach((run, k) => {
  const d = drains[k];
  overspent ||= d.overspend;
  console.log(
    `overspend check (${run.name}): ${d.granted} reservations granted, ${d.settled} settled, ${d.refused} clients refused with 402; spent ${d.spent} of 5, available ${d.available} → ${d.overspend ? 'OVERSPEND' : 'zero overspend'}`,
  );
});
process.exitCode = overspent ? 1 : 0;
