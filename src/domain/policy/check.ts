// Walks a parsed document along its catalogue spec and reports what does not
// fit, with kt's codes. Unknown keys are errors everywhere: the product treats
// the config as a strict contract. Inside a policy block they are the
// product's E002; elsewhere kt's E201.
import { AmountError, parseAmount } from '../money.js';
import { didYouMean } from '../suggest.js';
import { KIND_NAMES } from './catalogue.js';
import { codeInfo } from './codes.js';
import { pathText, type Money, type Path } from './diagnostic.js';
import { knownKeys, type ObjectSpec, type OneOfSpec, type Spec, type StringSpec } from './spec.js';

export interface Finding {
  code: string;
  path: Path;
  /** Point at the key rather than its value. */
  atKey?: boolean;
  message: string;
  suggestion?: string | undefined;
  /** For an unknown-key finding: the key (lets a oneOf tell a stray key from another format's). */
  unknownKey?: string;
}

export interface CheckContext {
  /** The scalar's text as written (for exact amounts); undefined when there is none. */
  sourceOf(path: Path): string | undefined;
  /** Filled with every amount that parsed, keyed by path text. */
  amounts: Map<string, Money>;
}

interface Scope {
  /** Inside a policy block: unknown keys are E002. */
  inPolicy: boolean;
  /** Keys listed in the help of an unknown key, when more shapes than this one are valid. */
  helpKeys?: readonly string[] | undefined;
}

type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function isError(f: Finding): boolean {
  return codeInfo(f.code).severity === 'error';
}

export function checkValue(value: unknown, spec: Spec, path: Path, ctx: CheckContext, inPolicy = false): Finding[] {
  const out: Finding[] = [];
  walk(value, spec, path, ctx, { inPolicy }, out);
  return out;
}

const where = (path: Path): string => (path.length === 0 ? 'the document' : pathText(path));

export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  return typeof value;
}

function noun(spec: Spec): string {
  switch (spec.type) {
    case 'string':
      return 'a string';
    case 'integer':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'money':
      return 'an amount (a plain number)';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
    case 'map':
      return 'a mapping';
    case 'oneOf':
      return [...new Set(spec.variants.map((v) => noun(v.spec)))].join(' or ');
    case 'any':
      return 'a value';
  }
}

function fitsType(spec: Spec, value: unknown): boolean {
  switch (spec.type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
    case 'number':
    case 'money':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
    case 'map':
      return isObj(value);
    case 'oneOf':
      return spec.variants.some((v) => fitsType(v.spec, value));
    case 'any':
      return true;
  }
}

function typeFinding(value: unknown, spec: Spec, path: Path): Finding {
  const name = where(path);
  const last = path[path.length - 1];
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return { code: 'E202', path, message: `${name} is too large a number to represent`, suggestion: 'use a realistic finite value' };
  }
  let suggestion: string | undefined;
  const numeric = spec.type === 'number' || spec.type === 'integer' || spec.type === 'money';
  if (last === 'version' && typeof value === 'number') suggestion = 'quote it and use a semantic version: version: "1.0.0"';
  else if (numeric && typeof value === 'string' && /^[\d.,_ $€£]+$/.test(value.trim())) {
    suggestion = `write the number without quotes, separators or symbols: ${value.replace(/[^\d.]/g, '')}`;
  } else if (spec.type === 'integer' && typeof value === 'number') suggestion = 'use a whole number';
  else if (spec.type === 'boolean' && typeof value === 'string') suggestion = 'use true or false without quotes';
  else if ((spec.type === 'object' || spec.type === 'map') && (value === null || value === undefined)) suggestion = 'write {} for an empty block';
  else if (spec.type === 'array' && typeof value === 'string') suggestion = `write a list: [${value}]`;
  return { code: 'E202', path, message: `${name} must be ${noun(spec)}, got ${describe(value)}`, suggestion };
}

