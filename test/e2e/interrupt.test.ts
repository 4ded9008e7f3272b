// Ctrl-C during a slow export: exit 130, one line, no stack, -o target untouched.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KT_BIN, ktEnv } from '../helpers/run-kt.js';
import { startEmulator, type Emulator } from '../helpers/emulator.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator(['--seed', 'demo', '--seed-events', '500', '--faults', 'latency=5s path=/v1/events']);
});
afterAll(async () => {
  await emulator.stop();
});

it('SIGINT exits 130 with a one-line message and leaves the --output file as it was', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kt-int-'));
  const target = join(dir, 'chargeback.csv');
  await writeFile(target, 'previous export\n');
  // --debug logs each request as it is sent: SIGINT comes while the first page is in flight.
  const child = spawn(process.execPath, [KT_BIN, '--debug', 'events', 'list', '--since', '30d', '--format', 'csv', '-o', target], {
    env: ktEnv(emulator.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const requestSent = new Promise<void>((resolve) =>
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (/debug: → GET \S+\/v1\/events\?/.test(stderr)) resolve();
    }),
  );
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  await requestSent;
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  expect(code).toBe(130);
  const lines = stderr.trim().split('\n');
  expect(lines.at(-1)).toBe('interrupted');
  expect(lines.filter((l) => !l.startsWith('debug: '))).toEqual(['interrupted']);
  expect(stdout).toBe('');
  expect(await readFile(target, 'utf8')).toBe('previous export\n');
  expect(await readdir(dir)).toEqual(['chargeback.csv']);
});
