import { describe, expect, it } from 'vitest';
import { addMoney, type Money, nanos } from '../../src/domain/money.js';
import { writeRows, type Column } from '../../src/output/index.js';
import { CellRenderer, formatPercent, formatShare, groupThousands } from '../../src/output/cells.js';
import { plainTable } from '../../src/output/table.js';
import { testContext as fakeContext } from '../helpers/context.js';

interface Row {
  team: string;
  cost: Money;
  requests: number;
  change: number | null;
  at: string;
  currency?: string;
}

const columns: Column<Row>[] = [
  { name: 'team', kind: 'text', get: (r) => r.team },
  { name: 'cost', kind: 'money', get: (r) => r.cost, currency: (r) => r.currency ?? 'USD' },
  { name: 'requests', kind: 'int', get: (r) => r.requests },
  { name: 'change', kind: 'percent', get: (r) => r.change },
  { name: 'at', kind: 'time', header: 'WHEN', get: (r) => r.at },
];

const rows: Row[] = [
  { team: 'search', cost: nanos(12_345_670_000_000n), requests: 1_234_567, change: 0.026, at: '2026-11-28T09:15:00.000Z' },
  { team: '=ads', cost: nanos(-4_200_000n), requests: 0, change: -0.135, at: '2026-11-28T10:00:00.250Z', currency: 'EUR' },
];

// eslint-disable-next-line no-control-regex -- looking for ANSI escapes
const ANSI = /\u001b\[/;
const BOX = /[┌┐└┘│─├┤┬┴┼]/;

describe('json and ndjson', () => {
  it('streams one array with exact money, fractions for percent and ISO times', async () => {
    const f = fakeContext();
    await writeRows(f.ctx, rows, columns, { format: 'json' });
    const text = f.stdout();
    expect(text.startsWith('[\n')).toBe(true);
    expect(text.endsWith('\n]\n')).toBe(true);
    expect(JSON.parse(text)).toEqual([
      { team: 'search', cost: 12345.67, requests: 1234567, change: 0.026, at: '2026-11-28T09:15:00Z' },
      { team: '=ads', cost: -0.0042, requests: 0, change: -0.135, at: '2026-11-28T10:00:00.250Z' },
    ]);
  });

  it('writes [] for no rows', async () => {
    const f = fakeContext();
    expect(await writeRows(f.ctx, [], columns, { format: 'json' })).toEqual({ rows: 0 });
    expect(f.stdout()).toBe('[]\n');
  });

  it('keeps 0.1 + 0.2 exact when the amounts were added as integers', async () => {
    const f = fakeContext();
    await writeRows(f.ctx, [{ ...rows[0]!, cost: addMoney(nanos(100_000_000n), nanos(200_000_000n)) }], columns, { format: 'json' });
    expect(f.stdout()).toContain('"cost":0.30,');
  });

  it('writes one object per line for ndjson, null for missing values', async () => {
    const f = fakeContext();
    await writeRows(f.ctx, [rows[0]!, { ...rows[1]!, change: null }], columns, { format: 'ndjson' });
    const lines = f.stdout().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[1]!)).toMatchObject({ team: '=ads', change: null });
  });

  it('writes nothing for ndjson without rows', async () => {
    const f = fakeContext();
    await writeRows(f.ctx, [], columns, { format: 'ndjson' });
    expect(f.stdout()).toBe('');
  });
});

describe('time zones', () => {
  it('renders UTC with Z and drops zero milliseconds', () => {
    const cells = new CellRenderer(undefined);
    expect(cells.time(new Date('2026-11-28T09:15:00Z'))).toBe('2026-11-28T09:15:00Z');
    expect(cells.time('2026-11-28T09:15:00.5Z')).toBe('2026-11-28T09:15:00.500Z');
    expect(cells.time('not a time')).toBe('not a time');
    expect(cells.time('2026-11-28T09:15:00.000Z')).toBe('2026-11-28T09:15:00Z');
    expect(cells.time('2026-11-28T09:15:00.12Z')).toBe('2026-11-28T09:15:00.120Z');
    expect(cells.time('2026-11-28T10:15:00+01:00')).toBe('2026-11-28T09:15:00Z');
    expect(cells.time(Date.UTC(2026, 10, 28, 9, 15))).toBe('2026-11-28T09:15:00Z');
  });

  it('uses the zone offset on each side of a DST change', () => {
    const berlin = new CellRenderer('Europe/Berlin');
    // Clocks go forward at 01:00 UTC on 2026-03-29.
    expect(berlin.time('2026-03-29T00:59:59Z')).toBe('2026-03-29T01:59:59+01:00');
    expect(berlin.time('2026-03-29T01:00:00Z')).toBe('2026-03-29T03:00:00+02:00');
    // And back at 01:00 UTC on 2026-10-25: 02:30 happens twice.
    expect(berlin.time('2026-10-25T00:30:00Z')).toBe('2026-10-25T02:30:00+02:00');
    expect(berlin.time('2026-10-25T01:30:00Z')).toBe('2026-10-25T02:30:00+01:00');
    const newYork = new CellRenderer('America/New_York');
    expect(newYork.time('2026-03-08T06:59:00Z')).toBe('2026-03-08T01:59:00-05:00');
    expect(newYork.time('2026-03-08T07:00:00Z')).toBe('2026-03-08T03:00:00-04:00');
    expect(new CellRenderer('Asia/Kolkata').time('2026-01-01T00:00:00.120Z')).toBe('2026-01-01T05:30:00.120+05:30');
    expect(new CellRenderer('UTC').time('2026-01-01T00:00:00Z')).toBe('2026-01-01T00:00:00+00:00');
  });

  it('takes the calendar date in the zone', () => {
    expect(new CellRenderer('America/Los_Angeles').date(new Date('2026-11-28T05:00:00Z'))).toBe('2026-11-27');
    expect(new CellRenderer(undefined).date('2026-11-28')).toBe('2026-11-28');
  });

  it('applies --tz in csv output and rejects an unknown zone with exit 2', async () => {
    const f = fakeContext();
    await writeRows(f.ctx, rows, columns, { format: 'csv', tz: 'Europe/London' });
    expect(f.stdout()).toContain(',2026-11-28T09:15:00+00:00\r\n');
    await expect(writeRows(f.ctx, rows, columns, { format: 'csv', tz: 'Mars/Olympus' })).rejects.toMatchObject({
      exitCode: 2,
      message: 'unknown time zone "Mars/Olympus"; use an IANA name such as Europe/Berlin or UTC',
    });
  });
});

