import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { invalidUtf8Offset, MAX_DIAGNOSTICS, validatePolicy } from '../../src/policy/validate.js';
import { hasErrors, promoteWarnings } from '../../src/domain/policy/diagnostic.js';
import { KIND_NAMES, STANDALONE_KINDS } from '../../src/domain/policy/catalogue.js';
import { INVALID, VALID_DIRS, WARNING } from '../fixtures/policy/corpus.js';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../fixtures/policy/${name}`, import.meta.url)));
const check = (name: string) => validatePolicy(name, fixture(name));
const yaml = (text: string) => validatePolicy('inline.yaml', text);
const dir = (d: string): string[] => readdirSync(new URL(`../fixtures/policy/${d}/`, import.meta.url)).sort();
const config = (chain: string, policy: string): string => `pack:\n  name: demo\n  version: 1.0.0\n  enabled: true\npolicies:\n  chain: [${chain}]\npolicy:\n${policy}`;

// The 37 kinds the facts file identifies (§4), in its order.
const FACTS_KINDS =
  'prompt-injection, pii-detector, hipaa-phi-detector, agent-firewall, rbac, dlp-filter, safety-filter, language-validator, bot-detector, external-moderation, embedding-detector, content-extractor, document-analyzer, data-routing-policy, audit-logger, cjis-mode, student-privacy, case-privacy, itar-ear-filter, entity-list-filter, dual-use-filter, quality-scorer, human-oversight, citation-verifier, flagged-review, healthcare-compliance, financial-compliance, mnpi-filter, bias-monitor, legal-privilege, upl-filter, tool-validation, tool-security, tool-budget, request-rewriter, response-rewriter, code-sanitizer'.split(
    ', ',
  );

// Top-level blocks the facts file documents (§1), besides pack/policies/policy, plus the seed's four.
const FACTS_SECTIONS = [
  'providers',
  'agents',
  'testing',
  'model_groups',
  'consumer_groups',
  'routes',
  'provider_routing',
  'provider_fallback',
  'global_rate_limit',
  'ip_rate_limit',
  'user_rate_limit',
  'token_rate_limit',
  'size_limits',
  'rate_limits',
  'workflow_cache',
  'engineering_cache',
  'loads',
  'history',
  'hosted_gateway',
  'unified_access',
  'gateway',
  'fabric',
  'spend_controls',
  'cache',
  'model_allowlist',
];

describe('policy fixture corpus', () => {
  it('has a table row for every invalid and warning fixture', () => {
    expect(dir('invalid')).toEqual(INVALID.map((r) => r[0]).sort());
    expect(dir('warning')).toEqual(WARNING.map((r) => r[0]).sort());
  });

  it('has a valid file for every policy kind of the facts file and the catalogue lists exactly those', () => {
    expect([...KIND_NAMES].sort()).toEqual([...FACTS_KINDS].sort());
    expect(dir('valid/kinds')).toEqual(FACTS_KINDS.map((k) => `${k}.yaml`).sort());
    expect([...STANDALONE_KINDS].sort()).toEqual(['agent-firewall', 'citation-verifier', 'prompt-injection', 'quality-scorer']);
  });

  it('has a valid file for every documented top-level block', () => {
    const files = dir('valid/sections').map((f) => readFileSync(new URL(`../fixtures/policy/valid/sections/${f}`, import.meta.url), 'utf8'));
    for (const section of FACTS_SECTIONS) {
      expect(
        files.some((text) => new RegExp(`^${section}:`, 'm').test(text)),
        section,
      ).toBe(true);
    }
  });

  const valid = VALID_DIRS.flatMap((d) => dir(`valid/${d}`).map((f) => `valid/${d}/${f}`));
  it.each(valid)('%s has no findings', (file) => {
    const report = check(file);
    expect(report.diagnostics).toEqual([]);
    expect(report.validated).toBeDefined();
  });

  it.each(INVALID)('invalid/%s → %s at %s (%i:%i)', (file, code, path, line, column) => {
    const report = check(`invalid/${file}`);
    expect(report.diagnostics.map((d) => [d.code, d.severity, d.path, d.line, d.column])).toEqual([[code, 'error', path, line, column]]);
    expect(hasErrors(report)).toBe(true);
    expect(report.validated).toBeUndefined();
  });

  it.each(WARNING)('warning/%s → %s at %s (%i:%i), still valid', (file, code, path, line, column) => {
    const report = check(`warning/${file}`);
    expect(report.diagnostics.map((d) => [d.code, d.severity, d.path, d.line, d.column])).toEqual([[code, 'warning', path, line, column]]);
    expect(hasErrors(report)).toBe(false);
    expect(hasErrors(promoteWarnings(report))).toBe(true);
    expect(promoteWarnings(report).validated).toBeUndefined();
  });

  it('the shipped example validates with no finding at all', () => {
    const bytes = new Uint8Array(readFileSync(new URL('../../examples/policy-config.yaml', import.meta.url)));
    const report = validatePolicy('examples/policy-config.yaml', bytes);
    expect(report.diagnostics).toEqual([]);
    expect(report.summary).toEqual({ shape: 'config', pack: { name: 'cost-controls', version: '1.0.0' }, chain: ['prompt-injection', 'pii-detector', 'audit-logger'], policyCount: 3 });
  });
});

describe("the product's codes E001–E003", () => {
  it('E001: unknown kind in the chain, with the product message and a did-you-mean', () => {
    const [d] = check('invalid/unknown-kind-in-chain.yaml').diagnostics;
    expect(d).toMatchObject({ code: 'E001', path: 'policies.chain[1]', message: "Unknown policy kind 'pii-detecter'", suggestion: "Did you mean 'pii-detector'?" });
  });

  it('E001 is not followed by E003 for the same entry', () => {
    expect(yaml(config('pii-detecter', '  audit-logger: {}\n')).diagnostics.map((d) => d.code)).toEqual(['E001', 'W002']);
  });

  it('E002: unknown key in a policy block lists the valid keys', () => {
    const [d] = check('invalid/unknown-policy-key.yaml').diagnostics;
    expect(d).toMatchObject({ code: 'E002', path: 'policy.pii-detector.mode', message: "Unknown key 'mode' in policy.pii-detector" });
    expect(d?.suggestion).toBe('valid keys: action, healthcare_mode, pci_mode, redaction, detect_patterns, categories');
    expect(d?.length).toBe('mode'.length);
  });

  it('E002 also inside nested settings of a block, with a did-you-mean', () => {
    const [d] = check('invalid/unknown-nested-policy-key.yaml').diagnostics;
    expect(d?.message).toBe("Unknown key 'marker_fromat' in policy.pii-detector.redaction");
    expect(d?.suggestion).toMatch(/^did you mean 'marker_format'\? valid keys: /);
  });

  it('E003: a chain kind without a block', () => {
    const [d] = check('invalid/chain-without-block.yaml').diagnostics;
    expect(d).toMatchObject({ code: 'E003', path: 'policies.chain[1]', message: "Policy 'audit-logger' is in chain but has no config block" });
    expect(d?.suggestion).toBe("add policy.audit-logger (an empty block {} takes the defaults) or remove 'audit-logger' from the chain");
    expect(yaml(config('audit-logger, pii-detector', '')).diagnostics.map((d) => [d.code, d.path])).toEqual([
      ['E003', 'policies.chain[0]'],
      ['E003', 'policies.chain[1]'],
      ['E202', 'policy'],
    ]);
  });

  it('every kind of the catalogue is accepted in a chain with an empty block', () => {
    const blocks = KIND_NAMES.filter((k) => k !== 'external-moderation').map((k) => `  ${k}: {}\n`);
    const report = yaml(config(KIND_NAMES.filter((k) => k !== 'external-moderation').join(', '), blocks.join('')));
    expect(report.diagnostics).toEqual([]);
    expect(report.summary?.policyCount).toBe(36);
  });
});

describe('strictness inside policy blocks', () => {
  it.each([
    ['pii-detector', '    action: redcat\n', 'E203'],
    ['pii-detector', '    pci_mode: 1\n', 'E202'],
    ['dlp-filter', '    fuzzy_matching: true\n    max_distance: 9\n', 'E206'],
    ['audit-logger', '    retention_days: 0\n', 'E206'],
    ['embedding-detector', '    timeout_ms: 60001\n', 'E206'],
    ['bot-detector', '    action: block-all\n', 'E203'],
    ['hipaa-phi-detector', '    mode: hipaa\n', 'E203'],
    ['itar-ear-filter', '    action: redact\n', 'E203'],
    ['content-extractor', '    allow_hosts: ["*.example.com"]\n', 'E205'],
    ['request-rewriter', '    rules:\n      - pattern: x\n', 'E204'],
    ['request-rewriter', '    system_message: 42\n', 'E202'],
    ['tool-budget', '    budgets:\n      search:\n        max_tokens: 0\n', 'E206'],
    ['flagged-review', '    mode: review\n', 'E203'],
    ['citation-verifier', '    extract_patterns: [doi]\n', 'E203'],
    ['rbac', '    roles:\n      admin:\n        allowed: [x]\n', 'E002'],
  ])('%s %j → %s', (kind, body, code) => {
    const report = yaml(config(kind, `  ${kind}:\n${body}`));
    expect(report.diagnostics.map((d) => d.code)).toEqual([code]);
  });

  it('agent-firewall: either documented format, not a mix', () => {
    expect(yaml(config('agent-firewall', '  agent-firewall:\n    tools:\n      roles:\n        a: {allowed: [x]}\n')).diagnostics).toEqual([]);
    const [d] = check('invalid/mixed-formats.yaml').diagnostics;
    expect(d?.code).toBe('E209');
    expect(d?.message).toBe("'kill_switches' belongs to the expanded format of policy.agent-firewall, but this block uses the simple format (allowed_tools, blocked_tools)");
    const [stray] = yaml(config('agent-firewall', '  agent-firewall:\n    alowed_tools: [x]\n')).diagnostics;
    expect(stray).toMatchObject({ code: 'E002', message: "Unknown key 'alowed_tools' in policy.agent-firewall" });
    expect(stray?.suggestion).toMatch(/^did you mean 'allowed_tools'\? valid keys: allowed_tools, blocked_tools, .*kill_switches, monitoring$/);
  });

  it('external-moderation: secret_key_ref as a name or a reference; endpoint required for webhook providers', () => {
    const block = (body: string) => yaml(config('external-moderation', `  external-moderation:\n${body}`)).diagnostics.map((d) => d.code);
    expect(block('    provider: lakera\n    secret_key_ref: LAKERA_KEY\n')).toEqual([]);
    expect(block('    provider: lakera\n    secret_key_ref: {env: LAKERA_KEY}\n')).toEqual([]);
    expect(block('    provider: lakera\n    secret_key_ref: [LAKERA_KEY]\n')).toEqual(['E202']);
    expect(block('    provider: presidio\n')).toEqual(['E308']);
    expect(block('    provider: presidio\n    endpoint: ftp://x\n')).toEqual(['E205']);
  });

  it('tool-security: an external analysis needs firewall_endpoint', () => {
    expect(yaml(config('tool-security', '  tool-security:\n    analysis_mode: external\n')).diagnostics.map((d) => d.code)).toEqual(['E308']);
    expect(yaml(config('tool-security', '  tool-security:\n    analysis_mode: local\n')).diagnostics).toEqual([]);
  });
});

describe('document shapes', () => {
  it('a full config needs pack name, version and enabled, and policies.chain', () => {
    expect(check('invalid/pack-without-enabled.yaml').diagnostics[0]?.message).toBe('pack is missing the required key "enabled"');
    expect(check('invalid/no-policies.yaml').diagnostics[0]?.message).toBe('the document is missing the required key "policies"');
    expect(yaml('pack: {name: a, version: 1.0.0, enabled: true}\npolicies: {}\n').diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['E204', 'policies is missing the required key "chain"'],
    ]);
    expect(yaml('pack: {name: "", version: 1.0.0, enabled: true}\npolicies: {chain: []}\n').diagnostics[0]?.message).toBe('pack.name must not be empty');
    expect(yaml(`pack: {name: a, version: 1.0.0, enabled: true, description: "${'x'.repeat(2001)}"}\npolicies: {chain: []}\n`).diagnostics[0]?.code).toBe('E205');
  });

  it('without pack, a config-only section means a config missing its pack', () => {
    const [d] = check('invalid/no-pack.yaml').diagnostics;
    expect(d?.suggestion).toContain('a file of spend_controls, model_groups, cache and model_allowlist alone needs neither');
  });

  it("the seed's cost-control blocks stand alone", () => {
    const report = check('valid/shapes/seed-cost-controls.yaml');
    expect(report.summary).toEqual({ shape: 'cost-controls', pack: null, chain: [], policyCount: 0 });
  });

  it('single-policy documents: only the four standalone kinds, sections beside policy', () => {
    expect(check('valid/shapes/single-prompt-injection.yaml').summary).toEqual({ shape: 'single-policy', pack: null, chain: ['prompt-injection'], policyCount: 1 });
    expect(check('invalid/not-standalone.yaml').diagnostics[0]?.message).toBe(
      "'pii-detector' cannot be a single-policy document; only prompt-injection, agent-firewall, quality-scorer, citation-verifier can",
    );
    expect(yaml('policy:\n  name: prompt-injection\n  version: 1.0.0\n').diagnostics.map((d) => d.message)).toEqual(['policy is missing the required key "enabled"']);
    expect(yaml('policy:\n  name: quality-scorer\n  version: 1\n  enabled: true\n').diagnostics.map((d) => d.code)).toEqual(['E202']);
  });
});

describe('cost-control rules and money', () => {
  it('amounts are parsed from their source text by the money module', () => {
    const report = yaml('spend_controls:\n  - {team: a, hard_cap: 10000.000001, soft_cap: 0.1, period: monthly}\n');
    expect(report.diagnostics).toEqual([]);
    expect(report.validated?.amounts.get('spend_controls[0].hard_cap')).toBe(10_000_000_001_000n);
    expect(report.validated?.amounts.get('spend_controls[0].soft_cap')).toBe(100_000_000n);
  });

  it("the decimals limit and its message come from the money module", () => {
    const [d] = check('invalid/too-many-decimals.yaml').diagnostics;
    expect(d?.message).toBe('spend_controls[0].hard_cap: invalid amount "100.1234567891": more than 9 decimals; amounts are exact to 0.000000001');
    expect(check('invalid/exponent-amount.yaml').diagnostics[0]?.message).toContain('uses an exponent');
    expect(check('invalid/zero-soft-cap.yaml').diagnostics[0]?.message).toContain('must be greater than zero');
  });

  it('a quoted amount is a wrong type, with the fix', () => {
    const [d] = yaml('spend_controls:\n  - team: a\n    hard_cap: "$10,000"\n    period: daily\n').diagnostics;
    expect(d?.message).toBe('spend_controls[0].hard_cap must be an amount (a plain number), got the string "$10,000"');
    expect(d?.suggestion).toBe('write the number without quotes, separators or symbols: 10000');
  });

  it('an infinite number is too large to represent', () => {
    const [d] = yaml('spend_controls:\n  - team: a\n    hard_cap: 1e400\n    period: daily\n').diagnostics;
    expect(d).toMatchObject({ code: 'E202', message: 'spend_controls[0].hard_cap is too large a number to represent' });
  });

  it('refuses a soft cap at or above the hard cap and proposes 80%, exactly', () => {
    const [d] = check('invalid/soft-above-hard.yaml').diagnostics;
    expect(d?.message).toBe('soft_cap 100 must be below hard_cap 100');
    expect(d?.suggestion).toBe('the soft cap is the early warning; try 80 (80% of the hard cap)');
    const [odd] = yaml('spend_controls:\n  - {team: a, hard_cap: 0.5, soft_cap: 0.7, period: daily}\n').diagnostics;
    expect(odd?.suggestion).toContain('try 0.4 (80%');
  });

  it('one spend control per team and period; other periods are fine', () => {
    expect(check('invalid/duplicate-control.yaml').diagnostics[0]?.message).toBe('team "search" already has a monthly spend control (spend_controls[0])');
    expect(yaml('spend_controls:\n  - {team: a, hard_cap: 1, period: daily}\n  - {team: a, hard_cap: 20, period: monthly}\n').diagnostics).toEqual([]);
  });

  it('resolves target and group references', () => {
    expect(check('invalid/unknown-target-ref.yaml').diagnostics[0]?.suggestion).toBe('did you mean "openai-gpt4o"?');
    expect(check('invalid/unknown-fallback-group.yaml').diagnostics[0]?.message).toBe('fallback_group "fast-lm" is not the name of a model group');
    const abTest = yaml(config('audit-logger', '  audit-logger: {}\nproviders:\n  targets: [{id: a, provider: openai}]\n  ab_test:\n    variants: [{provider_id: b, weight: 1}]\n'));
    expect(abTest.diagnostics.map((d) => [d.code, d.path])).toEqual([['E306', 'providers.ab_test.variants[0].provider_id']]);
  });

  it('suggests a catalogue model for a near miss', () => {
    expect(check('warning/unknown-model.yaml').diagnostics[0]?.suggestion).toBe('did you mean "gpt-4o-mini"?');
  });

  it('reports every problem in a file, sorted by position', () => {
    const r = yaml('cache:\n  ttl: -5\n  scope: tem\nspend_controls:\n  - team: a\n    hard_cap: 10\n    soft_cap: 20\n    period: daily\n    extra: 1\n');
    expect(r.diagnostics.map((d) => `${d.code}@${d.line}`)).toEqual(['E206@2', 'E203@3', 'E302@7', 'E201@9']);
  });
});

describe('reading the file', () => {
  it('names the duplicate key', () => {
    expect(check('invalid/duplicate-key.yaml').diagnostics[0]?.message).toBe('duplicate key "ttl"');
  });

  it('resolves ordinary aliases but refuses an alias bomb before expanding it', () => {
    expect(check('valid/shapes/anchors.yaml').diagnostics).toEqual([]);
    // Expanded, the document would hold 9^9 (387 million) strings: the refusal
    // comes from counting expansions, so the test finishing at all shows it.
    const [d] = check('invalid/alias-bomb.yaml').diagnostics;
    expect(d?.code).toBe('E108');
    expect(d?.message).toContain('refusing a possible alias bomb');
  });

  it('an aliased amount is parsed from the anchor text', () => {
    expect(check('valid/shapes/anchors.yaml').validated?.amounts.get('spend_controls[1].hard_cap')).toBe(500_250_000_000n);
  });

  it('reports tabs, top-level lists and scalars, and empty files with their own codes', () => {
    expect(check('invalid/tabs.yaml').diagnostics[0]?.message).toBe('a tab is used for indentation; YAML indents with spaces only');
    expect(check('invalid/top-list.yaml').diagnostics[0]?.message).toMatch(/^the top level is a list/);
    expect(check('invalid/top-scalar.yaml').diagnostics[0]?.message).toMatch(/^the top level is a scalar value/);
    expect(check('invalid/empty.yaml').diagnostics[0]?.message).toBe('the file is empty');
    expect(yaml('   \n\n').diagnostics[0]?.code).toBe('E104');
    expect(yaml('---\n...\n').diagnostics[0]?.code).toBe('E104');
    expect(yaml('null\n').diagnostics[0]?.code).toBe('E104');
  });

  it('gives a YAML syntax error a position', () => {
    const [d] = yaml('cache:\n  enabled: true\n   scope: team\n').diagnostics;
    expect(d?.code).toBe('E105');
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
    expect(r.diagnostics.at(-1)).toMatchObject({ code: 'E110', message: '200 more problems not shown (at most 500 per file)' });
  });
});

describe('hostile syntax', () => {
  it('stops after 100 syntax errors without building the document', () => {
    const r = validatePolicy('garbage.yaml', `a: [\n${'  - : : ]]\n'.repeat(50_000)}`);
    expect(r.diagnostics).toHaveLength(101);
    expect(r.diagnostics[0]).toMatchObject({ code: 'E105', line: 2, column: 10 });
    expect(r.diagnostics.at(-1)).toMatchObject({ code: 'E110', message: 'more than 100 syntax errors; stopped here' });
  });

  it('reports absurd nesting as a syntax error, not a crash', () => {
    const r = validatePolicy('deep.yaml', `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    expect(r.diagnostics[0]?.code).toBe('E105');
  });
});
