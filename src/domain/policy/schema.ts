// The JSON Schema (draft 2020-12) editors load, generated from the catalogue
// so it states the same rules the checker applies. `npm run schema` writes it
// to schema/policy.schema.json; a test fails when that file drifts.
import {
  CONFIG_DOCUMENT,
  CONFIG_SECTIONS,
  COST_CONTROL_SECTIONS,
  KIND_NAMES,
  POLICY_BLOCKS,
  SINGLE_POLICY_SOURCES,
  singlePolicyDocument,
  STANDALONE_KINDS,
} from './catalogue.js';
import type { Meta, Spec } from './spec.js';

type Json = Record<string, unknown>;

function annotations(meta: Meta): Json {
  const out: Json = {};
  if (meta.description !== undefined) out.description = meta.description;
  if (meta.default !== undefined) out.default = meta.default;
  const comment = [meta.note, meta.sources !== undefined && meta.sources.length > 0 ? `Sources: ${meta.sources.join(' ')}` : undefined].filter((s) => s !== undefined);
  if (comment.length > 0) out.$comment = comment.join(' ');
  return out;
}

/** `refs` names specs written once under $defs; `inline` renders the root itself (a $defs entry). */
export function toJsonSchema(spec: Spec, refs: ReadonlyMap<Spec, string> = new Map(), inline = false): Json {
  const ref = inline ? undefined : refs.get(spec);
  if (ref !== undefined) return { $ref: `#/$defs/${ref}` };
  const child = (s: Spec): Json => toJsonSchema(s, refs);
  const meta = annotations(spec);
  switch (spec.type) {
    case 'string':
      return {
        type: 'string',
        ...(spec.enum !== undefined ? { enum: [...spec.enum] } : {}),
        ...(spec.pattern !== undefined ? { pattern: spec.pattern } : {}),
        ...(spec.minLength !== undefined ? { minLength: spec.minLength } : {}),
        ...(spec.maxLength !== undefined ? { maxLength: spec.maxLength } : {}),
        ...(spec.suggest !== undefined ? { examples: [...spec.suggest] } : {}),
        ...meta,
      };
    case 'integer':
    case 'number':
      return {
        type: spec.type,
        ...(spec.minimum !== undefined ? { minimum: spec.minimum } : {}),
        ...(spec.maximum !== undefined ? { maximum: spec.maximum } : {}),
        ...meta,
      };
    case 'money':
      return { type: 'number', exclusiveMinimum: 0, ...meta, description: `${spec.description ?? 'an amount'}; a plain decimal within the money precision (kt policy validate checks the decimals)` };
    case 'boolean':
      return { type: 'boolean', ...meta };
    case 'array':
      return {
        type: 'array',
        items: child(spec.items),
        ...(spec.minItems !== undefined ? { minItems: spec.minItems } : {}),
        ...(spec.unique === true ? { uniqueItems: true } : {}),
        ...meta,
      };
    case 'object':
      return {
        type: 'object',
        properties: Object.fromEntries(Object.entries(spec.properties).map(([k, v]) => [k, child(v)])),
        ...(spec.required !== undefined && spec.required.length > 0 ? { required: [...spec.required] } : {}),
        additionalProperties: false,
        ...(spec.exactlyOne !== undefined ? { oneOf: spec.exactlyOne.map((k) => ({ required: [k] })) } : {}),
        ...meta,
      };
    case 'map':
      return {
        type: 'object',
        additionalProperties: child(spec.values),
        ...(spec.keyPattern !== undefined ? { propertyNames: { pattern: spec.keyPattern } } : {}),
        ...meta,
      };
    case 'oneOf':
      return { anyOf: spec.variants.map((v) => ({ title: v.name, ...child(v.spec) })), ...meta };
    case 'any':
      return { ...meta };
  }
}

/** policies.chain naming a kind requires policy.<kind>: the product's E003, for editors. */
function chainNeedsBlock(kind: string): Json {
  return {
    if: {
      required: ['policies'],
      properties: { policies: { type: 'object', required: ['chain'], properties: { chain: { type: 'array', contains: { const: kind } } } } },
    },
    then: { required: ['policy'], properties: { policy: { type: 'object', required: [kind] } } },
  };
}

export function buildPolicySchema(): Json {
  const sections: Array<[string, Spec]> = [
    ['pack', CONFIG_DOCUMENT.properties.pack!],
    ['policies', CONFIG_DOCUMENT.properties.policies!],
    ...Object.entries(CONFIG_SECTIONS),
  ];
  const kindRefs = new Map<Spec, string>(Object.entries(POLICY_BLOCKS.properties).map(([name, spec]) => [spec, `policy.${name}`]));
  const refs = new Map<Spec, string>([...sections.map(([name, spec]): [Spec, string] => [spec, name]), ...kindRefs]);
  const defs: Json = {};
  for (const [name, spec] of sections) defs[name] = toJsonSchema(spec, refs, true);
  for (const [spec, name] of kindRefs) defs[name] = toJsonSchema(spec, refs, true);
  const config = { ...toJsonSchema(CONFIG_DOCUMENT, refs), allOf: KIND_NAMES.map(chainNeedsBlock) };
  defs.ConfigDocument = config;
  defs.SinglePolicyDocument = {
    description: `one standalone policy: policy {name, version, enabled} and the kind's sections beside it (only ${STANDALONE_KINDS.join(', ')})`,
    $comment: `Sources: ${SINGLE_POLICY_SOURCES.join(' ')}`,
    anyOf: STANDALONE_KINDS.map((name) => ({ title: name, ...toJsonSchema(singlePolicyDocument(name)!, refs) })),
  };
  defs.CostControlDocument = {
    description: "the seed guide's cost-control blocks alone, without pack",
    type: 'object',
    properties: Object.fromEntries(Object.keys(COST_CONTROL_SECTIONS).map((k) => [k, { $ref: `#/$defs/${k}` }])),
    additionalProperties: false,
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://keeptrusts.com/schemas/policy-config.schema.json',
    title: 'Keeptrusts policy-config.yaml',
    description:
      'Generated by kt from its policy catalogue (src/domain/policy/catalogue.ts). Three shapes: a full config (has pack), a single-policy document (policy.name) and a file of cost-control blocks alone. Unknown keys are errors.',
    type: 'object',
    if: { required: ['pack'] },
    then: { $ref: '#/$defs/ConfigDocument' },
    else: {
      if: { required: ['policy'], properties: { policy: { type: 'object', required: ['name'] } } },
      then: { $ref: '#/$defs/SinglePolicyDocument' },
      else: { $ref: '#/$defs/CostControlDocument' },
    },
    $defs: defs,
  };
}
