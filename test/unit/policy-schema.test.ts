// The JSON Schema editors load is generated from the same catalogue as the
// checker: the committed file must be the generated one, and ajv running that
// schema must agree with the checker on the whole fixture corpus.
import { readFileSync, readdirSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildPolicySchema } from '../../src/domain/policy/schema.js';
import { POLICY_KINDS } from '../../src/domain/policy/catalogue.js';
import { INVALID, SCHEMA_CODES, VALID_DIRS } from '../fixtures/policy/corpus.js';

const committed = JSON.parse(readFileSync(new URL('../../schema/policy.schema.json', import.meta.url), 'utf8')) as unknown;
const generated = buildPolicySchema();

// ajv is CommonJS: depending on the loader the class is the module or its .default.
const mod = Ajv2020Module as unknown as { default?: typeof Ajv2020Module.default };
const Ajv2020 = mod.default ?? Ajv2020Module.default;
// strictRequired is off because `if: {required: [...]}` without `properties` is the idiom for "when this key is present".
const validate = new Ajv2020({ strict: true, strictRequired: false, allErrors: true }).compile(generated);

const read = (file: string): unknown => parse(readFileSync(new URL(`../fixtures/policy/${file}`, import.meta.url), 'utf8'));
const dir = (d: string): string[] => readdirSync(new URL(`../fixtures/policy/${d}/`, import.meta.url)).sort();

describe('schema/policy.schema.json', () => {
  it('is the schema generated from the catalogue (run `npm run schema` after changing the catalogue)', () => {
    expect(committed).toEqual(generated);
  });

  it('is draft 2020-12 and compiles in ajv strict mode', () => {
    expect(generated.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(typeof validate).toBe('function');
  });

  it('defines every policy kind and every block the checker knows', () => {
    const defs = generated.$defs as Record<string, unknown>;
    for (const kind of POLICY_KINDS) expect(defs, kind.name).toHaveProperty([`policy.${kind.name}`]);
    for (const name of ['pack', 'policies', 'providers', 'spend_controls', 'model_groups', 'cache', 'model_allowlist', 'workflow_cache', 'testing']) {
      expect(defs, name).toHaveProperty([name]);
    }
  });

  const valid = VALID_DIRS.flatMap((d) => dir(`valid/${d}`).map((f) => `valid/${d}/${f}`));
  it.each(valid)('accepts %s, as the checker does', (file) => {
    const ok = validate(read(file));
    expect(ok, JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });

  it.each(INVALID.filter((row) => SCHEMA_CODES.test(row[1])))('rejects invalid/%s (%s), as the checker does', (file) => {
    expect(validate(read(`invalid/${file}`))).toBe(false);
  });

  it('records where pages disagree, with the source pages, beside the rule', () => {
    const text = JSON.stringify(generated);
    for (const phrase of ['mode: strict', 'denied_tools', 'org_shared_cache', 'round-robin', 'plain string naming an environment variable', 'min_score']) {
      expect(text, phrase).toContain(phrase);
    }
    expect(text).toContain('https://docs.keeptrusts.com/docs/templates/agent-firewall');
  });
});
