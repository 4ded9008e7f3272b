// The dataset manifest and the bookkeeping between runs (src/domain/dataset.ts).
import { describe, expect, it } from 'vitest';
import {
  commitPart,
  fetchStart,
  isPartFile,
  manifestCost,
  manifestText,
  ManifestError,
  nextPartNumber,
  parseManifest,
  PartTally,
  partPath,
  settingsMismatch,
  type DatasetManifest,
  type DatasetPart,
} from '../../src/domain/dataset.js';
import { moneyFromDecimal } from '../../src/domain/money.js';

const SHA = 'a'.repeat(64);

function part(n: number, date: string, cost = '1.50'): DatasetPart {
  return { path: partPath(date, n, 'parquet'), date, rows: 2, events: 2, cost_total: cost, sha256: SHA, bytes: 100, min_timestamp: `${date}T00:00:00.000Z`, max_timestamp: `${date}T01:00:00.000Z` };
}

function manifest(over: Partial<DatasetManifest> = {}): DatasetManifest {
  return {
    kt_dataset: 1,
    format: 'parquet',
    schema: 'kt',
    fields: ['timestamp', 'cost', 'id'],
    tz: 'UTC',
    filter: {},
    since: '2026-03-01T00:00:00.000Z',
    watermark: '2026-03-02T00:00:00.000Z',
    recent: { since: '2026-03-01T23:55:00.000Z', events: [['2026-03-01T23:58:00.000Z', 'e9']] },
    parts: [part(1, '2026-03-01')],
    updated_at: '2026-03-02T00:05:00.000Z',
    ...over,
  };
}

describe('parseManifest', () => {
  it('reads back what manifestText writes', () => {
    const m = manifest({ parts: [part(1, '2026-03-01'), part(2, '2026-03-02', '0.000000001')] });
    expect(parseManifest(manifestText(m))).toEqual({ ...m, filter: { teams: undefined, providers: undefined, models: undefined, verdicts: undefined } });
  });

  it.each([
    ['not json', 'not JSON'],
    ['[]', 'not a JSON object'],
    [JSON.stringify({ ...manifest(), kt_dataset: 2 }), '"kt_dataset" must be 1'],
    [JSON.stringify({ ...manifest(), format: 'json' }), '"format" must be one of csv, ndjson, parquet'],
    [JSON.stringify({ ...manifest(), schema: 'cur' }), '"schema" must be kt or focus'],
    [JSON.stringify({ ...manifest(), watermark: 'yesterday' }), '"watermark" must be a UTC ISO instant'],
    [JSON.stringify({ ...manifest(), parts: [{ ...part(1, '2026-03-01'), path: '../etc/passwd' }] }), 'is not date=YYYY-MM-DD/part-N.parquet'],
    [JSON.stringify({ ...manifest(), parts: [{ ...part(1, '2026-03-01'), date: '2026-03-02' }] }), 'does not match its path'],
    [JSON.stringify({ ...manifest(), parts: [part(1, '2026-03-01'), part(1, '2026-03-01')] }), 'is listed twice'],
    [JSON.stringify({ ...manifest(), parts: [{ ...part(1, '2026-03-01'), sha256: 'xyz' }] }), '"sha256" must be 64 hex digits'],
    [JSON.stringify({ ...manifest(), parts: [{ ...part(1, '2026-03-01'), cost_total: '1e3' }] }), '"cost_total" must be a decimal string'],
    [JSON.stringify({ ...manifest(), parts: [{ ...part(1, '2026-03-01'), rows: -1 }] }), '"rows" must be a whole number'],
    [JSON.stringify({ ...manifest(), recent: { since: '2026-03-01T00:00:00Z', events: [['x']] } }), 'recent.events[0] must be [timestamp, id]'],
  ])('refuses %s', (text, message) => {
    expect(() => parseManifest(text)).toThrow(ManifestError);
    expect(() => parseManifest(text)).toThrow(message);
  });
});

