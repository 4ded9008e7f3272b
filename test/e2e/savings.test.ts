// kt savings end to end: the built binary against a real emulator holding a
// small imported data set whose savings are worked out by hand (the same
// events as test/unit/savings.test.ts). Prices per 1M tokens: gpt-4o
// 2.50/10.00, gpt-4o-mini 0.15/0.60, claude-sonnet 3/15, claude-haiku 0.25/1.25.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKt } from '../helpers/run-kt.js';
import { startEmulator } from '../helpers/emulator.js';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

const EVENTS = [
  // E1 routable: 1000 in + 500 out at gpt-4o-mini = 0.00015 + 0.0003
  { timestamp: '2026-03-10T10:00:00Z', team_id: 'search', provider: 'openai', model: 'gpt-4o', input_tokens: 1000, output_tokens: 500, cached: false, cost: 0.0075 },
  // E2 1500 output tokens: past gpt-4o-mini's max_tokens 1000, not routable
  { timestamp: '2026-03-11T10:00:00Z', team_id: 'search', provider: 'openai', model: 'gpt-4o', input_tokens: 2000, output_tokens: 1500, cached: false, cost: 0.02 },
  // E3 cached: 0.00015 + 0.0006 at list prices
  { timestamp: '2026-03-12T10:00:00Z', team_id: 'search', provider: 'openai', model: 'gpt-4o-mini', input_tokens: 1000, output_tokens: 1000, cached: true, cost: 0 },
  // E4 in no routing group
  { timestamp: '2026-03-13T10:00:00Z', team_id: 'support', provider: 'anthropic', model: 'claude-sonnet', input_tokens: 1000, output_tokens: 1000, cached: false, cost: 0.018 },
  // E5 a model kt has no price for
  { timestamp: '2026-03-14T10:00:00Z', team_id: 'support', provider: 'meta', model: 'llama-x', input_tokens: 100, output_tokens: 100, cached: false, cost: 0.001 },
  // E6 in April: the only event of the default range (the last 30 days before April 15)
  { timestamp: '2026-04-10T10:00:00Z', team_id: 'search', provider: 'openai', model: 'gpt-4o', input_tokens: 2000, output_tokens: 400, cached: false, cost: 0.009 },
];

const POLICY = `spend_controls:
  - team: search
    hard_cap: 0.025
    soft_cap: 0.005
    period: monthly
model_groups:
  - name: cost-optimized
    routing: cost-priority
    models:
      - provider: openai
        model: gpt-4o-mini
        max_tokens: 1000
        priority: 1
      - provider: openai
        model: gpt-4o
        priority: 2
model_allowlist: [gpt-4o-mini, claude-haiku]
`;

const RANGE = ['--since', '2026-03-01', '--until', '2026-04-01'];
const FIELDS = ['--format', 'csv', '--fields', 'optimization,kind,requests,cost_before,cost_after,savings'];

