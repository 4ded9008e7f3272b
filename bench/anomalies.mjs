// Anomaly detection accuracy benchmark (not a test): kt's detector
// (src/domain/anomalies.ts, bundled on the fly with esbuild) against a naive
// detector run side by side on the same series (the mean ± z·sd of the 28
// days before, no weekdays, no cleaning), on synthetic daily spend whose
// truth is known.
//
// A series is one group's daily spend: BASELINE_DAYS of history (what
// `kt events anomalies` fetches before --since) and 30 judged days (the
// default --since 30d). Each has
//   - a base weekday spend of $20–$5,000 (log-uniform);
//   - a weekly pattern: 70 % office hours (weekdays within ±15 % of each
//     other, Saturday 10–60 % of a weekday, Sunday less), 30 % always-on
//     (every day within ±10 %);
//   - a trend of −2 % to +4 % a week;
//   - a day-to-day usage factor, log-normal with a spread of 5–25 %;
//   - counting noise: the day's spend is the sum of its requests (Poisson
//     in number, log-normal in cost with σ 0.9, a mean request cost of
//     $0.002–$0.05), so days of few requests (weekends, small teams) vary more.
// Scenarios, each on fresh series:
//   ordinary   nothing injected: every flagged judged day is a false positive
//   spike      one judged day × 3 (any weekday)
//   week       seven consecutive judged days × 2
//   two        two days × 3, 2–10 days apart: is the second still found?
//   drop       one judged day at 10 % of its spend
// Seeded, so every run sees the same series.
//
// Usage: node bench/anomalies.mjs [--series N] [--seed S] [--level L] [--json]
//   --series  series per scenario (default 2000: the ordinary scenario then
//             judges 60,000 group-days, so a 1 % rate is good to about ±0.08 %)
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    series: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '22' },
    level: { type: 'string', default: '99' },
    json: { type: 'boolean', default: false },
  },
});
const PER_SCENARIO = Number(args.series);
const SEED = Number(args.seed);
const LEVEL = Number(args.level);
if (!Number.isInteger(PER_SCENARIO) || PER_SCENARIO < 1 || !Number.isInteger(SEED) || !(LEVEL > 0 && LEVEL < 100)) {
  process.stderr.write('usage: node bench/anomalies.mjs [--series N] [--seed S] [--level L] [--json]\n');
  process.exit(2);
}

const JUDGED = 30;
const MIN_COST = 1_000_000_000n; // --min-cost 1 (nano-units)

/** kt's pure detector, bundled from src/ (no build of the CLI needed). */
async function loadKt() {
  const entry = fileURLToPath(new URL('../src/domain/anomalies.ts', import.meta.url));
  const result = await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', target: 'node20.19', write: false, logLevel: 'warning' });
  return import(`data:text/javascript;base64,${Buffer.from(result.outputFiles[0].text).toString('base64')}`);
}

/** sfc32: small, fast, deterministic. */
function rng(seed) {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}

function normal(random) {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

const uniform = (random, lo, hi) => lo + (hi - lo) * random();
const logUniform = (random, lo, hi) => Math.exp(uniform(random, Math.log(lo), Math.log(hi)));

function poisson(random, lambda) {
  if (lambda > 500) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(random)));
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = random();
  while (p > limit) {
    k += 1;
    p *= random();
  }
  return k;
}

const REQUEST_SIGMA = 0.9;
const REQUEST_CV = Math.sqrt(Math.exp(REQUEST_SIGMA ** 2) - 1);

/** The spend of n requests of mean cost m: summed one by one when few, else its normal approximation. */
function requestsSpend(random, n, m) {
  if (n <= 60) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += m * Math.exp(REQUEST_SIGMA * normal(random) - REQUEST_SIGMA ** 2 / 2);
    return sum;
  }
  return Math.max(0, n * m * (1 + (REQUEST_CV / Math.sqrt(n)) * normal(random)));
}

function addDays(date, n) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** A series of `length` days: expected spend per day (dollars) and the drawn spend and requests. */
function makeSeries(random, length) {
  const base = logUniform(random, 20, 5_000);
  const office = random() < 0.7;
  const pattern = Array.from({ length: 7 }, () => (office ? 1 + uniform(random, -0.15, 0.15) : 1 + uniform(random, -0.1, 0.1)));
  if (office) {
    pattern[6] = uniform(random, 0.1, 0.6); // Saturday
    pattern[0] = pattern[6] * uniform(random, 0.5, 1); // Sunday
  }
  const growth = uniform(random, -0.02, 0.04);
  const usage = uniform(random, 0.05, 0.25);
  const requestCost = logUniform(random, 0.002, 0.05);
  const start = addDays('2026-01-01', Math.floor(random() * 7));
  const dates = Array.from({ length }, (_, i) => addDays(start, i));
  const expected = dates.map((date, i) => base * pattern[new Date(`${date}T00:00:00Z`).getUTCDay()] * (1 + growth) ** (i / 7));
  return { dates, expected, usage, requestCost, office, noise: usage };
}

