// kt against a control plane that answers in the product's documented shapes
// (test/helpers/product-server.ts): no cursor, newest first, costs as floats
// with serialiser noise under event_cost_attribution, console-style wallet
// fields, transactions at /v1/wallets/{id}/transactions, string errors, HTML
// for unknown paths, no aggregation endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { KT_BIN, ktEnv, runKt } from '../helpers/run-kt.js';
import { productEnv, startProductServer, type ProductEvent, type ProductServer } from '../helpers/product-server.js';
import { parseAmount } from '../../src/domain/money.js';

const NOW = '2026-12-01T00:00:00Z';
const START = Date.parse('2026-11-29T00:00:00Z');

// Each cost's exact value in nano-dollars, worked out by hand: the float noise
// is rounded half to even at the ninth decimal.
const COSTS: Array<[string, bigint]> = [
  ['3.75e-05', 37_500n], // 250 gpt-4o-mini input tokens at $0.15 per 1M
  ['0.0016150000000000001', 1_615_000n],
  ['0.1', 100_000_000n],
  ['1.5e-7', 150n], // one gpt-4o-mini input token
  ['0', 0n],
];
const VERDICTS = ['allow', 'allow', 'redact', 'block', 'escalate'];

function makeEvents(n: number): ProductEvent[] {
  const events: ProductEvent[] = [];
  let t = START;
  for (let i = 0; i < n; i++) {
    // Every seventh event shares its timestamp with the one before: a page may end between them.
    if (i % 7 !== 0) t += 70_000;
    const [costText] = COSTS[i % COSTS.length] as [string, bigint];
    const id = `evt_${String(i).padStart(5, '0')}`;
    events.push({
      ...(i % 2 === 0 ? { id } : { event_id: id }),
      timestamp: new Date(t).toISOString(),
      event_type: 'decision',
      verdict: VERDICTS[i % VERDICTS.length] as string,
      reason_code: i % 5 === 3 ? 'prompt_injection_detected' : 'all_policies_passed',
      provider: 'openai',
      model: 'gpt-4o-mini',
      config_version: '0.2.0',
      team: i % 3 === 0 ? 'ads' : 'search',
      input_tokens: 250,
      output_tokens: 40,
      costText,
      flatCost: i % 4 === 1,
    });
  }
  return events;
}

const EVENTS = makeEvents(2345);
const RANGE = ['--since', '2026-11-29T00:00:00Z', '--until', '2026-12-01T00:00:00Z'];
const TOTAL = EVENTS.reduce((sum, _e, i) => sum + (COSTS[i % COSTS.length] as [string, bigint])[1], 0n);

function csvRows(text: string): string[][] {
  return text
    .trimEnd()
    .split(/\r?\n/)
    .map((l) => l.split(','));
}

