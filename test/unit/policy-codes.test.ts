import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CODE_INFO, POLICY_CODES } from '../../src/domain/policy/codes.js';
import { INVALID, WARNING } from '../fixtures/policy/corpus.js';

const readme = readFileSync(new URL('../../docs/policy.md', import.meta.url), 'utf8');

function readmeTable(): string[][] {
  const start = readme.indexOf('<!-- policy-codes -->');
  const end = readme.indexOf('<!-- /policy-codes -->');
  expect(start).toBeGreaterThan(-1);
  expect(end).toBeGreaterThan(start);
  return readme
    .slice(start, end)
    .split('\n')
    .filter((line) => /^\| [EW]\d{3} /.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
}

describe('the policy code table', () => {
  it('is the docs/policy.md table, row for row (the docs document exactly what kt emits)', () => {
    expect(readmeTable()).toEqual(POLICY_CODES.map((c) => [c.code, c.severity, c.name, c.title]));
  });

  it('keeps the product codes E001–E003 with their meaning', () => {
    expect(POLICY_CODES.slice(0, 3).map((c) => [c.code, c.name])).toEqual([
      ['E001', 'UnknownPolicyKind'],
      ['E002', 'UnknownPolicyKey'],
      ['E003', 'ChainKindWithoutBlock'],
    ]);
  });

  it('has unique codes and names, warnings only under W', () => {
    expect(new Set(POLICY_CODES.map((c) => c.code)).size).toBe(POLICY_CODES.length);
    expect(new Set(POLICY_CODES.map((c) => c.name)).size).toBe(POLICY_CODES.length);
    for (const c of POLICY_CODES) expect(c.severity === 'warning', c.code).toBe(c.code.startsWith('W'));
  });

  it('has a fixture for every code kt can be made to report from a file', () => {
    const covered = new Set([...INVALID, ...WARNING].map((row) => row[1]));
    // E100 is an internal error, E101/E102 concern reading (tested end to end), E110 the finding cap (unit-tested).
    const uncovered = POLICY_CODES.map((c) => c.code).filter((code) => !covered.has(code));
    expect(uncovered).toEqual(['E100', 'E101', 'E102', 'E110']);
    for (const code of covered) expect(CODE_INFO.has(code), code).toBe(true);
  });
});
