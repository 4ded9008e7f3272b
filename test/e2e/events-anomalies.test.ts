// kt events anomalies end to end: a small imported history (two teams, one
// event a day, weekends at a fifth of weekdays), a runaway day added through
// the gateway's reserve/settle, and the cron flow: exit 3 and one webhook
// post on the first run, silence on the second, a resolved message once the
// emulator's clock has moved on. Fixed clocks, a local webhook receiver, no sleeps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKt } from '../helpers/run-kt.js';
import { advanceClock, startEmulator, type Emulator } from '../helpers/emulator.js';
import { call } from '../helpers/emulator-api.js';
import { runKtInPty } from '../helpers/pty.js';
import { toolAvailable } from '../helpers/tools.js';
import { BASELINE_DAYS } from '../../src/domain/anomalies.js';

const SPIKE_DAY = '2026-04-14'; // a Tuesday
const FIRST_RUN = '2026-04-15T09:30:00Z';
const NEXT_DAY_RUN = '2026-04-16T09:30:00Z';
const RUNAWAY = 900; // dollars settled through the gateway on SPIKE_DAY

interface Spend {
  timestamp: string;
  team_id: string;
  cost: number;
}

/** 2026-01-05 (a Monday) to 2026-04-15: one event a day per team, weekdays $300 / $120, weekends a fifth, ±10 % seeded noise, whole cents. */
function history(spike?: { team: string; date: string; add: number }): Spend[] {
  let seed = 22;
  const next = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const rows: Spend[] = [];
  for (let i = 0; i <= 100; i++) {
    const day = new Date(Date.UTC(2026, 0, 5 + i));
    const date = day.toISOString().slice(0, 10);
    const weekend = day.getUTCDay() === 0 || day.getUTCDay() === 6;
    for (const [team, weekday] of [['search', 300], ['ads', 120]] as const) {
      const noise = 1 + 0.2 * (next() - 0.5);
      let cost = Math.round(weekday * (weekend ? 0.2 : 1) * noise * 100) / 100;
      if (spike !== undefined && spike.team === team && spike.date === date) cost += spike.add;
      // The last day's events come early: before the first run's 09:30.
      rows.push({ timestamp: `${date}T${i === 100 ? '08' : '10'}:00:00Z`, team_id: team, cost });
    }
  }
  return rows;
}

function ndjson(rows: readonly Spend[]): string {
  return rows.map((r) => JSON.stringify({ ...r, provider: 'openai', model: 'gpt-4o', input_tokens: 1000, output_tokens: 200, cached: false })).join('\n') + '\n';
}

interface Hook {
  server: Server;
  url: string;
  received: Array<Record<string, unknown>>;
}

