// Forecast accuracy benchmark (not a test): kt's monthly forecasting
// (src/domain/forecast.ts, bundled on the fly with esbuild) against the naive
// last-value forecast, plain simple exponential smoothing, and a damped trend
// fitted by maximum likelihood on every series (kt's own fit, used alone: the
// reference kt's model choice has to match), on synthetic monthly spend
// series whose truth is known:
//
//   flat        the same expected spend every month
//   linear      expected spend grows by 1–3 % of the first month, every month
//   saturating  grows towards a ceiling 20–60 % above the start (time constant 3–8 months)
//
// Each month's spend is its expected value times (1 + s·z), z standard normal,
// s drawn per series from 5–10 %. Each series has 12 or 18 months of history
// and 4 more months that only score the forecasts. Seeded, so every run sees
// the same series.
//
// Reports, per kind and history length:
//   - one-step MAPE over the backtest months (every month of the history with a
//     forecast, made from the months before it only: kt's `actual` rows), and
//     the noise floor (the expected value's own MAPE on the same months);
//   - one-step MAPE of the month right after the history;
//   - coverage of the 80 % interval 1–4 months after the history, and for kt of
//     the interval printed for each backtest month.
//
// Usage: node bench/forecast.mjs [--series N] [--seed S] [--json]
//   --series  series per kind and history length (default 500: 3,000 series,
//             so a coverage figure is good to about ±1.5 %)
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: { series: { type: 'string', default: '500' }, seed: { type: 'string', default: '16' }, json: { type: 'boolean', default: false } },
});
const PER_CELL = Number(args.series);
const SEED = Number(args.seed);
if (!Number.isInteger(PER_CELL) || PER_CELL < 1 || !Number.isInteger(SEED)) {
  process.stderr.write('usage: node bench/forecast.mjs [--series N] [--seed S] [--json]\n');
  process.exit(2);
}

const KINDS = ['flat', 'linear', 'saturating'];
const HISTORIES = [12, 18];
const HORIZONS = 4;
const LEVEL = 80;

