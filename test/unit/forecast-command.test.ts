// kt forecast in-process: flags → canned API answers → exact rows, summary and notices.
import { describe, expect, it } from 'vitest';
import forecastCommand, { modelLine, monthName, summaryLines, type ForecastOptions } from '../../src/cli/forecast/forecast.js';
import { parseForecastFlags } from '../../src/cli/forecast/options.js';
import { buildTeamForecast } from '../../src/cli/forecast/report.js';
import { rollUp } from '../../src/cli/forecast/spend.js';
import { forecastChart } from '../../src/cli/forecast/chart.js';
import { ApiError, UsageError } from '../../src/errors.js';
import type { ApiClient, Query } from '../../src/api/client.js';
import type { SpendBucket } from '../../src/api/forecast.js';
import { readWallet, type Wallet } from '../../src/api/wallets.js';
import { moneyFromJson, nanos } from '../../src/domain/money.js';
import { stringifyJson } from '../../src/domain/json.js';
import { scriptedApi } from '../helpers/fake-api.js';
import { addDays, addMonths } from '../../src/domain/periods.js';
import { testContext as fakeContext } from '../helpers/context.js';

const NOW = new Date('2026-11-28T09:15:00Z');

/** A wallet and a bucket as the API sends them (amounts as JSON numbers). */
type RawWallet = Record<string, unknown>;
interface RawBucket {
  period_start: string;
  team_id?: string;
  cost: number;
}

function wallet(team: string, parent: string | null, extra: RawWallet = {}): RawWallet {
  return {
    id: `wal_${team}`,
    team_id: team,
    name: team,
    parent_id: parent,
    currency: 'USD',
    period: 'monthly',
    allocated: 30_000,
    spent: 0,
    reserved: 0,
    soft_cap: null,
    hard_cap: null,
    status: 'healthy',
    period_start: '2026-11-01T00:00:00.000Z',
    period_end: '2026-12-01T00:00:00.000Z',
    ...extra,
  };
}

/** Linear monthly history ending October 2026: 10,000, 11,000, … */
/** What the API layer makes of them. */
const asWallet = (raw: RawWallet): Wallet => readWallet(raw, 'test');
const asBuckets = (raw: readonly RawBucket[]): SpendBucket[] => raw.map((b) => ({ ...b, cost: moneyFromJson(b.cost) }));

function linearMonths(n: number, team?: string): RawBucket[] {
  return Array.from({ length: n }, (_, i) => ({
    period_start: `${addMonths('2026-10', i - n + 1)}-01T00:00:00+00:00`,
    cost: 10_000 + 1_000 * (i + (12 - n)),
    ...(team === undefined ? {} : { team_id: team }),
  }));
}

/** 800 a day through the 27th, 300 so far on the 28th. */
function novemberDays(team?: string): RawBucket[] {
  const days: RawBucket[] = [];
  for (let date = '2026-11-01'; date <= '2026-11-28'; date = addDays(date, 1)) {
    days.push({ period_start: `${date}T00:00:00+00:00`, cost: date === '2026-11-28' ? 300 : 800, ...(team === undefined ? {} : { team_id: team }) });
  }
  return days;
}

interface Canned {
  wallets: RawWallet[];
  monthly: RawBucket[];
  daily: RawBucket[];
}

function fakeApi(canned: Canned, calls: Query[] = []): ApiClient {
  return scriptedApi((path, query) => {
    calls.push({ path, ...query });
    if (path === '/v1/wallets/balance') {
      const found = canned.wallets.find((w) => w.team_id === query.team_id);
      if (found === undefined) throw new ApiError({ status: 404, code: 'team_not_found', message: `team ${String(query.team_id)} not found` });
      return { wallet: found, parents: [] };
    }
    if (path === '/v1/wallets') return { data: canned.wallets, next_cursor: null };
    if (path !== '/v1/events') throw new ApiError({ status: 404, code: 'not_found', message: `no route ${path}` });
    if (query.aggregate === 'monthly') return { data: canned.monthly, next_cursor: null };
    if (query.aggregate === 'daily') return { data: canned.daily, next_cursor: null };
    throw new ApiError({ status: 400, code: 'invalid_request', message: 'forecast asks for aggregates only' });
  }).api;
}

async function runForecast(opts: ForecastOptions, canned: Canned, io: { isStdoutTTY?: boolean } = {}) {
  const fake = fakeContext({ io });
  const calls: Query[] = [];
  const ctx = { ...fake.ctx, api: () => Promise.resolve(fakeApi(canned, calls)) };
  await forecastCommand(ctx, opts);
  return { stdout: fake.stdout(), stderr: fake.stderr(), calls };
}

