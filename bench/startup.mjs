// Start-up benchmark (not a test): in one run compares
//   kt --version                                   vs  node -e 0
//   kt wallets balance --team search --format json vs  a minimal Node program
//                                                      doing the same request
//                                                      with undici and printing the body
// against a local emulator. Uses hyperfine when installed, else a loop of
// spawnSync timings. Run after `npm run build`: node bench/startup.mjs
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const KT = join(ROOT, 'bin/kt.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 30);

function startEmulator() {
  const args = ['emulator', 'start', '--port', '0', '--db', ':memory:', '--json', '--seed', 'demo', '--seed-events', '1000'];
  const child = spawn(process.execPath, [KT, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, ...JSON.parse(out.slice(0, nl)) });
    });
    child.once('exit', (code) => reject(new Error(`emulator exited (${code})`)));
  });
}

const sh = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

function hyperfine(pairs, env) {
  const dir = mkdtempSync(join(tmpdir(), 'kt-bench-'));
  const results = [];
  try {
    for (const [i, [a, b]] of pairs.entries()) {
      const file = join(dir, `${i}.json`);
      const r = spawnSync('hyperfine', ['-N', '--warmup', '3', '--runs', String(RUNS), '--export-json', file, a.cmd, b.cmd], {
        env,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      if (r.status !== 0) throw new Error('hyperfine failed');
      const [ra, rb] = JSON.parse(readFileSync(file, 'utf8')).results;
      results.push([{ name: a.name, ms: ra.mean * 1000 }, { name: b.name, ms: rb.mean * 1000 }]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

function loop(pairs, env) {
  const time = (cmd) => {
    const samples = [];
    for (let i = 0; i < RUNS + 3; i++) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync('/bin/sh', ['-c', cmd], { env, stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`failed: ${cmd}`);
      if (i >= 3) samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return samples.reduce((x, y) => x + y, 0) / samples.length;
  };
  return pairs.map(([a, b]) => [{ name: a.name, ms: time(a.cmd) }, { name: b.name, ms: time(b.cmd) }]);
}

const emulator = await startEmulator();
const configDir = mkdtempSync(join(tmpdir(), 'kt-bench-config-'));
try {
  const env = {
    ...process.env,
    KEEPTRUSTS_API_URL: emulator.url,
    KEEPTRUSTS_API_TOKEN: emulator.admin_token,
    KT_CONFIG_DIR: configDir,
    NO_COLOR: '1',
  };
  const node = process.execPath;
  const raw = [
    "import { request } from 'undici';",
    "const url = new URL('/v1/wallets/balance', process.env.KEEPTRUSTS_API_URL);",
    "url.searchParams.set('team_id', 'search');",
    'const res = await request(url, { headers: { authorization: `Bearer ${process.env.KEEPTRUSTS_API_TOKEN}` } });',
    'process.stdout.write(await res.body.text());',
  ].join(' ');
  const pairs = [
    [
      { name: 'kt --version', cmd: `${node} ${KT} --version` },
      { name: 'node -e 0', cmd: `${node} -e 0` },
    ],
    [
      { name: 'kt wallets balance --team search --format json', cmd: `${node} ${KT} wallets balance --team search --format json` },
      { name: 'node + undici request, print body', cmd: `${node} --input-type=module -e ${sh(raw)}` },
    ],
  ];
  const hasHyperfine = spawnSync('hyperfine', ['--version']).status === 0;
  const results = process.chdir(ROOT) ?? (hasHyperfine ? hyperfine(pairs, env) : loop(pairs, env));
  const lines = [
    `| command | mean | baseline | baseline mean | ratio |`,
    `|---|---:|---|---:|---:|`,
    ...results.map(
      ([a, b]) => `| \`${a.name}\` | ${a.ms.toFixed(1)} ms | \`${b.name}\` | ${b.ms.toFixed(1)} ms | ${(a.ms / b.ms).toFixed(2)}x |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n\n(${hasHyperfine ? 'hyperfine -N' : 'spawnSync loop'}, ${RUNS} runs each, node ${process.version})\n`);
} finally {
  emulator.child.kill('SIGTERM');
  rmSync(configDir, { recursive: true, force: true });
}
