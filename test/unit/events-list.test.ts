// The kt events list handler in-process, with a scripted API client: paging
// stops at --limit, the TTY summary is exact, --chart draws, failures keep -o intact.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import eventsList from '../../src/cli/events/list.js';
import type { EventsListOptions } from '../../src/cli/events/list-types.js';
import type { ApiClient, Query } from '../../src/api/client.js';
import type { Context } from '../../src/cli/context.js';
import { testContext } from '../helpers/context.js';
import { scriptedApi } from '../helpers/fake-api.js';

/** An event and a bucket as a server in kt's contract sends them. */
type ApiEvent = Record<string, unknown> & { id: string };
type ApiEventBucket = Record<string, unknown>;

function apiEvent(i: number, cost: number): ApiEvent {
  return {
    id: `evt_${String(i).padStart(6, '0')}`,
    timestamp: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
    team_id: 'search',
    user_id: null,
    provider: 'openai',
    model: 'gpt-4o',
    input_tokens: 1,
    output_tokens: 2,
    cached: false,
    cost,
    currency: 'USD',
    request_id: null,
  };
}

interface Script {
  events?: ApiEvent[];
  buckets?: ApiEventBucket[];
  failAfterPages?: number;
}

function fakeApi(script: Script): { api: ApiClient; calls: Array<{ query: Query | undefined; pageSize: number | undefined }>; pagesServed: () => number } {
  const calls: Array<{ query: Query | undefined; pageSize: number | undefined }> = [];
  let served = 0;
  const { api } = scriptedApi((_path, query) => {
    const pageSize = typeof query.limit === 'number' ? query.limit : undefined;
    calls.push({ query, pageSize });
    if (query.aggregate !== undefined) return { data: script.buckets ?? [], next_cursor: null };
    const size = pageSize ?? 100;
    const events = script.events ?? [];
    const from = typeof query.cursor === 'string' ? Number(query.cursor) : 0;
    if (script.failAfterPages !== undefined && served >= script.failAfterPages) throw new Error('server went away');
    served += 1;
    const next = from + size < events.length ? String(from + size) : null;
    return { data: events.slice(from, from + size), next_cursor: next };
  });
  return { api, calls, pagesServed: () => served };
}

function context(api: ApiClient, tty: { stdout?: boolean; stderr?: boolean } = {}): { ctx: Context; out: () => string; err: () => string } {
  const t = testContext({ api, now: '2026-11-28T12:00:00.000Z', io: { isStdoutTTY: tty.stdout ?? false, isStderrTTY: tty.stderr ?? false } });
  return { ctx: t.ctx, out: t.stdout, err: t.stderr };
}

const many = Array.from({ length: 5000 }, (_, i) => apiEvent(i, 0.1));

