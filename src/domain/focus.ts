// Spend events as a FinOps FOCUS 1.2 cost and usage dataset (docs/exports.md
// has the column-by-column mapping and the reasons). Pure: no I/O.
//
// Granularity: one row per request and per price. A request's input and
// output tokens have different list prices, and FOCUS requires ListUnitPrice
// × PricingQuantity = ListCost on every usage row, so each request gives an
// input row and, when it produced output tokens, an output row. The
// request's recorded cost (BilledCost) is split between its rows in
// proportion to their list costs, exactly: the input row gets its share
// rounded half to even, the output row the rest, so the rows of a request
// add up to its recorded cost to the nano-unit, and a request billed at
// list price gets exactly its list cost on each row.
//
// Costs: BilledCost is what kt recorded (0 for a cached or blocked request);
// ListCost is the tokens at the model's list price (a cached request keeps
// its list cost, so caching's saving is ListCost − BilledCost); there are no
// negotiated prices, so ContractedCost = ListCost; there are no commitments
// or prepaid purchases to amortize, so EffectiveCost = BilledCost.
import { addMoney, divideHalfEven, type Money, nanos, subtractMoney, sumMoney, ZERO } from './money.js';
import type { ModelPrice } from './prices.js';

export const FOCUS_VERSION = '1.2';
/** Identifies kt's FOCUS column set; a new id whenever a column is added, removed or retyped. */
export const FOCUS_SCHEMA_ID = '5f1c9a52-7c3e-4a8e-9d0b-2a6f1e4b8c31';
export const PROVIDER_NAME = 'Keeptrusts';
export const INVOICE_ISSUER_NAME = 'Keeptrusts';
export const SERVICE_CATEGORY = 'AI and Machine Learning';
export const SERVICE_SUBCATEGORY = 'Generative AI';
/** kt's catalogue prices are per 1M tokens (src/domain/prices.ts). */
export const PRICING_UNIT = '1000000 Tokens';
export const CONSUMED_UNIT = 'Tokens';
/** Prefix of kt's provider-defined tag keys (FOCUS Tags: provider-defined keys carry a prefix). */
export const TAG_PREFIX = 'kt/';

/** The fields of a spend event the mapping reads (the API layer's SpendEvent has them). */
export interface FocusEvent {
  id: string;
  timestamp: string;
  team_id: string | null;
  user_id: string | null;
  provider: string | null;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cached: boolean;
  cost: Money | null;
  currency: string;
  request_id: string | null;
  verdict: string | null;
}

export type TokenClass = 'input' | 'output';

/** One FOCUS row. Money in nano-units; PricingQuantity in millionths (tokens / 1e6 exactly); times as UTC text. */
export interface FocusRow {
  BilledCost: Money;
  BillingAccountId: string;
  BillingAccountName: string | null;
  BillingCurrency: string;
  BillingPeriodEnd: string;
  BillingPeriodStart: string;
  ChargeCategory: 'Usage';
  ChargeClass: null;
  ChargeDescription: string;
  ChargeFrequency: 'Usage-Based';
  ChargePeriodEnd: string;
  ChargePeriodStart: string;
  ConsumedQuantity: bigint;
  ConsumedUnit: string;
  ContractedCost: Money;
  EffectiveCost: Money;
  InvoiceIssuerName: string;
  ListCost: Money;
  ListUnitPrice: Money | null;
  PricingCategory: 'Standard';
  PricingQuantity: bigint;
  PricingUnit: string;
  ProviderName: string;
  PublisherName: string;
  ServiceCategory: string;
  ServiceName: string;
  ServiceSubcategory: string;
  SkuId: string;
  SkuPriceId: string;
  SubAccountId: string | null;
  SubAccountName: string | null;
  Tags: string | null;
  x_EventId: string;
  x_RequestId: string | null;
  x_TokenClass: TokenClass;
  x_Cached: boolean;
  x_Verdict: string | null;
}

/** The FOCUS columns (alphabetical, as the spec lists them), then kt's own x_ columns. */
export const FOCUS_COLUMN_NAMES = [
  'BilledCost',
  'BillingAccountId',
  'BillingAccountName',
  'BillingCurrency',
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargeFrequency',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'ConsumedQuantity',
  'ConsumedUnit',
  'ContractedCost',
  'EffectiveCost',
  'InvoiceIssuerName',
  'ListCost',
  'ListUnitPrice',
  'PricingCategory',
  'PricingQuantity',
  'PricingUnit',
  'ProviderName',
  'PublisherName',
  'ServiceCategory',
  'ServiceName',
  'ServiceSubcategory',
  'SkuId',
  'SkuPriceId',
  'SubAccountId',
  'SubAccountName',
  'Tags',
  'x_EventId',
  'x_RequestId',
  'x_TokenClass',
  'x_Cached',
  'x_Verdict',
] as const satisfies readonly (keyof FocusRow)[];

