// kt wallets check end to end: wallets at known utilization in a real
// emulator (clock fixed mid-April), exit 0 / 3 as documented, and the
// webhook reaching a local HTTP server (with a retry after a 500).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKt } from '../helpers/run-kt.js';
import { startEmulator } from '../helpers/emulator.js';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

const spend = (team: string, cost: number): object => ({
  timestamp: '2026-04-02T10:00:00Z',
  team_id: team,
  provider: 'openai',
  model: 'gpt-4o',
  input_tokens: 1000,
  output_tokens: 100,
  cached: false,
  cost,
});

interface Received {
  body: string;
  contentType: string | undefined;
}

/** A webhook receiver answering with the given statuses in turn (200 once they run out). */
async function webhookServer(statuses: number[]): Promise<{ server: Server; url: string; received: Received[]; next: () => Promise<Received> }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push({ body, contentType: req.headers['content-type'] });
      res.statusCode = statuses.shift() ?? 200;
      res.end('ok');
      server.emit('received');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}/services/T000/B000/secret`,
    received,
    next: async () => {
      const seen = received.length;
      while (received.length <= seen) await once(server, 'received');
      return received[seen] as Received;
    },
  };
}

describe('kt wallets check', () => {
  let emu: Emulator;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kt-check-'));
    // alpha 9 of 10 (90%: warn), beta 12 of 10 (120%: fail), gamma 1 of 10 (ok), delta 5 of 100 but past its soft cap of 4.
    writeFileSync(join(dir, 'events.ndjson'), [spend('alpha', 9), spend('beta', 12), spend('gamma', 1), spend('delta', 5)].map((e) => JSON.stringify(e)).join('\n') + '\n');
    emu = await startEmulator(['--import', join(dir, 'events.ndjson')], { now: '2026-04-15T00:00:00Z' });
    const allocations = [['org', '1000'], ['alpha', '10'], ['beta', '10'], ['gamma', '10'], ['delta', '100', '--soft-cap', '4', '--hard-cap', '100']];
    for (const [team = '', amount = '', ...rest] of allocations) {
      const r = await runKt(['wallets', 'allocate', '--team', team, '--amount', amount, ...rest, '--yes', '--quiet'], { env: emu.env });
      expect(r.stderr).toBe('');
    }
  }, 60_000);
  afterAll(async () => {
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exit 3 when a wallet is at or past --fail-at; rows with utilization, caps and the projected month end', async () => {
    const r = await runKt(['wallets', 'check', '--format', 'csv', '--fields', 'team,level,utilization,spent,allocated,soft_cap,projected,reason'], { env: emu.env });
    expect(r.code).toBe(3);
    expect(r.stdout.trim().split(/\r?\n/)).toEqual([
      'team,level,utilization,spent,allocated,soft_cap,projected,reason',
      // The events' pace, the figure kt forecast prints: 12 spent on the 2nd, 13 complete days since
      // (under 14: every weekday weighs alike), so 12 + 16 days left × 12/13.
      'beta,fail,1.2,12.00,10.00,,26.769230769,at or past 100% of allocation',
      'alpha,warn,0.9,9.00,10.00,,20.076923077,at or past 80% of allocation',
      'delta,warn,0.05,5.00,100.00,4.00,11.153846154,at or past soft cap',
    ]);
    expect(r.stderr).toContain('1 wallet at or past 100% of allocation or a hard cap: beta');
  });

  it('exit 0 when nothing reaches --fail-at, the warn rows still listed', async () => {
    const r = await runKt(['wallets', 'check', '--warn-at', '85', '--fail-at', '150', '--json', '--fields', 'team,level'], { env: emu.env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { team: 'beta', level: 'warn' },
      { team: 'alpha', level: 'warn' },
      { team: 'delta', level: 'warn' },
    ]);
  });

  it('--team with nothing to report: exit 0, a notice, no rows', async () => {
    const r = await runKt(['wallets', 'check', '--team', 'gamma'], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no wallet at or past 80% of its allocation');
  });

  it('kt help exit-codes documents exit 3', async () => {
    const r = await runKt(['help', 'exit-codes']);
    expect(r.stdout).toMatch(/\n {2}3 {4}a budget threshold was crossed: kt wallets check/);
  });

  it('--webhook posts one Slack-compatible message, retrying after a 500', async () => {
    const hook = await webhookServer([500]);
    try {
      const first = hook.next();
      const run = runKt(['wallets', 'check', '--team', 'alpha', '--webhook', hook.url, '--format', 'csv'], { env: emu.env });
      await first;
      const second = await hook.next();
      const r = await run;
      expect(r.code).toBe(0);
      expect(hook.received).toHaveLength(2);
      expect(second.contentType).toBe('application/json');
      const message = JSON.parse(second.body) as { text: string; wallets: Array<{ team: string; level: string; spent: string; projected: string }> };
      expect(message.text).toContain('kt wallets check: 1 wallet at or past 80%');
      expect(message.text).toContain('alpha: warn — 90.0% used, $9.00 of $10.00');
      expect(message.wallets).toEqual([expect.objectContaining({ team: 'alpha', level: 'warn', spent: '9.00', projected: '20.076923077' })]);
      expect(r.stdout).toContain('alpha,Alpha,team,,warn,0.9,period,');
    } finally {
      hook.server.close();
    }
  });

  it('a webhook that keeps failing: the list is printed, then exit 1 (the URL path stays secret)', async () => {
    const hook = await webhookServer([404]);
    try {
      const r = await runKt(['wallets', 'check', '--webhook', hook.url, '--format', 'csv', '--fields', 'team'], { env: emu.env });
      expect(r.code).toBe(1);
      expect(r.stdout.trim().split(/\r?\n/)).toEqual(['team', 'beta', 'alpha', 'delta']);
      expect(r.stderr).toContain('the webhook post to http://127.0.0.1');
      expect(r.stderr).toContain('failed: HTTP 404');
      expect(r.stderr).not.toContain('secret');
      expect(hook.received).toHaveLength(1); // a 404 is not retried
    } finally {
      hook.server.close();
    }
  });

  it('no webhook post when nothing is past the warn level', async () => {
    const hook = await webhookServer([]);
    try {
      const r = await runKt(['wallets', 'check', '--team', 'gamma', '--webhook', hook.url], { env: emu.env });
      expect(r.code).toBe(0);
      expect(hook.received).toHaveLength(0);
    } finally {
      hook.server.close();
    }
  });
});

describe('kt wallets check bad flags', () => {
  const env = { KEEPTRUSTS_API_URL: 'http://127.0.0.1:9', KEEPTRUSTS_API_TOKEN: 't' };
  it.each([
    [['--warn-at', 'abc'], 'invalid --warn-at "abc": expected a percentage of the allocation greater than 0'],
    [['--warn-at', '0'], 'invalid --warn-at "0"'],
    [['--fail-at', '-5'], 'invalid --fail-at "-5"'],
    [['--warn-at', '90', '--fail-at', '80'], '--fail-at 80 is below --warn-at 90'],
    [['--fail-at', '50'], '--fail-at 50 is below --warn-at 80'],
    [['--webhook', 'not a url'], 'invalid --webhook "not a url": not a URL'],
    [['--webhook', 'ftp://example.com/x'], 'only http and https URLs are supported'],
    [['--team', 'Bad Team'], 'invalid --team "Bad Team"'],
  ])('kt wallets check %j → exit 2', async (args, message) => {
    const r = await runKt(['wallets', 'check', ...args], { env });
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});