const SEARCH: Canned = {
  wallets: [wallet('search', 'org', { spent: 21_900, soft_cap: 20_000, hard_cap: 23_500, allocated: 25_000 })],
  monthly: linearMonths(12),
  daily: novemberDays(),
};

describe('parseForecastFlags', () => {
  it('has defaults: team org, 3 months ahead, 12 of history, 80% in UTC', () => {
    expect(parseForecastFlags({})).toEqual({ team: 'org', monthsAhead: 3, history: 12, level: 80, tz: 'UTC', chart: false });
    expect(parseForecastFlags({ allTeams: true, level: '95%', monthsAhead: '6', tz: 'Europe/Berlin', chart: true })).toEqual({
      team: null,
      monthsAhead: 6,
      history: 12,
      level: 95,
      tz: 'Europe/Berlin',
      chart: true,
    });
  });
  it.each([
    [{ level: '0' }, 'invalid --level "0": expected a percentage strictly between 0 and 100'],
    [{ level: '100' }, 'invalid --level "100"'],
    [{ level: '-5' }, 'invalid --level "-5"'],
    [{ level: 'abc' }, 'invalid --level "abc"'],
    [{ monthsAhead: '0' }, 'invalid --months-ahead "0": expected a positive whole number'],
    [{ monthsAhead: '1.5' }, 'invalid --months-ahead "1.5"'],
    [{ monthsAhead: '999' }, 'invalid --months-ahead "999": at most 120 months'],
    [{ history: '-1' }, 'invalid --history "-1"'],
    [{ history: 'x' }, 'invalid --history "x"'],
    [{ team: 'a', allTeams: true }, '--team and --all-teams cannot be combined'],
    [{ team: ' ' }, '--team needs a team id'],
    [{ tz: 'Mars/Olympus' }, 'invalid --tz "Mars/Olympus"'],
  ])('refuses %j with exit 2', (flags, message) => {
    let caught: unknown;
    try {
      parseForecastFlags(flags);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).exitCode).toBe(2);
    expect((caught as UsageError).message).toContain(message);
  });
});

