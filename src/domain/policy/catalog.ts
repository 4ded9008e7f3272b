// Models kt knows a list price for, in micros per million tokens. A model the
// catalog lacks is only a warning: spend reports cannot price it.
import type { Micros } from '../money.js';

export interface ModelPrice {
  input: Micros;
  output: Micros;
}

const usd = (amount: number): Micros => Math.round(amount * 1_000_000);

export const PRICE_CATALOG: Readonly<Record<string, ModelPrice>> = {
  'gpt-4o': { input: usd(2.5), output: usd(10) },
  'gpt-4o-mini': { input: usd(0.15), output: usd(0.6) },
  'claude-sonnet': { input: usd(3), output: usd(15) },
  'claude-haiku': { input: usd(0.25), output: usd(1.25) },
  'gpt-4.1': { input: usd(2), output: usd(8) },
  'gpt-4.1-mini': { input: usd(0.4), output: usd(1.6) },
  'o3-mini': { input: usd(1.1), output: usd(4.4) },
  'claude-3-5-sonnet': { input: usd(3), output: usd(15) },
  'claude-3-5-haiku': { input: usd(0.8), output: usd(4) },
  'claude-3-haiku': { input: usd(0.25), output: usd(1.25) },
  'claude-opus': { input: usd(15), output: usd(75) },
  'gemini-1.5-pro': { input: usd(1.25), output: usd(5) },
  'gemini-1.5-flash': { input: usd(0.075), output: usd(0.3) },
  'gemini-2.0-flash': { input: usd(0.1), output: usd(0.4) },
};

export function isCatalogModel(model: string): boolean {
  return Object.hasOwn(PRICE_CATALOG, model);
}