/** Draws the days of a series, with each day's expected spend multiplied by factor(i). */
function draw(random, series, factor = () => 1) {
  return series.expected.map((mean, i) => {
    const day = mean * factor(i) * Math.exp(series.usage * normal(random) - series.usage ** 2 / 2);
    const n = poisson(random, day / series.requestCost);
    return { date: series.dates[i], dollars: requestsSpend(random, n, series.requestCost), requests: n };
  });
}

const money = (dollars) => BigInt(Math.round(dollars * 1e9));

/** kt's verdicts by date for the judged days. */
function ktFlags(mod, days) {
  const through = days[days.length - 1].date;
  const verdicts = mod.scanDays({
    days: days.map((d) => ({ date: d.date, cost: money(d.dollars), requests: d.requests })),
    through,
    levelPct: LEVEL,
    minCost: MIN_COST,
  });
  return new Map(verdicts.map((v) => [v.date, v.direction]));
}

/** The naive detector: the 28 days before, mean ± z·sd of the raw spend (the same --min-cost rule). */
function naiveFlags(mod, days, z) {
  const flags = new Map();
  for (let i = 28; i < days.length; i++) {
    const window = days.slice(i - 28, i).map((d) => d.dollars);
    const mean = window.reduce((a, b) => a + b, 0) / window.length;
    const sd = Math.sqrt(window.reduce((s, x) => s + (x - mean) ** 2, 0) / (window.length - 1));
    const y = days[i].dollars;
    const big = y >= 1 || mean >= 1;
    flags.set(days[i].date, big && y > mean + z * sd ? 'spike' : big && y < mean - z * sd ? 'drop' : null);
  }
  return flags;
}

const pct = (part, whole) => (whole > 0 ? (100 * part) / whole : 0);

function run(mod) {
  const random = rng(SEED);
  const length = mod.BASELINE_DAYS + JUDGED;
  const first = mod.BASELINE_DAYS;
  const z = mod.studentQuantile(0.5 + LEVEL / 200, Infinity);
  const methods = { kt: (days) => ktFlags(mod, days), naive: (days) => naiveFlags(mod, days, z) };
  const blank = () => ({ fp: 0, ordinary: 0, fpWeekend: 0, weekendDays: 0, hits: 0, trials: 0, days: 0, daysFound: 0, allFound: 0, wrongWay: 0 });
  const scenarios = ['ordinary', 'spike', 'week', 'two', 'drop'];
  const results = Object.fromEntries(scenarios.map((s) => [s, Object.fromEntries(Object.keys(methods).map((m) => [m, blank()]))]));
  let ktMs = 0;
  let ktSeries = 0;
  for (const scenario of scenarios) {
    for (let trial = 0; trial < PER_SCENARIO; trial++) {
      const series = makeSeries(random, length);
      let anomalous = new Set();
      if (scenario === 'spike' || scenario === 'drop') anomalous = new Set([first + Math.floor(random() * JUDGED)]);
      else if (scenario === 'week') {
        const start = first + Math.floor(random() * (JUDGED - 6));
        anomalous = new Set(Array.from({ length: 7 }, (_, k) => start + k));
      } else if (scenario === 'two') {
        const a = first + Math.floor(random() * (JUDGED - 10));
        anomalous = new Set([a, a + 2 + Math.floor(random() * 9)]);
      }
      const factor = scenario === 'drop' ? 0.1 : scenario === 'week' ? 2 : 3;
      const days = draw(random, series, (i) => (anomalous.has(i) ? factor : 1));
      const want = scenario === 'drop' ? 'drop' : 'spike';
      for (const [name, detect] of Object.entries(methods)) {
        const t0 = performance.now();
        const flags = detect(days);
        if (name === 'kt') {
          ktMs += performance.now() - t0;
          ktSeries += 1;
        }
        const r = results[scenario][name];
        let found = 0;
        for (let i = first; i < length; i++) {
          const flag = flags.get(days[i].date) ?? null;
          if (anomalous.has(i)) {
            if (flag === want) found += 1;
            else if (flag !== null) r.wrongWay += 1;
            continue;
          }
          const weekday = new Date(`${days[i].date}T00:00:00Z`).getUTCDay();
          const weekend = weekday === 0 || weekday === 6;
          r.ordinary += 1;
          if (weekend) r.weekendDays += 1;
          if (flag !== null) {
            r.fp += 1;
            if (weekend) r.fpWeekend += 1;
          }
        }
        if (anomalous.size > 0) {
          r.trials += 1;
          r.days += anomalous.size;
          r.daysFound += found;
          if (scenario === 'two') {
            // The second spike, found whatever happened to the first.
            const second = Math.max(...anomalous);
            if (flags.get(days[second].date) === 'spike') r.hits += 1;
          } else if (found > 0) r.hits += 1;
          if (found === anomalous.size) r.allFound += 1;
        }
      }
    }
  }
  const summary = {};
  for (const s of scenarios) {
    summary[s] = {};
    for (const m of Object.keys(methods)) {
      const r = results[s][m];
      summary[s][m] = {
        falsePositivePct: pct(r.fp, r.ordinary),
        weekendFalsePositivePct: pct(r.fpWeekend, r.weekendDays),
        weekdayFalsePositivePct: pct(r.fp - r.fpWeekend, r.ordinary - r.weekendDays),
        ordinaryDays: r.ordinary,
        foundPct: pct(r.hits, r.trials),
        daysFoundPct: pct(r.daysFound, r.days),
        allFoundPct: pct(r.allFound, r.trials),
        wrongWayPct: pct(r.wrongWay, r.days),
      };
    }
  }
  return { seed: SEED, level: LEVEL, seriesPerScenario: PER_SCENARIO, baselineDays: mod.BASELINE_DAYS, judgedDays: JUDGED, summary, msPerSeries: ktMs / ktSeries };
}