describe('buildTeamForecast', () => {
  const base = { team: 'search', now: NOW, tz: 'UTC', history: 12, monthsAhead: 3, level: 80 };
  it('backtests the past, projects this month and forecasts the months after', () => {
    const r = buildTeamForecast({ ...base, wallet: asWallet(SEARCH.wallets[0] as RawWallet), monthly: asBuckets(SEARCH.monthly), daily: asBuckets(SEARCH.daily) });
    expect(r.method).toBe('exponential-smoothing');
    expect(r).toMatchObject({ model: 'holt', criterion: 'exact-fit' });
    // Each row names what made its forecast: nothing for the first month, the run rate on one or two months, then the line.
    expect(r.rows.map((x) => x.model)).toEqual([null, 'run-rate', 'run-rate', ...Array.from({ length: 9 }, () => 'holt'), 'daily-run-rate', 'holt', 'holt', 'holt']);
    expect(r.rows.map((x) => `${x.kind}:${x.month}`)).toEqual([
      ...Array.from({ length: 12 }, (_, i) => `actual:${addMonths('2025-11', i)}`),
      'projection:2026-11',
      'forecast:2026-12',
      'forecast:2027-01',
      'forecast:2027-02',
    ]);
    // The linear history continues: December ≈ 23,000 (h = 2 from October).
    const dec = r.rows.find((x) => x.month === '2026-12');
    expect(Math.abs(Number(dec?.forecast ?? 0n) / 1e9 - 23_000) / 23_000).toBeLessThan(0.01);
    // 27 days at 800 + 300 today, then 0.6 of today and 2 more days at 800: exact money throughout.
    expect(r.toDate).toBe(21_900_000_000_000n);
    expect(r.month.toDate).toBe(21_900_000_000_000n);
    // 09:15 UTC: 9.25 of 24 hours have gone.
    const projected = 21_900_000_000_000n + BigInt(Math.round(800e9 * (2 + (1 - 9.25 / 24))));
    expect(r.month.projected).toBe(projected);
    expect(r.rows.find((x) => x.kind === 'projection')?.forecast).toBe(projected);
    // The wallet's period is the month: one projection, one figure.
    expect(r.projectedPeriodEnd).toBe(projected);
    expect(r.overrun).toBe(projected - 25_000_000_000_000n);
    expect(r.walletSpentDiffers).toBeNull();
    expect(r.soft).toEqual({ cap: 20_000_000_000_000n, date: '2026-11-28', status: 'crossed' });
    expect(r.hard?.status).toBe('projected');
    expect(r.hard?.date).toBe('2026-11-30');
    expect(r.rows.find((x) => x.kind === 'projection')?.actual).toBeNull();
  });
  it('uses the run rate on short history and still forecasts every month', () => {
    const r = buildTeamForecast({ ...base, wallet: asWallet(wallet('new', 'org')), monthly: asBuckets(linearMonths(2)), daily: asBuckets(novemberDays()) });
    expect(r.method).toBe('run-rate');
    expect(r).toMatchObject({ model: 'run-rate', criterion: 'short-history' });
    expect(r.historyMonths).toBe(2);
    // December at 800 a day, 31 days.
    expect(r.rows.find((x) => x.month === '2026-12')?.forecast).toBe(24_800_000_000_000n);
    expect(stringifyJson(r)).not.toMatch(/NaN|Infinity/);
  });
  it('drops a partial first month (spend began mid-month) from the history', () => {
    const daily = [{ period_start: '2026-07-20T00:00:00+00:00', cost: 50 }, ...novemberDays()];
    const monthly = [{ period_start: '2026-07-01T00:00:00+00:00', cost: 50 }, ...linearMonths(3)];
    const r = buildTeamForecast({ ...base, wallet: asWallet(wallet('t', 'org')), monthly: asBuckets(monthly), daily: asBuckets(daily) });
    expect(r.historyMonths).toBe(3);
    expect(r.rows[0]?.month).toBe('2026-08');
    // A first month that began on the 1st stays.
    const r2 = buildTeamForecast({ ...base, wallet: asWallet(wallet('t', 'org')), monthly: asBuckets(monthly), daily: asBuckets([{ period_start: '2026-07-01T00:00:00+00:00', cost: 50 }]) });
    expect(r2.historyMonths).toBe(4);
  });

  it('a team with no spend at all forecasts zeros, never NaN', () => {
    const r = buildTeamForecast({ ...base, wallet: asWallet(wallet('idle', 'org', { soft_cap: 10, hard_cap: 20 })), monthly: [], daily: [] });
    expect(r.rows.map((x) => x.forecast)).toEqual([0n, 0n, 0n, 0n]);
    expect(r.soft?.status).toBe('not_this_period');
    expect(stringifyJson(r)).not.toMatch(/NaN|Infinity/);
  });
});

describe('rollUp', () => {
  it("sums each subtree's own buckets", () => {
    const wallets = [wallet('org', null), wallet('eng', 'org'), wallet('search', 'eng'), wallet('ops', 'org')];
    const buckets: SpendBucket[] = [
      { period_start: 'a', team_id: 'search', cost: nanos(1n) },
      { period_start: 'a', team_id: 'eng', cost: nanos(2n) },
      { period_start: 'a', team_id: 'ops', cost: nanos(4n) },
    ];
    const sum = (team: string): bigint => (rollUp(wallets.map(asWallet), buckets).get(team) ?? []).reduce((s, b) => s + b.cost, 0n);
    expect([sum('org'), sum('eng'), sum('search'), sum('ops')]).toEqual([7n, 3n, 1n, 4n]);
  });
});

