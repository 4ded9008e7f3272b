// kt forecast end to end: the built binary against a real emulator, on the
// demo data (a gentle upward trend) and on known histories loaded with
// `kt emulator start --import`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKt } from '../helpers/run-kt.js';
import { startEmulator } from '../helpers/emulator.js';

/** The fixed instant the emulator and kt stand at: the tests read the same on any day. */
const NOW = '2026-11-28T15:00:00Z';
import { addDays, addMonths, daysInMonth } from '../../src/domain/periods.js';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

interface MonthRow {
  month: string;
  kind: 'actual' | 'projection' | 'forecast';
  actual: number | null;
  forecast: number | null;
  lower: number | null;
  upper: number | null;
  variance: number | null;
  to_date: number | null;
  soft_cap_status: string | null;
  hard_cap_status: string | null;
}

function expectSane(stdout: string, rows: MonthRow[]): void {
  expect(stdout).not.toMatch(/NaN|Infinity/);
  for (const row of rows) {
    if (row.forecast === null) continue;
    expect(row.forecast).toBeGreaterThanOrEqual(0);
    if (row.lower !== null && row.upper !== null) {
      expect(row.lower).toBeLessThanOrEqual(row.forecast);
      expect(row.forecast).toBeLessThanOrEqual(row.upper);
    }
  }
}

