// kt events anomalies: the days a group's spend fell outside what the days
// before it expected (src/domain/anomalies.ts; docs/anomalies.md), for a
// person at a terminal and for cron: exit 3 on a new anomaly, --state to
// remember what was reported, --webhook to post it and, later, its resolution.
import type { Context } from '../context.js';
import { ThresholdError } from '../../errors.js';
import { formatDecimal, formatMoney, moneyToFloat } from '../../domain/money.js';
import { groupId, RUN_DAYS, scanGroups, type DayVerdict, type GroupScan } from '../../domain/anomalies.js';
import { newFindings, nextState, resolvedGroups, type LatestDay, type ReportedAnomaly, type ResolvedGroup } from '../../domain/anomaly-state.js';
import type { GroupKey } from '../../domain/events.js';
import { localDate, weekdayName } from '../../domain/periods.js';
import { aggregateEvents, type EventBucket } from '../../api/events.js';
import { selectColumns, writeRows, type Column } from '../../output/index.js';
import { intervalChart } from '../../output/chart.js';
import { stdoutStyle } from '../../output/style.js';
import { withSpinner } from '../../output/spinner.js';
import { readOutputOptions, type RawOutputOptions } from '../flags.js';
import { parseAnomaliesFlags, type AnomaliesFlags, type AnomaliesRequest } from './anomalies-options.js';
import {
  anomaliesMessage,
  groupLabel,
  readStateFile,
  resolvedMessage,
  roundScore,
  writeStateFile,
  type AnomalyRow,
  type ResolvedRow,
} from './anomalies-alerts.js';

export interface AnomaliesOptions extends RawOutputOptions, AnomaliesFlags {}

const BUCKET_KEY: Record<GroupKey, 'team_id' | 'provider' | 'model'> = { team: 'team_id', provider: 'provider', model: 'model' };

export function anomalyColumns(groupBy: readonly GroupKey[]): Column<AnomalyRow>[] {
  const money = (name: 'actual' | 'expected' | 'lower' | 'upper'): Column<AnomalyRow> => ({ name, kind: 'money', get: (r) => r.verdict[name] });
  return [
    { name: 'date', kind: 'date', get: (r) => r.verdict.date },
    // In tables: today's running day says so.
    { name: 'day', header: 'DATE', kind: 'text', get: (r) => `${r.verdict.date} ${weekdayName(r.verdict.date)}${r.verdict.partial ? ' (so far)' : ''}` },
    ...groupBy.map((key): Column<AnomalyRow> => ({ name: key, kind: 'text', get: (r) => r.group[key] ?? null })),
    money('actual'),
    money('expected'),
    money('lower'),
    money('upper'),
    { name: 'direction', kind: 'text', get: (r) => r.verdict.direction },
    // In tables: a run's day may be inside its own interval; say why it is listed.
    { name: 'flag', header: 'DIRECTION', kind: 'text', get: (r) => (r.verdict.kind === 'run' ? `${r.verdict.direction} (${RUN_DAYS}-day run)` : r.verdict.direction) },
    { name: 'score', kind: 'int', decimals: 1, get: (r) => roundScore(r.verdict.score) },
    { name: 'requests', kind: 'int', get: (r) => r.verdict.requests },
    { name: 'kind', kind: 'text', get: (r) => r.verdict.kind },
    { name: 'partial', kind: 'bool', get: (r) => r.verdict.partial },
  ];
}

function defaultFields(groupBy: readonly GroupKey[], table: boolean): string[] {
  if (table) return ['day', ...groupBy, 'actual', 'expected', 'lower', 'upper', 'flag', 'score', 'requests'];
  return ['date', ...groupBy, 'actual', 'expected', 'lower', 'upper', 'direction', 'score', 'requests', 'kind', 'partial'];
}

function bucketDays(buckets: readonly EventBucket[], groupBy: readonly GroupKey[]) {
  return buckets.map((b) => ({
    date: b.period_start.slice(0, 10),
    group: Object.fromEntries(groupBy.map((k) => [k, b[BUCKET_KEY[k]] ?? null])),
    cost: b.cost,
    requests: b.requests,
  }));
}