describe('kt forecast (in-process)', () => {
  it('asks for the subtree, monthly and daily, in the zone', async () => {
    const { calls } = await runForecast({ team: 'search', tz: 'Europe/Berlin' }, SEARCH);
    expect(calls.some((c) => c.path === '/v1/wallets')).toBe(true);
    expect(calls).toContainEqual({
      path: '/v1/events',
      aggregate: 'monthly',
      limit: 1000,
      team_id: 'search',
      descendants: 'true',
      since: '2025-10-31T23:00:00.000Z',
      tz: 'Europe/Berlin',
    });
    expect(calls.some((c) => c.aggregate === 'daily' && c.since === '2025-10-31T23:00:00.000Z')).toBe(true);
  });

  it('prints the product table with signed variances and the summary on stdout', async () => {
    const { stdout, stderr } = await runForecast({ team: 'search' }, SEARCH);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/MONTH\s+ACTUAL\s+FORECAST\s+VARIANCE\s+INTERVAL/);
    expect(stdout).toContain('Nov 2025');
    expect(stdout).toMatch(/Nov 2026 \(to date\)\s+\$21,900\.00/);
    expect(stdout).toMatch(/Dec 2026 \(forecast\)\s+\$2\d,\d{3}\.\d\d/);
    expect(stdout).toMatch(/Feb 2026\s+\$13,000\.00\s+\$13,000\.00\s+0\.0%/);
    expect(stdout).toContain('Soft cap $20,000.00: crossed on 2026-11-28');
    expect(stdout).toContain('Hard cap $23,500.00: projected to be crossed on 2026-11-30');
    expect(stdout).toMatch(/^Model: Holt linear trend \(fits all 12 months exactly; alpha \d\.\d\d, beta \d\.\d\d\)$/m);
    expect(stdout).toContain('Variance = (actual − forecast) / forecast');
    expect(stdout).not.toMatch(/NaN|Infinity/);
    expect(stderr).toBe('');
  });

  it('json: one row per month with kinds, fractions and nulls', async () => {
    const { stdout } = await runForecast({ team: 'search', json: true }, SEARCH);
    const rows = JSON.parse(stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(16);
    expect(rows[0]).toMatchObject({ month: '2025-11', kind: 'actual', actual: 10_000, forecast: null, variance: null });
    expect(rows[3]).toMatchObject({ month: '2026-02', kind: 'actual', actual: 13_000, forecast: 13_000, variance: 0, model: 'holt' });
    expect(rows[12]).toMatchObject({ month: '2026-11', kind: 'projection', actual: null, to_date: 21_900, soft_cap_status: 'crossed', hard_cap_date: '2026-11-30' });
    for (const row of rows.slice(13)) {
      expect(row).toMatchObject({ kind: 'forecast', actual: null, variance: null });
      expect(row.lower as number).toBeLessThanOrEqual(row.forecast as number);
      expect(row.upper as number).toBeGreaterThanOrEqual(row.forecast as number);
    }
  });

  it('csv is flat with a kind column', async () => {
    const { stdout } = await runForecast({ team: 'search', format: 'csv' }, SEARCH);
    const [header, first] = stdout.split(/\r?\n/);
    expect(header).toBe('month,kind,actual,forecast,lower,upper,variance,to_date,soft_cap_date,soft_cap_status,hard_cap_date,hard_cap_status,model');
    expect(first).toBe('2025-11,actual,10000.00,,,,,,,,,,');
  });

  it('says on stderr when it falls back to the run rate, and still answers', async () => {
    const { stdout, stderr } = await runForecast({ team: 'search', json: true }, { ...SEARCH, monthly: linearMonths(1) });
    expect(stderr).toContain('search: only 1 full month of history (the trend model needs 3); forecasts use the run rate instead');
    expect(stdout).not.toMatch(/NaN|Infinity/);
  });

  it('an unknown team is exit 1 with a hint', async () => {
    const error = await runForecast({ team: 'nope' }, SEARCH).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 1, message: 'unknown team "nope": the control plane has no wallet for it', hint: 'run `kt wallets list` to see every team' });
    const typo = await runForecast({ team: 'serch' }, SEARCH).catch((e: unknown) => e);
    expect(typo).toMatchObject({ exitCode: 1, message: 'unknown team "serch": the control plane has no wallet for it; did you mean "search"?' });
  });

  it('--all-teams: one row per team, largest projected overrun first', async () => {
    const canned: Canned = {
      wallets: [
        wallet('org', null, { allocated: 100_000, spent: 43_800 }),
        wallet('search', 'org', { allocated: 1_000, spent: 21_900 }),
        wallet('ops', 'org', { allocated: 90_000, spent: 21_900 }),
      ],
      monthly: [...linearMonths(12, 'search'), ...linearMonths(12, 'ops')],
      daily: [...novemberDays('search'), ...novemberDays('ops')],
    };
    const { stdout, calls } = await runForecast({ allTeams: true, json: true }, canned);
    const rows = JSON.parse(stdout) as { team: string; overrun: number; projected: number; allocated: number; method: string; model: string }[];
    expect(rows.map((r) => r.team)).toEqual(['search', 'org', 'ops']);
    for (const r of rows) expect(r.overrun).toBeCloseTo(r.projected - r.allocated, 6);
    // Every subtree's history is a straight line (org's is the sum of two).
    for (const r of rows) expect(r).toMatchObject({ method: 'exponential-smoothing', model: 'holt' });
    // Two aggregate calls for the whole organization, none per team.
    expect(calls.filter((c) => c.path === '/v1/events')).toHaveLength(2);
    expect(calls.every((c) => c.team_id === undefined)).toBe(true);
  });

  it('--chart on a terminal draws after the table; elsewhere it says so', async () => {
    const tty = await runForecast({ team: 'search', chart: true }, SEARCH, { isStdoutTTY: true });
    expect(tty.stdout).toContain('◆ forecast');
    const piped = await runForecast({ team: 'search', chart: true }, SEARCH);
    expect(piped.stdout).not.toContain('◆ forecast');
    expect(piped.stderr).toContain('--chart draws on a terminal only');
  });
});

