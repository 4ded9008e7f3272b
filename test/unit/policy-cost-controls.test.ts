import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validatePolicy } from '../../src/policy/validate.js';
import { readCostControls } from '../../src/domain/policy/cost-controls.js';
import { formatDecimal, parseAmount } from '../../src/domain/money.js';
import type { ValidatedPolicy } from '../../src/domain/policy/diagnostic.js';

function validated(text: string): ValidatedPolicy {
  const report = validatePolicy('p.yaml', text);
  expect(report.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return report.validated!;
}

describe('readCostControls', () => {
  it("reads the seed guide's blocks with amounts as exact money", () => {
    const text = readFileSync(new URL('../fixtures/policy/valid/shapes/seed-cost-controls.yaml', import.meta.url), 'utf8');
    expect(readCostControls(validated(text))).toEqual({
      spendControls: [
        { team: 'search', period: 'monthly', hardCap: parseAmount('10000'), softCap: parseAmount('8000'), currency: undefined, onSoftCap: 'notify', onHardCap: 'block' },
        {
          team: 'customer-support',
          period: 'monthly',
          hardCap: parseAmount('8000'),
          softCap: parseAmount('6000'),
          currency: undefined,
          onSoftCap: 'notify',
          onHardCap: 'escalate',
        },
      ],
      costPriorityGroups: [
        {
          name: 'cost-optimized',
          models: [
            { provider: 'openai', model: 'gpt-4o-mini', maxTokens: 1000, priority: 1 },
            { provider: 'openai', model: 'gpt-4o', maxTokens: undefined, priority: 2 },
          ],
        },
      ],
      modelAllowlist: ['gpt-4o-mini'],
    });
  });

  it('keeps every decimal up to the money module limit, parsed from the text', () => {
    const controls = readCostControls(validated('spend_controls:\n  - {team: a, hard_cap: 9007199254.740991, period: yearly, currency: EUR}\n'));
    expect(controls.spendControls[0]?.hardCap).toBe(parseAmount('9007199254.740991'));
    expect(formatDecimal(controls.spendControls[0]!.hardCap)).toBe('9007199254.740991');
    expect(controls.spendControls[0]?.currency).toBe('EUR');
  });

  it('reads the blocks out of a full config too, and only cost-priority groups in the models form', () => {
    const text = readFileSync(new URL('../../examples/policy-config.yaml', import.meta.url), 'utf8');
    const withOtherGroups = `${text}\n`.replace(
      'model_groups:\n',
      'model_groups:\n  - name: weighted\n    models: [{provider: openai, model: gpt-4o, weight: 1}]\n  - name: by-target\n    targets: [openai-primary]\n',
    );
    const controls = readCostControls(validated(withOtherGroups));
    expect(controls.costPriorityGroups.map((g) => g.name)).toEqual(['cost-optimized']);
    expect(controls.spendControls.map((s) => s.team)).toEqual(['search', 'customer-support']);
  });

  it('is empty for a document without cost controls', () => {
    expect(readCostControls(validated('pack: {name: a, version: 1.0.0, enabled: true}\npolicies: {chain: []}\n'))).toEqual({
      spendControls: [],
      costPriorityGroups: [],
      modelAllowlist: [],
    });
  });

  it('round-trips a spend_controls file written from money values (what kt savings --emit-policy will write)', () => {
    const caps = [parseAmount('1234.5'), parseAmount('0.000001')];
    const file = `spend_controls:\n${caps.map((cap, i) => `  - team: team-${i}\n    hard_cap: ${formatDecimal(cap, 0)}\n    period: monthly\n    on_hard_cap: block\n`).join('')}`;
    const controls = readCostControls(validated(file));
    expect(controls.spendControls.map((s) => s.hardCap)).toEqual(caps);
  });

  it('refuses a document that did not pass validation', () => {
    const forged: ValidatedPolicy = { shape: 'cost-controls', value: { spend_controls: [{ team: 'a', hard_cap: 5, period: 'monthly' }] }, amounts: new Map() };
    expect(() => readCostControls(forged)).toThrow('spend_controls[0] was not validated');
  });
});