/** A webhook receiver answering with the given statuses in turn (200 once they run out). */
async function webhookServer(statuses: number[] = []): Promise<Hook> {
  const received: Array<Record<string, unknown>> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push(JSON.parse(body) as Record<string, unknown>);
      res.statusCode = statuses.shift() ?? 200;
      res.end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/services/T000/B000/secret`, received };
}

/** CSV lines (RFC 4180 ends them with CRLF). */
const lines = (stdout: string): string[] => stdout.split('\r\n');

function csv(stdout: string): Array<Record<string, string>> {
  const [head, ...lines] = stdout.trim().split(/\r?\n/).filter((l) => l !== '');
  const keys = (head ?? '').split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i] ?? '', v])));
}

describe('kt events anomalies', () => {
  let emu: Emulator;
  let dir: string;
  const imported = history();
  const spikeDayImport = imported.find((r) => r.team_id === 'search' && r.timestamp.startsWith(SPIKE_DAY))?.cost ?? 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kt-anomalies-'));
    writeFileSync(join(dir, 'history.ndjson'), ndjson(imported));
    // The clock stands on the spike day, when the runaway agent spends through the gateway.
    emu = await startEmulator(['--import', join(dir, 'history.ndjson')], { now: `${SPIKE_DAY}T12:00:00Z` });
    for (const [team, amount] of [['org', '100000'], ['search', '50000']] as const) {
      const r = await runKt(['wallets', 'allocate', '--team', team, '--amount', amount, '--yes', '--quiet'], { env: emu.env });
      expect(r.stderr).toBe('');
    }
    const reserve = await call(emu, 'POST', '/v1/gateway/wallets/reserve', { team_id: 'search', estimated_cost: RUNAWAY, request_id: 'runaway-1' }, { token: emu.gatewayToken });
    expect(reserve.status).toBe(201);
    const settle = await call(
      emu,
      'POST',
      '/v1/gateway/wallets/settle',
      { reservation_id: reserve.body.id ?? reserve.body.reservation_id, actual_cost: RUNAWAY, provider: 'openai', model: 'gpt-4o', input_tokens: 2_000_000, output_tokens: 400_000, cached: false },
      { token: emu.gatewayToken },
    );
    expect(settle.status).toBe(200);
    await advanceClock(emu, { now: FIRST_RUN });
  }, 60_000);

  afterAll(async () => {
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the runaway day (and no quiet weekend), exit 3', async () => {
    const r = await runKt(['events', 'anomalies', '--format', 'csv'], { env: emu.env });
    expect(r.code).toBe(3);
    const rows = csv(r.stdout);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({ date: SPIKE_DAY, team: 'search', direction: 'spike', kind: 'day', requests: '2', partial: 'false' });
    // Exact money: the imported day plus what the gateway settled.
    expect(row?.actual).toBe((Math.round((spikeDayImport + RUNAWAY) * 100) / 100).toFixed(2));
    expect(Number(row?.expected)).toBeGreaterThan(250);
    expect(Number(row?.expected)).toBeLessThan(350);
    expect(Number(row?.upper)).toBeLessThan(600);
    expect(Number(row?.score)).toBeGreaterThan(5);
    expect(r.stderr).toContain('error: 1 new spend anomaly: search 2026-04-14 spike');
    expect(r.stderr).toContain('hint: with --state FILE a cron run reports each anomaly once');
  });

  it('a table on a terminal-less run; --group-by team,model; --team; JSON', async () => {
    const table = await runKt(['events', 'anomalies'], { env: emu.env });
    expect(table.code).toBe(3);
    expect(table.stdout).toMatch(/DATE +TEAM +ACTUAL +EXPECTED +LOWER +UPPER +DIRECTION +SCORE +REQUESTS/);
    expect(table.stdout).toMatch(/2026-04-14 Tue +search +\$1,\d{3}\.\d\d +\$\d{3}\.\d\d .* spike +\d+\.\d +2/);

    const byModel = await runKt(['events', 'anomalies', '--group-by', 'team,model', '--json'], { env: emu.env });
    expect(byModel.code).toBe(3);
    expect(JSON.parse(byModel.stdout)).toEqual([expect.objectContaining({ date: SPIKE_DAY, team: 'search', model: 'gpt-4o', direction: 'spike' })]);

    const ads = await runKt(['events', 'anomalies', '--team', 'ads', '--format', 'csv'], { env: emu.env });
    expect(ads.code).toBe(0);
    expect(lines(ads.stdout)).toEqual(['date,team,actual,expected,lower,upper,direction,score,requests,kind,partial', '']);

    // --min-cost above the whole day: nothing to report.
    const small = await runKt(['events', 'anomalies', '--min-cost', '5000'], { env: emu.env });
    expect(small.code).toBe(0);
    expect(small.stdout).toBe('');
    expect(small.stderr).toContain('no spend anomalies from 2026-03-16 at the 99% level');
  });

  it('a webhook that keeps failing: the rows are printed, exit 1, the path stays secret and nothing is recorded', async () => {
    const hook = await webhookServer([404]);
    const state = join(dir, 'failing.json');
    try {
      const r = await runKt(['events', 'anomalies', '--state', state, '--webhook', hook.url, '--format', 'csv', '--fields', 'date,team'], { env: emu.env });
      expect(r.code).toBe(1);
      expect(lines(r.stdout)).toEqual(['date,team', `${SPIKE_DAY},search`, '']);
      expect(r.stderr).toContain('the webhook post to http://127.0.0.1');
      expect(r.stderr).toContain('failed: HTTP 404');
      expect(r.stderr).toContain('stay unrecorded in --state: the next run posts them again');
      expect(r.stderr).not.toContain('secret');
      expect(hook.received).toHaveLength(1);
      expect(existsSync(state)).toBe(false);
    } finally {
      hook.server.close();
    }
  });

  it.skipIf(!toolAvailable('script'))('--chart on a terminal: the daily spend, its interval and the runaway day marked', async () => {
    const run = runKtInPty(['events', 'anomalies', '--chart', '--since', '14d'], { ...emu.env, NO_COLOR: '1' });
    expect(await run.exit).toBe(3);
    const out = run.output();
    expect(out).toContain('team search');
    expect(out).toMatch(/2026-04-14 Tue +█+.* \$1,\d{3}\.\d\d ▲/);
    expect(out).toMatch(/2026-04-15 Wed\* /);
    expect(out).toContain('◆ expected  ─ 99% interval   ▲ spike  ▼ drop  * so far today');
    expect(out).not.toContain('team ads');
  });

  // The cron flow moves the emulator's clock: it runs last.
  it('cron: exit 3 and one post, then silence; a resolved message once the next day is back to normal', async () => {
    const hook = await webhookServer();
    const state = join(dir, 'state.json');
    const cron = ['events', 'anomalies', '--state', state, '--webhook', hook.url, '--format', 'csv', '--fields', 'date,team,direction'];
    try {
      const first = await runKt(cron, { env: emu.env });
      expect(first.code).toBe(3);
      expect(lines(first.stdout)).toEqual(['date,team,direction', `${SPIKE_DAY},search,spike`, '']);
      expect(hook.received).toHaveLength(1);
      const message = hook.received[0] as { text: string; level: number; anomalies: Array<Record<string, unknown>> };
      expect(message.text).toMatch(/^kt events anomalies: 1 new spend anomaly \(outside the 99% interval\)\n• search on 2026-04-14 \(Tue\): \$1,\d{3}\.\d\d, expected \$\d{3}\.\d\d/);
      expect(message.level).toBe(99);
      expect(message.anomalies).toEqual([expect.objectContaining({ date: SPIKE_DAY, team: 'search', direction: 'spike', kind: 'day', requests: 2, partial: false })]);
      const saved = JSON.parse(readFileSync(state, 'utf8')) as { reported: Array<{ group: unknown; date: string }>; resolved: unknown[] };
      expect(saved.reported).toEqual([expect.objectContaining({ group: { team: 'search' }, date: SPIKE_DAY, direction: 'spike' })]);
      expect(saved.resolved).toEqual([]);

      // Same clock, same state: nothing new, nothing posted, nothing printed.
      const second = await runKt(cron, { env: emu.env });
      expect(second.code).toBe(0);
      expect(lines(second.stdout)).toEqual(['date,team,direction', '']);
      expect(second.stderr).toBe('');
      expect(hook.received).toHaveLength(1);
      // The plain cron line (a table): not a byte to mail.
      const plain = await runKt(['events', 'anomalies', '--state', state], { env: emu.env });
      expect([plain.code, plain.stdout, plain.stderr]).toEqual([0, '', '']);

      // A day later, the 15th is complete and ordinary: search is resolved, once.
      await advanceClock(emu, { now: NEXT_DAY_RUN });
      const third = await runKt(cron, { env: { ...emu.env } });
      expect(third.code).toBe(0);
      expect(hook.received).toHaveLength(2);
      const resolved = hook.received[1] as { text: string; resolved: Array<Record<string, unknown>> };
      expect(resolved.text).toMatch(/^kt events anomalies: 1 group back inside the 99% interval \(resolved\)\n• search: \$\d{3}\.\d\d on 2026-04-15 \(Wed\)/);
      expect(resolved.resolved).toEqual([expect.objectContaining({ team: 'search', date: '2026-04-15', direction: null, last_anomaly: SPIKE_DAY })]);
      expect(third.stderr).toContain('search: back inside its interval on 2026-04-15 (resolved; last anomaly 2026-04-14)');
      const after = JSON.parse(readFileSync(state, 'utf8')) as { resolved: unknown[] };
      expect(after.resolved).toEqual([expect.objectContaining({ group: { team: 'search' }, date: '2026-04-15' })]);

      const fourth = await runKt(cron, { env: emu.env });
      expect(fourth.code).toBe(0);
      expect(fourth.stderr).toBe('');
      expect(hook.received).toHaveLength(2);
    } finally {
      hook.server.close();
    }
  });

  it('--help says how much history is fetched, and the exit status', async () => {
    const r = await runKt(['events', 'anomalies', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`kt fetches ${BASELINE_DAYS} days of history before --since`);
    expect(r.stdout).toContain('Exit status: 3 when a new anomaly is found');
  });

  it('kt help exit-codes documents exit 3 for a new anomaly', async () => {
    const r = await runKt(['help', 'exit-codes']);
    expect(r.stdout).toContain('kt events anomalies found a new spend anomaly (one not yet recorded\n       in --state; without --state, any)');
  });
});

describe('kt events anomalies against a control plane without aggregates', () => {
  let emu: Emulator;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kt-anomalies-product-'));
    writeFileSync(join(dir, 'history.ndjson'), ndjson(history({ team: 'ads', date: '2026-04-09', add: 500 })));
    emu = await startEmulator(['--import', join(dir, 'history.ndjson')], { now: FIRST_RUN, dialect: 'product' });
  }, 60_000);
  afterAll(async () => {
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('kt sums the events per day itself and finds the same kind of day', async () => {
    const r = await runKt(['events', 'anomalies', '--format', 'csv', '--fields', 'date,team,direction,requests'], { env: emu.env });
    expect(r.code).toBe(3);
    expect(lines(r.stdout)).toEqual(['date,team,direction,requests', '2026-04-09,ads,spike,1', '']);
    expect(r.stderr).toMatch(/the control plane has no spend aggregates; kt summed \d+ events itself/);
  });
});

describe('kt events anomalies: bad input', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kt-anomalies-bad-'));
    writeFileSync(join(dir, 'corrupt.json'), '{"version":1,');
    writeFileSync(join(dir, 'by-model.json'), JSON.stringify({ version: 1, group_by: ['team', 'model'], tz: 'UTC', reported: [], resolved: [] }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // No control plane is reachable: every one of these fails before a request.
  const env = { KEEPTRUSTS_API_URL: 'http://127.0.0.1:9', KEEPTRUSTS_API_TOKEN: 'kt_test_token', KT_NOW: FIRST_RUN };
  it.each([
    [['--group-by', 'colour'], 'error: invalid --group-by "colour": unknown key "colour"; use team, provider, model (a comma list, e.g. team,model)'],
    [['--level', '100'], 'error: invalid --level "100": expected a percentage strictly between 0 and 100, e.g. --level 99'],
    [['--level', 'high'], 'error: invalid --level "high": expected a percentage strictly between 0 and 100, e.g. --level 99'],
    [['--min-cost', '-5'], 'error: invalid --min-cost: invalid amount "-5": negative'],
    [['--min-cost', 'abc'], 'error: invalid --min-cost: invalid amount "abc": not a number'],
    [['--since', 'yesterday'], 'error: invalid --since: invalid time "yesterday"'],
    [['--since', '2026-04-10', '--until', '2026-04-01'], 'error: --since (2026-04-10T00:00:00.000Z) must be before --until (2026-04-01T00:00:00.000Z)'],
    [['--tz', 'Mars/Olympus'], 'error: invalid --tz "Mars/Olympus": not an IANA time zone'],
    [['--team', 'search,'], 'error: invalid --team "search,": empty name in the list'],
    [['--state', ''], 'error: --state needs a file name'],
    [['--webhook', 'not a url'], 'error: invalid --webhook "not a url": not a URL'],
    [['--webhook', 'ftp://example.com/x'], 'error: invalid --webhook: only http and https URLs are supported, not ftp:'],
    [['--format', 'xml'], "error: option '--format <format>' argument 'xml' is invalid"],
    [['--fields', 'date,colour'], 'error: unknown field "colour"; valid fields: date, day, team, actual'],
  ])('%j: a message and exit 2', async (args, message) => {
    const r = await runKt(['events', 'anomalies', ...args], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('a corrupt --state file: exit 2, naming the file and what to do', async () => {
    const file = join(dir, 'corrupt.json');
    const r = await runKt(['events', 'anomalies', '--state', file], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: --state ${file} is not a kt anomalies state file: not JSON`);
    expect(r.stderr).toContain('delete this one to start afresh');
  });

  it('a --state file of another grouping: exit 2', async () => {
    const file = join(dir, 'by-model.json');
    const r = await runKt(['events', 'anomalies', '--state', file], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: --state ${file} does not fit this run: it was written with --group-by team,model, not team`);
  });
});