describe('forecastChart', () => {
  it('draws bars, intervals and markers on one scale', () => {
    const lines = forecastChart(
      [
        { label: 'Jan', actual: 100, forecast: null, lower: null, upper: null, display: '$100' },
        { label: 'Feb', actual: null, forecast: 150, lower: 100, upper: 200, display: '$150' },
      ],
      40,
      80,
    );
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^Jan █+ +\$100$/);
    expect(lines[1]).toMatch(/^Feb +─+◆─+ \$150$/);
    expect(lines[2]).toBe('█ actual  ◆ forecast  ─ 80% interval');
    expect(forecastChart([], 40, 80)).toEqual([]);
  });
  it('survives all-zero values', () => {
    const lines = forecastChart([{ label: 'Jan', actual: 0, forecast: 0, lower: 0, upper: 0, display: '$0' }], 30, 80);
    expect(lines[0]).toContain('◆');
  });
});

describe('summaryLines', () => {
  it('names the month and the model', () => {
    expect(monthName('2026-04')).toBe('Apr 2026');
    const r = buildTeamForecast({ team: 't', wallet: asWallet(wallet('t', 'org')), monthly: [], daily: [], now: NOW, tz: 'UTC', history: 12, monthsAhead: 1, level: 80 });
    const lines = summaryLines(r);
    // No cap, no cap line: a cap is said only when the wallet has one.
    expect(lines.some((l) => l.startsWith('Soft cap'))).toBe(false);
    expect(lines).toContain('Allocated this period: $30,000.00');
    expect(lines).toContain('Model: run rate (fewer than 3 full months of history)');
    expect(lines.at(-1)).toBe('Variance = (actual − forecast) / forecast');
  });
  it('says which model AICc chose, or that the history is too short for it', () => {
    const history = (costs: number[]): RawBucket[] => costs.map((cost, i) => ({ period_start: `${addMonths('2026-11', i - costs.length)}-01T00:00:00+00:00`, cost }));
    const build = (costs: number[]) => buildTeamForecast({ team: 't', wallet: asWallet(wallet('t', 'org')), monthly: asBuckets(history(costs)), daily: [], now: NOW, tz: 'UTC', history: 24, monthsAhead: 1, level: 80 });
    expect(modelLine(build([10_000, 13_000, 9_000, 12_000]))).toBe('Model: run rate, the mean of the last 3 months (4 months: too few for AICc to rank the smoothing models)');
    const flat = [3, -5, 2, 6, -4, -1, 5, -6, 1, 4, -3, -2, 6, -5, 2, -1, 4, -4].map((e) => 1_000 + 10 * e);
    expect(modelLine(build(flat))).toMatch(/^Model: simple exponential smoothing \(AICc over 18 months; alpha \d\.\d\d\)$/);
  });
});