function targetsMet(r) {
  const s = r.summary;
  return s.spike.kt.foundPct >= 95 && s.week.kt.foundPct >= 95 && s.ordinary.kt.falsePositivePct <= 1;
}

const f1 = (v) => v.toFixed(1);
const f2 = (v) => v.toFixed(2);

function report(r) {
  const s = r.summary;
  const lines = [];
  lines.push(
    `Anomaly detection at --level ${r.level}: ${r.seriesPerScenario} series per scenario, ${r.baselineDays} days of history + ${r.judgedDays} judged days each, seed ${r.seed}`,
    '',
  );
  lines.push('| scenario | measure | kt | naive (28-day mean ± z·sd) |');
  lines.push('|---|---|---:|---:|');
  const row = (scenario, measure, pick) => lines.push(`| ${scenario} | ${measure} | ${pick(s[scenario].kt)} | ${pick(s[scenario].naive)} |`);
  row('ordinary', 'false positives, % of group-days', (v) => f2(v.falsePositivePct));
  row('ordinary', '… on weekdays / weekends', (v) => `${f2(v.weekdayFalsePositivePct)} / ${f2(v.weekendFalsePositivePct)}`);
  row('spike', '3× day found, % of trials', (v) => f1(v.foundPct));
  row('spike', 'false positives on the other days, %', (v) => f2(v.falsePositivePct));
  row('week', '2× week found (≥ 1 day flagged), % of trials', (v) => f1(v.foundPct));
  row('week', 'days of the week flagged, %', (v) => f1(v.daysFoundPct));
  row('week', 'all 7 days flagged, % of trials', (v) => f1(v.allFoundPct));
  row('week', 'false positives on the other days, %', (v) => f2(v.falsePositivePct));
  row('two', 'second 3× day found, % of trials', (v) => f1(v.foundPct));
  row('two', 'both found, % of trials', (v) => f1(v.allFoundPct));
  row('drop', 'day at 10 % found, % of trials', (v) => f1(v.foundPct));
  lines.push('');
  lines.push(`kt scanDays: ${r.msPerSeries.toFixed(3)} ms per ${r.baselineDays + r.judgedDays}-day series`);
  const met = (ok) => (ok ? 'met' : 'MISSED');
  lines.push('');
  if (r.level === 99) {
    lines.push(
      `Targets at --level 99: 3× day found ≥ 95%: ${f1(s.spike.kt.foundPct)}% ${met(s.spike.kt.foundPct >= 95)}; ` +
        `2× week found ≥ 95%: ${f1(s.week.kt.foundPct)}% ${met(s.week.kt.foundPct >= 95)}; ` +
        `false positives ≤ 1% of ordinary group-days: ${f2(s.ordinary.kt.falsePositivePct)}% ${met(s.ordinary.kt.falsePositivePct <= 1)}`,
    );
  } else {
    lines.push(`False positives ${f2(s.ordinary.kt.falsePositivePct)}% of ordinary group-days at a nominal ${f2(100 - r.level)}% (the targets are set at --level 99)`);
  }
  return lines.join('\n');
}

const mod = await loadKt();
const result = run(mod);
process.stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : `${report(result)}\n`);
if (result.level === 99 && !targetsMet(result)) process.exitCode = 1;