function anomalies(scans: readonly GroupScan[]): AnomalyRow[] {
  const rows: AnomalyRow[] = [];
  for (const scan of scans) {
    for (const verdict of scan.verdicts) {
      if (verdict.direction !== null) rows.push({ group: scan.group, verdict: verdict as AnomalyRow['verdict'] });
    }
  }
  // Oldest first; groups in key order within a day (scans already are).
  return rows.sort((a, b) => (a.verdict.date < b.verdict.date ? -1 : a.verdict.date > b.verdict.date ? 1 : 0));
}

export default async function eventsAnomalies(ctx: Context, opts: AnomaliesOptions): Promise<void> {
  const output = readOutputOptions(ctx, opts);
  const request = parseAnomaliesFlags(opts, ctx.now());
  const { groupBy, tz } = request;
  const columns = selectColumns(anomalyColumns(groupBy), output.fields, defaultFields(groupBy, output.format === 'table'));
  // A state file kt cannot use fails the run before anything is fetched.
  const state = request.state === undefined ? undefined : await readStateFile(request.state, groupBy, tz);

  const api = await ctx.api();
  const buckets = await withSpinner(ctx, 'fetching daily spend', () =>
    aggregateEvents(api, request.fetch, {
      aggregate: 'daily',
      groupBy,
      tz,
      onClientSide: (n) => ctx.log.info(`the control plane has no spend aggregates; kt summed ${n.toLocaleString('en-US')} events itself`),
    }),
  );
  const scans = scanGroups(bucketDays(buckets, groupBy), {
    groupBy,
    from: request.from,
    through: request.through,
    partialDate: request.partialDate,
    levelPct: request.level,
    minCost: request.minCost,
  });
  const found = anomalies(scans);
  const fresh = state === undefined ? found : newFindings(state, found.map((r) => ({ ...r, date: r.verdict.date }))).map(({ group, verdict }) => ({ group, verdict }));
  const resolved = state === undefined ? [] : resolutions(state, scans, request.through);

  if (state !== undefined && found.length > fresh.length && ctx.io.isStderrTTY) {
    const old = found.length - fresh.length;
    ctx.log.info(`${old} anomal${old === 1 ? 'y' : 'ies'} in range reported before (--state ${request.state ?? ''}): not listed again`);
  }
  const drawing = request.chart && ctx.io.isStdoutTTY && output.output === undefined;
  if (request.chart && !drawing) ctx.log.warn('--chart draws on a terminal only; writing the rows instead');
  if (drawing) {
    drawCharts(ctx, scans, fresh, request);
  } else {
    // Cron with --state stays silent when nothing is new: no "no anomalies" line to mail.
    const quietEmpty = state !== undefined && !ctx.io.isStderrTTY;
    await writeRows(ctx, fresh, columns, {
      format: output.format,
      header: output.header,
      output: output.output,
      ...(quietEmpty ? {} : { emptyNotice: `no ${state === undefined ? '' : 'new '}spend anomalies from ${request.from} at the ${request.level}% level` }),
    });
  }
  for (const r of resolved) {
    ctx.log.info(`${groupLabel(r.group, groupBy)}: back inside its interval on ${r.verdict.date} (resolved; last anomaly ${r.lastReported})`);
  }

  // What is recorded is what was told: printed, and posted when there is a webhook.
  const now = ctx.now().toISOString();
  const reported: ReportedAnomaly[] = [];
  const closed: ResolvedGroup[] = [];
  const record = (): void => {
    reported.push(
      ...fresh.map(({ group, verdict: v }) => ({
        group,
        date: v.date,
        direction: v.direction,
        actual: formatDecimal(v.actual),
        expected: formatDecimal(v.expected),
        reported_at: now,
      })),
    );
  };
  const recordResolved = (): void => {
    closed.push(...resolved.map((r) => ({ group: r.group, date: r.verdict.date, resolved_at: now })));
  };
  try {
    if (request.webhook === undefined) {
      record();
      recordResolved();
    } else {
      const { postWebhook } = await import('../../api/webhook.js');
      const post = async (body: unknown): Promise<void> => {
        const sent = await postWebhook(request.webhook as string, body, {
          retries: ctx.globals.retries ?? 3,
          timeoutMs: ctx.globals.timeoutMs ?? 30_000,
          signal: ctx.signal,
          hint: `check the URL; the anomalies above were printed all the same${state === undefined ? '' : ', and stay unrecorded in --state: the next run posts them again'}`,
        });
        ctx.log.debug(`webhook: HTTP ${sent.status} after ${sent.attempts} attempt${sent.attempts === 1 ? '' : 's'}`);
      };
      if (fresh.length > 0) await post(anomaliesMessage(fresh, groupBy, request.level));
      record();
      if (resolved.length > 0) await post(resolvedMessage(resolved, groupBy, request.level));
      recordResolved();
    }
  } finally {
    if (state !== undefined && request.state !== undefined && (reported.length > 0 || closed.length > 0)) {
      await writeStateFile(request.state, nextState(state, reported, closed, localDate(ctx.now(), tz)));
    }
  }

  if (fresh.length > 0) {
    const shown = fresh.slice(0, 5).map(({ group, verdict: v }) => `${groupLabel(group, groupBy)} ${v.date} ${v.direction}`);
    throw new ThresholdError(
      `${fresh.length} new spend anomal${fresh.length === 1 ? 'y' : 'ies'}: ${shown.join(', ')}${fresh.length > shown.length ? ', …' : ''}`,
      state === undefined ? 'with --state FILE a cron run reports each anomaly once' : undefined,
    );
  }
}

