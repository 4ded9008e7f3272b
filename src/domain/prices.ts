// List prices per million tokens: the one catalogue kt knows. The product
// document's cost comparison matrix (gpt-4o, gpt-4o-mini, claude-sonnet,
// claude-haiku) comes first; the other entries let `kt policy validate` tell a
// real model name from a typo. Amounts are integer micros per 1M tokens.
import type { Micros } from './money.js';

export interface ModelPrice {
  provider: string;
  model: string;
  /** Micros per 1M input tokens. */
  input: Micros;
  /** Micros per 1M output tokens. */
  output: Micros;
}

const usd = (amount: number): Micros => Math.round(amount * 1_000_000);
const price = (provider: string, model: string, input: number, output: number): ModelPrice => ({
  provider,
  model,
  input: usd(input),
  output: usd(output),
});

/** The product document's matrix, in its order. */
export const DOCUMENT_PRICES: readonly ModelPrice[] = [
  price('openai', 'gpt-4o', 2.5, 10),
  price('openai', 'gpt-4o-mini', 0.15, 0.6),
  price('anthropic', 'claude-sonnet', 3, 15),
  price('anthropic', 'claude-haiku', 0.25, 1.25),
];

const OTHER_PRICES: readonly ModelPrice[] = [
  price('openai', 'gpt-4.1', 2, 8),
  price('openai', 'gpt-4.1-mini', 0.4, 1.6),
  price('openai', 'o3-mini', 1.1, 4.4),
  price('anthropic', 'claude-3-5-sonnet', 3, 15),
  price('anthropic', 'claude-3-5-haiku', 0.8, 4),
  price('anthropic', 'claude-3-haiku', 0.25, 1.25),
  price('anthropic', 'claude-opus', 15, 75),
  price('google', 'gemini-1.5-pro', 1.25, 5),
  price('google', 'gemini-1.5-flash', 0.075, 0.3),
  price('google', 'gemini-2.0-flash', 0.1, 0.4),
];

export const PRICE_CATALOG: ReadonlyMap<string, ModelPrice> = new Map([...DOCUMENT_PRICES, ...OTHER_PRICES].map((p) => [p.model, p]));

export function priceOf(model: string): ModelPrice | undefined {
  return PRICE_CATALOG.get(model);
}

/** Cost of one request at a price, rounded half up to the micro. */
export function tokenCost(price: Pick<ModelPrice, 'input' | 'output'>, inputTokens: number, outputTokens: number): Micros {
  return Math.round((inputTokens * price.input + outputTokens * price.output) / 1_000_000);
}
