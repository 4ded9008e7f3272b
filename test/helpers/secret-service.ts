// A real Secret Service for the keyring tests: gnome-keyring-daemon on a
// private D-Bus session bus (dbus-run-session), its login keyring created in
// a temporary home and unlocked with a password on stdin. Nothing touches
// the user's own session or keyring. The bus lives as long as the `cat` at
// the end of the shell script: ending its stdin ends the bus, and the daemon
// with it.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEYRING_SERVICE } from '../../src/config/keyring.js';
import { toolsAvailable } from './tools.js';

export const SECRET_SERVICE_TOOLS: Array<[string, (string[] | 'on-path')?]> = [
  ['dbus-run-session', ['--version']],
  ['gnome-keyring-daemon', ['--version']],
  ['secret-tool', 'on-path'],
  ['dbus-send', 'on-path'],
];

export function secretServiceAvailable(): boolean {
  return toolsAvailable(SECRET_SERVICE_TOOLS);
}

export interface SecretService {
  /** DBUS_SESSION_BUS_ADDRESS for kt (and nothing that reaches a display). */
  env: Record<string, string>;
  /** The secret stored for `account` under kt's service, as secret-tool reads it; undefined when there is none. */
  lookup(account: string): string | undefined;
  /** Locks the login keyring: with no display to prompt on, every later access is refused. */
  lock(): void;
  /** The temporary home holding the daemon's keyring files. */
  home: string;
  stop(): Promise<void>;
}

const SCRIPT = [
  'printf %s "$KT_TEST_KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1',
  'printf "%s\\n" "$DBUS_SESSION_BUS_ADDRESS"',
  'exec cat >/dev/null',
].join('\n');

export async function startSecretService(): Promise<SecretService> {
  const home = mkdtempSync(join(tmpdir(), 'kt-keyring-home-'));
  const daemonEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    KT_TEST_KEYRING_PASSWORD: 'kt-test-password',
  };
  const child: ChildProcessWithoutNullStreams = spawn('dbus-run-session', ['--', 'sh', '-c', SCRIPT], { env: daemonEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the private Secret Service did not start (exit ${code}): ${stderr.trim()}`)));
  });
  const env = { DBUS_SESSION_BUS_ADDRESS: address };
  const toolEnv = { PATH: daemonEnv.PATH, HOME: home, ...env };
  return {
    env,
    home,
    lookup: (account) => {
      const r = spawnSync('secret-tool', ['lookup', 'service', KEYRING_SERVICE, 'username', account], { env: toolEnv, encoding: 'utf8', timeout: 10_000 });
      return r.status === 0 ? r.stdout : undefined;
    },
    lock: () => {
      const r = spawnSync(
        'dbus-send',
        ['--session', '--print-reply', '--dest=org.freedesktop.secrets', '/org/freedesktop/secrets', 'org.freedesktop.Secret.Service.Lock', 'array:objpath:/org/freedesktop/secrets/collection/login'],
        { env: toolEnv, encoding: 'utf8', timeout: 10_000 },
      );
      if (r.status !== 0) throw new Error(`locking the keyring failed: ${r.stderr}`);
    },
    stop: async () => {
      if (child.exitCode === null) {
        const closed = new Promise((resolve) => child.once('close', resolve));
        child.stdin.end();
        await closed;
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
