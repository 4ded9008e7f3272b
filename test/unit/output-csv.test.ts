import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { RowPages, writeRows, type Column } from '../../src/output/index.js';
import { type Money, nanos } from '../../src/domain/money.js';
import { csvField } from '../../src/output/write.js';
import { neutralizeFormula } from '../../src/output/cells.js';
import { testContext as fakeContext } from '../helpers/context.js';

interface Row {
  team: string | null;
  cost: Money | null;
  tokens: number;
  at: string | Date;
  cached: boolean;
}

const columns: Column<Row>[] = [
  { name: 'team', kind: 'text', get: (r) => r.team },
  { name: 'cost', kind: 'money', get: (r) => r.cost },
  { name: 'tokens', kind: 'int', get: (r) => r.tokens },
  { name: 'at', kind: 'time', get: (r) => r.at },
  { name: 'cached', kind: 'bool', get: (r) => r.cached },
];

const base: Row = { team: 'search', cost: nanos(12_500_000_000n), tokens: 1200, at: '2026-11-28T09:15:00Z', cached: false };

async function csv(rows: Row[], header = true): Promise<string> {
  const f = fakeContext();
  const result = await writeRows(f.ctx, rows, columns, { format: 'csv', header });
  expect(result.rows).toBe(rows.length);
  return f.stdout();
}

describe('csv', () => {
  it('writes a header row and CRLF record delimiters', async () => {
    const text = await csv([base, { ...base, team: 'ads', cached: true }]);
    expect(text).toBe('team,cost,tokens,at,cached\r\nsearch,12.50,1200,2026-11-28T09:15:00Z,false\r\nads,12.50,1200,2026-11-28T09:15:00Z,true\r\n');
  });

  it('writes nothing, not even the header, when the source fails before its first page', async () => {
    const f = fakeContext();
    // eslint-disable-next-line require-yield -- a source that fails before yielding anything
    async function* refused(): AsyncGenerator<Row[]> {
      throw Object.assign(new Error('HTTP 401'), { exitCode: 4 });
    }
    await expect(writeRows(f.ctx, new RowPages(refused()), columns, { format: 'csv' })).rejects.toThrow('HTTP 401');
    expect(f.stdout()).toBe('');
  });

  it('writes the header alone when the source has no rows', async () => {
    expect(await csv([])).toBe('team,cost,tokens,at,cached\r\n');
  });

  it('omits the header with header:false', async () => {
    expect(await csv([base], false)).toBe('search,12.50,1200,2026-11-28T09:15:00Z,false\r\n');
  });

  it('writes only the header for no rows, and nothing at all without one', async () => {
    expect(await csv([])).toBe('team,cost,tokens,at,cached\r\n');
    expect(await csv([], false)).toBe('');
  });

  it('quotes commas, quotes and newlines per RFC 4180 and keeps non-Latin text intact', async () => {
    const teams = ['a,b', 'say "hi"', 'line1\nline2', 'cr\r\nlf', '検索チーム', 'فريق', 'Ωmega 🚀'];
    const text = await csv(teams.map((team) => ({ ...base, team })));
    expect(text).toContain('"a,b",');
    expect(text).toContain('"say ""hi""",');
    expect(text).toContain('"line1\nline2",');
    const parsed = parse<Record<string, string>>(text, { columns: true });
    expect(parsed.map((r) => r.team)).toEqual(teams);
  });

  it('neutralises text cells a spreadsheet would run as a formula', async () => {
    const teams = ['=HYPERLINK("http://x")', '+1+1', '-2+3', '@SUM(A1)', '\tx', '\rx', 'ok=fine'];
    const parsed = parse<Record<string, string>>(await csv(teams.map((team) => ({ ...base, team }))), { columns: true });
    expect(parsed.map((r) => r.team)).toEqual(["'=HYPERLINK(\"http://x\")", "'+1+1", "'-2+3", "'@SUM(A1)", "'\tx", "'\rx", 'ok=fine']);
  });

  it('never alters numeric cells, negative money included', async () => {
    const text = await csv([{ ...base, cost: nanos(-3_000_000_000n), tokens: -5 }]);
    expect(text.split('\r\n')[1]).toBe('search,-3.00,-5,2026-11-28T09:15:00Z,false');
  });

  it('renders money exactly from nano-units: sub-cent, large, 0.1 + 0.2', async () => {
    const costs = [1_000n, 4_200_000n, 100_000_000n + 200_000_000n, 9_007_199_254_740_991_000n, 0n, -1_000n];
    const parsed = parse<Record<string, string>>(await csv(costs.map((cost) => ({ ...base, cost: nanos(cost) }))), { columns: true });
    expect(parsed.map((r) => r.cost)).toEqual(['0.000001', '0.0042', '0.30', '9007199254.740991', '0.00', '-0.000001']);
  });

  it('writes null and undefined as empty fields', async () => {
    const text = await csv([{ ...base, team: null, cost: null }]);
    expect(text.split('\r\n')[1]).toBe(',,1200,2026-11-28T09:15:00Z,false');
  });

  it('streams from an async iterable', async () => {
    async function* rows(): AsyncGenerator<Row> {
      for (let i = 0; i < 3; i += 1) yield { ...base, tokens: i };
    }
    const f = fakeContext();
    const result = await writeRows(f.ctx, rows(), columns, { format: 'csv' });
    expect(result.rows).toBe(3);
    expect(f.stdout().split('\r\n').slice(1, 4).map((l) => l.split(',')[2])).toEqual(['0', '1', '2']);
  });
});

describe('neutralizeFormula', () => {
  it('prefixes only the dangerous leading characters', () => {
    expect(neutralizeFormula('=1')).toBe("'=1");
    expect(neutralizeFormula('')).toBe('');
    expect(neutralizeFormula('a-b')).toBe('a-b');
  });
});

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['carriage\rreturn', '"carriage\rreturn"'],
    [' padded ', ' padded '],
    ['東京', '東京'],
  ])('%j → %j', (input, expected) => {
    expect(csvField(input)).toBe(expected);
  });
});

describe('csv from pages', () => {
  it('writes RowPages page by page, in order, with one header', async () => {
    async function* pages(): AsyncGenerator<Row[]> {
      for (let p = 0; p < 3; p++) yield Array.from({ length: 2 }, (_, i) => ({ ...base, tokens: p * 2 + i }));
    }
    const f = fakeContext();
    const result = await writeRows(f.ctx, new RowPages(pages()), columns, { format: 'csv' });
    expect(result.rows).toBe(6);
    const lines = f.stdout().split('\r\n');
    expect(lines[0]).toBe('team,cost,tokens,at,cached');
    expect(lines.slice(1, 7).map((l) => l.split(',')[2])).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(lines[7]).toBe('');
  });
});
