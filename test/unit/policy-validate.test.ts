import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { invalidUtf8Offset, MAX_DIAGNOSTICS, validatePolicy } from '../../src/domain/policy/validate.js';
import { hasErrors, promoteWarnings } from '../../src/domain/policy/diagnostic.js';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../fixtures/policy/${name}`, import.meta.url)));
const check = (name: string) => validatePolicy(name, fixture(name));
const yaml = (text: string) => validatePolicy('inline.yaml', text);

// Every invalid fixture with the one finding it must produce: code, line, column.
const INVALID: Array<[file: string, code: string, line: number, column: number]> = [
  ['alias-bomb.yaml', 'E008', 2, 8],
  ['allowlist-duplicate.yaml', 'E016', 2, 5],
  ['bad-enum.yaml', 'E012', 4, 13],
  ['bad-semver.yaml', 'E014', 3, 12],
  ['binary.yaml', 'E003', 1, 8],
  ['budget-action.yaml', 'E012', 4, 26],
  ['chain-missing-block.yaml', 'E026', 2, 19],
  ['duplicate-control.yaml', 'E022', 5, 11],
  ['duplicate-key.yaml', 'E007', 4, 3],
  ['duplicate-priority.yaml', 'E023', 9, 19],
  ['duplicate-target.yaml', 'E025', 6, 11],
  ['empty.yaml', 'E004', 1, 1],
  ['huge-number.yaml', 'E020', 3, 15],
  ['latin1.yaml', 'E003', 2, 12],
  ['max-tokens-float.yaml', 'E011', 6, 21],
  ['missing-required.yaml', 'E013', 2, 5],
  ['multi-doc.yaml', 'E005', 3, 1],
  ['negative-cap.yaml', 'E020', 3, 15],
  ['only-comments.yaml', 'E004', 1, 1],
  ['secret-both.yaml', 'E014', 6, 23],
  ['soft-above-hard.yaml', 'E021', 4, 15],
  ['string-number.yaml', 'E011', 3, 15],
  ['syntax.yaml', 'E005', 4, 1],
  ['tabs.yaml', 'E006', 2, 1],
  ['too-many-decimals.yaml', 'E020', 3, 15],
  ['top-list.yaml', 'E009', 1, 1],
  ['top-scalar.yaml', 'E009', 1, 1],
  ['ttl-string.yaml', 'E011', 2, 8],
  ['ttl-zero.yaml', 'E024', 3, 8],
  ['unknown-key.yaml', 'E010', 5, 5],
  ['unknown-top.yaml', 'E010', 3, 1],
];

const WARNING: Array<[file: string, code: string, line: number, column: number]> = [
  ['block-not-in-chain.yaml', 'W002', 5, 3],
  ['literal-api-key.yaml', 'W003', 6, 7],
  ['unknown-model.yaml', 'W001', 1, 19],
];

describe('policy fixture corpus', () => {
  it('has a table row for every invalid and warning fixture', () => {
    const dir = (d: string) => readdirSync(new URL(`../fixtures/policy/${d}/`, import.meta.url)).sort();
    expect(dir('invalid')).toEqual(INVALID.map((r) => r[0]).sort());
    expect(dir('warning')).toEqual(WARNING.map((r) => r[0]).sort());
  });

  it.each(INVALID)('invalid/%s → %s at %i:%i', (file, code, line, column) => {
    const report = check(`invalid/${file}`);
    expect(report.diagnostics.map((d) => [d.code, d.severity, d.line, d.column])).toEqual([[code, 'error', line, column]]);
    expect(hasErrors(report)).toBe(true);
  });

  it.each(WARNING)('warning/%s → %s at %i:%i (still valid)', (file, code, line, column) => {
    const report = check(`warning/${file}`);
    expect(report.diagnostics.map((d) => [d.code, d.severity, d.line, d.column])).toEqual([[code, 'warning', line, column]]);
    expect(hasErrors(report)).toBe(false);
    expect(hasErrors(promoteWarnings(report))).toBe(true);
  });

  it.each(['minimal.yaml', 'spend-only.yaml', 'flow.json', 'anchors.yaml'])('valid/%s has no findings', (file) => {
    expect(check(`valid/${file}`).diagnostics).toEqual([]);
  });

  it('the shipped example (the product guide snippets) validates with no finding at all', () => {
    const bytes = new Uint8Array(readFileSync(new URL('../../examples/policy-config.yaml', import.meta.url)));
    expect(validatePolicy('examples/policy-config.yaml', bytes).diagnostics).toEqual([]);
  });
});

describe('policy messages and suggestions', () => {
  it('suggests the misspelt key', () => {
    const [d] = check('invalid/unknown-key.yaml').diagnostics;
    expect(d?.message).toBe('unknown key "sof_cap" in spend_controls[0]');
    expect(d?.suggestion).toBe('did you mean "soft_cap"?');
    expect(d?.path).toBe('spend_controls[0].sof_cap');
    expect(d?.length).toBe('sof_cap'.length);
  });

  it('lists allowed keys when nothing is close', () => {
    const [d] = yaml('cache:\n  zzzzzzzz: 1\n').diagnostics;
    expect(d?.code).toBe('E010');
    expect(d?.suggestion).toBe('allowed keys: enabled, ttl, scope');
  });

  it('suggests the enum value', () => {
    const [d] = check('invalid/bad-enum.yaml').diagnostics;
    expect(d?.message).toContain('must be one of monthly, quarterly, weekly, daily; got the string "montly"');
    expect(d?.suggestion).toBe('did you mean "monthly"?');
  });

  it('explains a quoted number', () => {
    const [d] = yaml('spend_controls:\n  - team: a\n    hard_cap: "$10,000"\n    period: daily\n').diagnostics;
    expect(d?.message).toBe('spend_controls[0].hard_cap must be a number, got the string "$10,000"');
    expect(d?.suggestion).toBe('write the number without quotes, separators or symbols: 10000');
  });

  it('refuses a soft cap at or above the hard cap and proposes 80%', () => {
    const [d] = check('invalid/soft-above-hard.yaml').diagnostics;
    expect(d?.message).toBe('soft_cap 100 must be below hard_cap 100');
    expect(d?.suggestion).toContain('try 80');
  });

  it('refuses huge and infinite numbers', () => {
    expect(check('invalid/huge-number.yaml').diagnostics[0]?.message).toMatch(/^hard_cap .* is too large$/);
    const [d] = yaml('spend_controls:\n  - team: a\n    hard_cap: 1e400\n    period: daily\n').diagnostics;
    expect(d?.code).toBe('E011');
    expect(d?.message).toBe('spend_controls[0].hard_cap is too large a number to represent');
  });

  it('accepts exactly 6 decimals and refuses 7', () => {
    expect(yaml('spend_controls:\n  - {team: a, hard_cap: 1.000001, period: daily}\n').diagnostics).toEqual([]);
    expect(yaml('spend_controls:\n  - {team: a, hard_cap: 1.0000001, period: daily}\n').diagnostics[0]?.code).toBe('E020');
  });

  it('one spend control per team and period, but other periods are fine', () => {
    expect(check('invalid/duplicate-control.yaml').diagnostics[0]?.message).toBe('team "search" already has a monthly spend control (spend_controls[0])');
    expect(yaml('spend_controls:\n  - {team: a, hard_cap: 1, period: daily}\n  - {team: a, hard_cap: 20, period: monthly}\n').diagnostics).toEqual([]);
  });

  it('names the duplicate key', () => {
    const [d] = check('invalid/duplicate-key.yaml').diagnostics;
    expect(d?.message).toBe('duplicate key "ttl"');
  });

  it('resolves ordinary aliases but refuses an alias bomb quickly', () => {
    expect(check('valid/anchors.yaml').diagnostics).toEqual([]);
    const started = process.hrtime.bigint();
    const [d] = check('invalid/alias-bomb.yaml').diagnostics;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(d?.message).toContain('refusing a possible alias bomb');
    // generous bound: the expanded document would hold 9^9 (387 million) strings
    expect(ms).toBeLessThan(5000);
  });

  it('reports tabs, top-level lists and scalars, and empty files with their own codes', () => {
    expect(check('invalid/tabs.yaml').diagnostics[0]?.message).toBe('a tab is used for indentation; YAML indents with spaces only');
    expect(check('invalid/top-list.yaml').diagnostics[0]?.message).toMatch(/^the top level is a list/);
    expect(check('invalid/top-scalar.yaml').diagnostics[0]?.message).toMatch(/^the top level is a scalar value/);
    expect(check('invalid/empty.yaml').diagnostics[0]?.message).toBe('the file is empty');
    expect(yaml('   \n\n').diagnostics[0]?.code).toBe('E004');
    expect(yaml('---\n...\n').diagnostics[0]?.code).toBe('E004');
    expect(yaml('null\n').diagnostics[0]?.code).toBe('E004');
  });

  it('gives a YAML syntax error a position', () => {
    const [d] = yaml('cache:\n  enabled: true\n   scope: team\n').diagnostics;
    expect(d?.code).toBe('E005');
    expect([d?.line, d?.column]).toEqual([2, 12]);
    expect(d?.message).toBe('YAML syntax error: nested mappings are not allowed in compact mappings');
  });

  it('reports non-UTF-8 with the byte offset and binary data', () => {
    expect(check('invalid/latin1.yaml').diagnostics[0]?.message).toBe('invalid UTF-8 byte 0xe9 at offset 17');
    expect(check('invalid/binary.yaml').diagnostics[0]?.message).toMatch(/^binary data \(a NUL byte at offset 7\)/);
  });

  it('accepts a UTF-8 byte order mark and CRLF line ends', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from('cache:\r\n  enabled: true\r\n')]);
    expect(validatePolicy('bom.yaml', bytes).diagnostics).toEqual([]);
  });

  it('checks the chain against the policy blocks both ways', () => {
    const r = yaml('policies:\n  chain: [budgt]\npolicy:\n  budget: {}\n');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['E026', 'W002']);
    expect(r.diagnostics[0]?.suggestion).toBe('did you mean "budget"?');
  });

  it('suggests a catalog model for a near miss', () => {
    expect(check('warning/unknown-model.yaml').diagnostics[0]?.suggestion).toBe('did you mean "gpt-4o-mini"?');
  });

  it('reports every problem in a file, sorted by position', () => {
    const r = yaml('cache:\n  ttl: -5\n  scope: tem\nspend_controls:\n  - team: a\n    hard_cap: 10\n    soft_cap: 20\n    period: daily\n    extra: 1\n');
    expect(r.diagnostics.map((d) => `${d.code}@${d.line}`)).toEqual(['E024@2', 'E012@3', 'E021@7', 'E010@9']);
  });
});

describe('invalidUtf8Offset', () => {
  it.each([
    [[0x61, 0x62], -1],
    [[0xc3, 0xa9], -1],
    [[0xf0, 0x9f, 0x98, 0x80], -1],
    [[0x61, 0xc3], 1],
    [[0xc0, 0xaf], 0],
    [[0xe0, 0x80, 0xaf], 0],
    [[0xed, 0xa0, 0x80], 0],
    [[0x61, 0xff], 1],
    [[0xf4, 0x90, 0x80, 0x80], 0],
  ])('%j → %i', (bytes, offset) => {
    expect(invalidUtf8Offset(new Uint8Array(bytes))).toBe(offset);
  });
});

describe('large inputs', () => {
  it('lists at most MAX_DIAGNOSTICS findings per file and counts the rest', () => {
    const lines = ['cache:'];
    for (let i = 0; i < 700; i++) lines.push(`  extra${i}: 1`);
    const r = validatePolicy('many.yaml', `${lines.join('\n')}\n`);
    expect(r.diagnostics).toHaveLength(MAX_DIAGNOSTICS + 1);
    expect(r.diagnostics.at(-1)).toMatchObject({ code: 'E017', message: '200 more problems not shown (at most 500 per file)' });
  });
});

describe('hostile syntax', () => {
  it('stops after 100 syntax errors without building the document', () => {
    const r = validatePolicy('garbage.yaml', `a: [\n${'  - : : ]]\n'.repeat(50_000)}`);
    expect(r.diagnostics).toHaveLength(101);
    expect(r.diagnostics[0]).toMatchObject({ code: 'E005', line: 2, column: 10 });
    expect(r.diagnostics.at(-1)).toMatchObject({ code: 'E017', message: 'more than 100 syntax errors; stopped here' });
  });

  it('reports absurd nesting as a syntax error, not a crash', () => {
    const r = validatePolicy('deep.yaml', `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    expect(r.diagnostics[0]?.code).toBe('E005');
  });
});
