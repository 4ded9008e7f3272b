import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../src/domain/suggest.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['hard_cap', 'hard_cap', 0],
    ['hrad_cap', 'hard_cap', 1],
    ['sof_cap', 'soft_cap', 1],
    ['montly', 'monthly', 1],
    ['kitten', 'sitting', 3],
  ])('%s → %s = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});

describe('didYouMean', () => {
  const keys = ['team', 'hard_cap', 'soft_cap', 'period', 'on_soft_cap', 'on_hard_cap'];
  it('finds transpositions, omissions and case slips', () => {
    expect(didYouMean('hrad_cap', keys)).toBe('hard_cap');
    expect(didYouMean('perod', keys)).toBe('period');
    expect(didYouMean('Team', keys)).toBe('team');
  });
  it('stays quiet when nothing is close', () => {
    expect(didYouMean('budget', keys)).toBeUndefined();
    expect(didYouMean('x', [])).toBeUndefined();
  });
});
