// kt events list on events imported at chosen instants with awkward names:
// CSV round-trips, DST-correct buckets, and exports interrupted by faults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { runKt } from '../helpers/run-kt.js';
import { startEmulator } from '../helpers/emulator.js';
import { moneyFromJson, parseAmount } from '../../src/domain/money.js';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

interface ImportEvent {
  timestamp: string;
  team_id: string;
  user_id: string;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cached: boolean;
  cost: number;
  currency: string;
  request_id: string;
}

let sequence = 0;
function event(timestamp: string, cost: number, names: { team?: string; model?: string; provider?: string } = {}): ImportEvent {
  sequence += 1;
  return {
    timestamp,
    team_id: names.team ?? 'search',
    user_id: `user-${sequence}`,
    provider: names.provider ?? 'openai',
    model: names.model ?? 'gpt-4o',
    input_tokens: 100 * sequence,
    output_tokens: 10 * sequence,
    cached: sequence % 2 === 0,
    cost,
    currency: 'USD',
    request_id: `req-${sequence}`,
  };
}

function importFile(events: readonly ImportEvent[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'kt-events-import-'));
  const file = join(dir, 'events.ndjson');
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return file;
}

function csv(text: string): string[][] {
  const rows: string[][] = parse(text);
  return rows;
}

const AWKWARD = ['comma, team', 'say "hi"', 'line\nbreak', '東京チーム', 'Ελληνικά', '=HYPERLINK("http://x")', '+1', '@SUM(A1)'];

