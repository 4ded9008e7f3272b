// The price table the savings rules use: the product document's matrix (and
// kt's catalogue) with a user's overrides on top. An override file is parsed
// by the command (YAML or JSON); this module checks its shape and turns every
// price into exact Money per 1M tokens.
import { AmountError, moneyFromJson, type Money } from '../money.js';
import { PRICE_CATALOG, type ModelPrice } from '../prices.js';

export class PriceFileError extends Error {}

export type PriceTable = ReadonlyMap<string, ModelPrice>;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function price(value: unknown, where: string): Money {
  if (typeof value !== 'number' && typeof value !== 'string') throw new PriceFileError(`${where}: expected a price per 1M tokens such as 2.5`);
  let money: Money;
  try {
    money = moneyFromJson(value);
  } catch (error) {
    if (error instanceof AmountError) throw new PriceFileError(`${where}: ${error.message}`);
    throw error;
  }
  if (money < 0n) throw new PriceFileError(`${where}: a price cannot be negative`);
  return money;
}

function entry(model: string, raw: unknown, where: string, base: ModelPrice | undefined): ModelPrice {
  if (!isObj(raw)) throw new PriceFileError(`${where}: expected {input, output} (per 1M tokens)`);
  for (const key of Object.keys(raw)) {
    if (!['model', 'provider', 'input', 'output'].includes(key)) throw new PriceFileError(`${where}: unknown key "${key}"; use provider, input, output`);
  }
  if (raw.input === undefined || raw.output === undefined) throw new PriceFileError(`${where}: needs both input and output (per 1M tokens)`);
  const provider = raw.provider ?? base?.provider ?? 'unknown';
  if (typeof provider !== 'string' || provider === '') throw new PriceFileError(`${where}.provider: expected a provider name`);
  return { provider, model, input: price(raw.input, `${where}.input`), output: price(raw.output, `${where}.output`) };
}

/**
 * The built-in catalogue with overrides from a parsed --prices file. Two
 * shapes are accepted: a mapping `{gpt-4o: {input: 2.5, output: 10}}`, or a
 * list `[{model: gpt-4o, provider: openai, input: 2.5, output: 10}]`.
 */
export function buildPriceTable(overrides: unknown, source = '--prices'): PriceTable {
  const table = new Map(PRICE_CATALOG);
  if (overrides === undefined || overrides === null) return table;
  if (Array.isArray(overrides)) {
    overrides.forEach((raw, i) => {
      const where = `${source}[${i}]`;
      if (!isObj(raw) || typeof raw.model !== 'string' || raw.model === '') throw new PriceFileError(`${where}: expected {model, input, output}`);
      table.set(raw.model, entry(raw.model, raw, where, table.get(raw.model)));
    });
  } else if (isObj(overrides)) {
    const models = isObj(overrides.prices) ? overrides.prices : overrides;
    for (const [model, raw] of Object.entries(models)) table.set(model, entry(model, raw, `${source}: ${model}`, table.get(model)));
  } else {
    throw new PriceFileError(`${source}: expected a mapping of model → {input, output} or a list of {model, input, output}`);
  }
  return table;
}
