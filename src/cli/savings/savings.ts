// kt savings: streams the range's events through the savings rules (one page
// at a time; only per-team sums are kept) and prints one row per
// optimization, or with --recommend the top teams and proposed caps.
import { constants } from 'node:fs';
import { access, link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../context.js';
import { FailureError, UsageError } from '../../errors.js';
import { aggregateEvents, eventPages } from '../../api/events.js';
import type { ApiClient } from '../../api/client.js';
import { listWallets, type Wallet } from '../../api/wallets.js';
import { addMoney, type Money, ZERO } from '../../domain/money.js';
import { validatePolicy } from '../../policy/validate.js';
import { readCostControls, type CostPriorityGroup } from '../../domain/policy/cost-controls.js';
import { buildPriceTable, PriceFileError, type PriceTable } from '../../domain/savings/prices.js';
import { isCapPeriod } from '../../domain/periods.js';
import { DOCUMENT_ROUTING, routingGroups, SavingsTally, savingsRows, type CapRule, type SavingsRow } from '../../domain/savings/rules.js';
import { holdsMonth, lastFullMonth, recommend, renderPolicy, type ModelShare, type TeamRecommendation } from '../../domain/savings/recommend.js';
import type { CalendarMonth } from '../../domain/periods.js';
import { selectColumns, writeRows, type Column } from '../../output/index.js';
import { startSpinner } from '../../output/spinner.js';
import { readOutputOptions, type RawOutputOptions } from '../flags.js';
import { parseSavingsFlags, type SavingsFlags } from './options.js';
import { rawEventsNotice } from '../raw-events.js';

export interface SavingsOptions extends RawOutputOptions, SavingsFlags {}

export const SAVINGS_COLUMNS: readonly Column<SavingsRow>[] = [
  { name: 'team', kind: 'text', get: (r) => r.team },
  { name: 'optimization', kind: 'text', get: (r) => r.optimization },
  { name: 'kind', kind: 'text', get: (r) => r.kind },
  { name: 'requests', kind: 'int', get: (r) => r.requests },
  { name: 'cost_before', header: 'COST BEFORE', kind: 'money', get: (r) => r.costBefore },
  { name: 'cost_after', header: 'COST AFTER', kind: 'money', get: (r) => r.costAfter },
  { name: 'savings', kind: 'money', get: (r) => r.savings },
  { name: 'savings_pct', header: 'SAVINGS %', kind: 'share', get: (r) => r.savingsPct },
  { name: 'hit_rate', header: 'HIT RATE', kind: 'share', get: (r) => r.hitRate },
  { name: 'soft_cap_crossed_at', header: 'SOFT CAP CROSSED', kind: 'time', get: (r) => r.softCapCrossedAt },
];
const SAVINGS_FIELDS = ['optimization', 'kind', 'requests', 'cost_before', 'cost_after', 'savings', 'savings_pct', 'hit_rate', 'soft_cap_crossed_at'];
const SAVINGS_TABLE = ['optimization', 'kind', 'requests', 'cost_before', 'cost_after', 'savings', 'savings_pct', 'hit_rate'];

interface MixRow {
  team: TeamRecommendation;
  share: ModelShare;
}

export const RECOMMEND_COLUMNS: readonly Column<MixRow>[] = [
  { name: 'rank', kind: 'int', get: (r) => r.team.rank },
  { name: 'team', kind: 'text', get: (r) => r.team.team },
  { name: 'team_spend', header: 'TEAM SPEND', kind: 'money', get: (r) => r.team.spend },
  { name: 'team_requests', header: 'TEAM REQUESTS', kind: 'int', get: (r) => r.team.requests },
  { name: 'model', kind: 'text', get: (r) => r.share.model },
  { name: 'requests', kind: 'int', get: (r) => r.share.requests },
  { name: 'request_share', header: 'REQ %', kind: 'share', get: (r) => r.share.requestShare },
  { name: 'cost', kind: 'money', get: (r) => r.share.cost },
  { name: 'cost_share', header: 'COST %', kind: 'share', get: (r) => r.share.costShare },
  { name: 'last_full_month', header: 'MONTH', kind: 'text', get: (r) => r.team.lastFullMonth },
  { name: 'last_full_month_spend', header: 'MONTH SPEND', kind: 'money', get: (r) => r.team.lastFullMonthSpend },
  { name: 'soft_cap', header: 'SOFT CAP', kind: 'money', get: (r) => r.team.softCap },
  { name: 'hard_cap', header: 'HARD CAP', kind: 'money', get: (r) => r.team.hardCap },
  { name: 'note', kind: 'text', get: (r) => r.team.note },
];
const RECOMMEND_FIELDS = RECOMMEND_COLUMNS.map((c) => c.name);
const RECOMMEND_TABLE = ['rank', 'team', 'model', 'requests', 'request_share', 'cost', 'cost_share', 'soft_cap', 'hard_cap'];

/** The catalogue with a --prices file's overrides (also read by the FOCUS export for list prices). */
export async function readPrices(file: string | undefined): Promise<PriceTable> {
  if (file === undefined) return buildPriceTable(undefined);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new FailureError(`cannot read --prices file ${file}: ${describeIo(error)}`);
  }
  let parsed: unknown;
  try {
    if (/\.json$/i.test(file)) parsed = JSON.parse(text);
    else {
      const { parse } = await import('yaml');
      parsed = parse(text);
    }
  } catch (error) {
    throw new UsageError(`invalid --prices file ${file}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, 'YAML or JSON: {gpt-4o: {input: 2.5, output: 10}} (per 1M tokens)');
  }
  try {
    return buildPriceTable(parsed, file);
  } catch (error) {
    if (error instanceof PriceFileError) throw new UsageError(`invalid --prices file ${error.message}`, 'YAML or JSON: {gpt-4o: {input: 2.5, output: 10}} (per 1M tokens)');
    throw error;
  }
}

function describeIo(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

async function readPolicy(file: string): Promise<ReturnType<typeof readCostControls>> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (error) {
    throw new FailureError(`cannot read --policy file ${file}: ${describeIo(error)}`);
  }
  const report = validatePolicy(file, bytes);
  if (report.validated === undefined) {
    const first = report.diagnostics.find((d) => d.severity === 'error') ?? report.diagnostics[0];
    const where = first === undefined ? file : `${file}:${first.line}:${first.column}`;
    throw new UsageError(`invalid --policy file ${where}: ${first?.message ?? 'not a valid policy'}`, `kt policy validate ${file} lists every problem`);
  }
  return readCostControls(report.validated);
}

function capsFromWallets(wallets: readonly Wallet[]): Map<string, CapRule> {
  const caps = new Map<string, CapRule>();
  for (const w of wallets) {
    if (w.hard_cap === null || w.team_id === null) continue;
    caps.set(w.team_id, { team: w.team_id, period: w.period !== null && isCapPeriod(w.period) ? w.period : 'monthly', hardCap: w.hard_cap, softCap: w.soft_cap ?? undefined });
  }
  return caps;
}

async function ensureWritable(file: string, force: boolean): Promise<void> {
  if (force) return;
  try {
    await access(file, constants.F_OK);
  } catch {
    return;
  }
  throw new UsageError(`--emit-policy ${file}: the file exists`, 'pass --force to replace it, or choose another name');
}

/** Temp file beside the target, then link (refuses to replace) or rename (--force): never a half-written policy. */
async function writePolicyFile(file: string, text: string, force: boolean): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, text, { mode: 0o644, flag: 'wx' });
    if (force) await rename(temp, file);
    else await link(temp, file);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST' && !force) throw new UsageError(`--emit-policy ${file}: the file exists`, 'pass --force to replace it');
    throw new FailureError(`cannot write --emit-policy ${file}: ${describeIo(error)}`);
  } finally {
    await rm(temp, { force: true });
  }
}

export default async function savings(ctx: Context, opts: SavingsOptions): Promise<void> {
  const now = ctx.now();
  const parsed = parseSavingsFlags(opts, now);
  const output = readOutputOptions(ctx, opts);
  // Both checked before any request, so a typo in --fields costs nothing.
  const recommendColumns = parsed.recommend ? selectColumns(RECOMMEND_COLUMNS, output.fields, output.format === 'table' ? RECOMMEND_TABLE : RECOMMEND_FIELDS) : [];
  const columns = parsed.recommend
    ? []
    : selectColumns(SAVINGS_COLUMNS, output.fields, [...(parsed.byTeam ? ['team'] : []), ...(output.format === 'table' ? SAVINGS_TABLE : SAVINGS_FIELDS)]);
  if (parsed.emitPolicy !== undefined) await ensureWritable(parsed.emitPolicy, parsed.force);
  const prices = await readPrices(parsed.prices);
  const controls = parsed.policy === undefined ? undefined : await readPolicy(parsed.policy);

  const api = await ctx.api();
  const wallets = controls === undefined || parsed.recommend ? await listWallets(api) : [];
  const groups: readonly CostPriorityGroup[] = controls?.costPriorityGroups ?? DOCUMENT_ROUTING;
  const routing = routingGroups(groups, prices);
  if (controls !== undefined && controls.costPriorityGroups.length === 0) ctx.log.info(`${parsed.policy ?? ''} has no model group with routing: cost-priority: nothing to route`);
  if (routing.unpriced.length > 0) ctx.log.warn(`no price for the priority-1 model of ${routing.unpriced.join(', ')}: left out of routing (add it with --prices)`);
  const caps =
    controls === undefined
      ? capsFromWallets(wallets)
      : new Map(controls.spendControls.map((c): [string, CapRule] => [c.team, { team: c.team, period: c.period, hardCap: c.hardCap, softCap: c.softCap }]));
  const tally = new SavingsTally({ prices, routing: routing.groups, caps, allowlist: controls?.modelAllowlist ?? [] });
  const unpricedAllowed = tally.unpricedAllowed();
  if (unpricedAllowed.length > 0) ctx.log.warn(`no price for allowlisted ${unpricedAllowed.join(', ')}: events are moved only to priced allowed models`);

  const spinner = startSpinner(ctx, 'reading events');
  let rawSince: Date | undefined;
  const notice = rawEventsNotice(ctx, 'events');
  const hooks = {
    rawEventsSince: (since: string) => {
      rawSince = new Date(since);
      notice(since);
    },
  };
  try {
    for await (const page of eventPages(api, { since: parsed.since.toISOString(), until: parsed.until.toISOString(), teams: parsed.teams }, undefined, undefined, hooks)) {
      for (const event of page) tally.add(event);
      spinner.update(`reading events · ${tally.events.toLocaleString('en-US')}`);
    }
  } finally {
    spinner.stop();
  }

  if (tally.unpriced > 0) {
    ctx.log.warn(`${tally.unpriced.toLocaleString('en-US')} event${tally.unpriced === 1 ? '' : 's'} on models without a price: left out of routing and caching (add prices with --prices FILE)`);
  }
  if (tally.noCost > 0) ctx.log.warn(`${tally.noCost.toLocaleString('en-US')} event${tally.noCost === 1 ? '' : 's'} had no cost field: counted as costing nothing`);
  const writeOptions = { format: output.format, header: output.header, output: output.output };

  if (parsed.recommend) {
    const allocations = new Map<string, Money>(wallets.flatMap((w): Array<[string, Money]> => (w.team_id === null || w.allocated === null ? [] : [[w.team_id, w.allocated]])));
    const month = lastFullMonth(parsed.until);
    let monthSpend: Map<string, Money>;
    if (holdsMonth(month, parsed.since, rawSince)) {
      monthSpend = new Map([...tally.teams.values()].map((t) => [t.team, t.months.get(month.month) ?? ZERO]));
    } else {
      const why = parsed.since.getTime() > month.start.getTime() ? 'the range starts after it' : `raw events begin at ${rawSince?.toISOString() ?? ''}`;
      ctx.log.info(`soft caps are based on ${month.month}, the last full calendar month (${why}): its spend per team fetched from the control plane's monthly aggregates`);
      monthSpend = await monthSpendByTeam(api, month, parsed.teams);
    }
    const recs = recommend(tally.teams.values(), { month: month.month, monthSpend, allocations });
    const rows = recs.flatMap((team) => team.mix.map((share): MixRow => ({ team, share })));
    await writeRows(ctx, rows, recommendColumns, { ...writeOptions, emptyNotice: 'no spend in the range: nothing to recommend' });
    for (const r of recs) if (r.note !== null) ctx.log.info(`${r.team}: ${r.note}`);
    if (parsed.emitPolicy !== undefined) {
      const header = [
        `Proposed by kt savings --recommend on ${now.toISOString()}`,
        `from spend ${parsed.since.toISOString()} to ${parsed.until.toISOString()}:`,
        `soft cap at 80% of each team's spend in ${month.month} (the last full calendar month), hard cap at its current allocation.`,
      ];
      const text = renderPolicy(recs, header);
      const check = validatePolicy(parsed.emitPolicy, text);
      if (check.validated === undefined) throw new Error(`the proposed policy does not validate: ${check.diagnostics.map((d) => d.message).join('; ')}`);
      await writePolicyFile(parsed.emitPolicy, text, parsed.force);
      ctx.log.info(`wrote ${recs.filter((r) => r.softCap !== null).length} spend_controls entries to ${parsed.emitPolicy}`);
    } else if (recs.length > 0) {
      ctx.log.info('write these caps as a policy file with --emit-policy FILE');
    }
    return;
  }

  await writeRows(ctx, savingsRows(tally, parsed.byTeam), columns, { ...writeOptions });
  if (!parsed.byTeam) {
    for (const t of tally.teams.values()) if (t.softCapCrossedAt !== null) ctx.log.info(`${t.team}: soft cap reached at ${t.softCapCrossedAt}`);
  }
  ctx.log.info(
    'caching is delivered, not potential: cached responses already saved it (it is in the recorded spend, not the total); what more caching would save needs request fingerprints, which events do not carry',
  );
}

/** Each team's own spend in a calendar month (UTC), from the monthly aggregates. */
async function monthSpendByTeam(api: ApiClient, month: CalendarMonth, teams: readonly string[] | undefined): Promise<Map<string, Money>> {
  const buckets = await aggregateEvents(api, { since: month.start.toISOString(), until: month.end.toISOString(), teams }, { aggregate: 'monthly', groupBy: ['team'], tz: 'UTC' });
  const spend = new Map<string, Money>();
  for (const b of buckets) {
    const team = b.team_id ?? '';
    spend.set(team, addMoney(spend.get(team) ?? ZERO, b.cost));
  }
  return spend;
}