/** The open groups of the state whose latest complete day is back inside its interval. */
function resolutions(state: Parameters<typeof resolvedGroups>[0], scans: readonly GroupScan[], through: string): ResolvedRow[] {
  const latest = new Map<string, LatestDay>();
  const verdictOf = new Map<string, DayVerdict>();
  for (const scan of scans) {
    const day = scan.verdicts.find((v) => v.date === through && !v.partial);
    if (day === undefined) continue;
    const id = groupId(scan.group, state.group_by);
    latest.set(id, { date: day.date, inside: day.direction === null });
    verdictOf.set(id, day);
  }
  return resolvedGroups(state, latest).map((r) => ({ group: r.group, lastReported: r.lastReported, verdict: verdictOf.get(groupId(r.group, state.group_by)) as DayVerdict }));
}

/** One chart per group with an anomaly listed: its days, expected day, interval, and the anomalies marked. */
function drawCharts(ctx: Context, scans: readonly GroupScan[], rows: readonly AnomalyRow[], request: AnomaliesRequest): void {
  if (rows.length === 0) {
    ctx.log.info(`no spend anomalies from ${request.from} at the ${request.level}% level`);
    return;
  }
  const style = stdoutStyle(ctx);
  const width = Math.min((ctx.io.stdout as { columns?: number }).columns ?? 80, 120);
  const flagged = new Set(rows.map((r) => `${groupId(r.group, request.groupBy)}\u0000${r.verdict.date}`));
  const out: string[] = [];
  for (const scan of scans) {
    if (!rows.some((r) => groupId(r.group, request.groupBy) === scan.id)) continue;
    const lines = intervalChart(
      scan.verdicts.map((v) => {
        const mark = flagged.has(`${scan.id}\u0000${v.date}`) ? (v.direction === 'spike' ? ' ▲' : ' ▼') : '  ';
        return {
          label: `${v.date} ${weekdayName(v.date)}${v.partial ? '*' : ' '}`,
          actual: moneyToFloat(v.actual),
          center: moneyToFloat(v.expected),
          lower: moneyToFloat(v.lower),
          upper: moneyToFloat(v.upper),
          display: `${formatMoney(v.actual)}${mark}`,
        };
      }),
      width,
      { actual: 'actual', center: 'expected', interval: `${request.level}% interval   ▲ spike  ▼ drop${scan.verdicts.some((v) => v.partial) ? '  * so far today' : ''}` },
    );
    const title = request.groupBy.map((k) => `${k} ${scan.group[k] ?? '(none)'}`).join(', ');
    out.push(style.bold(title), ...lines.map((l) => l.trimEnd()).map((l) => (/[▲▼]$/.test(l) ? style.red(l) : l)), '');
  }
  ctx.io.stdout.write(`${out.join('\n')}`);
}