describe('kt against the product-shaped API', () => {
  let server: ProductServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    server = await startProductServer({ events: EVENTS, maxLimit: 500 });
    env = productEnv(server, NOW);
  });
  afterAll(async () => server.close());

  it('exports every event exactly once without a cursor, with exact costs', async () => {
    const r = await runKt(['events', 'list', ...RANGE, '--format', 'csv', '--fields', 'id,cost,verdict,reason_code,event_type,config_version'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [header, ...rows] = csvRows(r.stdout);
    expect(header).toEqual(['id', 'cost', 'verdict', 'reason_code', 'event_type', 'config_version']);
    expect(rows).toHaveLength(EVENTS.length);
    expect(new Set(rows.map((row) => row[0])).size).toBe(EVENTS.length);
    expect(rows.reduce((sum, row) => sum + parseAmount(row[1] as string, { allowZero: true }), 0n)).toBe(TOTAL);
    // Exact decimals, as many digits as needed: no float noise, no rounding to the cent.
    expect(new Set(rows.map((row) => row[1]))).toEqual(new Set(['0.0000375', '0.001615', '0.10', '0.00000015', '0.00']));
    expect(rows.find((row) => row[0] === 'evt_00003')?.slice(2)).toEqual(['block', 'prompt_injection_detected', 'decision', '0.2.0']);
    // The server pages by 500 at most and names no cursor: kt went on by time.
    expect(server.requests.filter((l) => l.startsWith('GET /v1/events')).length).toBeGreaterThan(4);
  });

  it('sums the events itself when the server has no aggregates, in the same exact money', async () => {
    const r = await runKt(['events', 'list', ...RANGE, '--aggregate', 'daily', '--group-by', 'team', '--json'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('the control plane has no spend aggregates; kt summed 2,345 events itself');
    const buckets = JSON.parse(r.stdout) as Array<{ period_start: string; team: string; requests: number; cost: number }>;
    expect(buckets.reduce((n, b) => n + b.requests, 0)).toBe(EVENTS.length);
    const costs = csvRows((await runKt(['events', 'list', ...RANGE, '--aggregate', 'daily', '--group-by', 'team', '--format', 'csv', '--fields', 'cost', '--no-header'], { env })).stdout);
    expect(costs.reduce((sum, [c]) => sum + parseAmount(c as string, { allowZero: true }), 0n)).toBe(TOTAL);
    expect(new Set(buckets.map((b) => b.period_start))).toEqual(new Set(['2026-11-29T00:00:00Z', '2026-11-30T00:00:00Z']));
  });

  it('kt events tail: the newest 50 by default, oldest first, as the product CLI prints them', async () => {
    const r = await runKt(['events', 'tail'], { env });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+ID\s+VERDICT\s+REASON$/);
    const ids = lines.slice(1).map((l) => /evt_\d+/.exec(l)?.[0]);
    expect(ids).toHaveLength(50);
    expect(ids.at(-1)).toBe('evt_02344');
    expect(ids[0]).toBe('evt_02295');

    const json = await runKt(['events', 'tail', '--limit', '3', '--verdict', 'block', '--json'], { env });
    expect(json.code).toBe(0);
    const events = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(Array.isArray(events)).toBe(true);
    expect(events.map((e) => e.id)).toEqual(['evt_02333', 'evt_02338', 'evt_02343']);
    expect(events.every((e) => e.verdict === 'block' && e.reason_code === 'prompt_injection_detected')).toBe(true);
  });

  it('kt events export: the last 24 hours as a JSON array by default, or CSV to a file', async () => {
    const r = await runKt(['events', 'export'], { env });
    expect(r.code).toBe(0);
    const events = JSON.parse(r.stdout) as Array<{ id: string; timestamp: string; cost: number | null }>;
    const expected = EVENTS.filter((e) => Date.parse(e.timestamp) >= Date.parse('2026-11-30T00:00:00Z'));
    expect(events).toHaveLength(expected.length);
    expect(events.every((e) => e.timestamp >= '2026-11-30T00:00:00Z')).toBe(true);

    const dir = mkdtempSync(join(tmpdir(), 'kt-export-'));
    const file = join(dir, 'out.csv');
    const csv = await runKt(['events', 'export', '--since', '2026-11-29', '--format', 'csv', '--output', file], { env });
    expect(csv.code).toBe(0);
    expect(csv.stdout).toBe('');
    const [header, ...rows] = csvRows(readFileSync(file, 'utf8'));
    expect(header).toContain('verdict');
    expect(rows).toHaveLength(EVENTS.length);
  });

  it('reads console-style wallets exactly and finds transactions at /v1/wallets/{id}/transactions', async () => {
    const list = await runKt(['wallets', 'list', '--json', '--fields', 'team,allocated,spent,total_allocated,total_spent,available,status'], { env });
    expect(list.code).toBe(0);
    // 3.0000000000000004 and 9996.999999999998 are floats for 3 and 9997; cumulative totals are not this period's figures.
    expect(list.stdout).toContain('{"team":"search","allocated":null,"spent":null,"total_allocated":10000.00,"total_spent":9997.00,"available":3.00,"status":"low"}');

    const txns = await runKt(['wallets', 'transactions', '--team', 'search', '--since', '2026-11-01', '--format', 'csv', '--fields', 'id,type,amount'], { env });
    expect(txns.stderr).toBe('');
    expect(txns.code).toBe(0);
    expect(txns.stdout).toBe('id,type,amount\r\ntxn_2,settle,-0.001615\r\ntxn_1,allocate,10000.00\r\n');
  });

  it("kt forecast works from the events alone: the organisation's every event, or a team's subtree from the wallet list", async () => {
    // Late on the 30th, so November is this month and its spend is "to date".
    const at = { ...env, KT_NOW: '2026-11-30T20:00:00Z' };
    const total = (team?: string): bigint =>
      EVENTS.map((e, i) => [e, i] as const)
        .filter(([e]) => team === undefined || e.team === team)
        .reduce((sum, [, i]) => sum + (COSTS[i % COSTS.length] as [string, bigint])[1], 0n);
    const november = (stdout: string): bigint => {
      const rows = JSON.parse(stdout) as Array<{ month: string; kind: string; actual_or_to_date: number }>;
      const row = rows.find((x) => x.month === '2026-11');
      expect(row?.kind).toBe('projection');
      return parseAmount(String(row?.actual_or_to_date), { allowZero: true });
    };
    // The organisation (no --team, or --team org): every event, ads' included, though no wallet is called org.
    for (const args of [[], ['--team', 'org']]) {
      const r = await runKt(['forecast', ...args, '--json', '--fields', 'month,kind,actual_or_to_date'], { env: at });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`the control plane has no spend aggregates; kt summed ${EVENTS.length.toLocaleString('en-US')} events itself`);
      expect(november(r.stdout)).toBe(total());
    }
    // A team: its own events only.
    const search = await runKt(['forecast', '--team', 'search', '--json', '--fields', 'month,kind,actual_or_to_date'], { env: at });
    expect(search.code).toBe(0);
    expect(november(search.stdout)).toBe(total('search'));
    // The summary names the pool the console reports, never an allocation it did not send.
    const table = await runKt(['forecast'], { env: at });
    expect(table.stdout).toContain('Organisation: every team (all events)');
    expect(table.stdout).toContain('Allocated in total (cumulative): $50,000.00; balance $41,250.50');
    expect(table.stdout).not.toContain('Allocated this period');
  });

  it('kt auth whoami shows user, organization, role and scope', async () => {
    const r = await runKt(['auth', 'whoami'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('user:          ada@acme.example');
    expect(r.stdout).toContain('organization:  Acme');
    expect(r.stdout).toContain('role:          billing_admin');
    expect(r.stdout).toContain('scope:         org:billing, events:read');
    const json = JSON.parse((await runKt(['auth', 'whoami', '--json'], { env })).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ user: 'ada@acme.example', organization: 'Acme', role: 'billing_admin', scope: ['org:billing', 'events:read'] });
  });

  it('a 402 with a string error is exit 5; an unknown team is exit 1 with the one message', async () => {
    const credit = await runKt(['wallets', 'credit', '--team', 'search', '--amount', '5', '--yes'], { env });
    expect(credit.code).toBe(5);
    expect(credit.stderr).toContain('insufficient balance');
    const balance = await runKt(['wallets', 'balance', '--team', 'serch'], { env });
    expect(balance.code).toBe(1);
    expect(balance.stderr).toBe('error: unknown team "serch": the control plane has no wallet for it; did you mean "search"?\nhint: run `kt wallets list` to see every team\n');
    expect(balance.stderr).not.toContain('bug');
  });
});

describe('kt against a transactions endpoint that ignores the window', () => {
  it('keeps the rows inside the window when one page runs past its start (the whole history, newest first)', async () => {
    const server = await startProductServer({ events: [], ignoreTransactionWindow: true });
    try {
      const env = productEnv(server, NOW);
      const r = await runKt(['wallets', 'transactions', '--team', 'search', '--since', '2026-11-01', '--format', 'csv', '--fields', 'id,type,amount,created_at'], { env });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      // txn_0 (October) came back too and is filtered out on kt's side.
      expect(r.stdout).toBe('id,type,amount,created_at\r\ntxn_2,settle,-0.001615,2026-11-20T10:00:01Z\r\ntxn_1,allocate,10000.00,2026-11-01T00:00:00Z\r\n');
      // One page held the whole window: no second request.
      expect(server.requests.filter((line) => line.includes('/v1/wallets/wal_search/transactions'))).toHaveLength(1);
      const late = await runKt(['wallets', 'transactions', '--team', 'search', '--since', '2026-11-02', '--format', 'csv', '--fields', 'id'], { env });
      expect(late.code).toBe(0);
      expect(late.stdout).toBe('id\r\ntxn_2\r\n');
    } finally {
      await server.close();
    }
  });

  it('still stops, saying why, when the page does not reach the start of the window', async () => {
    const server = await startProductServer({ events: [], ignoreTransactionWindow: true });
    try {
      // Every row is inside the window, so kt cannot prove there are no older
      // ones: the second request (until the oldest row) comes back unchanged.
      const r = await runKt(['wallets', 'transactions', '--team', 'search', '--since', '2026-09-01', '--format', 'csv', '--fields', 'id'], { env: productEnv(server, NOW) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('GET /v1/wallets/wal_search/transactions ignores the requested window and gives no cursor');
      expect(r.stderr).toContain('stopped after 3 rows');
    } finally {
      await server.close();
    }
  });
});

describe('kt against a server it cannot page completely', () => {
  it('stops with exit 1 and says how far it got when the server ignores the window', async () => {
    const server = await startProductServer({ events: EVENTS, maxLimit: 500, ignoreWindow: true });
    try {
      const r = await runKt(['events', 'list', '--since', '2026-11-30T00:00:00Z', '--format', 'csv'], { env: productEnv(server, NOW) });
      expect(r.code).toBe(1);
      // The first page (the newest 500) was inside the window; the second
      // request, until the oldest of them, came back with the same rows.
      expect(r.stderr).toMatch(/GET \/v1\/events ignores the requested window and gives no cursor: it returned an event at 2026-11-30T\S+Z again, and kt cannot tell whether events older than 2026-11-30T\S+Z exist; stopped after 500 rows/);
      expect(r.stderr).toContain('--debug');
    } finally {
      await server.close();
    }
  });

  it('reports a full page of events at one instant instead of dropping some', async () => {
    const same = Array.from({ length: 30 }, (_, i): ProductEvent => ({
      id: `evt_same_${i}`,
      timestamp: '2026-11-30T12:00:00Z',
      event_type: 'decision',
      verdict: 'allow',
      reason_code: 'all_policies_passed',
      provider: 'openai',
      model: 'gpt-4o',
      config_version: '0.2.0',
      costText: '0.01',
    }));
    const server = await startProductServer({ events: same, maxLimit: 10 });
    try {
      const r = await runKt(['events', 'list', '--since', '2026-11-30T00:00:00Z', '--format', 'csv'], { env: productEnv(server, NOW) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('returned a full page of 10 events already written, all at 2026-11-30T12:00:00.000Z');
      expect(r.stderr).toContain('stopped after 10 rows');
    } finally {
      await server.close();
    }
  });

  it('sums 1,000 events of $20,000.000000123 to exactly $20,000,000.000123', async () => {
    const big = Array.from({ length: 1000 }, (_, i): ProductEvent => ({
      id: `evt_big_${i}`,
      timestamp: new Date(Date.parse('2026-11-30T00:00:00Z') + i * 1000).toISOString(),
      event_type: 'decision',
      verdict: 'allow',
      reason_code: 'all_policies_passed',
      provider: 'openai',
      model: 'gpt-4o',
      config_version: '0.2.0',
      costText: '20000.000000123',
    }));
    const server = await startProductServer({ events: big });
    try {
      const env = productEnv(server, NOW);
      const csv = await runKt(['events', 'list', '--since', '2026-11-30', '--format', 'csv', '--fields', 'cost', '--no-header'], { env });
      expect(csv.code).toBe(0);
      expect(csvRows(csv.stdout).reduce((sum, [c]) => sum + parseAmount(c as string), 0n)).toBe(20_000_000_000_123_000n);
      const agg = await runKt(['events', 'list', '--since', '2026-11-30', '--aggregate', 'monthly', '--format', 'csv', '--fields', 'cost,requests', '--no-header'], { env });
      expect(agg.code).toBe(0);
      expect(agg.stdout).toBe('20000000.000123,1000\r\n');
    } finally {
      await server.close();
    }
  });
});

describe('kt events tail --follow', () => {
  it('prints new events as they arrive and exits 130 on Ctrl-C', async () => {
    const server = await startProductServer({ events: EVENTS.slice(0, 20) });
    const child = spawn(process.execPath, [KT_BIN, 'events', 'tail', '--follow', '--interval', '1s', '--since', '2026-11-29', '--limit', '3'], {
      env: ktEnv(productEnv(server, NOW)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const waiters: Array<() => void> = [];
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      waiters.splice(0).forEach((w) => w());
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    const until = async (pattern: RegExp): Promise<void> => {
      while (!pattern.test(out)) await new Promise<void>((resolve) => waiters.push(resolve));
    };
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await until(/evt_00019/);
      expect(out.trimEnd().split('\n')).toHaveLength(4); // the header and the last three
      server.addEvent({ id: 'evt_new', timestamp: '2026-11-30T23:00:00Z', event_type: 'decision', verdict: 'block', reason_code: 'pii_detected', provider: 'openai', model: 'gpt-4o', config_version: '0.2.0', costText: '0' });
      await until(/evt_new/);
      expect(out.trimEnd().split('\n').at(-1)).toMatch(/^2026-11-30T23:00:00Z\s+evt_new\s+block\s+pii_detected$/);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(err).toContain('following new events every 1s');
      // Each event once, however many polls ran.
      expect(out.match(/evt_new/g)).toHaveLength(1);
    } finally {
      child.kill('SIGKILL');
      await server.close();
    }
  });

  it('refuses --interval without --follow, and a bad interval, with exit 2', async () => {
    const server = await startProductServer({ events: [] });
    try {
      const env = productEnv(server, NOW);
      const a = await runKt(['events', 'tail', '--interval', '5s'], { env });
      expect(a.code).toBe(2);
      expect(a.stderr).toContain('--interval needs --follow');
      const b = await runKt(['events', 'tail', '--follow', '--interval', 'soon'], { env });
      expect(b.code).toBe(2);
      expect(b.stderr).toContain('invalid --interval "soon": use seconds or a duration between 1s and 1h');
      const c = await runKt(['events', 'tail', '--verdict', 'maybe'], { env });
      expect(c.code).toBe(2);
      expect(c.stderr).toContain('invalid --verdict "maybe": unknown verdict "maybe"; use allow, block, redact, escalate');
      const d = await runKt(['events', 'export', '--format', 'table'], { env });
      expect(d.code).toBe(2);
      expect(d.stderr).toContain('--format');
    } finally {
      await server.close();
    }
  });
});