describe('the organisation and one projection', () => {
  /** The product's shapes: an organization-scope wallet not called org, cumulative totals, no period. */
  const PRODUCT: Canned = {
    wallets: [
      { id: 'wal_7f3c', scope: 'organization', name: 'Acme', balance: 41_250.5, total_allocated: 50_000, total_spent: 8_749.5, reserved: 0, status: 'Healthy' },
      { id: 'wal_search', scope: 'team', team_id: 'search', name: 'Search', balance: 3, total_allocated: 10_000, total_spent: 9_997, reserved: 0, status: 'Low' },
    ],
    monthly: linearMonths(12),
    daily: novemberDays(),
  };

  it('kt forecast without --team forecasts every event of the organisation, whatever its wallet is called', async () => {
    const { stdout, stderr, calls } = await runForecast({}, PRODUCT);
    // No team filter: the organisation's whole spend.
    const events = calls.filter((c) => c.path === '/v1/events');
    expect(events).toHaveLength(2);
    expect(events.every((c) => c.team_id === undefined && c.group_by === undefined && c.descendants === undefined)).toBe(true);
    expect(stdout).toContain('Organisation: every team (all events)');
    // Only cumulative totals are known: no "allocated this period", the pool instead.
    expect(stdout).not.toContain('Allocated this period');
    expect(stdout).toContain('Allocated in total (cumulative): $50,000.00; balance $41,250.50');
    expect(stdout).not.toMatch(/Soft cap|Hard cap/);
    expect(stderr).toBe('');
    // --team org is the same forecast.
    expect((await runForecast({ team: 'org' }, PRODUCT)).stdout).toBe(stdout);
    // A server that never speaks of caps has no "no cap" either: the statuses are null, not no_cap.
    const rows = JSON.parse((await runForecast({ json: true }, PRODUCT)).stdout) as Array<{ kind: string; soft_cap_status: string | null }>;
    expect(rows.find((r) => r.kind === 'projection')?.soft_cap_status).toBeNull();
    const kt = JSON.parse((await runForecast({ team: 'search', json: true }, { ...SEARCH, wallets: [wallet('search', 'org')] })).stdout) as typeof rows;
    expect(kt.find((r) => r.kind === 'projection')?.soft_cap_status).toBe('no_cap');
  });

  it('without any wallet the organisation is still forecast, with no allocation line', async () => {
    const { stdout } = await runForecast({}, { ...PRODUCT, wallets: [] });
    expect(stdout).toContain('Organisation: every team (all events)');
    expect(stdout).not.toMatch(/Allocated/);
  });

  it("says in one line when the wallet's spend differs from its events", async () => {
    const canned: Canned = { ...SEARCH, wallets: [wallet('search', 'org', { spent: 1_235.96, allocated: 25_000 })] };
    const { stdout } = await runForecast({ team: 'search' }, canned);
    expect(stdout).toContain(
      'The wallet reports $1,235.96 spent this period; its events sum to $21,900.00. The wallet may include spend that is not in the events, such as user wallets or fall-through to the organization.',
    );
    // The projection stays the events': the table's row and the summary print one figure.
    const row = /Nov 2026 \(to date\)\s+\$21,900\.00\s+(\$[\d,]+\.\d\d)/.exec(stdout)?.[1];
    expect(stdout).toContain(`Projected month-end: ${row ?? 'missing'} (80% interval`);
  });

  it('a new team: no full month of history, and an interval floored on its few days, both said', async () => {
    const days: RawBucket[] = ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27'].map((date) => ({ period_start: `${date}T00:00:00+00:00`, cost: 6.25 }));
    const canned: Canned = { wallets: [wallet('research', 'org', { spent: 25, allocated: 500 })], monthly: [], daily: days };
    const { stdout, stderr } = await runForecast({ team: 'research' }, canned);
    expect(stderr).toContain('research: no full month of history yet (the trend model needs 3); forecasts use the run rate instead');
    expect(stderr).not.toContain('only 0 full months');
    expect(stdout).toContain('Interval: only 4 complete days of spend history (fewer than 14), so the daily spread is taken as at least 20% of the daily rate.');
    const interval = /Projected month-end: (\$[\d,.]+) \(80% interval (\$[\d,.]+) – (\$[\d,.]+)\)/.exec(stdout);
    expect(interval).not.toBeNull();
    expect(interval?.[2]).not.toBe(interval?.[3]);
  });

  it('--all-teams prints the same projected figure as the team forecast', async () => {
    const canned: Canned = {
      wallets: [wallet('org', null, { allocated: 100_000, spent: 43_800 }), wallet('search', 'org', { allocated: 25_000, spent: 21_900 }), wallet('ops', 'org', { spent: 21_900 })],
      monthly: [...linearMonths(12, 'search'), ...linearMonths(12, 'ops')],
      daily: [...novemberDays('search'), ...novemberDays('ops')],
    };
    const all = JSON.parse((await runForecast({ allTeams: true, json: true }, canned)).stdout) as Array<{ team: string; projected: number }>;
    const single: Canned = { ...canned, monthly: linearMonths(12), daily: novemberDays() };
    const one = await runForecast({ team: 'search', json: true, fields: 'month,kind,forecast' }, single);
    const projection = (JSON.parse(one.stdout) as Array<{ kind: string; forecast: number }>).find((r) => r.kind === 'projection');
    expect(all.find((r) => r.team === 'search')?.projected).toBe(projection?.forecast);
  });
});