describe('table', () => {
  it('prints plain aligned columns with no box characters and no colour when not a TTY', async () => {
    const f = fakeContext({ io: { colorStdout: true } });
    await writeRows(f.ctx, rows, columns, { format: 'table' });
    const text = f.stdout();
    expect(text).not.toMatch(ANSI);
    expect(text).not.toMatch(BOX);
    expect(text.split('\n')).toEqual([
      'TEAM          COST   REQUESTS  CHANGE  WHEN',
      'search  $12,345.67  1,234,567   +2.6%  2026-11-28T09:15:00Z',
      '=ads      -€0.0042          0  -13.5%  2026-11-28T10:00:00.250Z',
      '',
    ]);
  });

  it('draws a box with bold headers on a colour TTY', async () => {
    const f = fakeContext({ io: { isStdoutTTY: true, colorStdout: true } });
    await writeRows(f.ctx, rows, columns, { format: 'table' });
    const text = f.stdout();
    expect(text).toMatch(BOX);
    expect(text).toContain('\u001b[1mTEAM\u001b[22m');
    expect(text).toContain('$12,345.67');
    // compact: border, header, rule, two rows, border
    expect(text.trimEnd().split('\n')).toHaveLength(6);
  });

  it('draws no escape codes on a TTY without colour (NO_COLOR)', async () => {
    const f = fakeContext({ io: { isStdoutTTY: true, colorStdout: false } });
    await writeRows(f.ctx, rows, columns, { format: 'table' });
    expect(f.stdout()).toMatch(BOX);
    expect(f.stdout()).not.toMatch(ANSI);
  });

  it('shows control characters escaped instead of sending them to the terminal', async () => {
    const f = fakeContext();
    await writeRows(f.ctx, [{ ...rows[0]!, team: 'evil\u001b[31mred\nx' }], columns, { format: 'table', header: false });
    expect(f.stdout()).toContain('evil\\u001b[31mred\\nx');
    expect(f.stdout()).not.toMatch(ANSI);
  });

  it('lines up wide characters by display width', async () => {
    const f = fakeContext();
    const cols = [columns[0]!, columns[2]!];
    await writeRows(f.ctx, [{ ...rows[0]!, team: '検索' }, { ...rows[0]!, team: 'abcd' }], cols, { format: 'table' });
    const lines = f.stdout().split('\n');
    expect(lines[1]).toBe('検索  1,234,567');
    expect(lines[2]).toBe('abcd  1,234,567');
  });

  it('prints nothing on stdout for no rows, and the notice on stderr unless quiet', async () => {
    const f = fakeContext();
    await writeRows(f.ctx, [], columns, { format: 'table', emptyNotice: 'no events' });
    expect(f.stdout()).toBe('');
    expect(f.stderr()).toBe('no events\n');
    const q = fakeContext({ globals: { quiet: true } });
    await writeRows(q.ctx, [], columns, { format: 'table', emptyNotice: 'no events' });
    expect(q.stderr()).toBe('');
  });

  it('renders every row, never truncating', async () => {
    const f = fakeContext();
    const many = Array.from({ length: 12_000 }, (_, i) => ({ ...rows[0]!, requests: i }));
    const result = await writeRows(f.ctx, many, columns, { format: 'table', header: false });
    expect(result.rows).toBe(12_000);
    expect(f.stdout().trimEnd().split('\n')).toHaveLength(12_000);
  });
});

