// The surface a new user meets (issue 25), end to end against a real
// emulator on a fixed clock: dates in --since/--until read in --tz across
// DST, one -o rule, partial periods marked, stacked charts per group, verdict
// synonyms, did-you-mean for closed vocabularies, a cancelled prompt's code,
// sub-cent money and the tail header on a terminal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKt, type KtResult } from '../helpers/run-kt.js';
import { startEmulator, type Emulator } from '../helpers/emulator.js';
import { runKtInPty } from '../helpers/pty.js';
import { toolAvailable } from '../helpers/tools.js';

// Sunday afternoon in UTC; 07:00 in Los Angeles, 16:00 in Berlin.
const NOW = '2026-12-06T15:00:00Z';

interface ImportEvent {
  timestamp: string;
  team_id: string;
  cost: number;
  verdict?: string;
}

// Costs are powers of two, so every sum names exactly the events in it.
// Los Angeles falls back on 2026-11-01 (PDT → PST); Berlin on 2026-10-25 (CEST → CET).
const EVENTS: ImportEvent[] = [
  { timestamp: '2026-10-24T12:00:00Z', team_id: 'search', cost: 0.125 },
  { timestamp: '2026-10-25T12:00:00Z', team_id: 'search', cost: 0.25 },
  { timestamp: '2026-10-26T12:00:00Z', team_id: 'ads', cost: 0.5 },
  { timestamp: '2026-10-31T23:30:00Z', team_id: 'search', cost: 1 }, // Berlin: Nov 1 00:30; LA: Oct 31
  { timestamp: '2026-11-01T06:30:00Z', team_id: 'ads', cost: 2 }, // LA: Oct 31 23:30 PDT
  { timestamp: '2026-11-01T07:30:00Z', team_id: 'search', cost: 4 }, // LA: Nov 1 00:30 PDT
  { timestamp: '2026-11-30T23:30:00Z', team_id: 'ads', cost: 8 }, // Berlin: Dec 1 00:30; LA: Nov 30
  { timestamp: '2026-12-01T07:59:00Z', team_id: 'search', cost: 16 }, // LA: Nov 30 23:59 PST
  { timestamp: '2026-12-01T08:30:00Z', team_id: 'ads', cost: 32 }, // LA: Dec 1 00:30
  { timestamp: '2026-12-04T10:00:00Z', team_id: 'search', cost: 0.00995025 },
  { timestamp: '2026-12-05T10:00:00Z', team_id: 'ads', cost: 0.0042 },
  { timestamp: '2026-12-05T11:00:00Z', team_id: 'ads', cost: 0, verdict: 'block' },
  { timestamp: '2026-12-06T10:00:00Z', team_id: 'search', cost: 0.01 },
];

function importFile(events: readonly ImportEvent[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'kt-surface-'));
  const file = join(dir, 'events.ndjson');
  const lines = events.map((e, i) =>
    JSON.stringify({ provider: 'openai', model: 'gpt-4o', input_tokens: 100 + i, output_tokens: 10, cached: false, request_id: `req_${i}`, ...e }),
  );
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

let em: Emulator;
const kt = (args: string[], input?: string): Promise<KtResult> => runKt(args, { env: em.env, input });
const tempDir = (): string => mkdtempSync(join(tmpdir(), 'kt-surface-out-'));

function rows(r: KtResult): Array<Record<string, unknown>> {
  expect(r.stderr).not.toContain('error:');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Array<Record<string, unknown>>;
}

beforeAll(async () => {
  em = await startEmulator(['--import', importFile(EVENTS)], { now: NOW });
});
afterAll(async () => {
  await em.stop();
});