/** kt's pure forecasting module, bundled from src/ (no build of the CLI needed). */
async function loadKt() {
  const entry = fileURLToPath(new URL('../src/domain/forecast.ts', import.meta.url));
  const result = await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', target: 'node20.19', write: false, logLevel: 'warning' });
  const code = result.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
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

/** A series of n + HORIZONS months in whole dollars: its expected values and the observed spend. */
function makeSeries(kind, n, random) {
  const start = uniform(random, 1_000, 50_000);
  const length = n + HORIZONS;
  let truth;
  if (kind === 'flat') truth = Array.from({ length }, () => start);
  else if (kind === 'linear') {
    const growth = uniform(random, 0.01, 0.03);
    truth = Array.from({ length }, (_, t) => start * (1 + growth * t));
  } else {
    const ceiling = start * uniform(random, 1.2, 1.6);
    const tau = uniform(random, 3, 8);
    truth = Array.from({ length }, (_, t) => ceiling - (ceiling - start) * Math.exp(-t / tau));
  }
  const noise = uniform(random, 0.05, 0.1);
  const observed = truth.map((v) => Math.max(1, Math.round(v * (1 + noise * normal(random)))));
  return { truth, observed };
}

const Z80 = 1.2815515655446004;

/** Naive: next month = last month; intervals from the month-to-month changes, growing by √h (a random walk). */
function naive(history) {
  const n = history.length;
  const oneStep = history.map((_, t) => (t === 0 ? null : history[t - 1]));
  let sum = 0;
  for (let t = 1; t < n; t++) sum += (history[t] - history[t - 1]) ** 2;
  const sigma = n > 1 ? Math.sqrt(sum / (n - 1)) : 0;
  const last = history[n - 1];
  const future = Array.from({ length: HORIZONS }, (_, i) => {
    const half = Z80 * sigma * Math.sqrt(i + 1);
    return { point: last, lower: last - half, upper: last + half };
  });
  return { oneStep, future };
}

/** Plain SES as textbooks start it: level = first month, α on a 0.01 grid minimising the squared one-step errors. */
function sesFit(series) {
  let best = { alpha: 1, sse: Infinity, level: series[series.length - 1] ?? 0 };
  for (let i = 1; i <= 100; i++) {
    const alpha = i / 100;
    let level = series[0];
    let sse = 0;
    for (let t = 1; t < series.length; t++) {
      const e = series[t] - level;
      sse += e * e;
      level += alpha * e;
    }
    if (sse < best.sse) best = { alpha, sse, level };
  }
  return best;
}

function ses(history) {
  const n = history.length;
  const oneStep = history.map((_, t) => (t === 0 ? null : sesFit(history.slice(0, t)).level));
  const fit = sesFit(history);
  const sigma = Math.sqrt(fit.sse / Math.max(1, n - 1));
  const future = Array.from({ length: HORIZONS }, (_, i) => {
    const half = Z80 * sigma * Math.sqrt(1 + i * fit.alpha * fit.alpha);
    return { point: fit.level, lower: fit.level - half, upper: fit.level + half };
  });
  return { oneStep, future };
}

/** The damped trend alone, fitted by maximum likelihood, from month 3 (the run rate before); σ² = SSE / (n − 5). */
function damped(mod, history) {
  const n = history.length;
  const oneStep = history.map((_, t) => {
    if (t === 0) return null;
    const prefix = history.slice(0, t);
    return t < mod.MIN_MODEL_HISTORY ? mod.runRate(prefix) : Math.max(0, mod.etsForecast(mod.fitEts(prefix, 'damped'), 1));
  });
  const fit = mod.fitEts(history, 'damped');
  const sigma = Math.sqrt(fit.sse / Math.max(1, n - fit.parameters));
  const future = Array.from({ length: HORIZONS }, (_, i) => {
    const point = Math.max(0, mod.etsForecast(fit, i + 1));
    const half = Z80 * sigma * Math.sqrt(mod.varianceFactor('damped', fit.params, i + 1));
    return { point, lower: point - half, upper: point + half };
  });
  return { oneStep, future };
}

function kt(mod, history) {
  // Money in and out (bigint nano-dollars), as kt forecast passes it.
  const money = (dollars) => BigInt(Math.round(dollars * 1e9));
  const dollars = (m) => Number(m) / 1e9;
  const months = history.map((d, i) => ({ month: mod.addMonths('2024-01', i), actual: money(d) }));
  const result = mod.forecastMonthly(months, HORIZONS, LEVEL);
  const oneStep = result.past.map((p) => (p.forecast === null ? null : dollars(p.forecast)));
  const pastIntervals = result.past.map((p) => (p.lower === null || p.upper === null ? null : { lower: dollars(p.lower), upper: dollars(p.upper) }));
  const future = result.future.map((f) => ({ point: dollars(f.forecast), lower: dollars(f.lower), upper: dollars(f.upper) }));
  return { oneStep, future, pastIntervals, model: result.model };
}

const pct = (part, whole) => (whole > 0 ? (100 * part) / whole : 0);

function run(mod) {
  const random = rng(SEED);
  const methods = ['kt', 'damped', 'ses', 'naive'];
  const cells = [];
  const coverage = Object.fromEntries(methods.map((m) => [m, { hits: new Array(HORIZONS).fill(0), total: 0 }]));
  const past = { hits: 0, total: 0 };
  const models = {};
  const timing = {};
  for (const n of HISTORIES) {
    for (const kind of KINDS) {
      const cell = { history: n, kind, backtest: {}, next: {}, floor: 0, rows: 0, series: 0 };
      for (const m of methods) {
        cell.backtest[m] = 0;
        cell.next[m] = 0;
      }
      for (let i = 0; i < PER_CELL; i++) {
        const { truth, observed } = makeSeries(kind, n, random);
        const history = observed.slice(0, n);
        const t0 = performance.now();
        const k = kt(mod, history);
        timing[n] = (timing[n] ?? 0) + (performance.now() - t0);
        models[k.model] = (models[k.model] ?? 0) + 1;
        const results = { kt: k, damped: damped(mod, history), ses: ses(history), naive: naive(history) };
        for (let t = 1; t < n; t++) {
          const y = history[t];
          cell.floor += Math.abs(y - truth[t]) / y;
          for (const m of methods) cell.backtest[m] += Math.abs(y - results[m].oneStep[t]) / y;
          // Past months' intervals once the model has its minimum history.
          const interval = k.pastIntervals[t];
          if (t >= mod.MIN_MODEL_HISTORY && interval !== null) {
            past.total += 1;
            if (y >= interval.lower && y <= interval.upper) past.hits += 1;
          }
        }
        cell.rows += n - 1;
        cell.series += 1;
        for (const m of methods) {
          const future = results[m].future;
          cell.next[m] += Math.abs(observed[n] - future[0].point) / observed[n];
          coverage[m].total += 1;
          for (let h = 0; h < HORIZONS; h++) {
            const y = observed[n + h];
            if (y >= future[h].lower && y <= future[h].upper) coverage[m].hits[h] += 1;
          }
        }
      }
      cells.push({
        history: n,
        kind,
        floor: pct(cell.floor, cell.rows),
        backtest: Object.fromEntries(methods.map((m) => [m, pct(cell.backtest[m], cell.rows)])),
        next: Object.fromEntries(methods.map((m) => [m, pct(cell.next[m], cell.series)])),
      });
    }
  }
  const mean = (rows, pick) => rows.reduce((s, r) => s + pick(r), 0) / rows.length;
  const mixes = [...HISTORIES.map((n) => ({ label: `${n} months`, rows: cells.filter((c) => c.history === n) })), { label: 'all', rows: cells }].map(({ label, rows }) => ({
    label,
    floor: mean(rows, (r) => r.floor),
    backtest: Object.fromEntries(methods.map((m) => [m, mean(rows, (r) => r.backtest[m])])),
    next: Object.fromEntries(methods.map((m) => [m, mean(rows, (r) => r.next[m])])),
  }));
  return {
    seed: SEED,
    seriesPerCell: PER_CELL,
    cells,
    mixes,
    coverage: Object.fromEntries(methods.map((m) => [m, coverage[m].hits.map((h) => pct(h, coverage[m].total))])),
    pastCoverage: pct(past.hits, past.total),
    models: Object.fromEntries(Object.entries(models).map(([m, c]) => [m, pct(c, PER_CELL * KINDS.length * HISTORIES.length)])),
    msPerCall: Object.fromEntries(Object.entries(timing).map(([n, ms]) => [n, ms / (PER_CELL * KINDS.length)])),
  };
}

const f1 = (v) => v.toFixed(1);
const f2 = (v) => v.toFixed(2);

function report(r) {
  const lines = [];
  const table = (title, pick, floor) => {
    lines.push(title, '');
    lines.push(`| history | kind | kt | damped (ML) | SES | naive |${floor ? ' noise floor |' : ''}`);
    lines.push(`|---|---|---:|---:|---:|---:|${floor ? '---:|' : ''}`);
    for (const c of [...r.cells, ...r.mixes.map((m) => ({ ...m, history: m.label, kind: 'mix' }))]) {
      const v = pick(c);
      lines.push(`| ${c.history} | ${c.kind} | ${f2(v.kt)} | ${f2(v.damped)} | ${f2(v.ses)} | ${f2(v.naive)} |${floor ? ` ${f2(c.floor)} |` : ''}`);
    }
    lines.push('');
  };
  lines.push(`Forecast accuracy: ${r.seriesPerCell} series per kind and history length (${r.seriesPerCell * KINDS.length * HISTORIES.length} in all), seed ${r.seed}`, '');
  table('One-step MAPE, %, over the backtest months (every month of the history with a forecast, made from the months before it)', (c) => c.backtest, true);
  table('One-step MAPE, %, of the month after the history', (c) => c.next, false);
  lines.push(`Coverage of the ${LEVEL}% interval, % (target 77–83)`, '');
  lines.push('| months ahead | kt | damped (ML) | SES | naive |');
  lines.push('|---|---:|---:|---:|---:|');
  for (let h = 0; h < HORIZONS; h++) lines.push(`| ${h + 1} | ${f1(r.coverage.kt[h])} | ${f1(r.coverage.damped[h])} | ${f1(r.coverage.ses[h])} | ${f1(r.coverage.naive[h])} |`);
  lines.push(`| backtest months (1 ahead, 4th month on) | ${f1(r.pastCoverage)} | | | |`);
  lines.push('');
  lines.push(`Models kt chose on the full history: ${Object.entries(r.models).sort((a, b) => b[1] - a[1]).map(([m, p]) => `${m} ${f1(p)}%`).join(', ')}`);
  lines.push(`kt forecastMonthly: ${Object.entries(r.msPerCall).map(([n, ms]) => `${ms.toFixed(2)} ms per call at ${n} months`).join(', ')} (backtest included)`);
  const all = r.mixes.find((m) => m.label === 'all');
  const twelve = r.mixes.find((m) => m.label === '12 months');
  const inRange = r.coverage.kt.every((c) => c >= 77 && c <= 83);
  lines.push('');
  lines.push(
    `Targets: backtest MAPE over the mix ≤ 7.5%: ${f2(all.backtest.kt)}% ${all.backtest.kt <= 7.5 ? 'met' : 'MISSED'}; ` +
      `below naive at 12 months: ${f2(twelve.backtest.kt)}% vs ${f2(twelve.backtest.naive)}% ${twelve.backtest.kt < twelve.backtest.naive ? 'met' : 'MISSED'}; ` +
      `coverage 77–83% at 1–4 months ahead: ${inRange ? 'met' : 'MISSED'}`,
  );
  return lines.join('\n');
}

const mod = await loadKt();
const result = run(mod);
process.stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : `${report(result)}\n`);
