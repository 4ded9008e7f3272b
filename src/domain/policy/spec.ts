// The vocabulary the policy catalogue is written in. One description of a
// block serves two readers: the checker (./check.ts) walks it to report
// findings with kt's codes, and ./schema.ts turns it into the JSON Schema that
// editors load. Keeping both on one description is what stops them drifting.

/** Where a rule comes from and why it looks the way it does. */
export interface Meta {
  description?: string;
  default?: unknown;
  /** Pages the rule was taken from. */
  sources?: readonly string[];
  /** How the catalogue settled pages that disagree (facts file §11). */
  note?: string;
  /** Shown as the help of a finding on this node (kt's wording, not the schema's). */
  hint?: string;
}

export interface StringSpec extends Meta {
  type: 'string';
  enum?: readonly string[];
  /** Source of a RegExp; anchored by the writer. */
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  /** An enum miss is reported as an unknown policy kind (E001), not a bad value. */
  policyKind?: boolean;
  /** Values the docs show for an open list: anything else is warning W005, not an error. */
  suggest?: readonly string[];
  /** Compare only the part before the first ':' (provider:kind:model). */
  suggestBeforeColon?: boolean;
}

export interface IntegerSpec extends Meta {
  type: 'integer';
  minimum?: number;
  maximum?: number;
}

export interface NumberSpec extends Meta {
  type: 'number';
  minimum?: number;
  maximum?: number;
}

/** An amount of money: a positive plain decimal whose precision the money module decides. */
export interface MoneySpec extends Meta {
  type: 'money';
}

export interface BooleanSpec extends Meta {
  type: 'boolean';
}

export interface ArraySpec extends Meta {
  type: 'array';
  items: Spec;
  minItems?: number;
  unique?: boolean;
}

export interface ObjectSpec extends Meta {
  type: 'object';
  properties: Readonly<Record<string, Spec>>;
  required?: readonly string[];
  /** Exactly one of these keys must be present. */
  exactlyOne?: readonly string[];
  /** An unknown key here names an unknown policy kind (E001). */
  keysArePolicyKinds?: boolean;
}

/** A mapping with keys chosen by the user (role names, tool names, headers). */
export interface MapSpec extends Meta {
  type: 'map';
  values: Spec;
  keyPattern?: string;
}

/** Several documented shapes; the first that fits wins, as the product validates them. */
export interface OneOfSpec extends Meta {
  type: 'oneOf';
  variants: ReadonlyArray<{ name: string; spec: Spec }>;
}

/** Free-form JSON the product passes through (a tool's JSON Schema, test inputs). */
export interface AnySpec extends Meta {
  type: 'any';
}

export type Spec = StringSpec | IntegerSpec | NumberSpec | MoneySpec | BooleanSpec | ArraySpec | ObjectSpec | MapSpec | OneOfSpec | AnySpec;

type Opts<S> = Omit<S, 'type'>;

export const str = (opts: Opts<StringSpec> = {}): StringSpec => ({ type: 'string', ...opts });
export const oneOfValues = (values: readonly string[], opts: Opts<StringSpec> = {}): StringSpec => ({ type: 'string', enum: values, ...opts });
export const int = (opts: Opts<IntegerSpec> = {}): IntegerSpec => ({ type: 'integer', ...opts });
export const num = (opts: Opts<NumberSpec> = {}): NumberSpec => ({ type: 'number', ...opts });
export const fraction = (opts: Opts<NumberSpec> = {}): NumberSpec => ({ type: 'number', minimum: 0, maximum: 1, ...opts });
export const money = (opts: Opts<MoneySpec> = {}): MoneySpec => ({ type: 'money', ...opts });
export const bool = (opts: Opts<BooleanSpec> = {}): BooleanSpec => ({ type: 'boolean', ...opts });
export const list = (items: Spec, opts: Opts<Omit<ArraySpec, 'items'>> = {}): ArraySpec => ({ type: 'array', items, ...opts });
export const strings = (opts: Opts<Omit<ArraySpec, 'items'>> = {}): ArraySpec => list(str(), opts);
export const obj = (properties: Record<string, Spec>, opts: Opts<Omit<ObjectSpec, 'properties'>> = {}): ObjectSpec => ({ type: 'object', properties, ...opts });
export const map = (values: Spec, opts: Opts<Omit<MapSpec, 'values'>> = {}): MapSpec => ({ type: 'map', values, ...opts });
export const oneOf = (variants: Array<{ name: string; spec: Spec }>, opts: Opts<Omit<OneOfSpec, 'variants'>> = {}): OneOfSpec => ({ type: 'oneOf', variants, ...opts });
export const anything = (opts: Opts<AnySpec> = {}): AnySpec => ({ type: 'any', ...opts });

/** Attaches provenance to a rule without restating it. */
export function documented<S extends Spec>(spec: S, meta: Meta): S {
  return { ...spec, ...meta, sources: [...(spec.sources ?? []), ...(meta.sources ?? [])] };
}

/** Every key an object-shaped spec accepts, across all of its documented shapes. */
export function knownKeys(spec: Spec): string[] {
  if (spec.type === 'object') return Object.keys(spec.properties);
  if (spec.type === 'oneOf') return [...new Set(spec.variants.flatMap((v) => knownKeys(v.spec)))];
  return [];
}

/** Adds properties to an object spec, or to every object-shaped variant. */
export function withProperties(spec: Spec, extra: Record<string, Spec>, required: readonly string[] = []): Spec {
  if (spec.type === 'object') return { ...spec, properties: { ...extra, ...spec.properties }, required: [...required, ...(spec.required ?? [])] };
  if (spec.type === 'oneOf') return { ...spec, variants: spec.variants.map((v) => ({ name: v.name, spec: withProperties(v.spec, extra, required) })) };
  return spec;
}