describe('--tz makes a bare date in --since/--until local', () => {
  const NOVEMBER = ['--since', '2026-11-01', '--until', '2026-12-01'];

  it('a monthly chargeback for November in Los Angeles has exactly November, PDT start to PST end', async () => {
    const r = await kt(['events', 'list', ...NOVEMBER, '--tz', 'America/Los_Angeles', '--aggregate', 'monthly', '--format', 'csv']);
    expect(r.code).toBe(0);
    // 4 + 8 + 16: the 06:30Z event is still October 31 there, the 07:59Z one on Dec 1 is still November
    expect(r.stdout).toBe('period_start,requests,input_tokens,output_tokens,cost,partial\r\n2026-11-01T00:00:00-07:00,3,318,30,28.00,false\r\n');
  });

  it('the same dates in Berlin are Berlin’s November, and without --tz the UTC one', async () => {
    const berlin = rows(await kt(['events', 'list', ...NOVEMBER, '--tz', 'Europe/Berlin', '--aggregate', 'monthly', '--json']));
    expect(berlin).toEqual([{ period_start: '2026-11-01T00:00:00+01:00', requests: 3, input_tokens: 312, output_tokens: 30, cost: 7, partial: false }]);
    const utc = rows(await kt(['events', 'list', ...NOVEMBER, '--aggregate', 'monthly', '--json']));
    expect(utc).toEqual([{ period_start: '2026-11-01T00:00:00Z', requests: 3, input_tokens: 315, output_tokens: 30, cost: 14, partial: false }]);
  });

  it('an explicit offset or Z wins over --tz', async () => {
    const r = rows(await kt(['events', 'list', '--since', '2026-11-01T00:00:00Z', '--until', '2026-12-01T00:00:00Z', '--tz', 'America/Los_Angeles', '--json', '--fields', 'timestamp,cost']));
    expect(r.map((e) => e.cost)).toEqual([2, 4, 8]);
  });

  it('export and tail read dates the same way', async () => {
    const dir = tempDir();
    const file = join(dir, 'nov.csv');
    const exp = await kt(['events', 'export', ...NOVEMBER, '--tz', 'America/Los_Angeles', '-o', file, '--fields', 'timestamp,cost']);
    expect(exp.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(
      'timestamp,cost\r\n2026-11-01T00:30:00-07:00,4.00\r\n2026-11-30T15:30:00-08:00,8.00\r\n2026-11-30T23:59:00-08:00,16.00\r\n',
    );
    // 10:00 in Los Angeles is 18:00Z, three hours after the clock
    const tail = await kt(['events', 'tail', '--since', '2026-12-06T10:00', '--tz', 'America/Los_Angeles']);
    expect(tail.code).toBe(2);
    expect(tail.stderr).toBe('error: invalid --since "2026-12-06T10:00": 2026-12-06T18:00:00.000Z is in the future\nhint: use a past date or a duration such as 30d\n');
  });

  it('kt savings takes --tz for its range', async () => {
    const r = await kt(['savings', '--since', '2026-11-01', '--until', '2026-11-01T00:00', '--tz', 'America/Los_Angeles']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: --since (2026-11-01T07:00:00.000Z) must be before --until (2026-11-01T07:00:00.000Z)\nhint: --until is exclusive: --since 2026-03-01 --until 2026-04-01 is the whole of March\n',
    );
  });

  it('daily buckets across Berlin’s DST change read as local dates in a table and keep the offset in csv', async () => {
    const range = ['--since', '2026-10-24', '--until', '2026-10-27', '--tz', 'Europe/Berlin', '--aggregate', 'daily'];
    const table = await kt(['events', 'list', ...range]);
    expect(table.code).toBe(0);
    expect(table.stdout).toBe(
      [
        'DAY             REQUESTS  INPUT  OUTPUT   COST',
        '2026-10-24 Sat         1    100      10  $0.13',
        '2026-10-25 Sun         1    101      10  $0.25',
        '2026-10-26 Mon         1    102      10  $0.50',
        '',
      ].join('\n'),
    );
    const csv = await kt(['events', 'list', ...range, '--format', 'csv', '--fields', 'period_start,cost']);
    expect(csv.stdout).toBe('period_start,cost\r\n2026-10-24T00:00:00+02:00,0.125\r\n2026-10-25T00:00:00+02:00,0.25\r\n2026-10-26T00:00:00+01:00,0.50\r\n');
  });

  it('an impossible month or day names the part that is wrong (exit 2)', async () => {
    const month = await kt(['events', 'list', '--since', '2026-13-01']);
    expect(month.code).toBe(2);
    expect(month.stderr).toBe('error: invalid --since: invalid date "2026-13-01": there is no month 13; months run 01–12\n');
    const day = await kt(['events', 'list', '--since', '2026-02-29', '--tz', 'Europe/Berlin']);
    expect(day.code).toBe(2);
    expect(day.stderr).toBe('error: invalid --since: invalid date "2026-02-29": 2026-02 has no day 29 (it has 28 days)\n');
    const zone = await kt(['events', 'list', '--tz', 'Europe/Berln']);
    expect(zone.code).toBe(2);
    expect(zone.stderr).toBe('error: invalid --tz "Europe/Berln": not an IANA time zone\nhint: did you mean "Europe/Berlin"?\n');
  });
});

describe('one -o rule', () => {
  const RANGE = ['--since', '2026-12-01T08:00:00Z', '--until', '2026-12-01T09:00:00Z', '--fields', 'id,cost'];

  it('kt events export -o e.csv writes csv, -o nov.ndjson ndjson, and a plain name the default json', async () => {
    const dir = tempDir();
    expect((await kt(['events', 'export', ...RANGE, '-o', join(dir, 'e.csv')])).code).toBe(0);
    expect(readFileSync(join(dir, 'e.csv'), 'utf8')).toBe('id,cost\r\nevt_0000000009,32.00\r\n');
    expect((await kt(['events', 'export', ...RANGE, '-o', join(dir, 'nov.ndjson')])).code).toBe(0);
    expect(readFileSync(join(dir, 'nov.ndjson'), 'utf8')).toBe('{"id":"evt_0000000009","cost":32.00}\n');
    expect((await kt(['events', 'export', ...RANGE, '-o', join(dir, 'events.out')])).code).toBe(0);
    expect(readFileSync(join(dir, 'events.out'), 'utf8')).toBe('[\n  {"id":"evt_0000000009","cost":32.00}\n]\n');
    expect((await kt(['events', 'list', ...RANGE, '-o', join(dir, 'l.jsonl')])).code).toBe(0);
    expect(readFileSync(join(dir, 'l.jsonl'), 'utf8')).toBe('{"id":"evt_0000000009","cost":32.00}\n');
  });

  it('an explicit --format that contradicts the extension is exit 2, and no file is written', async () => {
    const dir = tempDir();
    const target = join(dir, 'e.csv');
    const r = await kt(['events', 'export', ...RANGE, '--format', 'json', '-o', target]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: --format json contradicts --output ${target}: a .csv file holds csv\nhint: leave out --format to write csv, or name the file .json\n`);
    expect(existsSync(target)).toBe(false);
    const table = await kt(['wallets', 'list', '--format', 'table', '-o', join(dir, 'w.json')]);
    expect(table.code).toBe(2);
    expect(table.stderr).toContain('error: --format table contradicts --output');
    const parquet = await kt(['wallets', 'list', '-o', 'w.parquet']);
    expect(parquet.code).toBe(2);
    expect(parquet.stderr).toBe('error: --output w.parquet: this command cannot write parquet; it writes table, csv, json, ndjson\nhint: name the file .csv, .json, .ndjson\n');
  });
});

describe('partial periods', () => {
  it('--since 3d --aggregate weekly marks the week the range cuts, in every format', async () => {
    const table = await kt(['events', 'list', '--since', '3d', '--aggregate', 'weekly']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[1]).toMatch(/^2026-11-30 Mon\* +4 /);
    expect(table.stderr).toContain('* partial period: the range starts or ends inside it, or it is still in progress\n');
    const json = rows(await kt(['events', 'list', '--since', '3d', '--aggregate', 'weekly', '--json']));
    expect(json).toEqual([{ period_start: '2026-11-30T00:00:00Z', requests: 4, input_tokens: 442, output_tokens: 40, cost: 0.02415025, partial: true }]);
  });

  it('whole periods carry partial: false, the first and the running one true', async () => {
    const r = rows(await kt(['events', 'list', '--since', '2026-12-03T12:00:00Z', '--aggregate', 'daily', '--json', '--fields', 'period_start,partial']));
    expect(r).toEqual([
      { period_start: '2026-12-04T00:00:00Z', partial: false },
      { period_start: '2026-12-05T00:00:00Z', partial: false },
      { period_start: '2026-12-06T00:00:00Z', partial: true },
    ]);
  });
});

describe('verdicts and closed vocabularies', () => {
  it('--verdict blocked matches what --verdict block does', async () => {
    const range = ['--since', '2026-11-01', '--fields', 'id,verdict', '--json'];
    const blocked = rows(await kt(['events', 'list', ...range, '--verdict', 'blocked']));
    expect(blocked).toEqual([{ id: 'evt_0000000012', verdict: 'block' }]);
    expect(rows(await kt(['events', 'list', ...range, '--verdict', 'block']))).toEqual(blocked);
    const either = rows(await kt(['events', 'export', ...range, '--verdict', 'BLOCKED,pass']));
    expect(either).toHaveLength(9);
    expect(new Set(either.map((e) => e.verdict))).toEqual(new Set(['allow', 'block']));
  });

  it.each<[string[], string]>([
    [['events', 'list', '--verdict', 'blokced'], 'error: invalid --verdict "blokced": unknown verdict "blokced"; use allow, block, redact, escalate (the product\'s words such as blocked, pass or modified match too)\nhint: did you mean "blocked"?\n'],
    [['events', 'list', '--aggregate', 'dayly'], "error: option '--aggregate <period>' argument 'dayly' is invalid. Allowed choices are daily, weekly, monthly. (Did you mean daily?)\n"],
    [['events', 'list', '--aggregate', 'daily', '--group-by', 'tema'], 'error: invalid --group-by "tema": unknown key "tema"; use team, provider, model\nhint: did you mean "team"?\n'],
    [['wallets', 'allocate', '--team', 'x', '--amount', '1', '--period', 'montly', '--yes'], "error: option '--period <period>' argument 'montly' is invalid. Allowed choices are monthly, quarterly, yearly. (Did you mean monthly?)\n"],
    [['wallets', 'transactions', '--team', 'search', '--type', 'credt'], 'error: invalid --type "credt": unknown type "credt"; valid types: credit, allocate, reclaim, reserve, settle, release, expire\nhint: did you mean "credit"?\n'],
    [['events', 'list', '--format', 'cvs'], "error: option '--format <format>' argument 'cvs' is invalid. Allowed choices are table, csv, json, ndjson, parquet. (Did you mean csv?)\n"],
  ])('kt %j: exit 2 with a did-you-mean', async (args, stderr) => {
    const r = await kt(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(stderr);
  });
});

describe('money and prompts', () => {
  it('$0.00995025 shows as $0.01 in a table, with more decimals only below half a cent, and exact in csv', async () => {
    const range = ['--since', '2026-12-04', '--until', '2026-12-06', '--fields', 'timestamp,cost'];
    const table = await kt(['events', 'list', ...range]);
    expect(table.stdout).toBe(
      ['TIMESTAMP                COST', '2026-12-04T10:00:00Z    $0.01', '2026-12-05T10:00:00Z  $0.0042', '2026-12-05T11:00:00Z    $0.00', ''].join('\n'),
    );
    const csv = await kt(['events', 'list', ...range, '--format', 'csv']);
    expect(csv.stdout).toBe('timestamp,cost\r\n2026-12-04T10:00:00Z,0.00995025\r\n2026-12-05T10:00:00Z,0.0042\r\n2026-12-05T11:00:00Z,0.00\r\n');
  });
});

const hasScript = toolAvailable('script');

describe.skipIf(!hasScript)('on a terminal', () => {
  it('--chart --group-by team draws stacked bars with a legend, the running day marked', async () => {
    const run = runKtInPty(['--no-color', 'events', 'list', '--since', '2026-12-04', '--chart', '--group-by', 'team'], em.env);
    expect(await run.exit).toBe(0);
    const lines = run.output().replace(/\r/g, '').split('\n');
    expect(lines).toContain('█ search  ▓ ads');
    expect(lines.find((l) => l.startsWith('2026-12-05 Sat '))).toMatch(/^2026-12-05 Sat {2}▓+ +\$0\.0042$/);
    expect(lines.find((l) => l.startsWith('2026-12-06 Sun'))).toMatch(/^2026-12-06 Sun\* █+ +\$0\.01$/);
    expect(run.output()).toContain('* partial period');
  });

  it('kt events tail --follow lines its header up with its rows, in a zone with an offset too', async () => {
    const run = runKtInPty(['events', 'tail', '--since', '2026-12-01', '--limit', '3', '--follow', '--tz', 'Europe/Berlin'], em.env);
    await run.waitFor('Ctrl-C to stop');
    run.type('\u0003');
    expect(await run.exit).toBe(130);
    // eslint-disable-next-line no-control-regex -- strip the terminal's escapes
    const lines = run.output().replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '').split('\n');
    const header = lines.find((l) => l.startsWith('TIME')) ?? '';
    const row = lines.find((l) => l.startsWith('2026-12-06T11:00:00+01:00')) ?? '';
    for (const name of ['ID', 'VERDICT', 'REASON']) {
      const column = header.indexOf(name);
      expect(column).toBeGreaterThan(0);
      expect(row[column - 1]).toBe(' ');
      expect(row[column]).not.toBe(' ');
    }
  });
});