describe('kt savings on an imported data set', () => {
  let emu: Emulator;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kt-savings-'));
    writeFileSync(join(dir, 'events.ndjson'), EVENTS.map((e) => JSON.stringify(e)).join('\n') + '\n');
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    emu = await startEmulator(['--import', join(dir, 'events.ndjson')], { now: '2026-04-15T00:00:00Z' });
    for (const [team, amount] of [['org', '1000'], ['search', '100']] as const) {
      const r = await runKt(['wallets', 'allocate', '--team', team, '--amount', amount, '--yes', '--quiet'], { env: emu.env });
      expect(r.stderr).toBe('');
    }
  }, 60_000);
  afterAll(async () => {
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without a policy: the document routing group, caching delivered apart; the unpriced event is said', async () => {
    const r = await runKt(['savings', ...RANGE, ...FIELDS], { env: emu.env });
    expect(r.code).toBe(0);
    // The range's recorded spend is 0.0465: every potential row starts from it.
    expect(r.stdout.trim().split(/\r?\n/)).toEqual([
      'optimization,kind,requests,cost_before,cost_after,savings',
      'routing,potential,1,0.0465,0.03945,0.00705',
      'caps,potential,0,0.0465,0.0465,0.00',
      'allowlist,potential,0,0.0465,0.0465,0.00',
      'total,potential,1,0.0465,0.03945,0.00705',
      // E3's 0.00075 at list prices: the range would have cost 0.04725 without the cache hit
      'caching,delivered,1,0.04725,0.0465,0.00075',
    ]);
    expect(r.stderr).toContain('warning: 1 event on models without a price: left out of routing and caching');
    expect(r.stderr).toContain('request fingerprints');
  });

  it('with --policy: allowlist, caps and routing, each event counted once in the total', async () => {
    const r = await runKt(['savings', ...RANGE, '--policy', join(dir, 'policy.yaml'), ...FIELDS], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split(/\r?\n/).slice(1)).toEqual([
      'routing,potential,1,0.0465,0.03945,0.00705',
      // E2 would take search's March spend from 0.0075 to 0.0275, past its hard cap of 0.025
      'caps,potential,1,0.0465,0.0265,0.02',
      // E1 0.00045, E2 0.0012, E4 0.00075, E5 0.000075: all cheapest at gpt-4o-mini
      'allowlist,potential,4,0.0465,0.002475,0.044025',
      // the four allowlist events, each once: routing's E1 and caps' E2 are not counted again
      'total,potential,4,0.0465,0.002475,0.044025',
      'caching,delivered,1,0.04725,0.0465,0.00075',
    ]);
    expect(r.stderr).toContain('search: soft cap reached at 2026-03-10T10:00:00');
  });

  it('--group-by team --json: one set of rows per team with the hit rate and the soft-cap crossing', async () => {
    const r = await runKt(['savings', ...RANGE, '--policy', join(dir, 'policy.yaml'), '--group-by', 'team', '--json'], { env: emu.env });
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ team: string; optimization: string; kind: string; requests: number; cost_before: number; savings: number; savings_pct: number; hit_rate: number | null; soft_cap_crossed_at: string | null }>;
    expect(rows.map((x) => `${x.team}/${x.optimization}/${x.kind}`)).toEqual([
      'search/routing/potential', 'search/caps/potential', 'search/allowlist/potential', 'search/total/potential', 'search/caching/delivered',
      'support/routing/potential', 'support/caps/potential', 'support/allowlist/potential', 'support/total/potential', 'support/caching/delivered',
    ]);
    const searchTotal = rows[3];
    expect(searchTotal?.cost_before).toBe(0.0275); // search's recorded spend
    expect(searchTotal?.savings).toBe(0.02585); // 0.0275 − 0.00165
    // ratios carry 6 decimals in csv and json
    expect(searchTotal?.savings_pct).toBe(Number((0.02585 / 0.0275).toFixed(6)));
    expect(rows[4]?.hit_rate).toBe(0.333333);
    expect(rows[1]?.soft_cap_crossed_at).toBe('2026-03-10T10:00:00Z');
    expect(rows[8]?.savings).toBe(0.018175); // 0.019 − 0.000825
  });

  it('--prices prices the unknown model: no notice; a table on request', async () => {
    writeFileSync(join(dir, 'prices.yaml'), 'llama-x:\n  provider: meta\n  input: 0.1\n  output: 0.2\n');
    const r = await runKt(['savings', ...RANGE, '--prices', join(dir, 'prices.yaml'), '--team', 'support', '--format', 'table'], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('without a price');
    expect(r.stdout).toMatch(/OPTIMIZATION\s+KIND\s+REQUESTS\s+COST BEFORE\s+COST AFTER\s+SAVINGS\s+SAVINGS %\s+HIT RATE/);
    expect(r.stdout).toMatch(/\ncaching\s+delivered\s/);
  });

  it('--recommend --emit-policy writes a policy kt policy validate accepts; an existing file needs --force', async () => {
    const file = join(dir, 'caps.yaml');
    const r = await runKt(['savings', '--recommend', ...RANGE, '--emit-policy', file, '--format', 'csv', '--fields', 'rank,team,model,requests,cost,soft_cap,hard_cap'], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split(/\r?\n/)).toEqual([
      'rank,team,model,requests,cost,soft_cap,hard_cap',
      '1,search,gpt-4o,2,0.0275,0.02,100.00',
      '1,search,gpt-4o-mini,1,0.00,0.02,100.00',
      '2,support,claude-sonnet,1,0.018,0.02,0.03',
      '2,support,llama-x,1,0.001,0.02,0.03',
    ]);
    expect(r.stderr).toContain(`wrote 2 spend_controls entries to ${file}`);
    expect(readFileSync(file, 'utf8')).toContain('  - team: search\n    hard_cap: 100\n    soft_cap: 0.02\n');
    const valid = await runKt(['policy', 'validate', file], { env: emu.env });
    expect(valid.code).toBe(0);

    const again = await runKt(['savings', '--recommend', ...RANGE, '--emit-policy', file], { env: emu.env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`--emit-policy ${file}: the file exists`);
    expect(again.stderr).toContain('--force');
    expect(again.stdout).toBe('');
    const forced = await runKt(['savings', '--recommend', ...RANGE, '--emit-policy', file, '--force', '--quiet'], { env: emu.env });
    expect(forced.code).toBe(0);
  });

  it('--recommend bases the soft caps on the last full month even when the range starts after it: fetched, and said', async () => {
    // The range holds E2 to E5 (March 11 on); March itself spent 0.0275 (search) and 0.019 (support).
    const fields = ['--format', 'csv', '--fields', 'team,model,last_full_month,last_full_month_spend,soft_cap,hard_cap'];
    const r = await runKt(['savings', '--recommend', '--since', '2026-03-11', '--until', '2026-04-01', ...fields], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split(/\r?\n/)).toEqual([
      'team,model,last_full_month,last_full_month_spend,soft_cap,hard_cap',
      'search,gpt-4o,2026-03,0.0275,0.02,100.00',
      'search,gpt-4o-mini,2026-03,0.0275,0.02,100.00',
      'support,claude-sonnet,2026-03,0.019,0.02,0.03',
      'support,llama-x,2026-03,0.019,0.02,0.03',
    ]);
    expect(r.stderr).toContain("soft caps are based on 2026-03, the last full calendar month (the range starts after it): its spend per team fetched from the control plane's monthly aggregates");
    // A range that holds the month reads it from its own events, silently.
    const whole = await runKt(['savings', '--recommend', ...RANGE, ...fields], { env: emu.env });
    expect(whole.stderr).not.toContain('soft caps are based on');
    expect(whole.stdout).toContain('search,gpt-4o,2026-03,0.0275,0.02,100.00');
  });

  it('--recommend --emit-policy with the default range writes caps from the last full month, not an empty list', async () => {
    const file = join(dir, 'default-caps.yaml');
    const r = await runKt(['savings', '--recommend', '--emit-policy', file, '--format', 'csv', '--fields', 'team,model,cost,last_full_month_spend,soft_cap,hard_cap'], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split(/\r?\n/)).toEqual(['team,model,cost,last_full_month_spend,soft_cap,hard_cap', 'search,gpt-4o,0.009,0.0275,0.02,100.00']);
    expect(r.stderr).toContain('soft caps are based on 2026-03, the last full calendar month (the range starts after it)');
    expect(r.stderr).toContain(`wrote 1 spend_controls entries to ${file}`);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain("soft cap at 80% of each team's spend in 2026-03 (the last full calendar month)");
    expect(text).toContain('spend_controls:\n  - team: search\n    hard_cap: 100\n    soft_cap: 0.02\n');
    expect((await runKt(['policy', 'validate', file], { env: emu.env })).code).toBe(0);
  });

  it('bad input files: unreadable --prices is exit 1, invalid --prices or --policy exit 2', async () => {
    const missing = await runKt(['savings', ...RANGE, '--prices', join(dir, 'nope.yaml')], { env: emu.env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`cannot read --prices file ${join(dir, 'nope.yaml')}: no such file`);
    writeFileSync(join(dir, 'bad-prices.json'), '{"gpt-4o": {"input": "cheap", "output": 1}}');
    const bad = await runKt(['savings', ...RANGE, '--prices', join(dir, 'bad-prices.json')], { env: emu.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('gpt-4o.input');
    writeFileSync(join(dir, 'bad-policy.yaml'), 'spend_controls:\n  - team: search\n    hard_cap: lots\n    period: monthly\n');
    const policy = await runKt(['savings', ...RANGE, '--policy', join(dir, 'bad-policy.yaml')], { env: emu.env });
    expect(policy.code).toBe(2);
    expect(policy.stderr).toContain(`invalid --policy file ${join(dir, 'bad-policy.yaml')}:3:`);
    if (process.getuid?.() !== 0) {
      writeFileSync(join(dir, 'locked.yaml'), '{}');
      chmodSync(join(dir, 'locked.yaml'), 0o000);
      const locked = await runKt(['savings', ...RANGE, '--prices', join(dir, 'locked.yaml')], { env: emu.env });
      expect(locked.code).toBe(1);
      expect(locked.stderr).toContain('permission denied');
    }
  });
});

describe('kt savings bad flags', () => {
  const env = { KEEPTRUSTS_API_URL: 'http://127.0.0.1:9', KEEPTRUSTS_API_TOKEN: 't' };
  it.each([
    [['--group-by', 'model'], "argument 'model' is invalid"],
    [['--emit-policy', 'x.yaml'], '--emit-policy needs --recommend'],
    [['--recommend', '--force'], '--force applies to --emit-policy only'],
    [['--recommend', '--group-by', 'team'], '--group-by does not apply to --recommend'],
    [['--since', '2026-04-01', '--until', '2026-03-01'], 'must be before --until'],
    [['--since', 'yesterday'], 'invalid --since'],
    [['--team', 'a,,b'], 'invalid --team "a,,b"'],
    [['--fields', 'optimisation'], 'did you mean "optimization"?'],
  ])('kt savings %j → exit 2', async (args, message) => {
    const r = await runKt(['savings', ...args], { env: { ...env, KT_NOW: '2026-04-15T00:00:00Z' } });
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(existsSync('x.yaml')).toBe(false);
  });
});