describe('parts', () => {
  it('names parts date=…/part-NNNNNN.ext, numbered after the highest listed', () => {
    expect(partPath('2026-03-01', 7, 'csv')).toBe('date=2026-03-01/part-000007.csv');
    expect(nextPartNumber([])).toBe(1);
    expect(nextPartNumber([part(3, '2026-03-01'), part(12, '2026-03-02'), part(5, '2026-03-02')])).toBe(13);
    expect(isPartFile('part-000001.parquet')).toBe(true);
    expect(isPartFile('.part-000001.parquet.123.abcdef.tmp')).toBe(true);
    expect(isPartFile('notes.txt')).toBe(false);
    expect(isPartFile('part-1.parquet')).toBe(false);
  });

  it('tallies a part: events, rows, exact cost, time range, committed ids', () => {
    const tally = new PartTally();
    tally.add({ id: 'a', timestamp: '2026-03-01T10:00:00Z', cost: moneyFromDecimal('0.000000291') }, 2);
    tally.add({ id: 'b', timestamp: '2026-03-01T09:00:00.5Z', cost: null }, 1);
    tally.add({ id: 'c', timestamp: '2026-03-01T11:00:00Z', cost: moneyFromDecimal('0.1') }, 2);
    expect(tally.part('date=2026-03-01/part-000001.csv', '2026-03-01', { sha256: SHA, bytes: 9 })).toEqual({
      path: 'date=2026-03-01/part-000001.csv',
      date: '2026-03-01',
      rows: 5,
      events: 3,
      cost_total: '0.100000291',
      sha256: SHA,
      bytes: 9,
      min_timestamp: '2026-03-01T09:00:00.500Z',
      max_timestamp: '2026-03-01T11:00:00.000Z',
    });
    expect(manifestCost([part(1, '2026-03-01', '0.100000291'), part(2, '2026-03-02', '1.9')])).toBe('2.000000291');
  });
});

describe('watermark and overlap', () => {
  const LAG = 5 * 60_000;

  it('starts a new dataset at --since, a later run at the watermark minus the lag but never before the ids it keeps', () => {
    const since = new Date('2026-03-01T00:00:00Z');
    expect(fetchStart(undefined, since, LAG).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(fetchStart(manifest(), since, LAG).toISOString()).toBe('2026-03-01T23:55:00.000Z');
    // A longer lag than the ids kept cover does not reach back past them (they could not be de-duplicated).
    expect(fetchStart(manifest(), since, 60 * 60_000).toISOString()).toBe('2026-03-01T23:55:00.000Z');
    expect(fetchStart(manifest(), since, 0).toISOString()).toBe('2026-03-02T00:00:00.000Z');
  });

  it('commits a part: listed, the watermark moved forward (never back), recent ids kept for the lag', () => {
    const now = new Date('2026-03-02T01:00:00Z');
    const committed: Array<[string, string]> = [
      ['2026-03-02T00:01:00.000Z', 'f1'],
      ['2026-03-02T00:57:00.000Z', 'f2'],
    ];
    const next = commitPart(manifest(), part(2, '2026-03-02'), committed, new Date('2026-03-02T00:58:00Z'), LAG, now);
    expect(next.parts.map((p) => p.path)).toEqual(['date=2026-03-01/part-000001.parquet', 'date=2026-03-02/part-000002.parquet']);
    expect(next.watermark).toBe('2026-03-02T00:58:00.000Z');
    expect(next.recent).toEqual({ since: '2026-03-02T00:53:00.000Z', events: [['2026-03-02T00:57:00.000Z', 'f2']] });
    expect(next.updated_at).toBe('2026-03-02T01:00:00.000Z');
    const back = commitPart(next, undefined, [], new Date('2026-03-01T00:00:00Z'), LAG, now);
    expect(back.watermark).toBe(next.watermark);
    expect(back.parts).toHaveLength(2);
  });
});

describe('settingsMismatch', () => {
  const base = { format: 'parquet' as const, schema: 'kt' as const, fields: ['timestamp', 'cost'], tz: 'UTC', filter: { teams: ['search', 'ads'] } };
  it('is empty for the same settings (list order aside) and names each difference as the flag to pass', () => {
    expect(settingsMismatch(base, { ...base, filter: { teams: ['ads', 'search'] } })).toEqual([]);
    expect(settingsMismatch(base, { format: 'csv', schema: 'focus', fields: ['cost'], tz: 'Europe/Berlin', filter: { providers: ['openai'] } })).toEqual([
      '--format parquet (not csv)',
      '--schema kt (not focus)',
      '--fields timestamp,cost',
      '--tz UTC (not Europe/Berlin)',
      '--team search,ads',
      'no --provider',
    ]);
  });
});
