// Checks the schema cannot express: cap arithmetic, uniqueness across list
// items, chain/block consistency, the price catalog. Runs on a document that
// already passed the schema, so shapes are known; still defensive about them.
import { AmountError, formatDecimal, microsFromJson, type Micros } from '../money.js';
import { PRICE_CATALOG } from '../prices.js';
import { didYouMean } from '../suggest.js';

export type Path = Array<string | number>;

export interface RuleFinding {
  code: string;
  severity: 'error' | 'warning';
  path: Path;
  /** Point at the key rather than its value. */
  atKey?: boolean;
  message: string;
  suggestion?: string | undefined;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function checkRules(doc: Obj): RuleFinding[] {
  const out: RuleFinding[] = [];
  checkSpendControls(doc, out);
  checkModelGroups(doc, out);
  checkCache(doc, out);
  checkChain(doc, out);
  checkTargets(doc, out);
  checkCatalog(doc, out);
  return out;
}

function cap(value: number | undefined, path: Path, out: RuleFinding[]): Micros | undefined {
  if (value === undefined) return undefined;
  const name = String(path[path.length - 1]);
  let micros: Micros;
  try {
    micros = microsFromJson(value);
  } catch (error) {
    if (!(error instanceof AmountError)) throw error;
    const tooLarge = /too large|finite/.test(error.message);
    out.push({
      code: 'E020',
      severity: 'error',
      path,
      message: tooLarge ? `${name} ${String(value)} is too large` : `${name} ${String(value)} has more than 6 decimals`,
      suggestion: tooLarge ? 'use an amount below 9,000,000,000 in the wallet currency' : 'amounts are exact to 0.000001; round to 6 decimals',
    });
    return undefined;
  }
  if (micros <= 0) {
    out.push({ code: 'E020', severity: 'error', path, message: `${name} must be greater than zero, got ${String(value)}`, suggestion: 'use a positive amount such as 10000' });
    return undefined;
  }
  return micros;
}

const asNumber = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

function checkSpendControls(doc: Obj, out: RuleFinding[]): void {
  const seen = new Map<string, number>();
  list(doc.spend_controls).forEach((entry, i) => {
    if (!isObj(entry)) return;
    const base: Path = ['spend_controls', i];
    const hard = cap(asNumber(entry.hard_cap), [...base, 'hard_cap'], out);
    const soft = cap(asNumber(entry.soft_cap), [...base, 'soft_cap'], out);
    if (hard !== undefined && soft !== undefined && soft >= hard) {
      out.push({
        code: 'E021',
        severity: 'error',
        path: [...base, 'soft_cap'],
        message: `soft_cap ${formatDecimal(soft, 0)} must be below hard_cap ${formatDecimal(hard, 0)}`,
        suggestion: `the soft cap is the early warning; try ${formatDecimal(Math.floor((hard * 0.8) / 1_000_000) * 1_000_000 || hard / 2, 0)} (80% of the hard cap)`,
      });
    }
    if (typeof entry.team === 'string' && typeof entry.period === 'string') {
      const key = `${entry.team}\u0000${entry.period}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else {
        out.push({
          code: 'E022',
          severity: 'error',
          path: [...base, 'team'],
          message: `team "${entry.team}" already has a ${entry.period} spend control (spend_controls[${first}])`,
          suggestion: 'merge the two entries: one entry per team and period',
        });
      }
    }
  });
}

function checkModelGroups(doc: Obj, out: RuleFinding[]): void {
  list(doc.model_groups).forEach((group, g) => {
    if (!isObj(group)) return;
    const seen = new Map<number, number>();
    list(group.models).forEach((model, m) => {
      if (!isObj(model) || typeof model.priority !== 'number') return;
      const first = seen.get(model.priority);
      if (first === undefined) seen.set(model.priority, m);
      else {
        out.push({
          code: 'E023',
          severity: 'error',
          path: ['model_groups', g, 'models', m, 'priority'],
          message: `priority ${model.priority} is already used by models[${first}] in model group "${String(group.name)}"`,
          suggestion: 'give each model in a group its own priority (1 is tried first)',
        });
      }
    });
  });
}

function checkCache(doc: Obj, out: RuleFinding[]): void {
  const cache = doc.cache;
  if (isObj(cache) && typeof cache.ttl === 'number' && cache.ttl <= 0) {
    out.push({
      code: 'E024',
      severity: 'error',
      path: ['cache', 'ttl'],
      message: `cache ttl must be greater than 0 seconds, got ${cache.ttl}`,
      suggestion: 'use e.g. ttl: 3600 (one hour), or enabled: false to turn caching off',
    });
  }
}

function checkChain(doc: Obj, out: RuleFinding[]): void {
  const chain = isObj(doc.policies) ? list(doc.policies.chain).filter((k): k is string => typeof k === 'string') : [];
  const blocks = isObj(doc.policy) ? doc.policy : {};
  chain.forEach((kind, i) => {
    if (!Object.hasOwn(blocks, kind)) {
      const near = didYouMean(kind, Object.keys(blocks));
      out.push({
        code: 'E026',
        severity: 'error',
        path: ['policies', 'chain', i],
        message: `policy kind "${kind}" is in the chain but has no policy.${kind} block`,
        suggestion: near !== undefined ? `did you mean "${near}"?` : `add a policy.${kind} block`,
      });
    }
  });
  for (const kind of Object.keys(blocks)) {
    if (!chain.includes(kind)) {
      out.push({
        code: 'W002',
        severity: 'warning',
        path: ['policy', kind],
        atKey: true,
        message: `policy.${kind} is not in policies.chain, so it never runs`,
        suggestion: `add "${kind}" to policies.chain, or remove the block`,
      });
    }
  }
}

function checkTargets(doc: Obj, out: RuleFinding[]): void {
  const providers = doc.providers;
  if (!isObj(providers)) return;
  const seen = new Map<string, number>();
  list(providers.targets).forEach((target, i) => {
    if (!isObj(target)) return;
    if (typeof target.id === 'string') {
      const first = seen.get(target.id);
      if (first === undefined) seen.set(target.id, i);
      else {
        out.push({
          code: 'E025',
          severity: 'error',
          path: ['providers', 'targets', i, 'id'],
          message: `target id "${target.id}" is already used by providers.targets[${first}]`,
          suggestion: 'target ids must be unique',
        });
      }
    }
    if (target.api_key !== undefined) {
      out.push({
        code: 'W003',
        severity: 'warning',
        path: ['providers', 'targets', i, 'api_key'],
        atKey: true,
        message: 'a literal api_key in a policy file leaks the key to everyone who can read it',
        suggestion: 'use secret_key_ref: { env: OPENAI_API_KEY } or secret_key_ref: { store: <name> }',
      });
    }
  });
}

function checkCatalog(doc: Obj, out: RuleFinding[]): void {
  const warn = (model: unknown, path: Path): void => {
    if (typeof model !== 'string' || PRICE_CATALOG.has(model)) return;
    const near = didYouMean(model, [...PRICE_CATALOG.keys()]);
    out.push({
      code: 'W001',
      severity: 'warning',
      path,
      message: `model "${model}" is not in kt's price catalog; its spend cannot be priced`,
      suggestion: near !== undefined ? `did you mean "${near}"?` : `known models: ${[...PRICE_CATALOG.keys()].slice(0, 4).join(', ')}, …`,
    });
  };
  list(doc.model_groups).forEach((group, g) => {
    if (isObj(group)) list(group.models).forEach((m, i) => isObj(m) && warn(m.model, ['model_groups', g, 'models', i, 'model']));
  });
  if (isObj(doc.providers)) {
    list(doc.providers.targets).forEach((t, i) => isObj(t) && warn(t.model, ['providers', 'targets', i, 'model']));
  }
  list(doc.model_allowlist).forEach((m, i) => warn(m, ['model_allowlist', i]));
}