function walk(value: unknown, spec: Spec, path: Path, ctx: CheckContext, scope: Scope, out: Finding[]): void {
  if (spec.type === 'any') return;
  if (spec.type === 'oneOf') {
    walkOneOf(value, spec, path, ctx, scope, out);
    return;
  }
  if (!fitsType(spec, value) || (spec.type === 'integer' && !Number.isInteger(value))) {
    out.push(typeFinding(value, spec, path));
    return;
  }
  switch (spec.type) {
    case 'string':
      checkString(value as string, spec, path, out);
      return;
    case 'integer':
    case 'number':
      checkRange(value as number, spec, path, out);
      return;
    case 'money':
      checkMoney(value as number, path, ctx, out);
      return;
    case 'boolean':
      return;
    case 'array': {
      const items = value as unknown[];
      if (spec.minItems !== undefined && items.length < spec.minItems) {
        out.push({ code: 'E206', path, message: `${where(path)} must have at least ${spec.minItems} item${spec.minItems === 1 ? '' : 's'}, got ${items.length}` });
      }
      const seen = new Map<string, number>();
      items.forEach((item, i) => {
        walk(item, spec.items, [...path, i], ctx, { inPolicy: scope.inPolicy }, out);
        if (spec.unique !== true) return;
        const key = JSON.stringify(item);
        const first = seen.get(key);
        if (first === undefined) seen.set(key, i);
        else out.push({ code: 'E207', path: [...path, i], message: `${where(path)} lists ${describe(item)} twice (also item ${first})`, suggestion: 'remove the duplicate' });
      });
      return;
    }
    case 'map':
      for (const [key, child] of Object.entries(value as Obj)) {
        if (spec.keyPattern !== undefined && !new RegExp(spec.keyPattern).test(key)) {
          out.push({ code: 'E205', path: [...path, key], atKey: true, message: `${where(path)}: the key ${JSON.stringify(key)} is not in the expected form`, suggestion: spec.hint });
        }
        walk(child, spec.values, [...path, key], ctx, { inPolicy: scope.inPolicy }, out);
      }
      return;
    case 'object':
      walkObject(value as Obj, spec, path, ctx, scope, out);
      return;
  }
}

function checkString(value: string, spec: StringSpec, path: Path, out: Finding[]): void {
  const name = where(path);
  if (spec.enum !== undefined && !spec.enum.includes(value)) {
    const near = didYouMean(value, spec.enum);
    if (spec.policyKind === true) {
      out.push(unknownKind(value, path, false));
      return;
    }
    out.push({
      code: 'E203',
      path,
      message: `${name} must be ${spec.enum.length === 1 ? spec.enum[0] : `one of ${spec.enum.join(', ')}`}; got ${describe(value)}`,
      suggestion: near !== undefined ? `did you mean "${near}"?` : spec.hint,
    });
    return;
  }
  if (spec.minLength !== undefined && value.length < spec.minLength) {
    out.push({ code: 'E205', path, message: spec.minLength === 1 ? `${name} must not be empty` : `${name} must be at least ${spec.minLength} characters` });
  } else if (spec.maxLength !== undefined && value.length > spec.maxLength) {
    out.push({ code: 'E205', path, message: `${name} must be at most ${spec.maxLength} characters, got ${value.length}` });
  } else if (spec.pattern !== undefined && !new RegExp(spec.pattern).test(value)) {
    out.push({ code: 'E205', path, message: `${name}: ${describe(value)} is not in the expected form`, suggestion: spec.hint ?? spec.description });
  }
  if (spec.suggest !== undefined) {
    const compared = spec.suggestBeforeColon === true ? (value.split(':')[0] ?? value) : value;
    if (!spec.suggest.includes(compared)) {
      const near = didYouMean(compared, spec.suggest);
      out.push({
        code: 'W005',
        path,
        message: `${name}: ${JSON.stringify(compared)} is not among the values the Keeptrusts docs show (${spec.suggest.join(', ')})`,
        suggestion: near !== undefined ? `did you mean "${near}"?` : 'check the spelling; the gateway rejects values it does not know',
      });
    }
  }
}

export function unknownKind(kind: string, path: Path, atKey: boolean): Finding {
  const near = didYouMean(kind, KIND_NAMES);
  return {
    code: 'E001',
    path,
    atKey,
    message: `Unknown policy kind '${kind}'`,
    suggestion: near !== undefined ? `Did you mean '${near}'?` : `known kinds: ${KIND_NAMES.join(', ')}`,
  };
}

function checkRange(value: number, spec: { minimum?: number; maximum?: number; hint?: string }, path: Path, out: Finding[]): void {
  if (spec.minimum !== undefined && value < spec.minimum) {
    out.push({ code: 'E206', path, message: `${where(path)} must be at least ${spec.minimum}, got ${value}`, suggestion: spec.hint });
  } else if (spec.maximum !== undefined && value > spec.maximum) {
    out.push({ code: 'E206', path, message: `${where(path)} must be at most ${spec.maximum}, got ${value}`, suggestion: spec.hint });
  }
}

function checkMoney(value: number, path: Path, ctx: CheckContext, out: Finding[]): void {
  if (!Number.isFinite(value)) {
    out.push(typeFinding(value, { type: 'money' }, path));
    return;
  }
  // The source text, not the float: an amount must stay exact whatever the
  // money module's precision, and a double cannot hold every decimal of it.
  const text = ctx.sourceOf(path) ?? String(value);
  try {
    ctx.amounts.set(pathText(path), parseAmount(text));
  } catch (error) {
    if (!(error instanceof AmountError)) throw error;
    out.push({ code: 'E301', path, message: `${where(path)}: ${error.message}` });
  }
}

