// --schema focus: events → FOCUS 1.2 rows (src/domain/focus.ts has the
// mapping), described as output columns. The billing account is the
// organisation the token belongs to (GET /v1/whoami); list prices come from
// kt's catalogue and --prices overrides.
import type { Context } from '../context.js';
import type { ApiClient } from '../../api/client.js';
import { fetchWhoami } from '../../api/auth.js';
import type { SpendEvent } from '../../api/events.js';
import { FailureError } from '../../errors.js';
import { FOCUS_COLUMN_NAMES, FOCUS_COLUMN_TYPES, FOCUS_VALUES, FocusMapper, focusMetadata, type FocusColumnName, type FocusLine } from '../../domain/focus.js';
import type { Column, ColumnKind } from '../../output/index.js';
import type { Money } from '../../domain/money.js';
import { VERSION } from '../../version.js';

function kindOf(name: FocusColumnName): { kind: Exclude<ColumnKind, 'period'>; scale?: number } {
  if (name === 'ConsumedQuantity') return { kind: 'decimal', scale: 0 };
  if (name === 'PricingQuantity') return { kind: 'decimal', scale: 6 };
  if (name === 'x_Cached') return { kind: 'bool' };
  switch (FOCUS_COLUMN_TYPES[name].DataType) {
    case 'Decimal':
      return { kind: 'money' };
    case 'DateTime':
      return { kind: 'time' };
    case 'JSON':
      return { kind: 'json' };
    default:
      return { kind: 'text' };
  }
}

/** Every FOCUS column, then kt's x_ columns; FOCUS times are UTC whatever --tz says. */
export const FOCUS_COLUMNS: readonly Column<FocusLine>[] = FOCUS_COLUMN_NAMES.map((name): Column<FocusLine> => {
  const { kind, scale } = kindOf(name);
  const get = FOCUS_VALUES[name] as Column<FocusLine>['get'];
  if (kind === 'money') return { name, kind, get: get as (line: FocusLine) => Money | null, currency: FOCUS_VALUES.BillingCurrency };
  return { name, kind, ...(scale === undefined ? {} : { scale }), get };
});

/** The mapper for this organisation, with the catalogue's (and --prices') list prices. */
export async function focusMapper(ctx: Context, api: ApiClient, pricesFile: string | undefined): Promise<FocusMapper> {
  const { readPrices } = await import('../savings/savings.js');
  const prices = await readPrices(pricesFile);
  const who = await fetchWhoami(api);
  const id = who.organizationId ?? who.organization;
  if (id === null) {
    throw new FailureError('the control plane did not name the organisation (GET /v1/whoami): FOCUS needs it as BillingAccountId');
  }
  ctx.log.debug(`FOCUS billing account: ${id} (${who.organization ?? 'no name'})`);
  return new FocusMapper({ id, name: who.organization }, (model) => prices.get(model));
}

/** Pages of events as pages of FOCUS rows. */
export async function* focusPages(pages: AsyncIterable<SpendEvent[]>, mapper: FocusMapper): AsyncGenerator<FocusLine[]> {
  for await (const page of pages) {
    const rows: FocusLine[] = [];
    for (const event of page) for (const line of mapper.lines(event)) rows.push(line);
    yield rows;
  }
}

/** A warning for events on models without a list price. */
export function unpricedNotice(mapper: FocusMapper): string | undefined {
  if (mapper.unpriced.size === 0) return undefined;
  const n = [...mapper.unpriced.values()].reduce((a, b) => a + b, 0);
  const models = [...mapper.unpriced.keys()].slice(0, 5).join(', ');
  return `${n.toLocaleString('en-US')} event${n === 1 ? '' : 's'} on models without a list price (${models}${mapper.unpriced.size > 5 ? ', …' : ''}): ListUnitPrice left empty and ListCost = BilledCost; add prices with --prices FILE`;
}

/** The FOCUS schema metadata (FocusVersion, SchemaId, columns) as JSON text, for a Parquet footer or a manifest. */
export function focusMetadataText(now: Date): string {
  return JSON.stringify(focusMetadata(VERSION, `${now.toISOString().slice(0, 19)}Z`));
}