export type FocusColumnName = (typeof FOCUS_COLUMN_NAMES)[number];

/** FOCUS data types of the columns, for the schema metadata (decimals with their scale). */
export const FOCUS_COLUMN_TYPES: Readonly<Record<FocusColumnName, { DataType: 'String' | 'Decimal' | 'DateTime' | 'JSON' | 'Boolean'; NumericPrecision?: number; NumberScale?: number }>> = {
  BilledCost: { DataType: 'Decimal', NumericPrecision: 18, NumberScale: 9 },
  BillingAccountId: { DataType: 'String' },
  BillingAccountName: { DataType: 'String' },
  BillingCurrency: { DataType: 'String' },
  BillingPeriodEnd: { DataType: 'DateTime' },
  BillingPeriodStart: { DataType: 'DateTime' },
  ChargeCategory: { DataType: 'String' },
  ChargeClass: { DataType: 'String' },
  ChargeDescription: { DataType: 'String' },
  ChargeFrequency: { DataType: 'String' },
  ChargePeriodEnd: { DataType: 'DateTime' },
  ChargePeriodStart: { DataType: 'DateTime' },
  ConsumedQuantity: { DataType: 'Decimal', NumericPrecision: 18, NumberScale: 0 },
  ConsumedUnit: { DataType: 'String' },
  ContractedCost: { DataType: 'Decimal', NumericPrecision: 18, NumberScale: 9 },
  EffectiveCost: { DataType: 'Decimal', NumericPrecision: 18, NumberScale: 9 },
  InvoiceIssuerName: { DataType: 'String' },
  ListCost: { DataType: 'Decimal', NumericPrecision: 18, NumberScale: 9 },
  ListUnitPrice: { DataType: 'Decimal', NumericPrecision: 18, NumberScale: 9 },
  PricingCategory: { DataType: 'String' },
  PricingQuantity: { DataType: 'Decimal', NumericPrecision: 18, NumberScale: 6 },
  PricingUnit: { DataType: 'String' },
  ProviderName: { DataType: 'String' },
  PublisherName: { DataType: 'String' },
  ServiceCategory: { DataType: 'String' },
  ServiceName: { DataType: 'String' },
  ServiceSubcategory: { DataType: 'String' },
  SkuId: { DataType: 'String' },
  SkuPriceId: { DataType: 'String' },
  SubAccountId: { DataType: 'String' },
  SubAccountName: { DataType: 'String' },
  Tags: { DataType: 'JSON' },
  x_EventId: { DataType: 'String' },
  x_RequestId: { DataType: 'String' },
  x_TokenClass: { DataType: 'String' },
  x_Cached: { DataType: 'Boolean' },
  x_Verdict: { DataType: 'String' },
};

/** The vendor names kt knows; any other provider is shown as the gateway sent it. */
const PUBLISHERS: Readonly<Record<string, { publisher: string; service: string }>> = {
  openai: { publisher: 'OpenAI', service: 'OpenAI API' },
  anthropic: { publisher: 'Anthropic', service: 'Anthropic API' },
  google: { publisher: 'Google', service: 'Gemini API' },
  mistral: { publisher: 'Mistral AI', service: 'Mistral AI API' },
  cohere: { publisher: 'Cohere', service: 'Cohere API' },
  azure: { publisher: 'Microsoft', service: 'Azure OpenAI' },
  bedrock: { publisher: 'Amazon Web Services', service: 'Amazon Bedrock' },
};

/** Where the account rows are billed to: the organisation the token belongs to. */
export interface FocusAccount {
  id: string;
  name: string | null;
}

export type PriceLookup = (model: string) => ModelPrice | undefined;

