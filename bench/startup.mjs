// Start-up benchmark (not a test): in one run compares
//   kt --version                                   vs  node -e 0
//   kt wallets balance --team search --format json vs  a minimal Node program
//                                                      doing the same request
//                                                      with undici and printing the body
//   the same balance call, token in the keyring    vs  token in the 0600 file
//                                                      (what the keyring binding and
//                                                      its D-Bus round trip add)
// against a local emulator. The keyring pair needs gnome-keyring-daemon and
// dbus-run-session (a private Secret Service, as in test/e2e/keyring.test.ts);
// without them it is left out with a notice. Uses hyperfine when installed,
// else a loop of spawnSync timings. Run after `npm run build`: node bench/startup.mjs
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

/**
 * gnome-keyring-daemon on a private session bus, its keyring in a temporary
 * home; resolves with the bus address and a stop function, or undefined when
 * the tools are missing.
 */
async function startSecretService() {
  for (const tool of ['dbus-run-session', 'gnome-keyring-daemon']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0) return undefined;
  }
  const home = mkdtempSync(join(tmpdir(), 'kt-bench-keyring-'));
  const script = 'printf %s bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1\nprintf "%s\\n" "$DBUS_SESSION_BUS_ADDRESS"\nexec cat >/dev/null';
  const child = spawn('dbus-run-session', ['--', 'sh', '-c', script], {
    env: { PATH: process.env.PATH, HOME: home, XDG_DATA_HOME: join(home, 'data') },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const address = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`the private Secret Service did not start (exit ${code})`)));
  });
  return {
    address,
    stop: () =>
      new Promise((resolve) => {
        child.once('close', resolve);
        child.stdin.end();
      }).then(() => rmSync(home, { recursive: true, force: true })),
  };
}

/** `kt auth login --with-token` into `configDir`; throws unless it stored the token where asked. */
function login(env, configDir, args, expected) {
  const r = spawnSync(process.execPath, [KT, 'auth', 'login', '--with-token', ...args], {
    env: { ...env, KT_CONFIG_DIR: configDir, KEEPTRUSTS_API_TOKEN: '' },
    input: `${env.KEEPTRUSTS_API_TOKEN}\n`,
    encoding: 'utf8',
  });
  if (r.status !== 0 || !r.stderr.includes(expected)) throw new Error(`kt auth login ${args.join(' ')} failed: ${r.stderr}`);
}

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

// The two commands of a pair run alternately, so a load that comes and goes
// on a shared machine falls on both sides alike.
function loop(pairs, env) {
  const once = (cmd) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('/bin/sh', ['-c', cmd], { env, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`failed: ${cmd}`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const mean = (samples) => samples.reduce((x, y) => x + y, 0) / samples.length;
  return pairs.map(([a, b]) => {
    const sa = [];
    const sb = [];
    for (let i = 0; i < RUNS + 3; i++) {
      const ta = once(a.cmd);
      const tb = once(b.cmd);
      if (i < 3) continue; // warm-up
      sa.push(ta);
      sb.push(tb);
    }
    return [{ name: a.name, ms: mean(sa) }, { name: b.name, ms: mean(sb) }];
  });
}

const emulator = await startEmulator();
const configDir = mkdtempSync(join(tmpdir(), 'kt-bench-config-'));
const cleanups = [];
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
  const keyring = await startSecretService();
  if (keyring === undefined) {
    process.stderr.write('notice: no gnome-keyring-daemon or dbus-run-session: the keyring pair is left out\n');
  } else {
    cleanups.push(keyring.stop);
    const withBus = { ...env, DBUS_SESSION_BUS_ADDRESS: keyring.address };
    const inKeyring = join(configDir, 'keyring');
    const inFile = join(configDir, 'file');
    login(withBus, inKeyring, [], 'in the Secret Service');
    login(withBus, inFile, ['--insecure-storage'], 'config.json (mode 0600)');
    // Both sides run with the bus and without KEEPTRUSTS_API_TOKEN (it would come first); only the config directory differs.
    const balance = (dir) => `env -u KEEPTRUSTS_API_TOKEN DBUS_SESSION_BUS_ADDRESS=${keyring.address} KT_CONFIG_DIR=${dir} ${node} ${KT} wallets balance --team search --format json`;
    pairs.push([
      { name: 'balance, token in the keyring (Secret Service)', cmd: balance(inKeyring) },
      { name: 'balance, token in the 0600 file', cmd: balance(inFile) },
    ]);
  }
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
  for (const cleanup of cleanups) await cleanup();
  emulator.child.kill('SIGTERM');
  rmSync(configDir, { recursive: true, force: true });
}
