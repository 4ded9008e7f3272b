// The full demo seed end to end: one `kt emulator start --seed demo` (a
// year of history, the last 30 days as raw events, hourly rollups before)
// at the demo's own instant, read by the built kt as `npm run demo` and a
// CIO would: utilization, a fitted forecast over a year of months, savings
// that are a share of real spend, caps from last month, the budget alert,
// the aggregates adding up across the rollups, and kt saying where the raw
// events begin. The only test that seeds the full demo.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKt } from '../helpers/run-kt.js';
import { startEmulator } from '../helpers/emulator.js';
import { moneyFromDecimal } from '../../src/domain/money.js';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

/** The instant `npm run demo` stands at for a run in December 2026. */
const NOW = '2026-11-28T15:00:00Z';
const RAW_SINCE = '2026-10-29T00:00:00.000Z';

/** Rows of a csv with a header, as objects of strings. */
function csv(text: string): Array<Record<string, string>> {
  const [head, ...lines] = text.trim().split(/\r?\n/);
  const names = (head ?? '').split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i] ?? '', v])));
}

describe('the full demo', () => {
  let emu: Emulator;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kt-demo-e2e-'));
    emu = await startEmulator(['--seed', 'demo'], { now: NOW, timeoutMs: 90_000 });
  }, 120_000);
  afterAll(async () => {
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says what it seeded: events from where the raw events begin, rollups before', async () => {
    // The log follows the handshake line: wait for its last line.
    while (!emu.stderr().includes('press Ctrl-C')) await new Promise((resolve) => emu.child.stderr?.once('data', resolve));
    expect(emu.stderr()).toMatch(/seeded demo data: 11 wallets, [\d,]+ events from 2026-10-29T00:00:00\.000Z, [\d,]+ hourly rollup rows before/);
  });

  it('the wallet tree shows utilization a real organisation has: every leaf team between 40% and 100%', async () => {
    const r = await runKt(['wallets', 'list', '--json'], { env: emu.env });
    expect(r.code).toBe(0);
    const wallets = JSON.parse(r.stdout) as Array<{ team: string; utilization: number; spent: number }>;
    const leaves = ['search', 'platform', 'ml', 'customer-support', 'analytics', 'devops', 'security'];
    for (const w of wallets) {
      expect(w.utilization, w.team).toBeLessThan(1);
      // On the 28th, each team has spent most of a month at 40–100% of its allocation.
      if (leaves.includes(w.team)) expect(w.utilization, w.team).toBeGreaterThan(0.35);
    }
    expect(wallets.find((w) => w.team === 'customer-support')?.spent).toBeGreaterThan(6_000);
    const tree = await runKt(['wallets', 'balance', '--tree'], { env: emu.env });
    expect(tree.stdout).toMatch(/Customer Support \(\$8,000\)\s+spent \$6,\d{3}\.\d\d/);
  });

  it('kt forecast fits a smoothing model on twelve full months', async () => {
    const r = await runKt(['forecast', '--team', 'engineering', '--json'], { env: emu.env });
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ month: string; kind: string; actual: number | null; model: string | null }>;
    const actual = rows.filter((x) => x.kind === 'actual');
    expect(actual.map((x) => x.month)).toEqual(['2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10']);
    for (const x of actual) expect(x.actual ?? 0).toBeGreaterThan(7_000);
    const table = await runKt(['forecast', '--team', 'engineering'], { env: emu.env });
    expect(table.stdout).toMatch(/Model: (Holt linear trend|damped trend|simple exponential smoothing)[^\n]*AICc over 12 months/i);
  });

  it('org spend is $18,000–$28,000 in every full month, and the daily buckets add up to the monthly ones across the rollups', async () => {
    const range = ['--since', '2025-11-01', '--until', '2026-12-01', '--format', 'csv', '--fields', 'period_start,cost'];
    const monthly = await runKt(['events', 'list', '--aggregate', 'monthly', ...range], { env: emu.env });
    const daily = await runKt(['events', 'list', '--aggregate', 'daily', ...range], { env: emu.env });
    expect(monthly.code).toBe(0);
    expect(daily.code).toBe(0);
    const months = csv(monthly.stdout);
    expect(months).toHaveLength(13);
    for (const m of months.slice(0, 12)) {
      expect(Number(m.cost), m.period_start).toBeGreaterThan(18_000);
      expect(Number(m.cost), m.period_start).toBeLessThan(28_000);
    }
    const byMonth = new Map<string, bigint>();
    for (const d of csv(daily.stdout)) byMonth.set((d.period_start ?? '').slice(0, 7), (byMonth.get((d.period_start ?? '').slice(0, 7)) ?? 0n) + moneyFromDecimal(d.cost ?? '0'));
    for (const m of months) expect(byMonth.get((m.period_start ?? '').slice(0, 7))).toBe(moneyFromDecimal(m.cost ?? '0'));
    expect(csv(daily.stdout)).toHaveLength(365 + 28);
  });

  it("the ML team's runaway agent: one weekday at several times its normal spend", async () => {
    const r = await runKt(['events', 'list', '--team', 'ml', '--since', '30d', '--aggregate', 'daily', '--format', 'csv', '--fields', 'period_start,cost'], { env: emu.env });
    const days = csv(r.stdout).map((d) => ({ day: (d.period_start ?? '').slice(0, 10), cost: Number(d.cost) }));
    const weekdays = days.filter((d) => ![0, 6].includes(new Date(d.day).getUTCDay())).map((d) => d.cost).sort((a, b) => a - b);
    const median = weekdays[Math.floor(weekdays.length / 2)] ?? 0;
    expect(days.filter((d) => d.cost > 3 * median).map((d) => d.day)).toEqual(['2026-11-16']);
  });

  it('kt forecast --team customer-support says when its soft cap was crossed, and that the hard cap is not reached', async () => {
    const r = await runKt(['forecast', '--team', 'customer-support'], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Soft cap $6,000.00: crossed on 2026-11-26\n');
    expect(r.stdout).toContain('Hard cap $8,000.00: not this period\n');
  });

  it('kt events anomalies finds the runaway day and at most a handful of others, and exits 3', async () => {
    const r = await runKt(['events', 'anomalies', '--since', '30d', '--format', 'csv', '--fields', 'date,team,direction,score'], { env: emu.env });
    expect(r.code).toBe(3);
    const rows = csv(r.stdout);
    const incident = rows.find((a) => a.date === '2026-11-16' && a.team === 'ml');
    expect(incident?.direction).toBe('spike');
    expect(Number(incident?.score)).toBeGreaterThan(10);
    // 7 leaf teams × 30 days: the incident and no more than a handful of ordinary days
    expect(rows.length).toBeLessThanOrEqual(4);
    expect(rows.filter((a) => a !== incident).every((a) => Number(a.score) < 5)).toBe(true);
    // today (the 28th, a running day) is never judged a drop
    expect(rows.some((a) => a.date === '2026-11-28' && a.direction === 'drop')).toBe(false);
  });

  it('kt savings: the total is a share of the recorded spend; caching is delivered, apart', async () => {
    const r = await runKt(['savings', '--since', '7d', '--format', 'csv'], { env: emu.env });
    expect(r.code).toBe(0);
    const rows = csv(r.stdout);
    const spend = await runKt(['events', 'list', '--since', '7d', '--aggregate', 'monthly', '--format', 'csv', '--fields', 'cost'], { env: emu.env });
    const recorded = csv(spend.stdout).reduce((a, x) => a + moneyFromDecimal(x.cost ?? '0'), 0n);
    const total = rows.find((x) => x.optimization === 'total');
    expect(moneyFromDecimal(total?.cost_before ?? '')).toBe(recorded);
    const routing = Number(rows.find((x) => x.optimization === 'routing')?.savings_pct);
    expect(routing).toBeGreaterThan(0.3);
    expect(routing).toBeLessThan(0.5);
    for (const x of rows) expect(Number(x.savings_pct)).toBeLessThan(1);
    const caching = rows.find((x) => x.optimization === 'caching');
    expect(caching?.kind).toBe('delivered');
    expect(moneyFromDecimal(caching?.cost_after ?? '')).toBe(recorded);
    expect(Number(caching?.hit_rate)).toBeGreaterThan(0.2);
  });

  it('kt savings --recommend proposes caps from last month, fetched when the range does not hold it', async () => {
    const file = join(dir, 'caps.yaml');
    const r = await runKt(['savings', '--recommend', '--since', '7d', '--emit-policy', file], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('soft caps are based on 2026-10, the last full calendar month (the range starts after it)');
    expect(r.stderr).toContain(`wrote 3 spend_controls entries to ${file}`);
    expect(readFileSync(file, 'utf8')).toMatch(/- team: customer-support\n {4}hard_cap: 8000\n {4}soft_cap: [45]\d{3}(\.\d+)?\n/);
  });

  it('kt wallets check flags customer-support past its soft cap: exit 3 at --fail-at 80', async () => {
    const r = await runKt(['wallets', 'check', '--fail-at', '80', '--format', 'csv', '--fields', 'team,level,reason'], { env: emu.env });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('customer-support,fail,at or past 80% of allocation; at or past soft cap');
  });

  it('a raw-event command whose range starts before the raw events says where they begin', async () => {
    const r = await runKt(['events', 'list', '--since', '40d', '--limit', '2', '--format', 'csv', '--fields', 'timestamp'], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: raw events begin at ${RAW_SINCE}: events from before it are not in this range's output`);
    expect(csv(r.stdout)[0]?.timestamp?.startsWith('2026-10-29T')).toBe(true);
    const inside = await runKt(['events', 'list', '--since', '30d', '--limit', '1'], { env: emu.env });
    expect(inside.stderr).not.toContain('raw events begin');
    const verdict = await runKt(['events', 'list', '--since', '60d', '--verdict', 'block', '--aggregate', 'daily'], { env: emu.env });
    expect(verdict.code).toBe(2);
    expect(verdict.stderr).toContain(`spend before ${RAW_SINCE} is kept as hourly rollups, which carry no verdicts`);
  });
});
