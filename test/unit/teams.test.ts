import { describe, expect, it } from 'vitest';
import { isTeamId, subtree, teamForest, teamName, unknownTeamMessage } from '../../src/domain/teams.js';
import { chainFromList, explainUnknownTeam, teamChain } from '../../src/cli/teams.js';
import { readWallet } from '../../src/api/wallets.js';
import { ApiError, FailureError } from '../../src/errors.js';
import { scriptedApi } from '../helpers/fake-api.js';

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

describe('one message for an unknown team', () => {
  it('suggests the nearest known team, and names the parent when the parent is wrong', () => {
    expect(unknownTeamMessage('serch', ['org', 'search', 'engineering'])).toEqual({
      message: 'unknown team "serch": the control plane has no wallet for it; did you mean "search"?',
      hint: 'run `kt wallets list` to see every team',
    });
    expect(unknownTeamMessage('enginering', ['org', 'search', 'engineering'], 'parent team').message).toBe(
      'unknown parent team "enginering": the control plane has no wallet for it; did you mean "engineering"?',
    );
    expect(unknownTeamMessage('zzz', ['org', 'search']).message).toBe('unknown team "zzz": the control plane has no wallet for it');
  });

  const WALLETS = [
    { id: 'wal_7f3c', scope: 'organization', name: 'Acme', balance: 10 },
    { id: 'wal_s', scope: 'team', team_id: 'search', balance: 3 },
    { id: 'wal_u', scope: 'user', user_id: 'usr_ada', balance: 1 },
  ];
  const api = (): ReturnType<typeof scriptedApi>['api'] =>
    scriptedApi((path) => {
      if (path === '/v1/wallets') return { wallets: WALLETS };
      throw new ApiError({ status: 404, code: 'http_404', message: 'no wallet for team "serch" (HTTP 404 from GET /v1/events)' });
    }).api;

  it("turns any command's 404 for a team it named into the message, checked against the list", async () => {
    const error = new ApiError({ status: 404, code: 'http_404', message: 'no wallet for team "serch" (HTTP 404 from GET /v1/events)' });
    const explained = await explainUnknownTeam(error, { team: ['search,serch'] }, () => Promise.resolve(api()));
    expect(explained).toBeInstanceOf(FailureError);
    expect((explained as FailureError).message).toBe('unknown team "serch": the control plane has no wallet for it; did you mean "search"?');
    // A 404 whose teams all exist is not about teams: it passes through unchanged.
    expect(await explainUnknownTeam(error, { team: 'search' }, () => Promise.resolve(api()))).toBe(error);
    expect(await explainUnknownTeam(error, {}, () => Promise.resolve(api()))).toBe(error);
    const other = new ApiError({ status: 500, code: 'internal', message: 'boom' });
    expect(await explainUnknownTeam(other, { team: 'serch' }, () => Promise.resolve(api()))).toBe(other);
  });

  it('--team org is the organization-scope wallet whatever its id; a user wallet is no team', async () => {
    const wallets = WALLETS.map((w) => readWallet(w, 'test'));
    expect(chainFromList(wallets, 'org').wallet.id).toBe('wal_7f3c');
    expect(chainFromList(wallets, 'search').parents.map((w) => w.id)).toEqual(['wal_7f3c']);
    expect(() => chainFromList(wallets, 'usr_ada')).toThrow('unknown team "usr_ada"');
    // A balance endpoint answering for someone else (the product's cascade of the caller) is not taken for the team.
    const cascade = scriptedApi((path) => (path === '/v1/wallets' ? { wallets: WALLETS } : { effective_scope: 'user', cascade: [WALLETS[2], WALLETS[0]] }));
    expect((await teamChain(cascade.api, 'search')).wallet.id).toBe('wal_s');
    expect(cascade.calls.map((c) => c.path)).toEqual(['/v1/wallets/balance', '/v1/wallets']);
  });
});
