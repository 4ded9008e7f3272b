// The FOCUS 1.2 rules kt's rows must meet (specification/columns at v1.2),
// checked on events of every shape: charged, cached, blocked (no tokens),
// discounted, on a model without a list price, at a month's last hour.
import { describe, expect, it } from 'vitest';
import {
  FOCUS_COLUMN_NAMES,
  FOCUS_COLUMN_TYPES,
  FocusError,
  FocusMapper,
  focusMetadata,
  splitBilled,
  tagsText,
  type FocusEvent,
  type FocusRow,
} from '../../src/domain/focus.js';
import { PRICE_CATALOG, tokenCost } from '../../src/domain/prices.js';
import { formatDecimal, formatScaled, moneyFromDecimal, nanos, sumMoney, ZERO } from '../../src/domain/money.js';

const MANDATORY = [
  'BilledCost',
  'BillingAccountId',
  'BillingAccountName',
  'BillingCurrency',
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'ContractedCost',
  'EffectiveCost',
  'InvoiceIssuerName',
  'ListCost',
  'PricingQuantity',
  'PricingUnit',
  'ProviderName',
  'PublisherName',
  'ServiceCategory',
  'ServiceName',
] as const;
const NOT_NULL = MANDATORY.filter((c) => !['BillingAccountName', 'ChargeClass', 'ChargeDescription', 'PricingQuantity', 'PricingUnit'].includes(c));
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const SERVICE_CATEGORIES = ['AI and Machine Learning', 'Analytics', 'Business Applications', 'Compute', 'Databases', 'Developer Tools', 'Multicloud', 'Identity', 'Integration', 'Internet of Things', 'Management and Governance', 'Media', 'Migration', 'Mobile', 'Networking', 'Security', 'Storage', 'Web', 'Other'];

function event(over: Partial<FocusEvent> = {}): FocusEvent {
  const base: FocusEvent = {
    id: 'evt_1',
    timestamp: '2026-03-14T09:26:53Z',
    team_id: 'search',
    user_id: 'ada',
    provider: 'openai',
    model: 'gpt-4o-mini',
    input_tokens: 250,
    output_tokens: 120,
    cached: false,
    cost: null,
    currency: 'USD',
    request_id: 'req_1',
    verdict: 'allow',
  };
  const e = { ...base, ...over };
  if (!('cost' in over)) e.cost = tokenCost(PRICE_CATALOG.get(e.model ?? '') ?? { input: ZERO, output: ZERO }, e.input_tokens, e.output_tokens);
  return e;
}

const mapper = (): FocusMapper => new FocusMapper({ id: 'org_1', name: 'Acme' }, (m) => PRICE_CATALOG.get(m));

/** ListUnitPrice (per 1M tokens) × PricingQuantity (tokens / 1e6), exactly, in nano-units. */
function unitTimesQuantity(row: FocusRow): bigint {
  // price nanos × tokens / 1e6: PricingQuantity is tokens at scale 6.
  return ((row.ListUnitPrice as bigint) * row.PricingQuantity) / 1_000_000n;
}

const EVENTS: Record<string, FocusEvent> = {
  charged: event(),
  cached: event({ id: 'evt_2', cached: true, cost: nanos(0n), input_tokens: 900, output_tokens: 300 }),
  blocked: event({ id: 'evt_3', input_tokens: 0, output_tokens: 0, cost: nanos(0n), verdict: 'block' }),
  discounted: event({ id: 'evt_4', model: 'claude-sonnet', provider: 'anthropic', input_tokens: 1234, output_tokens: 567, cost: moneyFromDecimal('0.00777') }),
  lastHourOfYear: event({ id: 'evt_5', timestamp: '2026-12-31T23:59:59.999Z' }),
  offset: event({ id: 'evt_6', timestamp: '2026-03-14T10:26:53+01:00' }),
  unpriced: event({ id: 'evt_7', model: 'llama-3-70b', provider: 'meta', cost: moneyFromDecimal('0.0042') }),
  noTeam: event({ id: 'evt_8', team_id: null, user_id: null, request_id: null }),
};

