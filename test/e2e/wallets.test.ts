/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, no-control-regex -- kt's JSON output is untyped here; the terminal tests look for ANSI codes */
// kt wallets against a real emulator: every command in every format, on and
// off a terminal, the product document's hierarchy rebuilt from nothing, a
// retried allocate applied once, and the ledger adding up to the balance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { parse as parseCsv } from 'csv-parse/sync';
import { runKt, type KtResult } from '../helpers/run-kt.js';
import { startEmulator, type Emulator } from '../helpers/emulator.js';
import { run } from '../../src/cli/main.js';

/** The fixed instant the emulator and kt stand at: the tests read the same on any day. */
const NOW = '2026-11-28T15:00:00Z';
import { formatMoney, moneyFromJson } from '../../src/domain/money.js';

type Json = Record<string, any>;

function kt(em: Emulator, args: string[], input?: string): Promise<KtResult> {
  return runKt(args, { env: em.env, ...(input === undefined ? {} : { input }) });
}

function json(r: KtResult): any {
  expect(r.stderr).not.toContain('error:');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

/** In-process run with a pretend terminal: stdout, stderr and stdin are TTYs with colour. */
async function onTerminal(em: Emulator, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  if (input !== undefined) stdin.end(input);
  const code = await run(args, {
    env: { ...em.env, PATH: process.env.PATH, TERM: 'xterm' },
    io: { stdout, stderr, stdin, isStdoutTTY: true, isStderrTTY: true, isStdinTTY: true, colorStdout: true, colorStderr: true, canPrompt: true },
    signal: new AbortController().signal,
  });
  if (input === undefined) stdin.end();
  return { code, stdout: out, stderr: withoutSpinner(err) };
}

// On a slow machine a wait passes the spinner's delay and ora draws a frame;
// a PassThrough is no TTY, so ora cannot erase it. The frames are decoration
// (the pty tests check them); what else reaches stderr is what matters here.
const SPINNER_FRAME = /(?:\u001b\[[0-9;?]*[A-Za-z])*[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏](?:\u001b\[[0-9;?]*[A-Za-z])* [^\n⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏\u001b]*(?:\u001b\[[0-9;?]*[A-Za-z])*\n?/g;
function withoutSpinner(text: string): string {
  return text.replace(SPINNER_FRAME, '');
}

async function gateway(em: Emulator, path: string, body: unknown): Promise<Json> {
  const response = await fetch(`${em.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${em.gatewayToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as Json;
}

async function spend(em: Emulator, team: string, cost: number): Promise<void> {
  const held = await gateway(em, '/v1/gateway/wallets/reserve', { team_id: team, estimated_cost: cost, request_id: `req-${team}-${cost}` });
  await gateway(em, '/v1/gateway/wallets/settle', {
    reservation_id: held.reservation_id,
    actual_cost: cost,
    provider: 'openai',
    model: 'gpt-4o',
    input_tokens: 1000,
    output_tokens: 100,
    cached: false,
  });
}

const WALLET_FIELDS = [
  'team',
  'name',
  'scope',
  'user',
  'parent',
  'currency',
  'period',
  'allocated',
  'spent',
  'total_allocated',
  'total_spent',
  'reserved',
  'available',
  'soft_cap',
  'hard_cap',
  'status',
  'utilization',
  'utilization_basis',
  'period_start',
  'period_end',
];

// The product document's hierarchy, as a finance admin would type it.
const HIERARCHY: Array<[team: string, amount: string, parent: string | undefined, name: string]> = [
  ['org', '50000', undefined, 'Organization Wallet'],
  ['engineering', '25000', undefined, 'Engineering'],
  ['search', '10000', 'engineering', 'Search Team'],
  ['platform', '8000', 'engineering', 'Platform Team'],
  ['ml', '7000', 'engineering', 'ML Team'],
  ['product', '15000', undefined, 'Product'],
  ['customer-support', '8000', 'product', 'Customer Support'],
  ['analytics', '7000', 'product', 'Analytics'],
  ['operations', '10000', undefined, 'Operations'],
  ['devops', '5000', 'operations', 'DevOps'],
  ['security', '5000', 'operations', 'Security'],
];

describe('kt wallets on the demo seed', () => {
  let em: Emulator;
  beforeAll(async () => {
    em = await startEmulator(['--seed', 'demo', '--seed-events', '2000'], { now: NOW });
  });
  afterAll(async () => {
    await em.stop();
  });

  it('balance --team: the wallet and its parent chain in json, ndjson, csv and a plain table', async () => {
    const rows = json(await kt(em, ['wallets', 'balance', '--team', 'search', '--json']));
    expect(rows.map((r: Json) => r.team)).toEqual(['search', 'engineering', 'org']);
    expect(Object.keys(rows[0])).toEqual(WALLET_FIELDS);
    const search = rows[0];
    expect(search.allocated).toBe(10000);
    expect(search.parent).toBe('engineering');
    expect(search.soft_cap).toBe(8000);
    expect(search.hard_cap).toBe(10000);
    // available = allocated − spent − reserved, exactly
    expect(moneyFromJson(search.available)).toBe(moneyFromJson(search.allocated) - moneyFromJson(search.spent) - moneyFromJson(search.reserved));
    // ratios are rounded to 6 decimals in every machine format
    expect(search.utilization).toBe(Number(((search.spent + search.reserved) / search.allocated).toFixed(6)));

    const nd = await kt(em, ['wallets', 'balance', '--team', 'search', '--format', 'ndjson']);
    expect(nd.code).toBe(0);
    expect(nd.stdout.trim().split('\n').map((l) => JSON.parse(l).team)).toEqual(['search', 'engineering', 'org']);

    const csv = await kt(em, ['wallets', 'balance', '--team', 'search', '--format', 'csv']);
    expect(csv.code).toBe(0);
    const records = parseCsv<Json>(csv.stdout, { columns: true });
    expect(Object.keys(records[0]!)).toEqual(WALLET_FIELDS);
    expect(records.map((r) => r.team)).toEqual(['search', 'engineering', 'org']);
    expect(records[0]!.allocated).toBe('10000.00');
    expect(moneyFromJson(records[0]!.available)).toBe(moneyFromJson(search.available));

    const table = await kt(em, ['wallets', 'balance', '--team', 'search']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    // Only the columns some wallet fills: kt's contract has no cumulative totals and no users.
    expect(lines[0]).toMatch(/^TEAM\s+SCOPE\s+PARENT\s+PERIOD\s+ALLOCATED\s+SPENT\s+RESERVED\s+AVAILABLE\s+HARD CAP\s+STATUS\s+USED$/);
    expect(lines[1]).toMatch(/^search\s+team\s+engineering\s+monthly\s+\$10,000\.00\s/);
    expect(lines[3]).toMatch(/^org\s+organization\s+—\s+monthly\s+\$50,000\.00\s/);
    // utilization is a share of the budget, not a change: no sign
    const used = ((search.spent + search.reserved) / search.allocated) * 100;
    expect(lines[1]).toMatch(new RegExp(`\\s${used.toFixed(1).replace('.', '\\.')}%$`));
    expect(lines.slice(1).join('\n')).not.toMatch(/\+\d+(\.\d)?%/);
    expect(lines).toHaveLength(4);
    // off a terminal: no bars, no colour, no box
    expect(table.stdout).not.toMatch(/[█░│┌]|\u001b\[/);
  });

  it('balance without --team lists every wallet depth-first; list is the same flat view', async () => {
    const all = json(await kt(em, ['wallets', 'balance', '--json']));
    expect(all.map((r: Json) => r.team)).toEqual([
      'org',
      'engineering',
      'ml',
      'platform',
      'search',
      'operations',
      'devops',
      'security',
      'product',
      'analytics',
      'customer-support',
    ]);
    const list = json(await kt(em, ['wallets', 'list', '--json']));
    expect(list).toEqual(all);
    const csv = await kt(em, ['wallets', 'list', '--format', 'csv', '--fields', 'team,allocated,unallocated']);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\r\n').slice(0, 3)).toEqual(['team,allocated,unallocated', 'org,50000.00,0.00', 'engineering,25000.00,0.00']);
    const nd = await kt(em, ['wallets', 'list', '--format', 'ndjson', '--fields', 'team,status']);
    expect(nd.stdout.trim().split('\n')).toHaveLength(11);
    expect(JSON.parse(nd.stdout.split('\n')[0]!)).toEqual({ team: 'org', status: expect.stringMatching(/^(healthy|low|depleted|blocked)$/) });
    const table = await kt(em, ['wallets', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout.trimEnd().split('\n')).toHaveLength(12);
  });

  it('balance --tree off a terminal draws the hierarchy without colour', async () => {
    const r = await kt(em, ['wallets', 'balance', '--tree']);
    expect(r.code).toBe(0);
    const labels = r.stdout.trimEnd().split('\n').map((l) => l.split('  spent')[0]!.trimEnd());
    expect(labels).toEqual([
      'Organization ($50,000/month)',
      '├── Engineering ($25,000)',
      '│   ├── ML ($7,000)',
      '│   ├── Platform ($8,000)',
      '│   └── Search ($10,000)',
      '├── Operations ($10,000)',
      '│   ├── DevOps ($5,000)',
      '│   └── Security ($5,000)',
      '└── Product ($15,000)',
      '    ├── Analytics ($7,000)',
      '    └── Customer Support ($8,000)',
    ]);
    expect(r.stdout).not.toContain('\u001b[');
    const chain = await kt(em, ['wallets', 'balance', '--team', 'search', '--tree']);
    expect(chain.stdout.trimEnd().split('\n').map((l) => l.split('  spent')[0]!.trimEnd())).toEqual([
      'Organization ($50,000/month)',
      '└── Engineering ($25,000)',
      '    └── Search ($10,000)',
    ]);
  });

  it('on a terminal: box table with coloured utilization bars, a coloured tree, boxed lists and ledgers', async () => {
    const balance = await onTerminal(em, ['wallets', 'balance']);
    expect(balance.stderr).toBe('');
    expect(balance.code).toBe(0);
    expect(balance.stdout).toContain('┌');
    const bars = balance.stdout.split('\n').filter((l) => l.includes('░') || /█\u001b/.test(l));
    expect(bars.length).toBe(11);
    expect(balance.stdout).toMatch(/\u001b\[3[123]m[█░]+\u001b\[39m/);

    const tree = await onTerminal(em, ['wallets', 'balance', '--tree']);
    expect(tree.code).toBe(0);
    expect(tree.stdout).toContain('├── Engineering ($25,000)');
    expect(tree.stdout).toMatch(/\u001b\[3[123]m/);

    const list = await onTerminal(em, ['wallets', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('┌');
    expect(list.stdout).not.toContain('░');

    const txns = await onTerminal(em, ['wallets', 'transactions', '--team', 'search', '--type', 'allocate']);
    expect(txns.code).toBe(0);
    expect(txns.stdout).toContain('┌');
    expect(txns.stdout).toMatch(/allocate/);

    for (const format of ['csv', 'json', 'ndjson']) {
      const machine = await onTerminal(em, ['wallets', 'balance', '--team', 'search', '--format', format]);
      expect(machine.code).toBe(0);
      expect(machine.stdout).not.toMatch(/\u001b\[|█/);
    }
  });

  it('transactions: every format, exact amounts, running balance, --type filter', async () => {
    const rows = json(await kt(em, ['wallets', 'transactions', '--team', 'search', '--since', '120d', '--json']));
    expect(rows.length).toBeGreaterThan(10);
    expect(Object.keys(rows[0])).toEqual(['id', 'created_at', 'team', 'type', 'amount', 'balance_after', 'reservation_id', 'event_id']);
    for (let i = 1; i < rows.length; i += 1) {
      const prev = rows[i - 1];
      const row = rows[i];
      expect(row.created_at >= prev.created_at).toBe(true);
      // A period rollover resets the balance with an allocate row; otherwise balance_after runs.
      if (!(row.type === 'allocate' && row.created_at.slice(0, 7) !== prev.created_at.slice(0, 7))) {
        expect(moneyFromJson(row.balance_after)).toBe(moneyFromJson(prev.balance_after) + moneyFromJson(row.amount));
      }
    }
    const settles = json(await kt(em, ['wallets', 'transactions', '--team', 'search', '--since', '120d', '--type', 'settle,reserve', '--json']));
    expect(settles.length).toBeGreaterThan(0);
    // Seeded history is settled spend; only live gateway traffic leaves reserve rows.
    const types = new Set(settles.map((r: Json) => r.type));
    expect(types.has('settle')).toBe(true);
    for (const type of types) expect(['settle', 'reserve']).toContain(type);

    const csv = await kt(em, ['wallets', 'transactions', '--team', 'search', '--since', '120d', '--format', 'csv']);
    expect(csv.code).toBe(0);
    const records = parseCsv<Json>(csv.stdout, { columns: true });
    expect(records).toHaveLength(rows.length);
    expect(records.map((r) => moneyFromJson(r.amount))).toEqual(rows.map((r: Json) => moneyFromJson(r.amount)));

    const nd = await kt(em, ['wallets', 'transactions', '--team', 'search', '--since', '120d', '--format', 'ndjson']);
    expect(nd.stdout.trim().split('\n')).toHaveLength(rows.length);

    const table = await kt(em, ['wallets', 'transactions', '--team', 'search', '--since', '120d', '--type', 'allocate']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^TIME\s+TYPE\s+AMOUNT\s+BALANCE\s+RESERVATION\s+EVENT$/);
    expect(table.stdout).toMatch(/allocate\s+\$10,000\.00\s+\$10,000\.00/);
  });

  it('for every wallet, the available balance is the sum of its transactions since period_start, to the nano-unit', async () => {
    const wallets = json(await kt(em, ['wallets', 'list', '--json']));
    expect(wallets).toHaveLength(11);
    for (const w of wallets) {
      const rows = json(await kt(em, ['wallets', 'transactions', '--team', w.team, '--since', w.period_start, '--json']));
      const sum = rows.reduce((acc: bigint, r: Json) => acc + moneyFromJson(r.amount), 0n);
      expect({ team: w.team, nanos: sum }).toEqual({ team: w.team, nanos: moneyFromJson(w.available) });
      expect(rows.length).toBeGreaterThan(0);
    }
  });

  it('--tree with a machine format or --fields is a usage error (exit 2)', async () => {
    const r = await kt(em, ['wallets', 'balance', '--tree', '--format', 'csv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--tree draws the hierarchy for people and works with the table format only, not --format csv');
    expect(r.stdout).toBe('');
    const f = await kt(em, ['wallets', 'balance', '--tree', '--fields', 'team']);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain('--fields does not apply to --tree');
  });

  it('an unknown team is exit 1 with a hint to kt wallets list', async () => {
    for (const args of [
      ['wallets', 'balance', '--team', 'nope'],
      ['wallets', 'transactions', '--team', 'nope'],
      ['wallets', 'credit', '--team', 'nope', '--amount', '5', '--yes'],
      ['wallets', 'reclaim', '--team', 'nope', '--all', '--yes'],
    ]) {
      const r = await kt(em, args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain('unknown team "nope"');
      expect(r.stderr).toContain('hint: run `kt wallets list` to see every team');
      expect(r.stdout).toBe('');
    }
  });

  it('an unknown --type or --field lists the valid values (exit 2)', async () => {
    const t = await kt(em, ['wallets', 'transactions', '--team', 'search', '--type', 'settle,spend']);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain('invalid --type "settle,spend": unknown type "spend"; valid types: credit, allocate, reclaim, reserve, settle, release, expire');
    const f = await kt(em, ['wallets', 'balance', '--fields', 'team,avail']);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain('unknown field "avail"');
    const s = await kt(em, ['wallets', 'transactions', '--team', 'search', '--since', 'last week']);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain('invalid --since');
  });
});

describe('kt wallets allocate, credit and reclaim', () => {
  let em: Emulator;
  beforeAll(async () => {
    em = await startEmulator([], { now: NOW });
  });
  afterAll(async () => {
    await em.stop();
  });

  it("rebuilds the product document's hierarchy from an empty emulator with allocate alone", async () => {
    for (const [team, amount, parent, name] of HIERARCHY) {
      const args = ['wallets', 'allocate', '--team', team, '--amount', amount, '--name', name, '--yes'];
      if (parent !== undefined) args.push('--parent', parent);
      const r = await kt(em, args);
      // The emulator always has the organization wallet (unfunded until allocated).
      expect(r.stderr, team).toContain(team === 'org' ? 'allocated: org $0.00 → $50,000.00' : `allocated: ${team} new wallet → $`);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^TEAM`));
    }
    const tree = await kt(em, ['wallets', 'balance', '--tree']);
    expect(tree.code).toBe(0);
    const lines = tree.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split('  spent')[0]!.trimEnd())).toEqual([
      'Organization Wallet ($50,000/month)',
      '├── Engineering ($25,000)',
      '│   ├── ML Team ($7,000)',
      '│   ├── Platform Team ($8,000)',
      '│   └── Search Team ($10,000)',
      '├── Operations ($10,000)',
      '│   ├── DevOps ($5,000)',
      '│   └── Security ($5,000)',
      '└── Product ($15,000)',
      '    ├── Analytics ($7,000)',
      '    └── Customer Support ($8,000)',
    ]);
    expect(lines[4]).toMatch(/spent \$0\.00\s+available \$10,000\.00\s+░+\s+0\.0%$/);
    // Declarative: the same allocation again changes nothing.
    const again = await kt(em, ['wallets', 'allocate', '--team', 'search', '--amount', '10000', '--yes']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('search: allocation $10,000.00 → $10,000.00 per month (unchanged)');
    expect(again.stderr).toContain('no change: search is already allocated $10,000.00 per month');
    const allocs = json(await kt(em, ['wallets', 'transactions', '--team', 'search', '--type', 'allocate', '--json']));
    expect(allocs).toHaveLength(1);
  });

  it('shows the allocation before → after and changes it', async () => {
    const r = await kt(em, ['wallets', 'allocate', '--team', 'ml', '--amount', '6000', '--yes', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('ml: allocation $7,000.00 → $6,000.00 per month');
    expect(r.stderr).toMatch(/allocated: ml \$7,000\.00 → \$6,000\.00 per month · available \$6,000\.00 · transaction \S+/);
    const [wallet] = JSON.parse(r.stdout);
    expect(wallet).toMatchObject({ team: 'ml', allocated: 6000, available: 6000, parent: 'engineering' });
    const txns = json(await kt(em, ['wallets', 'transactions', '--team', 'ml', '--type', 'allocate', '--json']));
    expect(txns.map((t: Json) => t.amount)).toEqual([7000, -1000]);
  });

  it('refuses more than the parent has unallocated: exit 5 with the numbers', async () => {
    const r = await kt(em, ['wallets', 'allocate', '--team', 'newteam', '--amount', '2500.5', '--parent', 'engineering', '--yes']);
    expect(r.code).toBe(5);
    // Known before asking: refused with the ledger's words, and nothing sent.
    expect(r.stderr).toContain('error: refused: requested $2,500.50 but engineering has only $1,000.00 unallocated (nothing was sent)');
    expect(r.stderr).toContain(
      'hint: raise the allocation of engineering first (kt wallets allocate --team engineering --amount N), or reclaim unused funds from another team under engineering (kt wallets reclaim --team ml --amount N)',
    );
    expect(r.stdout).toBe('');
    const missing = await kt(em, ['wallets', 'balance', '--team', 'newteam']);
    expect(missing.code).toBe(1);
  });

  it('refuses a currency that differs from the wallet (exit 5)', async () => {
    const r = await kt(em, ['wallets', 'allocate', '--team', 'search', '--amount', '10000', '--currency', 'EUR', '--yes']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('error: refused: the wallet of search is in USD, not EUR (nothing was sent)');
    expect(r.stderr).toContain('hint: drop --currency, or pass --currency USD');
  });

  it('--dry-run prints the request and sends nothing', async () => {
    const before = json(await kt(em, ['wallets', 'transactions', '--team', 'org', '--json']));
    const r = await kt(em, ['wallets', 'allocate', '--team', 'org', '--amount', '60000', '--dry-run', '--idempotency-key', 'dry-1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'POST /v1/wallets/allocate\nIdempotency-Key: dry-1\n{\n  "team_id": "org",\n  "amount": 60000,\n  "currency": "USD",\n  "period": "monthly"\n}\n',
    );
    expect(r.stderr).toContain('dry run: nothing was sent');
    for (const args of [
      ['wallets', 'credit', '--team', 'search', '--amount', '0.5', '--dry-run'],
      ['wallets', 'reclaim', '--team', 'search', '--all', '--dry-run'],
    ]) {
      const d = await kt(em, args);
      expect(d.code).toBe(0);
      expect(d.stdout).toMatch(/^POST \/v1\/wallets\/(credit|reclaim)\n\{/);
    }
    const after = json(await kt(em, ['wallets', 'transactions', '--team', 'org', '--json']));
    expect(after).toEqual(before);
    const search = json(await kt(em, ['wallets', 'balance', '--team', 'search', '--json']))[0];
    expect(search.allocated).toBe(10000);
  });

  it('credit and reclaim move funds for the current period, in every format', async () => {
    const credit = await kt(em, ['wallets', 'credit', '--team', 'search', '--amount', '500.25', '--yes', '--format', 'csv', '--fields', 'team,allocated,available']);
    expect(credit.code).toBe(0);
    expect(credit.stderr).toContain('search: allocated this period $10,000.00 → $10,500.25');
    expect(credit.stdout).toBe('team,allocated,available\r\nsearch,10500.25,10500.25\r\n');

    const part = await kt(em, ['wallets', 'reclaim', '--team', 'search', '--amount', '0.25', '--yes', '--format', 'ndjson', '--fields', 'team,available']);
    expect(part.code).toBe(0);
    expect(part.stdout).toBe('{"team":"search","available":10500.00}\n');
    expect(part.stderr).toContain('reclaimed: $0.25 from search');

    const all = await kt(em, ['wallets', 'reclaim', '--team', 'search', '--all', '--yes']);
    expect(all.code).toBe(0);
    expect(all.stderr).toContain('search: available $10,500.00 → $0.00, returned to engineering');
    expect(all.stdout).toMatch(/^search\s+team\s+engineering\s+monthly\s+\$0\.00/m);

    const nothing = await kt(em, ['wallets', 'reclaim', '--team', 'search', '--amount', '1', '--yes']);
    expect(nothing.code).toBe(5);
    expect(nothing.stderr).toContain('error: refused: cannot reclaim $1.00 from search: only $0.00 is unused this period (nothing was sent)');
    expect(nothing.stderr).toContain('hint: kt wallets balance --team search shows what is spent, reserved and available');

    const types = json(await kt(em, ['wallets', 'transactions', '--team', 'search', '--type', 'credit,reclaim', '--json']));
    expect(types.map((t: Json) => [t.type, t.amount])).toEqual([
      ['credit', 500.25],
      ['reclaim', -0.25],
      ['reclaim', -10500],
    ]);
    // restore for the tests after this one
    expect((await kt(em, ['wallets', 'credit', '--team', 'search', '--amount', '10000', '--yes'])).code).toBe(0);
  });

  it('one --idempotency-key applies once however often the command is repeated', async () => {
    const first = await kt(em, ['wallets', 'credit', '--team', 'platform', '--amount', '100', '--idempotency-key', 'pay-42', '--yes', '--json']);
    const second = await kt(em, ['wallets', 'credit', '--team', 'platform', '--amount', '100', '--idempotency-key', 'pay-42', '--yes', '--json']);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    const credits = json(await kt(em, ['wallets', 'transactions', '--team', 'platform', '--type', 'credit', '--json']));
    expect(credits).toHaveLength(1);
    const conflict = await kt(em, ['wallets', 'credit', '--team', 'platform', '--amount', '200', '--idempotency-key', 'pay-42', '--yes']);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('idempotency key "pay-42" was already used for a different request');
  });

  it('asks on a terminal: y applies, anything else changes nothing', async () => {
    const no = await onTerminal(em, ['wallets', 'allocate', '--team', 'security', '--amount', '4000'], 'n\n');
    // 130, the code kt help exit-codes lists for a cancelled prompt; said plainly, not as an error
    expect(no.code).toBe(130);
    expect(no.stderr).not.toContain('error:');
    expect(no.stderr).toContain('security: allocation $5,000.00 → $4,000.00 per month');
    expect(no.stderr).toContain('Allocate $4,000.00 to security (monthly)? [y/N] ');
    expect(no.stderr).toContain('cancelled: nothing was sent, the ledger is unchanged');
    expect(json(await kt(em, ['wallets', 'balance', '--team', 'security', '--json']))[0].allocated).toBe(5000);

    const yes = await onTerminal(em, ['wallets', 'allocate', '--team', 'security', '--amount', '4000'], 'y\n');
    expect(yes.code).toBe(0);
    expect(yes.stderr).toContain('Allocate $4,000.00 to security (monthly)? [y/N] ');
    expect(yes.stdout).toContain('┌');
    expect(json(await kt(em, ['wallets', 'balance', '--team', 'security', '--json']))[0].allocated).toBe(4000);

    const credit = await onTerminal(em, ['wallets', 'credit', '--team', 'security', '--amount', '1'], 'yes\n');
    expect(credit.code).toBe(0);
    expect(credit.stderr).toContain('Credit $1.00 to security for the current period? [y/N] ');
    const reclaim = await onTerminal(em, ['wallets', 'reclaim', '--team', 'security', '--amount', '1'], 'y\n');
    expect(reclaim.code).toBe(0);
    expect(reclaim.stderr).toContain('Reclaim $1.00 from security to operations? [y/N] ');
  });

  it('without a terminal, every mutation needs --yes (exit 2) and sends nothing', async () => {
    for (const args of [
      ['wallets', 'allocate', '--team', 'devops', '--amount', '1'],
      ['wallets', 'credit', '--team', 'devops', '--amount', '1'],
      ['wallets', 'reclaim', '--team', 'devops', '--all'],
    ]) {
      const r = await kt(em, args, 'y\n');
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('error: refusing to change the ledger without confirmation: pass --yes');
      expect(r.stdout).toBe('');
    }
    expect(json(await kt(em, ['wallets', 'balance', '--team', 'devops', '--json']))[0].allocated).toBe(5000);
  });

  it.each([
    ['0', 'invalid --amount "0": must be greater than zero'],
    ['-5', 'invalid --amount "-5": negative; use a plain decimal such as 2500 or 12.75'],
    ['ten', 'invalid --amount "ten": not a number; use a plain decimal'],
    ['1.1234567891', 'invalid --amount "1.1234567891": more than 9 decimals'],
    ['$10', 'invalid --amount "$10": has a currency symbol; use a plain decimal'],
    ['10,000', 'invalid --amount "10,000": has thousands separators; use a plain decimal'],
  ])('refuses --amount %s with exit 2 naming the accepted form', async (amount, message) => {
    for (const verb of ['allocate', 'credit', 'reclaim']) {
      const r = await kt(em, ['wallets', verb, '--team', 'search', '--amount', amount, '--yes']);
      expect(r.code, verb).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe('');
    }
  });

  it('refuses a bad --currency, --period, missing flags and --amount with --all (exit 2)', async () => {
    const currency = await kt(em, ['wallets', 'allocate', '--team', 'search', '--amount', '1', '--currency', 'XBT', '--yes']);
    expect(currency.code).toBe(2);
    expect(currency.stderr).toContain('invalid --currency "XBT": use one of USD, EUR, GBP, JPY, CAD, AUD, CHF, INR');
    const period = await kt(em, ['wallets', 'allocate', '--team', 'search', '--amount', '1', '--period', 'weekly', '--yes']);
    expect(period.code).toBe(2);
    expect(period.stderr).toContain("argument 'weekly' is invalid. Allowed choices are monthly, quarterly, yearly.");
    const noTeam = await kt(em, ['wallets', 'allocate', '--amount', '1', '--yes']);
    expect(noTeam.code).toBe(2);
    expect(noTeam.stderr).toContain("required option '--team <team>' not specified");
    const neither = await kt(em, ['wallets', 'reclaim', '--team', 'search', '--yes']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('kt wallets reclaim needs --amount N or --all');
    const both = await kt(em, ['wallets', 'reclaim', '--team', 'search', '--amount', '1', '--all', '--yes']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("cannot be used with option '--all'");
  });

  it('colours the bars by level on a terminal: green, yellow past the soft cap, red at the hard cap', async () => {
    await kt(em, ['wallets', 'allocate', '--team', 'ops-green', '--amount', '100', '--parent', 'operations', '--name', 'Ops Green', '--yes']);
    await kt(em, ['wallets', 'allocate', '--team', 'ops-soft', '--amount', '100', '--parent', 'operations', '--name', 'Ops Soft', '--soft-cap', '50', '--hard-cap', '100', '--yes']);
    await kt(em, ['wallets', 'allocate', '--team', 'ops-hard', '--amount', '100', '--parent', 'operations', '--name', 'Ops Hard', '--soft-cap', '50', '--hard-cap', '60', '--yes']);
    await spend(em, 'ops-green', 10);
    await spend(em, 'ops-soft', 70);
    await spend(em, 'ops-hard', 60);
    const r = await onTerminal(em, ['wallets', 'balance', '--tree']);
    expect(r.code).toBe(0);
    const line = (team: string): string => r.stdout.split('\n').find((l) => l.includes(team)) ?? '';
    expect(line('Ops Green')).toContain('\u001b[32m');
    expect(line('Ops Soft')).toContain('\u001b[33m');
    expect(line('Ops Hard')).toContain('\u001b[31m');
    expect(line('Ops Soft')).toMatch(/70\.0%/);
  });
});

describe('kt wallets allocate with an injected 503 after the commit', () => {
  let em: Emulator;
  beforeAll(async () => {
    em = await startEmulator(['--faults', '503 path=/v1/wallets/allocate count=1 commit'], { now: NOW });
  });
  afterAll(async () => {
    await em.stop();
  });

  it('retries with the same idempotency key and applies once', async () => {
    const r = await kt(em, ['wallets', 'allocate', '--team', 'org', '--amount', '50000', '--yes', '--json']);
    expect(r.stderr).not.toContain('error:');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ team: 'org', allocated: 50000, available: 50000 });
    const txns = json(await kt(em, ['wallets', 'transactions', '--team', 'org', '--type', 'allocate', '--json']));
    expect(txns).toHaveLength(1);
    expect(txns[0]).toMatchObject({ type: 'allocate', amount: 50000, balance_after: 50000 });
    const all = json(await kt(em, ['wallets', 'transactions', '--team', 'org', '--json']));
    expect(all).toHaveLength(1);
  });
});

describe('kt wallets allocate says everything before asking', () => {
  // The demo: engineering's 25,000 is all carved out (search 10,000 with caps 8,000/10,000, platform 8,000, ml 7,000).
  let em: Emulator;
  beforeAll(async () => {
    em = await startEmulator(['--seed', 'demo', '--seed-events', '200'], { now: NOW });
  });
  afterAll(async () => {
    await em.stop();
  });

  it('a wrong --parent is named, with a did-you-mean, before anything is shown or sent', async () => {
    const r = await kt(em, ['wallets', 'allocate', '--team', 'research2', '--amount', '500', '--parent', 'enginering', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: unknown parent team "enginering": the control plane has no wallet for it; did you mean "engineering"?\nhint: run `kt wallets list` to see every team\n');
    expect(r.stdout).toBe('');
    expect((await kt(em, ['wallets', 'balance', '--team', 'research2'])).code).toBe(1);
  });

  it("refuses what the parent's unallocated funds cannot give before asking: no prompt for a refusal", async () => {
    const r = await onTerminal(em, ['wallets', 'allocate', '--team', 'search', '--amount', '11000', '--soft-cap', '9000'], 'y\n');
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('refused: requested $1,000.00 but engineering has only $0.00 unallocated (nothing was sent)');
    expect(r.stderr).not.toContain('[y/N]');
    expect(json(await kt(em, ['wallets', 'balance', '--team', 'search', '--json', '--fields', 'allocated,soft_cap']))[0]).toEqual({ allocated: 10000, soft_cap: 8000 });
  });

  it('lists every change it will make and asks about all of them', async () => {
    const r = await onTerminal(em, ['wallets', 'allocate', '--team', 'search', '--amount', '9500', '--soft-cap', '9000', '--name', 'Search Team'], 'n\n');
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('search: allocation $10,000.00 → $9,500.00 per month\n');
    expect(r.stderr).toContain('search: name "Search" → "Search Team"\n');
    expect(r.stderr).toContain('search: soft cap $8,000.00 → $9,000.00\n');
    expect(r.stderr).toContain('Allocate $9,500.00 to search (monthly) and set soft cap $9,000.00, name "Search Team"? [y/N] ');
  });

  it('warns when the allocation is above the hard cap, or the soft cap above the hard cap', async () => {
    const above = await kt(em, ['wallets', 'allocate', '--team', 'search', '--amount', '10000', '--hard-cap', '9000', '--yes', '--json']);
    expect(above.code).toBe(0);
    expect(above.stderr).toContain('warning: the allocation $10,000.00 is above the hard cap $9,000.00 of search: spend stops at the cap, so $1,000.00 of it can never be spent');
    const soft = await kt(em, ['wallets', 'allocate', '--team', 'search', '--amount', '9000', '--soft-cap', '9500', '--yes', '--json']);
    expect(soft.code).toBe(0);
    expect(soft.stderr).toContain('warning: the soft cap $9,500.00 of search is above its hard cap $9,000.00: the hard cap blocks spend before the soft cap can warn');
    expect(soft.stderr).not.toContain('allocation $9,000.00 is above');
    const both = await kt(em, ['wallets', 'allocate', '--team', 'search', '--amount', '9000', '--soft-cap', '9500', '--hard-cap', '9000', '--yes']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('error: --soft-cap $9,500.00 is above --hard-cap $9,000.00');
  });

  it('refuses a lower allocation than what is spent, in money, before asking', async () => {
    // ml spends $1.123456789 this month: lowering it to a nano-dollar cannot be given back.
    await spend(em, 'ml', 1.123456789);
    const ml = json(await kt(em, ['wallets', 'balance', '--team', 'ml', '--json', '--fields', 'spent,available']))[0];
    const r = await kt(em, ['wallets', 'allocate', '--team', 'ml', '--amount', '0.000000001', '--yes']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(
      `error: refused: cannot lower the allocation of ml by $7,000.00: only ${formatMoney(moneyFromJson(ml.available))} is neither spent, reserved nor allocated to its teams (nothing was sent)`,
    );
    expect(r.stderr).not.toMatch(/\d{5,}\.\d{3,}/);
  });

  it('an unknown team gets one message, with a did-you-mean, from every wallet command', async () => {
    const expected = 'error: unknown team "serch": the control plane has no wallet for it; did you mean "search"?\nhint: run `kt wallets list` to see every team\n';
    for (const args of [
      ['wallets', 'balance', '--team', 'serch'],
      ['wallets', 'balance', '--team', 'serch', '--tree'],
      ['wallets', 'transactions', '--team', 'serch'],
      ['wallets', 'credit', '--team', 'serch', '--amount', '1', '--yes'],
      ['wallets', 'reclaim', '--team', 'serch', '--all', '--yes'],
      ['wallets', 'check', '--team', 'serch'],
      ['forecast', '--team', 'serch'],
      ['events', 'list', '--team', 'serch'],
      ['events', 'list', '--team', 'serch', '--aggregate', 'daily'],
      ['events', 'export', '--team', 'serch'],
      ['savings', '--team', 'serch'],
    ]) {
      const r = await kt(em, args);
      expect(r.stderr, args.join(' ')).toBe(expected);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stdout, args.join(' ')).toBe('');
    }
  });
});
