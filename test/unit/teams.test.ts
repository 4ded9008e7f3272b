import { describe, expect, it } from 'vitest';
import { isTeamId, subtree, teamForest, teamName } from '../../src/domain/teams.js';

interface W {
  id: string;
  parent: string | null;
}
const id = (w: W): string => w.id;
const parent = (w: W): string | null => w.parent;

describe('team ids', () => {
  it('accepts letters, digits, dot, dash and underscore after a letter or digit', () => {
    for (const ok of ['org', 'search', 'customer-support', 'ml_2', 'Team.A', 'x'.repeat(128)]) expect(isTeamId(ok)).toBe(true);
  });
  it('refuses empty, leading punctuation, spaces, slashes and overlong ids', () => {
    for (const bad of ['', '-search', '.hidden', 'a b', 'a/b', 'x'.repeat(129), 'é']) expect(isTeamId(bad)).toBe(false);
  });
  it('makes display names', () => {
    expect(teamName('org')).toBe('Organization');
    expect(teamName('customer-support')).toBe('Customer Support');
    expect(teamName('ml_ops.eu')).toBe('Ml Ops Eu');
  });
});

describe('teamForest and subtree', () => {
  const wallets: W[] = [
    { id: 'org', parent: null },
    { id: 'engineering', parent: 'org' },
    { id: 'search', parent: 'engineering' },
    { id: 'product', parent: 'org' },
    { id: 'platform', parent: 'engineering' },
    { id: 'orphan', parent: 'gone' },
  ];

  it('keeps input order among siblings and treats a missing parent as a root', () => {
    const forest = teamForest(wallets, id, parent);
    expect(forest.roots.map(id)).toEqual(['org', 'orphan']);
    expect(forest.children.get('engineering')?.map(id)).toEqual(['search', 'platform']);
  });

  it('walks depth first from any wallet', () => {
    const forest = teamForest(wallets, id, parent);
    expect(subtree(forest, wallets[0] as W, id).map(id)).toEqual(['org', 'engineering', 'search', 'platform', 'product']);
    expect(subtree(forest, wallets[1] as W, id).map(id)).toEqual(['engineering', 'search', 'platform']);
    expect(subtree(forest, wallets[2] as W, id).map(id)).toEqual(['search']);
  });

  it('visits each wallet once when bad data has a cycle', () => {
    const cyclic: W[] = [
      { id: 'a', parent: 'b' },
      { id: 'b', parent: 'a' },
    ];
    const forest = teamForest(cyclic, id, parent);
    expect(forest.roots).toEqual([]);
    expect(subtree(forest, cyclic[0] as W, id).map(id)).toEqual(['a', 'b']);
  });
});
