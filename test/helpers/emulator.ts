// Starts a real `kt emulator` (the built binary) on a free port with an
// in-memory database, for end-to-end tests. Pass `--seed demo --seed-events
// 2000` for demo data, or `--db FILE` to keep it on disk. With `now`, the
// emulator (and kt run with its env) stands at that instant until
// advanceClock moves it: nothing depends on today's date or on sleeping.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KT_BIN, ktEnv } from './run-kt.js';

export interface Emulator {
  url: string;
  adminToken: string;
  gatewayToken: string;
  db: string;
  /** For runKt: the emulator's URL, the admin token, a fresh config dir, and the emulator's fixed clock if it has one. */
  env: { KEEPTRUSTS_API_URL: string; KEEPTRUSTS_API_TOKEN: string; KT_CONFIG_DIR: string; KT_NOW?: string };
  child: ChildProcess;
  /** Everything the emulator wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait (a crash: nothing flushed on the way out). */
  kill(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface StartOptions {
  timeoutMs?: number;
  /** An ISO instant: the emulator's clock starts there and stands still (KT_NOW). */
  now?: string;
  /** `--dialect`: kt's contract (default) or the product's documented shapes. */
  dialect?: 'kt' | 'product';
}

export async function startEmulator(extraArgs: string[] = [], options: StartOptions = {}): Promise<Emulator> {
  const dialect = options.dialect === undefined ? [] : ['--dialect', options.dialect];
  const args = ['emulator', 'start', '--port', '0', '--db', ':memory:', '--json', '--seed', 'none', ...dialect, ...extraArgs];
  const clock = options.now === undefined ? {} : { KT_NOW: options.now };
  const child = spawn(process.execPath, [KT_BIN, ...args], { env: ktEnv(clock), stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  const handshake = await new Promise<{ url: string; admin_token: string; gateway_token: string; db: string }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`emulator did not start within ${options.timeoutMs ?? 20_000} ms\n${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const newline = out.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(out.slice(0, newline)));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with code ${code} before it was ready\n${stderr}`));
    });
  });
  const configDir = mkdtempSync(join(tmpdir(), 'kt-config-'));
  return {
    url: handshake.url,
    adminToken: handshake.admin_token,
    gatewayToken: handshake.gateway_token,
    db: handshake.db,
    env: { KEEPTRUSTS_API_URL: handshake.url, KEEPTRUSTS_API_TOKEN: handshake.admin_token, KT_CONFIG_DIR: configDir, ...clock },
    child,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exited;
      rmSync(configDir, { recursive: true, force: true });
      return code;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}

/**
 * Moves a fixed emulator clock (started with `now`): `{ advance: '2s' }` or
 * `{ now: ISO }`. Returns the new instant, which kt runs with `emu.env` then
 * use too. The ledger catches up (expiry, roll-over) on the next request.
 */
export async function advanceClock(emu: Emulator, to: { advance: string } | { now: string }): Promise<string> {
  const res = await fetch(`${emu.url}/v1/emulator/clock`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${emu.adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(to),
  });
  const body = (await res.json()) as { now?: string; error?: { message: string } };
  if (res.status !== 200 || body.now === undefined) throw new Error(`moving the emulator clock failed (${res.status}): ${body.error?.message ?? JSON.stringify(body)}`);
  emu.env.KT_NOW = body.now;
  return body.now;
}