describe('FOCUS rows', () => {
  for (const [name, e] of Object.entries(EVENTS)) {
    describe(name, () => {
      const rows = mapper().rows(e);

      it('has every mandatory column, non-null where the spec says MUST NOT be null', () => {
        for (const row of rows) {
          for (const column of MANDATORY) expect(row).toHaveProperty(column);
          for (const column of NOT_NULL) expect(row[column], column).not.toBeNull();
          expect(row.ChargeClass).toBeNull();
          expect(row.ChargeCategory).toBe('Usage');
          expect(row.ChargeFrequency).toBe('Usage-Based');
          expect(SERVICE_CATEGORIES).toContain(row.ServiceCategory);
          expect(row.ServiceCategory).toBe('AI and Machine Learning');
          expect(row.ServiceSubcategory).toBe('Generative AI');
          expect(row.PricingCategory).toBe('Standard');
        }
      });

      it('bills exactly the recorded cost across its rows', () => {
        expect(rows.reduce((a, r) => a + r.BilledCost, 0n)).toBe(e.cost ?? 0n);
      });

      it('keeps EffectiveCost = BilledCost (nothing to amortize) and ContractedCost = ListCost (no negotiated prices)', () => {
        for (const row of rows) {
          expect(row.EffectiveCost).toBe(row.BilledCost);
          expect(row.ContractedCost).toBe(row.ListCost);
        }
      });

      it('has ListCost = ListUnitPrice × PricingQuantity when there is a list price, else ListCost = BilledCost', () => {
        for (const row of rows) {
          if (row.ListUnitPrice === null) expect(row.ListCost).toBe(row.BilledCost);
          else expect(row.ListCost).toBe(unitTimesQuantity(row));
          expect(row.ListUnitPrice === null || row.ListUnitPrice >= 0n).toBe(true);
        }
      });

      it('counts tokens: PricingQuantity in millions of tokens, ConsumedQuantity in tokens', () => {
        const tokens = rows.map((r) => r.ConsumedQuantity);
        expect(tokens.reduce((a, b) => a + b, 0n)).toBe(BigInt(e.input_tokens + e.output_tokens));
        for (const row of rows) {
          expect(row.PricingUnit).toBe('1000000 Tokens');
          expect(row.ConsumedUnit).toBe('Tokens');
          expect(formatScaled(row.PricingQuantity, 6)).toBe(formatScaled(row.ConsumedQuantity, 6));
        }
      });

      it('writes every date in DateTimeFormat, periods [start, end) with the charge hour inside the billing month', () => {
        const instant = Date.parse(e.timestamp);
        for (const row of rows) {
          for (const c of ['BillingPeriodStart', 'BillingPeriodEnd', 'ChargePeriodStart', 'ChargePeriodEnd'] as const) expect(row[c]).toMatch(DATETIME);
          const [cs, ce, bs, be] = [row.ChargePeriodStart, row.ChargePeriodEnd, row.BillingPeriodStart, row.BillingPeriodEnd].map((t) => Date.parse(t)) as [number, number, number, number];
          expect(ce - cs).toBe(3_600_000);
          expect(cs <= instant && instant < ce).toBe(true);
          expect(bs <= cs && ce <= be).toBe(true);
          expect(new Date(bs).getUTCDate()).toBe(1);
          expect(new Date(be).getUTCDate()).toBe(1);
        }
      });

      it('names SKUs and prices per token class, and keeps the account, team and tags', () => {
        for (const row of rows) {
          expect(row.SkuPriceId).toBe(`${row.SkuId}/${row.x_TokenClass}`);
          expect(row.BillingAccountId).toBe('org_1');
          expect(row.BillingAccountName).toBe('Acme');
          expect(row.SubAccountId).toBe(e.team_id);
          expect(row.SubAccountName === null).toBe(row.SubAccountId === null);
          expect(row.ProviderName).toBe('Keeptrusts');
          expect(row.InvoiceIssuerName).toBe('Keeptrusts');
          expect(row.x_EventId).toBe(e.id);
          expect(row.x_Cached).toBe(e.cached);
          if (row.Tags !== null) {
            const tags = JSON.parse(row.Tags) as Record<string, unknown>;
            for (const [key, value] of Object.entries(tags)) {
              expect(key.startsWith('kt/')).toBe(true);
              expect(typeof value === 'string' || typeof value === 'boolean' || value === null).toBe(true);
            }
          }
        }
      });
    });
  }

  it('gives a cached request its list cost and 0 billed, so the saving is ListCost − BilledCost', () => {
    const rows = mapper().rows(EVENTS.cached as FocusEvent);
    const list = sumMoney(rows.map((r) => r.ListCost));
    expect(rows.every((r) => r.BilledCost === 0n)).toBe(true);
    // 900 input at $0.15/1M + 300 output at $0.6/1M
    expect(formatDecimal(list)).toBe('0.000315');
    expect(rows.map((r) => r.ChargeDescription)).toEqual(['gpt-4o-mini input tokens, served from cache', 'gpt-4o-mini output tokens, served from cache']);
  });

  it('bills a request charged at list price exactly its list cost on each row', () => {
    const rows = mapper().rows(EVENTS.charged as FocusEvent);
    expect(rows.map((r) => [r.x_TokenClass, formatDecimal(r.BilledCost), formatDecimal(r.ListCost), formatDecimal(r.ListUnitPrice ?? ZERO), formatScaled(r.PricingQuantity, 6)])).toEqual([
      ['input', '0.0000375', '0.0000375', '0.15', '0.00025'],
      ['output', '0.000072', '0.000072', '0.60', '0.00012'],
    ]);
  });

  it('writes one input row for a request without output tokens, so none is lost', () => {
    const rows = mapper().rows(EVENTS.blocked as FocusEvent);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.x_TokenClass).toBe('input');
    expect(rows[0]?.x_Verdict).toBe('block');
  });

  it('rolls the billing period over the year end and reads offsets as UTC', () => {
    const [row] = mapper().rows(EVENTS.lastHourOfYear as FocusEvent);
    expect([row?.ChargePeriodStart, row?.ChargePeriodEnd, row?.BillingPeriodStart, row?.BillingPeriodEnd]).toEqual([
      '2026-12-31T23:00:00Z',
      '2027-01-01T00:00:00Z',
      '2026-12-01T00:00:00Z',
      '2027-01-01T00:00:00Z',
    ]);
    const [shifted] = mapper().rows(EVENTS.offset as FocusEvent);
    expect(shifted?.ChargePeriodStart).toBe('2026-03-14T09:00:00Z');
  });

  it('counts events on models without a list price (ListUnitPrice null, ListCost = BilledCost)', () => {
    const m = mapper();
    const rows = m.rows(EVENTS.unpriced as FocusEvent);
    expect(rows.map((r) => r.ListUnitPrice)).toEqual([null, null]);
    expect(rows.map((r) => formatDecimal(r.BilledCost))).toEqual(['0.0042', '0.00']);
    expect(rows[0]?.PublisherName).toBe('meta');
    expect([...m.unpriced]).toEqual([['llama-3-70b', 1]]);
  });

  it('refuses an event without a readable time and an empty billing account', () => {
    expect(() => mapper().rows(event({ timestamp: 'yesterday' }))).toThrow(FocusError);
    expect(() => new FocusMapper({ id: ' ', name: null }, () => undefined)).toThrow(/billing account id is empty/);
  });
});