const UTC_SECONDS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):\d{2}:\d{2}(?:\.\d+)?Z$/;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function utcText(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export class FocusError extends Error {}

/**
 * Turns events into FOCUS rows. Keeps the last hour and month it computed
 * (events come in time order, so most lookups are one string compare) and
 * counts what a caller should warn about.
 */
export class FocusMapper {
  /** Events on a model with no list price: ListUnitPrice empty, ListCost = BilledCost. */
  readonly unpriced = new Map<string, number>();
  private hourKey = '';
  private hour: [string, string] = ['', ''];
  private monthKey = '';
  private month: [string, string] = ['', ''];
  /** Per provider, model and cached: the strings every such row shares (one copy each). */
  private readonly labels = new Map<string, FocusLabel>();

  constructor(
    private readonly account: FocusAccount,
    private readonly prices: PriceLookup,
  ) {
    if (account.id.trim() === '') throw new FocusError('the billing account id is empty');
  }

  /** [start, end) of the event's UTC hour and UTC calendar month, in FOCUS DateTimeFormat. */
  periods(timestamp: string): { hour: [string, string]; month: [string, string] } {
    let match = UTC_SECONDS.exec(timestamp);
    if (match === null) {
      const ms = Date.parse(timestamp);
      if (Number.isNaN(ms)) throw new FocusError(`event timestamp ${JSON.stringify(timestamp)} is not an ISO 8601 instant`);
      match = UTC_SECONDS.exec(new Date(ms).toISOString());
    }
    const [, y = '', m = '', d = '', h = ''] = match ?? [];
    const hourKey = `${y}-${m}-${d}T${h}`;
    if (hourKey !== this.hourKey) {
      const start = Date.UTC(Number(y), Number(m) - 1, Number(d), Number(h));
      this.hourKey = hourKey;
      this.hour = [`${hourKey}:00:00Z`, utcText(start + 3_600_000)];
    }
    const monthKey = `${y}-${m}`;
    if (monthKey !== this.monthKey) {
      const year = Number(y);
      const month = Number(m);
      const next = month === 12 ? `${year + 1}-01` : `${y}-${pad2(month + 1)}`;
      this.monthKey = monthKey;
      this.month = [`${monthKey}-01T00:00:00Z`, `${next}-01T00:00:00Z`];
    }
    return { hour: this.hour, month: this.month };
  }

  /**
   * The event's charges: input, then output when it produced output tokens.
   * Compact on purpose (a million-event export makes two million of them):
   * FOCUS_VALUES reads each column from one.
   */
  lines(event: FocusEvent): FocusLine[] {
    const { hour, month } = this.periods(event.timestamp);
    const provider = event.provider ?? 'unknown';
    const model = event.model ?? 'unknown';
    const key = `${provider}\u0000${model}\u0000${event.cached ? 1 : 0}`;
    let label = this.labels.get(key);
    if (label === undefined) {
      const known = PUBLISHERS[provider.toLowerCase()];
      const sku = `${provider}/${model}`;
      const cached = event.cached ? ', served from cache' : '';
      label = {
        sku,
        skuPrice: [`${sku}/input`, `${sku}/output`],
        description: [`${model} input tokens${cached}`, `${model} output tokens${cached}`],
        publisher: known?.publisher ?? provider,
        service: known?.service ?? provider,
      };
      if (this.labels.size < 10_000) this.labels.set(key, label);
    }
    const price = event.model === null ? undefined : this.prices(event.model);
    if (price === undefined) this.unpriced.set(model, (this.unpriced.get(model) ?? 0) + 1);
    const shared: FocusShared = { event, account: this.account, hour, month, label, tags: undefined };
    const billed = event.cost ?? ZERO;
    const inputPrice = price === undefined ? null : price.input;
    const inputList = inputPrice === null ? null : nanos(divideHalfEven(BigInt(event.input_tokens) * inputPrice, 1_000_000n));
    if (event.output_tokens <= 0) {
      return [{ s: shared, output: false, billed, list: inputList ?? billed, unit: inputPrice }];
    }
    const outputPrice = price === undefined ? null : price.output;
    const outputList = outputPrice === null ? null : nanos(divideHalfEven(BigInt(event.output_tokens) * outputPrice, 1_000_000n));
    const [inputBilled = ZERO, outputBilled = ZERO] = splitBilled(billed, [inputList, outputList]);
    return [
      { s: shared, output: false, billed: inputBilled, list: inputList ?? inputBilled, unit: inputPrice },
      { s: shared, output: true, billed: outputBilled, list: outputList ?? outputBilled, unit: outputPrice },
    ];
  }

  /** The event's rows as plain objects (for tests and small outputs; exports read lines through FOCUS_VALUES). */
  rows(event: FocusEvent): FocusRow[] {
    return this.lines(event).map(focusRow);
  }
}

interface FocusLabel {
  sku: string;
  skuPrice: [string, string];
  description: [string, string];
  publisher: string;
  service: string;
}

/** What the rows of one event share. */
interface FocusShared {
  event: FocusEvent;
  account: FocusAccount;
  hour: [string, string];
  month: [string, string];
  label: FocusLabel;
  /** Computed on first read. */
  tags: string | null | undefined;
}

/** One FOCUS row, compact: the event's shared part, the token class and the row's money. */
export interface FocusLine {
  s: FocusShared;
  output: boolean;
  billed: Money;
  list: Money;
  /** ListUnitPrice; null for a model without a list price. */
  unit: Money | null;
}

const tokensOf = (l: FocusLine): bigint => BigInt(l.output ? l.s.event.output_tokens : l.s.event.input_tokens);

/** Every column's value from a line: the one definition of the mapping. */
export const FOCUS_VALUES: { readonly [K in FocusColumnName]: (line: FocusLine) => FocusRow[K] } = {
  BilledCost: (l) => l.billed,
  BillingAccountId: (l) => l.s.account.id,
  BillingAccountName: (l) => l.s.account.name,
  BillingCurrency: (l) => l.s.event.currency,
  BillingPeriodEnd: (l) => l.s.month[1],
  BillingPeriodStart: (l) => l.s.month[0],
  ChargeCategory: () => 'Usage',
  ChargeClass: () => null,
  ChargeDescription: (l) => l.s.label.description[l.output ? 1 : 0],
  ChargeFrequency: () => 'Usage-Based',
  ChargePeriodEnd: (l) => l.s.hour[1],
  ChargePeriodStart: (l) => l.s.hour[0],
  ConsumedQuantity: tokensOf,
  ConsumedUnit: () => CONSUMED_UNIT,
  ContractedCost: (l) => l.list,
  EffectiveCost: (l) => l.billed,
  InvoiceIssuerName: () => INVOICE_ISSUER_NAME,
  ListCost: (l) => l.list,
  ListUnitPrice: (l) => l.unit,
  PricingCategory: () => 'Standard',
  PricingQuantity: tokensOf,
  PricingUnit: () => PRICING_UNIT,
  ProviderName: () => PROVIDER_NAME,
  PublisherName: (l) => l.s.label.publisher,
  ServiceCategory: () => SERVICE_CATEGORY,
  ServiceName: (l) => l.s.label.service,
  ServiceSubcategory: () => SERVICE_SUBCATEGORY,
  SkuId: (l) => l.s.label.sku,
  SkuPriceId: (l) => l.s.label.skuPrice[l.output ? 1 : 0],
  SubAccountId: (l) => l.s.event.team_id,
  SubAccountName: (l) => l.s.event.team_id,
  Tags: (l) => (l.s.tags === undefined ? (l.s.tags = tagsText(l.s.event)) : l.s.tags),
  x_EventId: (l) => l.s.event.id,
  x_RequestId: (l) => l.s.event.request_id,
  x_TokenClass: (l) => (l.output ? 'output' : 'input'),
  x_Cached: (l) => l.s.event.cached,
  x_Verdict: (l) => l.s.event.verdict,
};

export function focusRow(line: FocusLine): FocusRow {
  const row: Partial<Record<FocusColumnName, unknown>> = {};
  for (const name of FOCUS_COLUMN_NAMES) row[name] = FOCUS_VALUES[name](line);
  return row as unknown as FocusRow;
}

/**
 * The recorded cost split over the rows in proportion to their list costs:
 * every row but the last gets its share rounded half to even, the last the
 * remainder, so the shares add up to `billed` exactly. With no list cost to
 * weigh by (unknown price, or no tokens), the first row takes it all.
 */
export function splitBilled(billed: Money, list: readonly (Money | null)[]): Money[] {
  const known = list.every((l) => l !== null);
  const total = known ? sumMoney(list as Money[]) : ZERO;
  if (total === 0n) return list.map((_, i) => (i === 0 ? billed : ZERO));
  const shares: Money[] = [];
  let given = ZERO;
  for (let i = 0; i < list.length - 1; i += 1) {
    const share = nanos(divideHalfEven(billed * (list[i] as Money), total));
    shares.push(share);
    given = addMoney(given, share);
  }
  shares.push(subtractMoney(billed, given));
  return shares;
}

/** FOCUS KeyValueFormat: a JSON object of kt's provider-defined tags, or null when there are none. */
export function tagsText(event: Pick<FocusEvent, 'user_id' | 'request_id'>): string | null {
  const parts: string[] = [];
  if (event.user_id !== null) parts.push(`${JSON.stringify(`${TAG_PREFIX}user_id`)}:${JSON.stringify(event.user_id)}`);
  if (event.request_id !== null) parts.push(`${JSON.stringify(`${TAG_PREFIX}request_id`)}:${JSON.stringify(event.request_id)}`);
  return parts.length === 0 ? null : `{${parts.join(',')}}`;
}

/** FOCUS metadata: the schema object of kt's dataset (specification/metadata). */
export function focusMetadata(generatorVersion: string, creationDate: string): Record<string, unknown> {
  return {
    DataGenerator: { DataGenerator: 'kt' },
    Schema: {
      SchemaId: FOCUS_SCHEMA_ID,
      FocusVersion: FOCUS_VERSION,
      DataGeneratorVersion: generatorVersion,
      CreationDate: creationDate,
      ColumnDefinition: FOCUS_COLUMN_NAMES.map((name) => ({
        ColumnName: name,
        ...FOCUS_COLUMN_TYPES[name],
        ...(name === 'Tags' ? { ProviderTagPrefixes: [TAG_PREFIX] } : {}),
      })),
    },
  };
}
