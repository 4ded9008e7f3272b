// List prices per million tokens: the one catalogue kt knows. The product
// document's cost comparison matrix (gpt-4o, gpt-4o-mini, claude-sonnet,
// claude-haiku) comes first; the other entries let `kt policy validate` tell a
// real model name from a typo. Prices are exact Money per 1M tokens.
import { divideHalfEven, type Money, moneyFromDecimal, nanos } from './money.js';

export interface ModelPrice {
  provider: string;
  model: string;
  /** Money per 1M input tokens. */
  input: Money;
  /** Money per 1M output tokens. */
  output: Money;
}

const price = (provider: string, model: string, input: string, output: string): ModelPrice => ({
  provider,
  model,
  input: moneyFromDecimal(input),
  output: moneyFromDecimal(output),
});

/** The product document's matrix, in its order. */
export const DOCUMENT_PRICES: readonly ModelPrice[] = [
  price('openai', 'gpt-4o', '2.5', '10'),
  price('openai', 'gpt-4o-mini', '0.15', '0.6'),
  price('anthropic', 'claude-sonnet', '3', '15'),
  price('anthropic', 'claude-haiku', '0.25', '1.25'),
];

const OTHER_PRICES: readonly ModelPrice[] = [
  price('openai', 'gpt-4.1', '2', '8'),
  price('openai', 'gpt-4.1-mini', '0.4', '1.6'),
  price('openai', 'o3-mini', '1.1', '4.4'),
  price('anthropic', 'claude-3-5-sonnet', '3', '15'),
  price('anthropic', 'claude-3-5-haiku', '0.8', '4'),
  price('anthropic', 'claude-3-haiku', '0.25', '1.25'),
  price('anthropic', 'claude-opus', '15', '75'),
  price('google', 'gemini-1.5-pro', '1.25', '5'),
  price('google', 'gemini-1.5-flash', '0.075', '0.3'),
  price('google', 'gemini-2.0-flash', '0.1', '0.4'),
];

export const PRICE_CATALOG: ReadonlyMap<string, ModelPrice> = new Map([...DOCUMENT_PRICES, ...OTHER_PRICES].map((p) => [p.model, p]));

export function priceOf(model: string): ModelPrice | undefined {
  return PRICE_CATALOG.get(model);
}

const PER_MILLION = 1_000_000n;

/**
 * Cost of one request at a price: exact, rounded half to even once, to the
 * nano-unit (250 gpt-4o-mini input tokens at $0.15 per 1M are $0.0000375).
 */
export function tokenCost(price: Pick<ModelPrice, 'input' | 'output'>, inputTokens: number | bigint, outputTokens: number | bigint): Money {
  return nanos(divideHalfEven(BigInt(inputTokens) * price.input + BigInt(outputTokens) * price.output, PER_MILLION));
}