describe('splitBilled', () => {
  it('adds up to the billed amount exactly, in proportion to the list costs', () => {
    for (const [billed, list] of [
      [7n, [1n, 1n]],
      [1_000_000_007n, [3n, 7n]],
      [5n, [0n, 9n]],
      [123_456_789n, [2_500n, 10_000n]],
      [0n, [4n, 4n]],
    ] as Array<[bigint, bigint[]]>) {
      const shares = splitBilled(nanos(billed), list.map(nanos));
      expect(shares.reduce((a, b) => a + b, 0n)).toBe(billed);
      expect(shares.every((s) => s >= 0n)).toBe(true);
    }
    expect(splitBilled(nanos(10n), [nanos(1n), nanos(4n)])).toEqual([2n, 8n]);
    expect(splitBilled(nanos(9n), [null, null])).toEqual([9n, 0n]);
    expect(splitBilled(nanos(9n), [nanos(0n), nanos(0n)])).toEqual([9n, 0n]);
  });
});

describe('FOCUS column names and metadata', () => {
  it('uses PascalCase alphanumeric ids for FOCUS columns and puts the x_ columns after them', () => {
    const firstCustom = FOCUS_COLUMN_NAMES.findIndex((n) => n.startsWith('x_'));
    expect(firstCustom).toBeGreaterThan(0);
    for (const [i, name] of FOCUS_COLUMN_NAMES.entries()) {
      if (i < firstCustom) expect(name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      else expect(name).toMatch(/^x_[A-Z][A-Za-z0-9]*$/);
    }
    for (const column of MANDATORY) expect(FOCUS_COLUMN_NAMES).toContain(column);
  });

  it('writes Tags in KeyValueFormat with kt/ keys, null when there are none', () => {
    expect(tagsText({ user_id: 'ada "the" admin', request_id: 'r1' })).toBe('{"kt/user_id":"ada \\"the\\" admin","kt/request_id":"r1"}');
    expect(JSON.parse(tagsText({ user_id: 'ada "the" admin', request_id: null }) ?? '')).toEqual({ 'kt/user_id': 'ada "the" admin' });
    expect(tagsText({ user_id: null, request_id: null })).toBeNull();
  });

  it('describes the schema: FocusVersion 1.2, a SchemaId, every column with its type and the tag prefix', () => {
    const meta = focusMetadata('1.2.3', '2026-11-28T15:00:00Z') as { DataGenerator: unknown; Schema: { SchemaId: string; FocusVersion: string; ColumnDefinition: Array<Record<string, unknown>> } };
    expect(meta.DataGenerator).toEqual({ DataGenerator: 'kt' });
    expect(meta.Schema.FocusVersion).toBe('1.2');
    expect(meta.Schema.SchemaId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(meta.Schema.ColumnDefinition.map((c) => c.ColumnName)).toEqual([...FOCUS_COLUMN_NAMES]);
    expect(meta.Schema.ColumnDefinition.find((c) => c.ColumnName === 'Tags')).toMatchObject({ DataType: 'JSON', ProviderTagPrefixes: ['kt/'] });
    expect(meta.Schema.ColumnDefinition.find((c) => c.ColumnName === 'BilledCost')).toMatchObject({ DataType: 'Decimal', NumberScale: 9 });
    expect(Object.keys(FOCUS_COLUMN_TYPES)).toEqual([...FOCUS_COLUMN_NAMES]);
  });
});