function walkObject(value: Obj, spec: ObjectSpec, path: Path, ctx: CheckContext, scope: Scope, out: Finding[]): void {
  const name = where(path);
  const known = Object.keys(spec.properties);
  const last = path[path.length - 1];
  for (const key of spec.required ?? []) {
    if (Object.hasOwn(value, key)) continue;
    out.push({ code: 'E204', path, atKey: typeof last === 'string', message: `${name} is missing the required key "${key}"`, suggestion: `add \`${key}:\`` });
  }
  for (const key of Object.keys(value)) {
    if (Object.hasOwn(spec.properties, key)) continue;
    const keyPath = [...path, key];
    if (spec.keysArePolicyKinds === true) {
      out.push(unknownKind(key, keyPath, true));
      continue;
    }
    const listed = scope.helpKeys ?? known;
    const near = didYouMean(key, listed);
    if (scope.inPolicy) {
      const container = path.length === 0 ? 'the single-policy document' : pathText(path);
      out.push({
        code: 'E002',
        path: keyPath,
        atKey: true,
        unknownKey: key,
        message: `Unknown key '${key}' in ${container}`,
        suggestion: `${near !== undefined ? `did you mean '${near}'? ` : ''}valid keys: ${listed.join(', ')}`,
      });
    } else {
      out.push({
        code: 'E201',
        path: keyPath,
        atKey: true,
        unknownKey: key,
        message: `unknown key "${key}" in ${path.length === 0 ? 'the top level' : name}`,
        suggestion: near !== undefined ? `did you mean "${near}"?` : `allowed keys: ${listed.join(', ')}`,
      });
    }
  }
  if (spec.exactlyOne !== undefined) {
    const present = spec.exactlyOne.filter((k) => Object.hasOwn(value, k));
    if (present.length !== 1) {
      out.push({
        code: 'E205',
        path,
        message: `${name} must set exactly one of ${spec.exactlyOne.join(', ')}${present.length > 1 ? `, not ${present.join(' and ')}` : ''}`,
        suggestion: spec.hint,
      });
    }
  }
  for (const [key, child] of Object.entries(value)) {
    const childSpec = spec.properties[key];
    if (childSpec === undefined) continue;
    walk(child, childSpec, [...path, key], ctx, { inPolicy: scope.inPolicy || spec.keysArePolicyKinds === true }, out);
  }
}

/**
 * The first documented shape that fits wins. When none fits, the findings of
 * the closest one are reported, and a key that belongs to another shape is
 * named as such instead of as unknown.
 */
function walkOneOf(value: unknown, spec: OneOfSpec, path: Path, ctx: CheckContext, scope: Scope, out: Finding[]): void {
  const fitting = spec.variants.filter((v) => fitsType(v.spec, value));
  if (fitting.length === 0) {
    out.push(typeFinding(value, spec, path));
    return;
  }
  const helpKeys = knownKeys(spec);
  const attempts = fitting.map((variant) => {
    const found: Finding[] = [];
    const amounts = new Map<string, Money>();
    walk(value, variant.spec, path, { sourceOf: (p) => ctx.sourceOf(p), amounts }, { inPolicy: scope.inPolicy, helpKeys }, found);
    return { variant, found, amounts, stray: found.filter((f) => f.unknownKey !== undefined && f.path.length === path.length + 1).length };
  });
  const clean = attempts.find((a) => !a.found.some(isError));
  const best = clean ?? [...attempts].sort((a, b) => a.stray - b.stray || a.found.length - b.found.length)[0]!;
  for (const [k, v] of best.amounts) ctx.amounts.set(k, v);
  for (const finding of best.found) {
    const key = finding.path.length === path.length + 1 ? finding.unknownKey : undefined;
    const owner = key === undefined ? undefined : spec.variants.find((v) => v !== best.variant && knownKeys(v.spec).includes(key));
    if (key === undefined || owner === undefined) {
      out.push(finding);
      continue;
    }
    const mine = Object.keys(isObj(value) ? value : {}).filter((k) => knownKeys(best.variant.spec).includes(k));
    out.push({
      code: 'E209',
      path: finding.path,
      atKey: true,
      message: `'${key}' belongs to the ${owner.name} format of ${where(path)}, but this block uses the ${best.variant.name} format${mine.length > 0 ? ` (${mine.join(', ')})` : ''}`,
      suggestion: `use one format: ${best.variant.name} (${knownKeys(best.variant.spec).join(', ')}) or ${owner.name} (${knownKeys(owner.spec).join(', ')})`,
    });
  }
}
