// Reading request bodies and query strings: each field checked once, with a
// 400 that names it.
import { AmountError, type ExactOption, isCurrency, type Money, moneyFromJson, ZERO } from '../domain/money.js';
import { isWalletPeriod, WALLET_PERIODS, type WalletPeriod } from '../domain/periods.js';
import { isTeamId, TEAM_ID_RULE } from '../domain/teams.js';
import { MAX_PAGE_SIZE } from '../domain/events.js';
import { parseInstant, TimeError } from '../domain/time.js';
import { ApiFailure, invalid } from './failure.js';
import { DEFAULT_DECISION, isVerdict, VERDICTS, type DecisionFields } from './schema.js';

export type Body = Record<string, unknown>;

/** $1,000,000,000 in nano-units: sums of many such amounts still fit SQLite's 64-bit integers. */
const MAX_REQUEST_AMOUNT = 10n ** 18n;

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

/** A number the body reader kept as text because a double cannot hold its digits (see parseJsonExact); never a client's string. */
function isLongNumberText(v: unknown): v is string {
  return typeof v === 'string' && /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(v) && v.replace(/[eE].*$/, '').replace(/\D/g, '').replace(/^0+/, '').length > 15;
}

/**
 * An amount in the major unit, exact to the nano-unit (1e-9): a JSON number in
 * any form (numbers too long for a double arrive as their text, see
 * isLongNumberText). A write is stored exactly as asked or refused: non-zero
 * digits past the ninth decimal are a 400, never rounded away.
 */
export function amountField(b: Body, field: string, options: { required: boolean; allowZero?: boolean }): Money | undefined {
  const v = b[field];
  if (v === undefined) {
    if (options.required) throw invalid(`missing field "${field}"`, { field });
    return undefined;
  }
  if (typeof v !== 'number' && !isLongNumberText(v)) {
    throw invalid(`"${field}" must be a number in the currency's major unit, e.g. 2500 or 12.75`, { field });
  }
  let money: Money;
  try {
    money = moneyFromJson(v, { exact: true });
  } catch (error) {
    if (error instanceof AmountError) throw invalid(`invalid ${field}: ${error.message.replace(/^invalid amount /, '')}`, { field });
    throw error;
  }
  if (money < 0n) throw invalid(`"${field}" must not be negative`, { field });
  if (money > MAX_REQUEST_AMOUNT) throw invalid(`invalid ${field}: too large (at most 1000000000)`, { field });
  if (money === 0n && options.allowZero !== true) throw invalid(`"${field}" must be greater than zero`, { field });
  return money;
}

export function capField(b: Body, field: string): Money | null | undefined {
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

/**
 * The product's decision fields of an event body or import line, each
 * optional (DEFAULT_DECISION fills in), and its cost: `cost`, `cost_usd` or
 * `event_cost_attribution.total_cost_usd`, exact to the nano-unit. A blocked
 * request costs 0. `fail` turns a complaint into the caller's error. A write
 * (POST /v1/events) passes `exact`; an import file is rounded half to even.
 */
export function eventDetails(o: Body, fail: (message: string) => Error, options: ExactOption = {}): { decision: DecisionFields; cost: Money } {
  const text = (field: string, value: unknown, fallback: string | null): string | null => {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string' || value.trim() === '') throw fail(`"${field}" must be a non-empty string`);
    return value;
  };
  const verdict = text('verdict', o.verdict, DEFAULT_DECISION.verdict) as string;
  if (!isVerdict(verdict)) throw fail(`unknown verdict "${verdict}": use ${VERDICTS.join(', ')}`);
  const attribution = o.event_cost_attribution;
  if (attribution !== undefined && attribution !== null && (typeof attribution !== 'object' || Array.isArray(attribution))) {
    throw fail('"event_cost_attribution" must be an object {total_cost_usd, source_spend_log_id}');
  }
  const attr = (attribution ?? {}) as Body;
  const costs = [o.cost, o.cost_usd, attr.total_cost_usd].filter((c) => c !== undefined && c !== null);
  let cost = ZERO;
  if (costs.length === 0) {
    if (verdict !== 'block') throw fail('missing field "cost" (or event_cost_attribution.total_cost_usd)');
  } else {
    const amounts = costs.map((c) => {
      if (typeof c !== 'number' && !isLongNumberText(c)) throw fail('"cost" must be a number in the major unit, e.g. 0.0000375');
      try {
        return moneyFromJson(c, options);
      } catch (error) {
        if (error instanceof AmountError) throw fail(`"cost" ${error.message.replace(/^invalid amount /, '')}`);
        throw error;
      }
    });
    cost = amounts[0] as Money;
    if (amounts.some((a) => a !== cost)) throw fail('"cost" and event_cost_attribution.total_cost_usd differ');
    if (cost < 0n) throw fail('"cost" must not be negative');
    if (cost > MAX_REQUEST_AMOUNT) throw fail('"cost" is too large (at most 1000000000)');
  }
  if (verdict === 'block' && cost !== 0n) throw fail('a blocked request costs 0: its request never reached the model');
  return {
    decision: {
      verdict,
      reason_code: text('reason_code', o.reason_code, verdict === 'block' ? 'policy_blocked' : DEFAULT_DECISION.reason_code) as string,
      event_type: text('event_type', o.event_type, DEFAULT_DECISION.event_type) as string,
      config_version: text('config_version', o.config_version, DEFAULT_DECISION.config_version) as string,
      spend_log_id: text('event_cost_attribution.source_spend_log_id', attr.source_spend_log_id, null),
    },
    cost,
  };
}
