// What only a person at a terminal sees, in a real pseudo-terminal: the
// spinner while kt waits, the live progress line of an export (cleared when
// done), and the hidden token prompt giving up cleanly on Ctrl-D. The same
// commands with stderr piped show none of it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../helpers/emulator.js';
import { runKtInPty } from '../helpers/pty.js';
import { toolAvailable } from '../helpers/tools.js';
import { runKt } from '../helpers/run-kt.js';

const available = toolAvailable('script');

// A fixed clock and a fixed history: 2,500 requests between Nov 2 and Nov 12.
const NOW = '2026-11-18T12:00:00.000Z';
const RANGE = ['--since', '2026-11-01', '--until', '2026-11-18'];

function history(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'kt-tty-')), 'events.ndjson');
  const start = Date.parse('2026-11-02T00:00:00Z');
  const lines = Array.from({ length: 2500 }, (_, i) =>
    JSON.stringify({ timestamp: new Date(start + i * 360_000).toISOString(), team_id: i % 2 === 0 ? 'search' : 'platform', provider: 'openai', model: 'gpt-4o-mini', input_tokens: 1000, output_tokens: 200, cached: false, cost: 0.00027 }),
  );
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
const SPINNER_FRAME = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
// ora clears its line with a cursor move to column 1 and an erase-line.
// eslint-disable-next-line no-control-regex -- matching the terminal escapes is the point
const CLEARED = /\u001b\[1G\u001b\[0K|\u001b\[2K|\u001b\[0K/;

describe.skipIf(!available)('on a terminal', () => {
  let emu: Emulator;
  beforeAll(async () => {
    // Every events page and wallet read takes 300 ms: long past the spinner's 100 ms threshold.
    emu = await startEmulator(['--import', history(), '--faults', 'latency=300ms path=/v1/events, latency=300ms path=/v1/wallets'], { now: NOW });
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('an export shows a spinner, then a live progress line, cleared before the summary', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kt-tty-')), 'out.csv');
    const run = runKtInPty(['events', 'list', ...RANGE, '--format', 'csv', '-o', file], emu.env);
    await run.waitFor('fetching events');
    await run.waitFor(/[\d,]+ events · [\d,]+\/s · total \$[\d,]+\.\d+/);
    expect(await run.exit).toBe(0);
    const out = run.output();
    expect(out).toMatch(SPINNER_FRAME);
    const lastProgress = out.lastIndexOf('/s · total');
    const summary = out.search(/2,500 events · total \$0\.68 · [\d.]+s/);
    expect(summary).toBeGreaterThan(lastProgress);
    expect(out.slice(lastProgress, summary)).toMatch(CLEARED);
    expect(readFileSync(file, 'utf8').trimEnd().split('\r\n')).toHaveLength(2501);
  });

  it('a slow read shows what it waits for', async () => {
    const run = runKtInPty(['wallets', 'balance', '--team', 'search'], emu.env);
    await run.waitFor('fetching the wallet of search');
    expect(await run.exit).toBe(0);
    expect(run.output()).toMatch(/search[\s│]+org[\s│]+monthly/);
  });

  it('-q shows no spinner and no progress', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kt-tty-')), 'out.csv');
    const run = runKtInPty(['-q', 'events', 'list', ...RANGE, '--format', 'csv', '-o', file], emu.env);
    expect(await run.exit).toBe(0);
    expect(run.output()).not.toContain('fetching events');
    expect(run.output()).not.toMatch(SPINNER_FRAME);
  });

  it('Ctrl-D at the hidden token prompt exits 2 with a clear message', async () => {
    const run = runKtInPty(['auth', 'login'], { KEEPTRUSTS_API_URL: emu.url, KT_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'kt-tty-')), NO_COLOR: '1' });
    await run.waitFor('Paste your API token: ');
    run.type('\u0004');
    expect(await run.exit).toBe(2);
    expect(run.output()).toContain('error: no token entered: the input ended at the prompt');
    expect(run.output()).toContain('kt auth login --with-token');
  });

  it('with stderr piped, the same slow export shows nothing but the data', async () => {
    const r = await runKt(['events', 'list', ...RANGE, '--format', 'csv', '--fields', 'team,cost'], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.trimEnd().split('\r\n')).toHaveLength(2501);
  });
});
