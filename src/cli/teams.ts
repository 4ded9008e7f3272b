// Teams as every command names them: `--team T` finds T's wallet (and `org`
// the organization's, whatever the server calls it), and a team the control
// plane does not know gets one message everywhere, with the nearest known
// team as a did-you-mean. Commands that read wallets raise it themselves;
// for the others (events, savings, …) the action wrapper turns the API's
// 404 into it (explainUnknownTeam; main.ts loads this module only then).
import type { ApiClient } from '../api/client.js';
import { isTeamWallet, listWallets, parentKey, teamIds, walletBalance, walletKey, walletOfTeam, type Wallet } from '../api/wallets.js';
import { ApiError, FailureError } from '../errors.js';
import { ORG_TEAM, unknownTeamMessage } from '../domain/teams.js';

export function unknownTeamError(team: string, known: Iterable<string>, role: 'team' | 'parent team' = 'team'): FailureError {
  const { message, hint } = unknownTeamMessage(team, known, role);
  return new FailureError(message, hint);
}

/** A 404 that may mean an unknown team: the contract's team_not_found, or any 404 from a server that says less. */
export function mayBeUnknownTeam(error: unknown): boolean {
  return error instanceof ApiError && (error.code === 'team_not_found' || error.status === 404);
}

export interface TeamChain {
  wallet: Wallet;
  /** Nearest parent first, the organization last. */
  parents: Wallet[];
}

/**
 * The wallet `--team team` means and its parents. kt's contract answers
 * GET /v1/wallets/balance?team_id=; a server whose balance endpoint answers
 * for someone else (the product's answers with the caller's cascade), or not
 * at all, is read through the wallet list instead. Unknown: unknownTeamError.
 */
export async function teamChain(api: ApiClient, team: string): Promise<TeamChain> {
  try {
    const answer = await walletBalance(api, team);
    // A user's wallet in a cascade is where spend starts, not a parent of the team's.
    if (isTeamWallet(answer.wallet, team)) return { wallet: answer.wallet, parents: answer.parents.filter((p) => p.scope !== 'user') };
  } catch (error) {
    if (!mayBeUnknownTeam(error)) throw error;
  }
  return chainFromList(await listWallets(api), team);
}

/** teamChain over a wallet list already read. */
export function chainFromList(wallets: readonly Wallet[], team: string): TeamChain {
  const wallet = walletOfTeam(wallets, team);
  if (wallet === undefined) throw unknownTeamError(team, teamIds(wallets));
  const hasOrganization = wallets.some((w) => w.scope === 'organization' || w.team_id === ORG_TEAM);
  const byKey = new Map(wallets.map((w) => [walletKey(w), w]));
  const parents: Wallet[] = [];
  const seen = new Set([walletKey(wallet)]);
  for (let key = parentKey(wallet, hasOrganization); key !== null && !seen.has(key); ) {
    seen.add(key);
    const parent = byKey.get(key);
    if (parent === undefined) break;
    parents.push(parent);
    key = parentKey(parent, hasOrganization);
  }
  return { wallet, parents };
}

/** Team ids from the flags a command was given: `--team a,b` (or repeated) and `--parent`. */
function askedTeams(opts: Record<string, unknown>): Array<{ team: string; role: 'team' | 'parent team' }> {
  const out: Array<{ team: string; role: 'team' | 'parent team' }> = [];
  const add = (value: unknown, role: 'team' | 'parent team'): void => {
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      if (typeof item !== 'string') continue;
      for (const t of item.split(',')) if (t.trim() !== '') out.push({ team: t.trim(), role });
    }
  };
  add(opts.team, 'team');
  add(opts.parent, 'parent team');
  return out;
}

/**
 * The command failed with a 404 and named teams: when one of them has no
 * wallet, the error becomes the one unknown-team message (the list of teams
 * read for the suggestion). Anything else passes through unchanged.
 */
export async function explainUnknownTeam(error: unknown, opts: Record<string, unknown>, api: () => Promise<ApiClient>): Promise<unknown> {
  if (!(error instanceof ApiError) || !mayBeUnknownTeam(error)) return error;
  const asked = askedTeams(opts);
  if (asked.length === 0) return error;
  const named = typeof error.details?.team_id === 'string' ? error.details.team_id : undefined;
  let wallets: Wallet[];
  try {
    wallets = await listWallets(await api());
  } catch {
    // Without the list there is no suggestion; the server's own team_not_found still names the team.
    const hit = asked.find((a) => a.team === named);
    return error.code === 'team_not_found' && hit !== undefined ? unknownTeamError(hit.team, [], hit.role) : error;
  }
  const unknown = asked.filter((a) => walletOfTeam(wallets, a.team) === undefined);
  const chosen = unknown.find((a) => a.team === named) ?? unknown[0];
  return chosen === undefined ? error : unknownTeamError(chosen.team, teamIds(wallets), chosen.role);
}
