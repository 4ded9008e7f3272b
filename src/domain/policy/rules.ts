// Checks a schema cannot express: cap arithmetic, uniqueness across list
// items, references between sections, requirements that depend on another
// key, the price catalogue. They run on every shape and stay defensive about
// types, since the document may also have schema errors.
import { PRICE_CATALOG } from '../prices.js';
import { didYouMean } from '../suggest.js';
import { isObj, type Finding } from './check.js';
import { pathText, type Money, type Path } from './diagnostic.js';

type Obj = Record<string, unknown>;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export interface RuleInput {
  doc: Obj;
  amounts: ReadonlyMap<string, Money>;
  sourceOf(path: Path): string | undefined;
}

export function checkRules(input: RuleInput): Finding[] {
  const out: Finding[] = [];
  checkSpendControls(input, out);
  checkModelGroups(input.doc, out);
  checkTargets(input.doc, out);
  checkConditionalEndpoints(input.doc, out);
  checkFuzzyDistance(input.doc, out);
  checkPriceCatalogue(input.doc, out);
  return out;
}

/** 80% of a plain decimal, exactly, as text (the suggested soft cap). */
export function eightyPercent(text: string): string | undefined {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (match === null) return undefined;
  const frac = match[2] ?? '';
  const scaled = (BigInt(`${match[1]}${frac}`) * 8n).toString().padStart(frac.length + 2, '0');
  const point = scaled.length - (frac.length + 1);
  const decimals = scaled.slice(point).replace(/0+$/, '');
  const whole = scaled.slice(0, point).replace(/^0+(?=\d)/, '');
  return decimals === '' ? whole : `${whole}.${decimals}`;
}

function checkSpendControls(input: RuleInput, out: Finding[]): void {
  const seen = new Map<string, number>();
  list(input.doc.spend_controls).forEach((entry, i) => {
    if (!isObj(entry)) return;
    const base: Path = ['spend_controls', i];
    const hard = input.amounts.get(pathText([...base, 'hard_cap']));
    const soft = input.amounts.get(pathText([...base, 'soft_cap']));
    if (hard !== undefined && soft !== undefined && soft >= hard) {
      const hardText = input.sourceOf([...base, 'hard_cap']) ?? String(entry.hard_cap);
      const softText = input.sourceOf([...base, 'soft_cap']) ?? String(entry.soft_cap);
      const proposal = eightyPercent(hardText);
      out.push({
        code: 'E302',
        path: [...base, 'soft_cap'],
        message: `soft_cap ${softText} must be below hard_cap ${hardText}`,
        suggestion: `the soft cap is the early warning${proposal !== undefined ? `; try ${proposal} (80% of the hard cap)` : ''}`,
      });
    }
    if (typeof entry.team === 'string' && typeof entry.period === 'string') {
      const key = `${entry.team}\u0000${entry.period}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else {
        out.push({
          code: 'E303',
          path: [...base, 'team'],
          message: `team "${entry.team}" already has a ${entry.period} spend control (spend_controls[${first}])`,
          suggestion: 'merge the two entries: one entry per team and period',
        });
      }
    }
  });
}

function targetIds(doc: Obj): string[] {
  const providers = isObj(doc.providers) ? doc.providers : {};
  return list(providers.targets).flatMap((t) => (isObj(t) && typeof t.id === 'string' ? [t.id] : []));
}

function unknownTarget(id: string, path: Path, ids: string[], out: Finding[]): void {
  if (ids.includes(id)) return;
  const near = didYouMean(id, ids);
  out.push({
    code: 'E306',
    path,
    message: `"${id}" is not the id of any providers.targets entry`,
    suggestion: near !== undefined ? `did you mean "${near}"?` : ids.length > 0 ? `declared target ids: ${ids.join(', ')}` : 'declare the target under providers.targets with this id',
  });
}

function checkModelGroups(doc: Obj, out: Finding[]): void {
  const groups = list(doc.model_groups);
  const names = groups.flatMap((g) => (isObj(g) && typeof g.name === 'string' ? [g.name] : []));
  const ids = targetIds(doc);
  groups.forEach((group, g) => {
    if (!isObj(group)) return;
    const seen = new Map<number, number>();
    list(group.models).forEach((model, m) => {
      if (!isObj(model) || typeof model.priority !== 'number') return;
      const first = seen.get(model.priority);
      if (first === undefined) seen.set(model.priority, m);
      else {
        out.push({
          code: 'E304',
          path: ['model_groups', g, 'models', m, 'priority'],
          message: `priority ${model.priority} is already used by models[${first}] in model group "${String(group.name)}"`,
          suggestion: 'give each model in a group its own priority (lower is tried first)',
        });
      }
    });
    list(group.targets).forEach((id, t) => {
      if (typeof id === 'string') unknownTarget(id, ['model_groups', g, 'targets', t], ids, out);
    });
    if (typeof group.fallback_group === 'string' && !names.includes(group.fallback_group)) {
      const near = didYouMean(group.fallback_group, names);
      out.push({
        code: 'E307',
        path: ['model_groups', g, 'fallback_group'],
        message: `fallback_group "${group.fallback_group}" is not the name of a model group`,
        suggestion: near !== undefined ? `did you mean "${near}"?` : `model groups: ${names.join(', ')}`,
      });
    }
  });
}

function checkTargets(doc: Obj, out: Finding[]): void {
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
          code: 'E305',
          path: ['providers', 'targets', i, 'id'],
          message: `duplicate target id "${target.id}" (also providers.targets[${first}])`,
          suggestion: 'target ids must be unique: routing and model groups refer to targets by id',
        });
      }
    }
    if (target.api_key !== undefined) {
      out.push({
        code: 'W003',
        path: ['providers', 'targets', i, 'api_key'],
        atKey: true,
        message: 'a literal api_key in a policy file leaks the key to everyone who can read it',
        suggestion: 'use secret_key_ref: { env: OPENAI_API_KEY } or secret_key_ref: { store: <name> }',
      });
    }
  });
  const ids = targetIds(doc);
  const abTest = isObj(providers.ab_test) ? providers.ab_test : {};
  list(abTest.variants).forEach((variant, v) => {
    if (isObj(variant) && typeof variant.provider_id === 'string') unknownTarget(variant.provider_id, ['providers', 'ab_test', 'variants', v, 'provider_id'], ids, out);
  });
}

const NEEDS_ENDPOINT = ['webhook', 'embedding-endpoint', 'presidio', 'guardrails-ai', 'dynamo-ai'];

function checkConditionalEndpoints(doc: Obj, out: Finding[]): void {
  const blocks = isObj(doc.policy) ? doc.policy : {};
  const moderation = blocks['external-moderation'];
  if (isObj(moderation) && moderation.endpoint === undefined) {
    const provider = moderation.provider ?? 'webhook';
    if (typeof provider === 'string' && NEEDS_ENDPOINT.includes(provider)) {
      out.push({
        code: 'E308',
        path: ['policy', 'external-moderation'],
        atKey: true,
        message: `policy.external-moderation needs an endpoint for provider ${provider}${moderation.provider === undefined ? ' (the default)' : ''}`,
        suggestion: `add endpoint: https://… (required for ${NEEDS_ENDPOINT.join(', ')})`,
      });
    }
  }
  const toolSecurity = blocks['tool-security'];
  if (isObj(toolSecurity) && toolSecurity.analysis_mode === 'external' && toolSecurity.firewall_endpoint === undefined) {
    out.push({
      code: 'E308',
      path: ['policy', 'tool-security', 'analysis_mode'],
      message: 'policy.tool-security needs firewall_endpoint when analysis_mode is external',
      suggestion: 'add firewall_endpoint: https://…, or use analysis_mode: local',
    });
  }
}