describe('kt events list handler', () => {
  it('sends the resolved instants and filters to the API', async () => {
    const fake = fakeApi({ events: [] });
    const { ctx } = context(fake.api);
    const opts: EventsListOptions = { since: '30d', team: ['search,ads'], provider: ['openai'], format: 'csv' };
    await eventsList(ctx, opts);
    expect(fake.calls[0]!.query).toMatchObject({ since: '2026-10-29T12:00:00.000Z', team_id: 'search,ads', provider: 'openai' });
    expect(fake.calls[0]!.pageSize).toBe(1000);
  });

  it('stops paging once --limit rows are written', async () => {
    const fake = fakeApi({ events: many });
    const { ctx, out } = context(fake.api);
    await eventsList(ctx, { limit: '1500', format: 'csv', fields: 'id' });
    const lines = out().trimEnd().split('\n');
    expect(lines.length).toBe(1501);
    expect(lines[1500]).toBe('evt_001499');
    expect(fake.pagesServed()).toBe(2);
  });

  it('asks for small pages when --limit is small', async () => {
    const fake = fakeApi({ events: many });
    const { ctx } = context(fake.api);
    await eventsList(ctx, { limit: '5', format: 'csv' });
    expect(fake.calls[0]!.pageSize).toBe(5);
    expect(fake.pagesServed()).toBe(1);
  });

  it('prints an exact summary on a terminal stderr only', async () => {
    const fake = fakeApi({ events: many.slice(0, 3) });
    const tty = context(fake.api, { stderr: true });
    await eventsList(tty.ctx, { format: 'csv' });
    // 0.1 + 0.1 + 0.1 summed in micros, never as floats.
    expect(tty.err()).toMatch(/^3 events · total \$0\.30 · \d+\.\ds\n$/);
    expect(tty.out()).not.toContain('total');

    const piped = context(fakeApi({ events: many.slice(0, 3) }).api);
    await eventsList(piped.ctx, { format: 'csv' });
    expect(piped.err()).toBe('');
  });

  it('keeps the summary off with --quiet', async () => {
    const { ctx, err } = context(fakeApi({ events: many.slice(0, 3) }).api, { stderr: true });
    const quiet: Context = { ...ctx, globals: { ...ctx.globals, quiet: true } };
    await eventsList(quiet, { format: 'csv' });
    expect(err()).toBe('');
  });

  it('draws a bar chart of cost per period on a terminal, daily by default, marking the day still in progress', async () => {
    const buckets: ApiEventBucket[] = [
      { period_start: '2026-11-27T00:00:00Z', requests: 1, input_tokens: 1, output_tokens: 1, cost: 5 },
      { period_start: '2026-11-28T00:00:00Z', requests: 1, input_tokens: 1, output_tokens: 1, cost: 2.5 },
    ];
    const fake = fakeApi({ buckets });
    const { ctx, out, err } = context(fake.api, { stdout: true, stderr: true });
    await eventsList(ctx, { chart: true, since: '2026-11-27' });
    expect(fake.calls[0]!.query).toMatchObject({ aggregate: 'daily', tz: 'UTC' });
    // 80 columns: a 15-column label, a 5-column value, 58 cells of bar for the largest day
    expect(out()).toBe(`2026-11-27 Fri  ${'█'.repeat(58)} $5.00\n2026-11-28 Sat* ${'█'.repeat(29)}${' '.repeat(29)} $2.50\n`);
    expect(err()).toContain('* partial period: the range starts or ends inside it, or it is still in progress\n');
  });

  it('draws stacked bars per group with --group-by: one fill per group, the largest first', async () => {
    const row = { requests: 1, input_tokens: 1, output_tokens: 1 };
    const buckets: ApiEventBucket[] = [
      { period_start: '2026-11-26T00:00:00Z', team_id: 'a', ...row, cost: 1 },
      { period_start: '2026-11-26T00:00:00Z', team_id: 'b', ...row, cost: 1.5 },
      { period_start: '2026-11-27T00:00:00Z', team_id: 'a', ...row, cost: 5 },
      { period_start: '2026-11-28T00:00:00Z', team_id: 'b', ...row, cost: 0.5 },
    ];
    const fake = fakeApi({ buckets });
    const { ctx, out } = context(fake.api, { stdout: true });
    await eventsList(ctx, { chart: true, groupBy: 'team', since: '2026-11-26' });
    expect(fake.calls[0]!.query).toMatchObject({ aggregate: 'daily', group_by: 'team', tz: 'UTC' });
    const lines = out().trimEnd().split('\n');
    expect(lines).toEqual([
      '█ a  ▓ b',
      `2026-11-26 Thu  ${'█'.repeat(12)}${'▓'.repeat(17)}${' '.repeat(29)} $2.50`,
      `2026-11-27 Fri  ${'█'.repeat(58)} $5.00`,
      `2026-11-28 Sat* ${'▓'.repeat(6)}${' '.repeat(52)} $0.50`,
    ]);
  });

  it('sums the smallest groups into "other" when more groups than fills can be told apart', async () => {
    const teams = ['a', 'b', 'c', 'd', 'e', 'f'];
    const buckets: ApiEventBucket[] = teams.map((team, i) => ({ period_start: '2026-11-27T00:00:00Z', team_id: team, requests: 1, input_tokens: 1, output_tokens: 1, cost: 6 - i }));
    const { ctx, out } = context(fakeApi({ buckets }).api, { stdout: true });
    await eventsList(ctx, { chart: true, groupBy: 'team', since: '2026-11-27', until: '2026-11-28' });
    const lines = out().trimEnd().split('\n');
    expect(lines[0]).toBe('█ a  ▓ b  ▒ c  ░ other (3 teams)');
    // a 6, b 5, c 4, other 3+2+1: segment edges on the running total, 58 cells for $21
    expect(lines[1]).toBe(`2026-11-27 Fri ${'█'.repeat(17)}${'▓'.repeat(13)}${'▒'.repeat(11)}${'░'.repeat(17)} $21.00`);
  });

  it('writes the aggregated rows, with partial, instead of a chart when stdout is not a terminal', async () => {
    const buckets: ApiEventBucket[] = [
      { period_start: '2026-11-16T00:00:00Z', requests: 2, input_tokens: 3, output_tokens: 4, cost: 0.5 },
      { period_start: '2026-11-23T00:00:00Z', requests: 1, input_tokens: 1, output_tokens: 1, cost: 0.25 },
    ];
    const { ctx, out, err } = context(fakeApi({ buckets }).api);
    await eventsList(ctx, { chart: true, aggregate: 'weekly', format: 'csv', since: '2026-11-16' });
    expect(out()).toBe('period_start,requests,input_tokens,output_tokens,cost,partial\r\n2026-11-16T00:00:00Z,2,3,4,0.50,false\r\n2026-11-23T00:00:00Z,1,1,1,0.25,true\r\n');
    expect(err()).toContain('--chart draws on a terminal only');
    expect(err()).not.toContain('partial period');
  });

  it('fails mid-export without touching the --output file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kt-events-unit-'));
    const target = join(dir, 'out.csv');
    writeFileSync(target, 'old contents\n');
    const { ctx } = context(fakeApi({ events: many, failAfterPages: 2 }).api);
    await expect(eventsList(ctx, { format: 'csv', output: target })).rejects.toThrow('server went away');
    expect(readFileSync(target, 'utf8')).toBe('old contents\n');
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });
});