describe('awkward names round-trip through CSV', () => {
  let emu: Emulator;
  // team_id is a slug in the API; model, provider and user are free text.
  const events = AWKWARD.map((name, i) => ({
    ...event(`2026-05-0${i + 1}T10:00:00.000Z`, 1.25 + i, { team: `team-${i}`, model: name, provider: `${name} ai` }),
    user_id: `${name} (user)`,
  }));
  beforeAll(async () => {
    emu = await startEmulator(['--import', importFile(events)]);
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('parses back to the same names, with formulas neutralised', async () => {
    const r = await runKt(['events', 'list', '--since', '2026-05-01', '--until', '2026-06-01', '--format', 'csv', '--fields', 'team,model,provider,user,cost'], {
      env: emu.env,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [header, ...rows] = csv(r.stdout);
    expect(header).toEqual(['team', 'model', 'provider', 'user', 'cost']);
    expect(rows.length).toBe(AWKWARD.length);
    // A spreadsheet must never see a formula: such cells get a leading apostrophe, nothing else changes.
    const safe = (text: string): string => (/^[=+\-@]/.test(text) ? `'${text}` : text);
    rows.forEach(([team, model, provider, user, cost], i) => {
      const e = events[i]!;
      expect([team, model, provider, user]).toEqual([e.team_id, safe(e.model), safe(e.provider), safe(e.user_id)]);
      expect(parseAmount(cost!)).toBe(moneyFromJson(e.cost));
    });
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@]/);
  });

  it('keeps the names intact in json', async () => {
    const r = await runKt(['events', 'list', '--since', '2026-05-01', '--until', '2026-06-01', '--json', '--fields', 'model,user'], { env: emu.env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(events.map((e) => ({ model: e.model, user: e.user_id })));
  });

  it('filters on a model name containing a comma-free non-Latin name', async () => {
    const r = await runKt(['events', 'list', '--since', '2026-05-01', '--until', '2026-06-01', '--json', '--fields', 'model', '--model', '東京チーム'], {
      env: emu.env,
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ model: '東京チーム' }]);
  });
});

describe('aggregation buckets across DST changes', () => {
  let emu: Emulator;
  const events = [
    // Europe/Berlin springs forward on 2026-03-29 at 01:00 UTC: that local day is 23 hours long.
    event('2026-03-28T22:30:00.000Z', 1.000001, { team: 'berlin' }), // 23:30 CET on the 28th
    event('2026-03-28T23:30:00.000Z', 2.5, { team: 'berlin' }), // 00:30 CET on the 29th
    event('2026-03-29T21:30:00.000Z', 4.25, { team: 'berlin' }), // 23:30 CEST on the 29th
    event('2026-03-29T22:30:00.000Z', 8.000002, { team: 'berlin' }), // 00:30 CEST on the 30th
    // America/New_York springs forward on 2026-03-08 at 07:00 UTC.
    event('2026-03-08T04:30:00.000Z', 0.1, { team: 'nyc' }), // 23:30 EST on the 7th
    event('2026-03-08T05:30:00.000Z', 0.2, { team: 'nyc' }), // 00:30 EST on the 8th
    event('2026-03-09T03:30:00.000Z', 0.3, { team: 'nyc' }), // 23:30 EDT on the 8th
    event('2026-03-09T04:30:00.000Z', 0.4, { team: 'nyc' }), // 00:30 EDT on the 9th
  ];
  const RANGE = ['--since', '2026-03-01', '--until', '2026-04-01'];
  beforeAll(async () => {
    emu = await startEmulator(['--import', importFile(events)]);
  });
  afterAll(async () => {
    await emu.stop();
  });

  async function buckets(args: string[]): Promise<string[][]> {
    const r = await runKt(['events', 'list', ...RANGE, '--format', 'csv', '--no-header', ...args], { env: emu.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return csv(r.stdout);
  }

  it('Europe/Berlin days follow local midnight on both sides of the change', async () => {
    const rows = await buckets(['--team', 'berlin', '--aggregate', 'daily', '--tz', 'Europe/Berlin', '--fields', 'period_start,requests,cost']);
    expect(rows).toEqual([
      ['2026-03-28T00:00:00+01:00', '1', '1.000001'],
      ['2026-03-29T00:00:00+01:00', '2', '6.75'],
      ['2026-03-30T00:00:00+02:00', '1', '8.000002'],
    ]);
  });

  it('America/New_York days follow local midnight on both sides of the change', async () => {
    const rows = await buckets(['--team', 'nyc', '--aggregate', 'daily', '--tz', 'America/New_York', '--fields', 'period_start,requests,cost']);
    expect(rows).toEqual([
      ['2026-03-07T00:00:00-05:00', '1', '0.10'],
      ['2026-03-08T00:00:00-05:00', '2', '0.50'],
      ['2026-03-09T00:00:00-04:00', '1', '0.40'],
    ]);
  });

  it('groups by team, and weekly buckets start on Monday', async () => {
    const rows = await buckets(['--aggregate', 'weekly', '--group-by', 'team', '--tz', 'Europe/Berlin', '--fields', 'period_start,team,requests']);
    expect(rows).toEqual([
      ['2026-03-02T00:00:00+01:00', 'nyc', '2'],
      ['2026-03-09T00:00:00+01:00', 'nyc', '2'],
      ['2026-03-23T00:00:00+01:00', 'berlin', '3'],
      ['2026-03-30T00:00:00+02:00', 'berlin', '1'],
    ]);
  });

  it.each(['UTC', 'Europe/Berlin', 'America/New_York'])('daily buckets in %s add up to the range total', async (tz) => {
    const daily = await buckets(['--aggregate', 'daily', '--tz', tz, '--fields', 'cost,requests']);
    const total = events.reduce((sum, e) => sum + moneyFromJson(e.cost), 0n);
    expect(daily.reduce((sum, [cost]) => sum + parseAmount(cost!), 0n)).toBe(total);
    expect(daily.reduce((sum, [, requests]) => sum + Number(requests), 0)).toBe(events.length);
  });
});

describe('an export interrupted by a server fault', () => {
  const many = Array.from({ length: 3500 }, (_, i) => event(new Date(Date.UTC(2026, 4, 1) + i * 60_000).toISOString(), 0.001));
  const file = importFile(many);
  const RANGE = ['--since', '2026-05-01', '--until', '2026-06-01'];

  it.each([
    ['a 503 on the third page', '503 path=/v1/events skip=2'],
    ['a dropped connection on the third page', 'drop path=/v1/events skip=2'],
  ])('%s: exits non-zero and leaves --output untouched', async (_name, faults) => {
    const emu = await startEmulator(['--import', file, '--faults', faults]);
    try {
      const dir = mkdtempSync(join(tmpdir(), 'kt-events-fault-'));
      const target = join(dir, 'chargeback.csv');
      const previous = 'team,cost\r\nlast month,"1,234.50"\n';
      writeFileSync(target, previous);
      const r = await runKt(['--retries', '0', 'events', 'list', ...RANGE, '--format', 'csv', '-o', target], { env: emu.env });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: /m);
      expect(r.stdout).toBe('');
      expect(readFileSync(target, 'utf8')).toBe(previous);
      expect(readdirSync(dir)).toEqual(['chargeback.csv']);
    } finally {
      await emu.stop();
    }
  });

  it('without a fault the same export succeeds (the fault is what failed it)', async () => {
    const emu = await startEmulator(['--import', file]);
    try {
      const r = await runKt(['--retries', '0', 'events', 'list', ...RANGE, '--format', 'csv', '--fields', 'id'], { env: emu.env });
      expect(r.code).toBe(0);
      expect(csv(r.stdout).length).toBe(many.length + 1);
    } finally {
      await emu.stop();
    }
  });
});