const FUZZY_KINDS = ['dlp-filter', 'safety-filter', 'itar-ear-filter', 'entity-list-filter', 'dual-use-filter'];

function checkFuzzyDistance(doc: Obj, out: Finding[]): void {
  const blocks = isObj(doc.policy) ? doc.policy : {};
  for (const kind of FUZZY_KINDS) {
    const block = blocks[kind];
    if (!isObj(block) || block.max_distance === undefined || block.fuzzy_matching === true) continue;
    out.push({
      code: 'W004',
      path: ['policy', kind, 'max_distance'],
      atKey: true,
      message: `policy.${kind}.max_distance has no effect unless fuzzy_matching is true`,
      suggestion: 'set fuzzy_matching: true, or remove max_distance',
    });
  }
}

/** Only the blocks kt prices (the seed's cost controls): a model kt cannot price cannot be costed. */
function checkPriceCatalogue(doc: Obj, out: Finding[]): void {
  const known = [...PRICE_CATALOG.keys()];
  const warn = (model: unknown, path: Path): void => {
    if (typeof model !== 'string' || PRICE_CATALOG.has(model)) return;
    const near = didYouMean(model, known);
    out.push({
      code: 'W001',
      path,
      message: `model "${model}" is not in kt's price catalogue; its spend cannot be priced`,
      suggestion: near !== undefined ? `did you mean "${near}"?` : `priced models: ${known.join(', ')}`,
    });
  };
  list(doc.model_groups).forEach((group, g) => {
    if (isObj(group)) list(group.models).forEach((m, i) => isObj(m) && warn(m.model, ['model_groups', g, 'models', i, 'model']));
  });
  list(doc.model_allowlist).forEach((m, i) => warn(m, ['model_allowlist', i]));
}