describe('plainTable', () => {
  it('handles more rows than a spread call could take as arguments', () => {
    const rows = Array.from({ length: 300_000 }, (_, i) => [String(i % 10)]);
    const text = plainTable({ headers: ['N'], rows, rightAligned: [true] });
    expect(text.length).toBe(2 * 300_001);
  });
});

describe('number rendering', () => {
  it('groups thousands and signs percentages', () => {
    expect(groupThousands(1234567)).toBe('1,234,567');
    expect(groupThousands(-1000)).toBe('-1,000');
    expect(groupThousands(999)).toBe('999');
    expect(formatPercent(0.026)).toBe('+2.6%');
    expect(formatPercent(-0.135)).toBe('-13.5%');
    expect(formatPercent(0)).toBe('0.0%');
    expect(formatPercent(0.00001)).toBe('0.0%');
    expect(formatPercent(2)).toBe('+200.0%');
  });

  it('shows shares of a whole without a sign', () => {
    expect(formatShare(0.737)).toBe('73.7%');
    expect(formatShare(0)).toBe('0.0%');
    expect(formatShare(1.25)).toBe('125.0%');
    expect(formatShare(0.00049)).toBe('0.0%');
    expect(formatShare(Number.POSITIVE_INFINITY)).toBe('∞%');
    expect(formatShare(Number.NaN)).toBe('');
  });
});

describe('ratios in csv and json', () => {
  const ratio: Column<{ share: number; change: number }>[] = [
    { name: 'share', kind: 'share', get: (r) => r.share },
    { name: 'change', kind: 'percent', get: (r) => r.change },
  ];

  it('are rounded to 6 decimals in every machine format, short ones kept as they are', async () => {
    const values = [{ share: 0.4130285728578783, change: -0.1234564999 }, { share: 0.026, change: 2 }, { share: 1e-9, change: -1e-9 }];
    const json = fakeContext();
    await writeRows(json.ctx, values, ratio, { format: 'json' });
    expect(JSON.parse(json.stdout())).toEqual([
      { share: 0.413029, change: -0.123456 },
      { share: 0.026, change: 2 },
      { share: 0, change: 0 },
    ]);
    const csv = fakeContext();
    await writeRows(csv.ctx, values, ratio, { format: 'csv' });
    expect(csv.stdout()).toBe('share,change\r\n0.413029,-0.123456\r\n0.026,2\r\n0,0\r\n');
    const ndjson = fakeContext();
    await writeRows(ndjson.ctx, [values[0]!], ratio, { format: 'ndjson' });
    expect(ndjson.stdout()).toBe('{"share":0.413029,"change":-0.123456}\n');
  });
});

describe('money cells take Money only', () => {
  it('a plain number is a type error, and a cast around it fails loudly instead of being read as another unit', async () => {
    // @ts-expect-error -- a money column's getter must return Money (bigint nano-units), never a number
    const wrong: Column<{ cost: number }> = { name: 'cost', kind: 'money', get: (r) => r.cost };
    const f = fakeContext();
    await expect(writeRows(f.ctx, [{ cost: 12_500_000 }], [wrong], { format: 'csv' })).rejects.toThrow(
      'column "cost": money cell must be Money (bigint nano-units), got number 12500000',
    );
  });
});

describe('period cells', () => {
  type Bucket = { start: string; partial: boolean };
  const column = (period: 'daily' | 'weekly' | 'monthly'): Column<Bucket> => ({ name: 'period_start', kind: 'period', period, get: (r) => r.start, partial: (r) => r.partial });

  it('read as local dates with the weekday in tables and stay ISO instants in csv and json', () => {
    const utc = new CellRenderer(undefined);
    const row = { start: '2026-11-06T00:00:00Z', partial: false };
    expect(utc.table(column('daily'), row)).toBe('2026-11-06 Fri');
    expect(utc.table(column('weekly'), { start: '2026-11-30T00:00:00Z', partial: true })).toBe('2026-11-30 Mon*');
    expect(utc.table(column('monthly'), { start: '2026-11-01T00:00:00Z', partial: false })).toBe('2026-11');
    expect(utc.csv(column('daily'), row)).toBe('2026-11-06T00:00:00Z');
    expect(utc.json(column('daily'), row)).toBe('"2026-11-06T00:00:00Z"');
  });

  it('take the date in --tz, across a DST change', () => {
    const la = new CellRenderer('America/Los_Angeles');
    // 2026-11-01 is the day Los Angeles falls back: the bucket starts at 07:00Z, the next one at 08:00Z
    expect(la.table(column('daily'), { start: '2026-11-01T07:00:00Z', partial: false })).toBe('2026-11-01 Sun');
    expect(la.table(column('daily'), { start: '2026-11-02T08:00:00Z', partial: false })).toBe('2026-11-02 Mon');
    expect(la.csv(column('daily'), { start: '2026-11-02T08:00:00Z', partial: false })).toBe('2026-11-02T00:00:00-08:00');
    const berlin = new CellRenderer('Europe/Berlin');
    expect(berlin.table(column('monthly'), { start: '2026-03-01T00:00:00+01:00', partial: true })).toBe('2026-03*');
  });
});
