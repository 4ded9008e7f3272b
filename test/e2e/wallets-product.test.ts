// kt's wallet commands against wallets as the real product reports them: a
// control plane in the console's shapes (test/helpers/product-server.ts:
// scopes, balance pools, cumulative totals, fields left out) and
// `kt emulator start --dialect product` next to kt's own dialect. Unknown is
// never zero, --team org is the organization-scope wallet, low-balance alerts
// cannot pass silently, and list, balance, check and forecast agree across
// dialects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { runKt, type KtResult } from '../helpers/run-kt.js';
import { productEnv, startProductServer, type ProductServer } from '../helpers/product-server.js';
import { startEmulator, type Emulator } from '../helpers/emulator.js';
import { moneyFromJson } from '../../src/domain/money.js';

const NOW = '2026-11-28T15:00:00Z';

/** A webhook receiver that answers 200 and keeps every body. */
async function receiver(): Promise<{ server: Server; url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      bodies.push(body);
      res.end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}

const lines = (r: KtResult): string[] => r.stdout.trimEnd().split('\n');

describe('kt wallets against a control plane in the product console shapes', () => {
  let server: ProductServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    server = await startProductServer({ events: [] });
    env = productEnv(server, NOW);
  });
  afterAll(async () => server.close());

  it('list shows only what the server said: null in JSON, empty in CSV, — in a table', async () => {
    const json = await runKt(['wallets', 'list', '--json'], { env });
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(rows.map((r) => [r.team, r.scope, r.user])).toEqual([
      ['org', 'organization', null],
      ['search', 'team', null],
      ['ads', 'team', null],
      [null, 'user', 'usr_ada'],
    ]);
    // The wallet with only a balance: nothing else is invented.
    expect(rows[2]).toEqual({
      team: 'ads',
      name: 'Ads',
      scope: 'team',
      user: null,
      parent: null,
      currency: null,
      period: null,
      allocated: null,
      spent: null,
      total_allocated: null,
      total_spent: null,
      reserved: null,
      available: 120.0,
      soft_cap: null,
      hard_cap: null,
      status: null,
      utilization: null,
      utilization_basis: null,
      period_start: null,
      period_end: null,
    });
    // With cumulative totals only, utilization is the share of the pool used: (10,000 − 3) / 10,000, and says so.
    expect(rows[1]).toMatchObject({ allocated: null, spent: null, total_allocated: 10000.0, total_spent: 9997.0, available: 3.0, utilization: 0.9997, utilization_basis: 'cumulative' });

    const csv = await runKt(['wallets', 'list', '--format', 'csv', '--fields', 'team,period,allocated,total_allocated,available,status,utilization'], { env });
    expect(csv.stdout).toBe(
      'team,period,allocated,total_allocated,available,status,utilization\r\norg,,,50000.00,41250.50,healthy,0.17499\r\nsearch,,,10000.00,3.00,low,0.9997\r\nads,,,,120.00,,\r\n,,,50.00,12.50,healthy,0.75\r\n',
    );

    const table = await runKt(['wallets', 'list'], { env });
    expect(table.code).toBe(0);
    const [header, ...body] = lines(table);
    // No column the server never fills: no period, no this-period allocation, no caps.
    expect(header).toMatch(/^TEAM\s+SCOPE\s+USER\s+TOTAL ALLOCATED\s+TOTAL SPENT\s+RESERVED\s+AVAILABLE\s+STATUS\s+USED\s+BASIS$/);
    expect(body[2]).toMatch(/^ads\s+team\s+—\s+—\s+—\s+—\s+\$120\.00\s+—\s+no allocation reported\s+—$/);
    expect(body[3]).toMatch(/^—\s+user\s+usr_ada\s+\$50\.00\s+\$37\.00\s+\$0\.50\s+\$12\.50\s+healthy\s+75\.0%\s+cumulative$/);
    expect(table.stdout).not.toMatch(/monthly|\/month/);
    expect(table.stderr).toContain('utilization of org, search, usr_ada is the share of the pool used, (total allocated − balance) / total allocated: the server reports cumulative totals only');
  });

  it('--scope keeps one scope; a bad scope is exit 2', async () => {
    const users = await runKt(['wallets', 'list', '--scope', 'user', '--json', '--fields', 'user,available'], { env });
    expect(JSON.parse(users.stdout)).toEqual([{ user: 'usr_ada', available: 12.5 }]);
    const orgs = await runKt(['wallets', 'list', '--scope', 'organization', '--format', 'csv', '--fields', 'team,name', '--no-header'], { env });
    expect(orgs.stdout).toBe('org,Acme\r\n');
    const bad = await runKt(['wallets', 'list', '--scope', 'project'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid --scope "project": use one of organization, team, user');
  });

  it('--team org is the organization-scope wallet whatever its id; a team hangs under it', async () => {
    const org = await runKt(['wallets', 'balance', '--team', 'org', '--json', '--fields', 'team,name,available'], { env });
    expect(org.code).toBe(0);
    expect(JSON.parse(org.stdout)).toEqual([{ team: 'org', name: 'Acme', available: 41250.5 }]);
    // The balance endpoint answers with the caller's cascade, not search's: kt reads the list instead.
    const search = await runKt(['wallets', 'balance', '--team', 'search', '--json', '--fields', 'team,scope'], { env });
    expect(JSON.parse(search.stdout)).toEqual([
      { team: 'search', scope: 'team' },
      { team: 'org', scope: 'organization' },
    ]);
    const tree = await runKt(['wallets', 'balance', '--tree'], { env });
    expect(lines(tree).map((l) => l.split('  spent')[0]?.trimEnd())).toEqual([
      'Acme ($50,000 allocated in total)',
      '├── Search ($10,000 allocated in total)',
      '├── Ads (no allocation reported)',
      '└── ada@acme.example ($50 allocated in total)',
    ]);
    expect(lines(tree)[2]).toMatch(/spent —\s+available \$120\.00\s+no allocation reported$/);
    expect(tree.stdout).not.toContain('$0/month');
  });

  it('check: a wallet whose percentage cannot be computed is listed as unknown and named on stderr', async () => {
    const r = await runKt(['wallets', 'check', '--format', 'csv', '--fields', 'team,level,utilization,utilization_basis,reason'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('team,level,utilization,utilization_basis,reason\r\nsearch,warn,0.9997,cumulative,at or past 80% of total allocated\r\nads,unknown,,,not checked: no allocation reported\r\n');
    expect(r.stderr).toContain('warning: not checked against 80%/100% (no allocation reported): ads\n');
  });

  it('check --min-balance is the low-balance alert: below it is exit 3, and the webhook fires', async () => {
    const hook = await receiver();
    try {
      const r = await runKt(['wallets', 'check', '--min-balance', '100', '--webhook', hook.url, '--json', '--fields', 'team,user,level,available,reason'], { env });
      expect(r.code).toBe(3);
      expect(JSON.parse(r.stdout)).toEqual([
        { team: 'search', user: null, level: 'fail', available: 3.0, reason: 'balance $3.00 below the minimum $100.00' },
        { team: null, user: 'usr_ada', level: 'fail', available: 12.5, reason: 'balance $12.50 below the minimum $100.00' },
      ]);
      expect(r.stderr).toContain('error: 2 wallets below --min-balance $100.00: search, usr_ada');
      expect(hook.bodies).toHaveLength(1);
      const message = JSON.parse(hook.bodies[0] ?? '{}') as { text: string; min_balance: string; warn_at: number | null };
      expect(message.min_balance).toBe('100.00');
      expect(message.warn_at).toBeNull();
      expect(message.text).toContain('kt wallets check: 2 wallets below --min-balance $100.00 (2 below --min-balance $100.00)');
      expect(message.text).toContain('• search: fail — 100.0% of the pool used, balance $3.00 of $10,000.00 allocated in total (balance $3.00 below the minimum $100.00)');
      // Above the minimum everywhere: exit 0, no post.
      const quiet = await runKt(['wallets', 'check', '--min-balance', '2.5', '--webhook', hook.url], { env });
      expect(quiet.code).toBe(0);
      expect(quiet.stderr).toContain('no wallet below --min-balance $2.50');
      expect(hook.bodies).toHaveLength(1);
    } finally {
      hook.server.close();
    }
  });

  it('check with nothing to check fails loudly: exit 1, the reason and the way out, and the webhook hears it', async () => {
    const hook = await receiver();
    try {
      const r = await runKt(['wallets', 'check', '--team', 'ads', '--webhook', hook.url, '--format', 'csv', '--fields', 'team,level'], { env });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('team,level\r\nads,unknown\r\n');
      expect(r.stderr).toContain('error: no wallet could be checked against 80%/100%: none reports an allocation to measure a percentage of\n');
      expect(r.stderr).toContain('hint: pass --min-balance AMOUNT to alert when a balance falls below it (the low-balance alert of the product console)\n');
      expect(JSON.parse(hook.bodies[0] ?? '{}')).toMatchObject({ text: 'kt wallets check: no wallet could be checked against 80%/100%\nnot checked: ads' });
    } finally {
      hook.server.close();
    }
    const balance = await runKt(['wallets', 'check', '--team', 'ads', '--min-balance', '100'], { env });
    expect(balance.code).toBe(0);
    expect(balance.stderr).toBe('no wallet below --min-balance $100.00\n');
  });

  it('check on a control plane with no wallet at all is exit 1, never an empty success', async () => {
    const empty = await startProductServer({ events: [], wallets: [] });
    try {
      const r = await runKt(['wallets', 'check'], { env: productEnv(empty, NOW) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('error: no wallets to check: the control plane lists none');
    } finally {
      await empty.close();
    }
  });

  it('bad --min-balance and --scope with --team are exit 2', async () => {
    const bad = await runKt(['wallets', 'check', '--min-balance', '-5'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid --min-balance "-5": negative');
    const both = await runKt(['wallets', 'check', '--scope', 'user', '--team', 'search'], { env });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--scope checks wallets of one scope; it does not combine with --team');
  });
});

describe('kt emulator --dialect product next to the kt dialect: list, balance, check and forecast agree', () => {
  let product: Emulator;
  let kt: Emulator;
  beforeAll(async () => {
    const seed = ['--seed', 'demo', '--seed-events', '600'];
    [product, kt] = await Promise.all([startEmulator(seed, { now: NOW, dialect: 'product' }), startEmulator(seed, { now: NOW })]);
  });
  afterAll(async () => {
    await Promise.all([product.stop(), kt.stop()]);
  });

  const both = (args: string[]): Promise<[KtResult, KtResult]> => Promise.all([runKt(args, { env: product.env }), runKt(args, { env: kt.env })]);

  it("list: the same teams, balances and percentages; the product's in scopes and pools, with a user's wallet", async () => {
    const [p, k] = await both(['wallets', 'list', '--json']);
    expect(p.code).toBe(0);
    expect(k.code).toBe(0);
    type Row = { team: string | null; scope: string; user: string | null; available: number; utilization: number; utilization_basis: string; allocated: number | null; total_allocated: number | null };
    const pr = JSON.parse(p.stdout) as Row[];
    const kr = JSON.parse(k.stdout) as Row[];
    expect(kr).toHaveLength(11);
    expect(pr).toHaveLength(12);
    const user = pr.at(-1) as Row;
    expect(user).toMatchObject({ team: null, scope: 'user', available: 100, total_allocated: 100, utilization: 0, utilization_basis: 'cumulative' });
    for (const row of kr) {
      const same = pr.find((x) => x.team === row.team);
      expect(same, String(row.team)).toBeDefined();
      expect(moneyFromJson(same?.available)).toBe(moneyFromJson(row.available));
      expect(same?.utilization).toBeCloseTo(row.utilization, 12);
      expect([row.utilization_basis, same?.utilization_basis]).toEqual(['period', 'cumulative']);
      expect([row.allocated === null, same?.allocated]).toEqual([false, null]);
    }
  });

  it("balance --team: the product's cascade is kt's parent chain, scopes and pools aside", async () => {
    const [p, k] = await both(['wallets', 'balance', '--team', 'search', '--json', '--fields', 'team,scope,available']);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout)).toEqual(JSON.parse(k.stdout));
    expect((JSON.parse(k.stdout) as Array<{ team: string }>).map((r) => r.team)).toEqual(['search', 'engineering', 'org']);
    // The product's table shows the pool; kt's this period's allocation.
    const [pt, kt2] = await both(['wallets', 'balance', '--team', 'search']);
    expect(pt.stdout.split('\n')[0]).toMatch(/^TEAM\s+SCOPE\s+PARENT\s+TOTAL ALLOCATED\s+TOTAL SPENT\s+RESERVED\s+AVAILABLE\s+STATUS\s+USED\s+BASIS$/);
    expect(kt2.stdout.split('\n')[0]).toMatch(/^TEAM\s+SCOPE\s+PARENT\s+PERIOD\s+ALLOCATED\s+SPENT\s+RESERVED\s+AVAILABLE\s+HARD CAP\s+STATUS\s+USED$/);
  });

  it('check: the same levels and the same projected figure in both dialects, and the figure kt forecast prints', async () => {
    // The demo spends a sliver of each budget: a tiny warn level lists every team.
    const args = ['wallets', 'check', '--warn-at', '0.0001', '--format', 'csv', '--fields', 'team,level,projected', '--no-header'];
    const [p, k] = await both(args);
    expect(p.code).toBe(0);
    expect(k.code).toBe(0);
    const rows = (text: string): Map<string, string> => new Map(text.trimEnd().split('\r\n').map((l) => l.split(',')).map(([team = '', level = '', projected = '']) => [team, `${level} ${projected}`]));
    const pRows = rows(p.stdout);
    const kRows = rows(k.stdout);
    expect(kRows.size).toBeGreaterThan(3);
    // Every team the same in both dialects: level, and the projection of its subtree's events.
    for (const [team, row] of kRows) {
      expect(row, team).toMatch(/^warn \d+\.\d+$/);
      expect(pRows.get(team), team).toBe(row);
    }
    const tree = JSON.parse((await runKt(['wallets', 'list', '--json', '--fields', 'team,parent'], { env: kt.env })).stdout) as Array<{ team: string; parent: string | null }>;
    const leaves = tree.filter((w) => !tree.some((x) => x.parent === w.team)).map((w) => w.team);
    // The one projection: --all-teams prints check's figure for every team, and a team's own forecast for its row.
    const all = JSON.parse((await runKt(['forecast', '--all-teams', '--json', '--fields', 'team,projected'], { env: kt.env })).stdout) as Array<{ team: string; projected: number }>;
    for (const [team, row] of kRows) expect(moneyFromJson(all.find((r) => r.team === team)?.projected), team).toBe(moneyFromJson(row.split(' ')[1]));
    const [first] = [...kRows.keys()].filter((t) => leaves.includes(t));
    const own = JSON.parse((await runKt(['forecast', '--team', first ?? '', '--json', '--fields', 'kind,forecast'], { env: kt.env })).stdout) as Array<{ kind: string; forecast: number }>;
    expect(moneyFromJson(own.find((r) => r.kind === 'projection')?.forecast)).toBe(moneyFromJson((kRows.get(first ?? '') ?? '').split(' ')[1]));
  });

  it("check --min-balance: the product's user wallet below the minimum is exit 3; kt's dialect has none", async () => {
    const [p, k] = await both(['wallets', 'check', '--min-balance', '150', '--format', 'csv', '--fields', 'scope,level,available', '--no-header']);
    expect(p.code).toBe(3);
    expect(p.stdout).toBe('user,fail,100.00\r\n');
    expect(k.code).toBe(0);
    expect(k.stdout).toBe('');
  });

  it("forecast: the organisation's whole spend and each team's the same in both dialects", async () => {
    for (const team of [[], ['--team', 'search']]) {
      const [p, k] = await both(['forecast', ...team, '--json', '--fields', 'month,kind,actual,forecast,lower,upper']);
      expect(p.code).toBe(0);
      expect(k.code).toBe(0);
      expect(p.stderr).toMatch(/kt summed [\d,]+ events itself/);
      expect(JSON.parse(p.stdout)).toEqual(JSON.parse(k.stdout));
    }
    const [p, k] = await both(['forecast']);
    expect(p.stdout).toContain('Organisation: every team (all events)');
    expect(k.stdout).toContain('Allocated this period: $50,000.00');
    expect(p.stdout).toContain('Allocated in total (cumulative): $50,000.00');
    expect(p.stdout).not.toContain('Allocated this period');
  });
});
