// Reading request bodies and query strings: each field checked once, with a
// 400 that names it.
import { AmountError, isCurrency, microsFromJson, type Micros } from '../domain/money.js';
import { isWalletPeriod, WALLET_PERIODS, type WalletPeriod } from '../domain/periods.js';
import { isTeamId, TEAM_ID_RULE } from '../domain/teams.js';
import { MAX_PAGE_SIZE } from '../domain/events.js';
import { parseInstant, TimeError } from '../domain/time.js';
import { ApiFailure, invalid } from './failure.js';

export type Body = Record<string, unknown>;

export function str(b: Body, field: string, required: true): string;
export function str(b: Body, field: string, required: false): string | undefined;
export function str(b: Body, field: string, required: boolean): string | undefined {
  const v = b[field];
  if (v === undefined || v === null) {
    if (required) throw invalid(`missing field "${field}"`, { field });
    return undefined;
  }
  if (typeof v !== 'string' || v.trim() === '') throw invalid(`"${field}" must be a non-empty string`, { field });
  return v;
}

export function teamIdField(b: Body, field = 'team_id'): string {
  const v = str(b, field, true);
  if (!isTeamId(v)) {
    throw invalid(`invalid ${field} "${v}": use ${TEAM_ID_RULE}`, { field });
  }
  return v;
}

export function amountField(b: Body, field: string, options: { required: boolean; allowZero?: boolean }): Micros | undefined {
  const v = b[field];
  if (v === undefined) {
    if (options.required) throw invalid(`missing field "${field}"`, { field });
    return undefined;
  }
  if (typeof v !== 'number') throw invalid(`"${field}" must be a number in the currency's major unit, e.g. 2500 or 12.75`, { field });
  let micros: Micros;
  try {
    micros = microsFromJson(v);
  } catch (error) {
    if (error instanceof AmountError) throw invalid(`invalid ${field}: ${error.message.replace(/^invalid amount /, '')}`, { field });
    throw error;
  }
  if (micros < 0) throw invalid(`"${field}" must not be negative`, { field });
  if (micros === 0 && options.allowZero !== true) throw invalid(`"${field}" must be greater than zero`, { field });
  return micros;
}

export function capField(b: Body, field: string): Micros | null | undefined {
  if (b[field] === null) return null;
  return amountField(b, field, { required: false });
}

export function currencyField(b: Body, required: boolean): string | undefined {
  const v = b.currency;
  if (v === undefined) {
    if (required) throw invalid('missing field "currency"', { field: 'currency' });
    return undefined;
  }
  if (typeof v !== 'string' || !isCurrency(v)) {
    throw new ApiFailure(400, 'invalid_currency', `unknown currency ${JSON.stringify(v)}: use an ISO code such as USD or EUR`, { field: 'currency' });
  }
  return v;
}

export function tokensField(b: Body, field: string): number {
  const v = b[field];
  if (v === undefined) throw invalid(`missing field "${field}"`, { field });
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw invalid(`"${field}" must be a whole number >= 0`, { field });
  return v;
}

export function limitParam(q: URLSearchParams): number {
  const text = q.get('limit');
  if (text === null) return 100;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_PAGE_SIZE) throw invalid(`invalid limit "${text}": use 1 to ${MAX_PAGE_SIZE}`);
  return Number(text);
}

/** A `since`/`until` parameter: a duration back from `now` or an ISO date (see parseInstant). */
export function instantParam(q: URLSearchParams, name: string, now: number): number | undefined {
  const text = q.get(name);
  if (text === null || text === '') return undefined;
  try {
    return parseInstant(text, new Date(now)).getTime();
  } catch (error) {
    if (error instanceof TimeError) throw invalid(`invalid ${name}: ${error.message}`);
    throw error;
  }
}

export function listParam(q: URLSearchParams, name: string): string[] | undefined {
  const text = q.get(name);
  if (text === null || text.trim() === '') return undefined;
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function periodField(b: Body): WalletPeriod {
  const v = b.period;
  if (v === undefined) throw invalid('missing field "period"', { field: 'period' });
  if (typeof v !== 'string' || !isWalletPeriod(v)) {
    throw invalid(`unknown period ${JSON.stringify(v)}: use ${WALLET_PERIODS.join(', ')}`, { field: 'period' });
  }
  return v;
}