describe('kt forecast on the demo data', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator(['--seed', 'demo', '--seed-events', '3000'], { now: NOW });
  }, 60_000);
  afterAll(async () => {
    await emu.stop();
  });

  it('follows the seeded upward trend with sensible intervals (json)', async () => {
    const r = await runKt(['forecast', '--team', 'engineering', '--json'], { env: emu.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as MonthRow[];
    expectSane(r.stdout, rows);
    const actuals = rows.filter((x) => x.kind === 'actual');
    const lastFull = actuals.at(-1);
    expect(lastFull?.actual ?? 0).toBeGreaterThan(0);
    const projection = rows.find((x) => x.kind === 'projection');
    const future = rows.filter((x) => x.kind === 'forecast');
    expect(future).toHaveLength(3);
    expect(projection?.forecast ?? 0).toBeGreaterThanOrEqual((lastFull?.actual ?? 0) * 0.9);
    expect(future[0]?.forecast ?? 0).toBeGreaterThanOrEqual((lastFull?.actual ?? 0) * 0.9);
    expect(projection?.to_date ?? 0).toBeLessThanOrEqual(projection?.forecast ?? 0);
    // The months run consecutively up to the current one.
    const months = rows.map((x) => x.month);
    for (let i = 1; i < months.length; i++) expect(months[i]).toBe(addMonths(months[i - 1] ?? '', 1));
  });

  it('prints the table with signed variances and the summary', async () => {
    const r = await runKt(['forecast', '--team', 'search'], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/MONTH\s+ACTUAL\s+FORECAST\s+VARIANCE\s+INTERVAL/);
    expect(r.stdout).toMatch(/[+-]\d+\.\d%/);
    expect(r.stdout).toMatch(/\(to date\)/);
    expect(r.stdout).toMatch(/\(forecast\)/);
    expect(r.stdout).toMatch(/Projected month-end: \$[\d,]+\.\d\d \(80% interval/);
    // 3,000 seeded events at a fixed clock spend a few dollars: neither cap is near
    expect(r.stdout).toContain('Soft cap $8,000.00: not this period\n');
    expect(r.stdout).toContain('Hard cap $10,000.00: not this period\n');
    expect(r.stdout).not.toMatch(/NaN|Infinity/);
  });

  it('csv is one flat row per month with a kind column', async () => {
    const r = await runKt(['forecast', '--team', 'org', '--format', 'csv', '--months-ahead', '2'], { env: emu.env });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split(/\r?\n/);
    expect(lines[0]).toBe('month,kind,actual,forecast,lower,upper,variance,to_date,soft_cap_date,soft_cap_status,hard_cap_date,hard_cap_status,model');
    const kinds = lines.slice(1).map((l) => l.split(',')[1]);
    expect(kinds.filter((k) => k === 'projection')).toHaveLength(1);
    expect(kinds.slice(-2)).toEqual(['forecast', 'forecast']);
  });

  it('--all-teams: one row per wallet, sorted by projected overrun', async () => {
    const r = await runKt(['forecast', '--all-teams', '--json'], { env: emu.env });
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { team: string; overrun: number; projected: number; allocated: number }[];
    expect(rows.map((x) => x.team).sort()).toEqual(
      ['analytics', 'customer-support', 'devops', 'engineering', 'ml', 'operations', 'org', 'platform', 'product', 'search', 'security'].sort(),
    );
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1]?.overrun ?? 0).toBeGreaterThanOrEqual(rows[i]?.overrun ?? 0);
    expect(r.stdout).not.toMatch(/NaN|Infinity/);
  });

  it('an unknown team is exit 1 with a hint', async () => {
    const r = await runKt(['forecast', '--team', 'nope'], { env: emu.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown team "nope"');
    expect(r.stderr).toContain('kt wallets list');
    expect(r.stdout).toBe('');
  });
});

/** One event per day, spreading each month's total over its days in whole cents. */
function importHistory(team: string, monthTotals: ReadonlyMap<string, number>, today: string, dailyThisMonth: number): string {
  const lines: string[] = [];
  let n = 0;
  const push = (date: string, cents: number): void => {
    n += 1;
    const event = { timestamp: `${date}T12:00:00.000Z`, team_id: team, provider: 'openai', model: 'gpt-4o', input_tokens: 1000, output_tokens: 100, cached: false, cost: cents / 100 };
    lines.push(JSON.stringify({ ...event, request_id: `req-${n}` }));
  };
  for (const [month, total] of monthTotals) {
    const days = daysInMonth(month);
    const cents = Math.round(total * 100);
    const each = Math.floor(cents / days);
    for (let d = 1; d <= days; d++) push(`${month}-${String(d).padStart(2, '0')}`, d === days ? cents - each * (days - 1) : each);
  }
  // This month: complete days only, so the imported spend is all in the past.
  for (let date = `${today.slice(0, 7)}-01`; date < today; date = addDays(date, 1)) push(date, Math.round(dailyThisMonth * 100));
  const dir = mkdtempSync(join(tmpdir(), 'kt-forecast-'));
  const file = join(dir, 'history.ndjson');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('kt forecast on imported histories', () => {
  let emu: Emulator;
  const files: string[] = [];
  const today = NOW.slice(0, 10);
  const month = today.slice(0, 7);
  // Linear: 1,000 + 200 per month over the 8 full months before this one.
  const linear = new Map(Array.from({ length: 8 }, (_, k) => [addMonths(month, k - 8), 1_000 + 200 * k] as const));
  beforeAll(async () => {
    files.push(importHistory('linear', linear, today, 2_600 / 30));
    // Spend that began last month: one full month only, 20 a day throughout.
    const lastMonth = addMonths(month, -1);
    files.push(importHistory('fresh', new Map([[lastMonth, 20 * daysInMonth(lastMonth)]]), today, 20));
    const merged = join(mkdtempSync(join(tmpdir(), 'kt-forecast-')), 'all.ndjson');
    writeFileSync(merged, files.map((f) => readFileSync(f, 'utf8')).join(''));
    files.push(merged);
    emu = await startEmulator(['--import', merged], { now: NOW });
  }, 60_000);
  afterAll(async () => {
    await emu.stop();
    for (const f of files) rmSync(join(f, '..'), { recursive: true, force: true });
  });

  it('a linear monthly series: each future month within 2% of the line', async () => {
    const r = await runKt(['forecast', '--team', 'linear', '--json', '--months-ahead', '2'], { env: emu.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as MonthRow[];
    expectSane(r.stdout, rows);
    const actuals = rows.filter((x) => x.kind === 'actual');
    expect(actuals.map((x) => x.actual)).toEqual([...linear.values()]);
    const future = rows.filter((x) => x.kind === 'forecast');
    expect(future.map((x) => x.month)).toEqual([addMonths(month, 1), addMonths(month, 2)]);
    // This month is 2,600 on the line; the next two 2,800 and 3,000.
    future.forEach((row, i) => {
      const expected = 2_800 + 200 * i;
      expect(Math.abs((row.forecast ?? 0) - expected) / expected).toBeLessThan(0.02);
    });
    // A perfect line backtests perfectly once the model has three months.
    for (const row of actuals.slice(3)) expect(Math.abs(row.variance ?? 1)).toBeLessThan(0.01);
    const projection = rows.find((x) => x.kind === 'projection');
    expect(projection?.soft_cap_status).toBe('no_cap');
  });

  it('short history: a run-rate fallback, said on stderr, exit 0', async () => {
    const r = await runKt(['forecast', '--team', 'fresh', '--json'], { env: emu.env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('fresh: only 1 full month of history (the trend model needs 3); forecasts use the run rate instead');
    const rows = JSON.parse(r.stdout) as MonthRow[];
    expectSane(r.stdout, rows);
    // 20 a day: next month is 20 × its days.
    const next = rows.find((x) => x.kind === 'forecast');
    expect(next?.forecast).toBe(20 * daysInMonth(addMonths(month, 1)));
  });
});

describe('kt forecast bad input', () => {
  it.each([
    [['--level', '0'], 'invalid --level "0": expected a percentage strictly between 0 and 100'],
    [['--level', '100'], 'invalid --level "100"'],
    [['--level', 'high'], 'invalid --level "high"'],
    [['--months-ahead', '0'], 'invalid --months-ahead "0": expected a positive whole number of months'],
    [['--months-ahead', '2.5'], 'invalid --months-ahead "2.5"'],
    [['--history', 'abc'], 'invalid --history "abc"'],
    [['--team', 'search', '--all-teams'], '--team and --all-teams cannot be combined'],
    [['--tz', 'Nowhere/Land'], 'invalid --tz "Nowhere/Land"'],
    [['--format', 'xml'], 'xml'],
  ])('kt forecast %j → exit 2', async (args, message) => {
    const r = await runKt(['forecast', ...args], { env: { KEEPTRUSTS_API_URL: 'http://127.0.0.1:9', KEEPTRUSTS_API_TOKEN: 't' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });
});
