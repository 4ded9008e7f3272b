// Tolerant reading of response bodies: the documented alternatives for a
// field's name are tried in order, numbers may come as numeric strings, and
// money is parsed exactly once, here. What kt cannot do without is reported
// strictly: a FailureError naming the endpoint and the missing field.
import { FailureError } from '../errors.js';
import { AmountError, moneyFromJson, type Money } from '../domain/money.js';

export const DEBUG_HINT = 'run again with --debug to see the requests and responses';

export type RawObject = Record<string, unknown>;

/** Where a value came from, for messages: `GET /v1/events`. */
export type Where = string;

export function unexpected(where: Where, what: string): FailureError {
  return new FailureError(`unexpected response from ${where}: ${what}`, DEBUG_HINT);
}

export function asObject(raw: unknown, what: string, where: Where): RawObject {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) return raw as RawObject;
  throw unexpected(where, `${what} is ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}, not an object`);
}

/** The first of `names` present with a value other than null. */
export function pick(o: RawObject, names: readonly string[]): unknown {
  for (const name of names) {
    const value = o[name];
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

/** Text or null; numbers and booleans are written as text. */
export function optionalText(o: RawObject, names: readonly string[]): string | null {
  const value = pick(o, names);
  if (value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object') {
    // `team: {id, name}` and the like
    const inner = value as RawObject;
    const id = inner.id ?? inner.name;
    if (typeof id === 'string') return id;
  }
  return null;
}

export function requiredText(o: RawObject, names: readonly string[], what: string, where: Where): string {
  const value = optionalText(o, names);
  if (value === null || value === '') throw unexpected(where, `${what} without ${quoteNames(names)}`);
  return value;
}

/** A count: a JSON number or a numeric string; absent is 0. */
export function count(o: RawObject, names: readonly string[], what: string, where: Where): number {
  const value = pick(o, names);
  if (value === undefined) return 0;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n === 'number' && Number.isFinite(n)) return n;
  throw unexpected(where, `${what} has ${names[0]} ${JSON.stringify(value)}, not a number`);
}

export function flag(o: RawObject, names: readonly string[]): boolean {
  const value = pick(o, names);
  return value === true || value === 'true' || value === 1;
}

/** Money or null; exact whatever form the number takes. */
export function optionalMoney(o: RawObject, names: readonly string[], what: string, where: Where): Money | null {
  const value = pick(o, names);
  if (value === undefined) return null;
  try {
    return moneyFromJson(value);
  } catch (error) {
    if (error instanceof AmountError) throw unexpected(where, `${what} has ${names.find((n) => o[n] !== undefined) ?? names[0]} ${JSON.stringify(value)}: ${error.message}`);
    throw error;
  }
}

export function requiredMoney(o: RawObject, names: readonly string[], what: string, where: Where): Money {
  const money = optionalMoney(o, names, what, where);
  if (money === null) throw unexpected(where, `${what} without ${quoteNames(names)}`);
  return money;
}

export function quoteNames(names: readonly string[]): string {
  const quoted = names.map((n) => `"${n}"`);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}
