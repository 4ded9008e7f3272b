// Which of the three document shapes a file is, and the checks that span the
// whole document: the chain against the blocks (E001/E003/W002), the
// standalone kinds of a single-policy document (E208).
//   config         has `pack`: the product's ConfigDocument (pack, policies.chain, policy.<kind>)
//   single-policy  `policy` holds name/version/enabled: one standalone kind
//   cost-controls  no pack, only the seed guide's blocks (spend_controls, model_groups, cache, model_allowlist)
import { COST_CONTROL_SECTIONS, CONFIG_DOCUMENT, COST_CONTROL_DOCUMENT, KIND_NAMES, policyKind, singlePolicyDocument, STANDALONE_KINDS } from './catalogue.js';
import { checkValue, isObj, unknownKind, type CheckContext, type Finding } from './check.js';
import type { DocumentShape, LintSummary } from './diagnostic.js';
import { obj, str, bool } from './spec.js';

type Obj = Record<string, unknown>;

export function documentShape(doc: Obj): DocumentShape {
  if (Object.hasOwn(doc, 'pack')) return 'config';
  if (isObj(doc.policy) && Object.hasOwn(doc.policy, 'name')) return 'single-policy';
  // A key only a full config has means the author meant one and forgot pack;
  // anything else (including a misspelt cost-control key) stays cost-controls.
  const configOnly = Object.keys(doc).some((k) => Object.hasOwn(CONFIG_DOCUMENT.properties, k) && !Object.hasOwn(COST_CONTROL_SECTIONS, k));
  return configOnly ? 'config' : 'cost-controls';
}

export function checkDocument(doc: Obj, ctx: CheckContext): { findings: Finding[]; summary: LintSummary } {
  const shape = documentShape(doc);
  if (shape === 'single-policy') return checkSinglePolicy(doc, ctx);
  if (shape === 'cost-controls') {
    return { findings: checkValue(doc, COST_CONTROL_DOCUMENT, [], ctx), summary: { shape, pack: null, chain: [], policyCount: 0 } };
  }
  const findings = checkValue(doc, CONFIG_DOCUMENT, [], ctx).map((f) => explainMissingTop(f, doc));
  findings.push(...checkChain(doc));
  const pack = isObj(doc.pack) && typeof doc.pack.name === 'string' && typeof doc.pack.version === 'string' ? { name: doc.pack.name, version: doc.pack.version } : null;
  const blocks = isObj(doc.policy) ? Object.keys(doc.policy).filter((k) => policyKind(k) !== undefined) : [];
  return { findings, summary: { shape, pack, chain: chainOf(doc), policyCount: blocks.length } };
}

function chainOf(doc: Obj): string[] {
  const chain = isObj(doc.policies) ? doc.policies.chain : undefined;
  return Array.isArray(chain) ? chain.filter((k): k is string => typeof k === 'string') : [];
}

function explainMissingTop(finding: Finding, doc: Obj): Finding {
  if (finding.code !== 'E204' || finding.path.length !== 0) return finding;
  if (!Object.hasOwn(doc, 'pack')) {
    return {
      ...finding,
      suggestion:
        'a full config starts with pack: {name, version, enabled} and policies: {chain: [...]}; a file of spend_controls, model_groups, cache and model_allowlist alone needs neither',
    };
  }
  return { ...finding, suggestion: 'add policies: {chain: [...]} listing the policy kinds in execution order (it may be empty: chain: [])' };
}

function checkChain(doc: Obj): Finding[] {
  const out: Finding[] = [];
  const chainValue = isObj(doc.policies) ? doc.policies.chain : undefined;
  const blocks = isObj(doc.policy) ? doc.policy : {};
  const chain = Array.isArray(chainValue) ? (chainValue as unknown[]) : [];
  chain.forEach((kind, i) => {
    if (typeof kind !== 'string' || !KIND_NAMES.includes(kind) || Object.hasOwn(blocks, kind)) return;
    out.push({
      code: 'E003',
      path: ['policies', 'chain', i],
      message: `Policy '${kind}' is in chain but has no config block`,
      suggestion: `add policy.${kind} (an empty block {} takes the defaults) or remove '${kind}' from the chain`,
    });
  });
  if (!Array.isArray(chainValue)) return out;
  for (const kind of Object.keys(blocks)) {
    if (!KIND_NAMES.includes(kind) || chain.includes(kind)) continue;
    out.push({
      code: 'W002',
      path: ['policy', kind],
      atKey: true,
      message: `policy.${kind} is not in policies.chain, so it never runs`,
      suggestion: `add '${kind}' to policies.chain, or remove the block`,
    });
  }
  return out;
}

const metadataOnly = obj({ name: str(), version: str(), enabled: bool() }, { required: ['name', 'version', 'enabled'] });

function checkSinglePolicy(doc: Obj, ctx: CheckContext): { findings: Finding[]; summary: LintSummary } {
  const meta = doc.policy as Obj;
  const name = meta.name;
  const summary = (known: boolean): LintSummary => ({ shape: 'single-policy', pack: null, chain: known ? [name as string] : [], policyCount: known ? 1 : 0 });
  if (typeof name === 'string') {
    const spec = singlePolicyDocument(name);
    if (spec !== undefined) return { findings: checkValue(doc, spec, [], ctx, true), summary: summary(true) };
  }
  const findings = checkValue(meta, metadataOnly, ['policy'], ctx, true).filter((f) => f.code !== 'E002');
  if (typeof name === 'string' && policyKind(name) === undefined) findings.push(unknownKind(name, ['policy', 'name'], false));
  else if (typeof name === 'string') {
    findings.push({
      code: 'E208',
      path: ['policy', 'name'],
      message: `'${name}' cannot be a single-policy document; only ${STANDALONE_KINDS.join(', ')} can`,
      suggestion: `write a full config: pack {name, version, enabled}, policies.chain: [${name}] and its settings under policy.${name}`,
    });
  }
  return { findings, summary: summary(false) };
}
