// Team ids and the wallet hierarchy: one rule for what a team id is, one way
// to turn parent links into a tree, one message for a team that does not exist.
import { didYouMean } from './suggest.js';

/** kt's name for the organization: `--team org` means the organization-scope wallet, whatever the server calls it. */
export const ORG_TEAM = 'org';

/** A team id: a letter or digit, then letters, digits, '.', '_' or '-'; 128 characters at most. */
export const TEAM_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
export const TEAM_ID_RULE = "letters, digits, '.', '_' or '-', starting with a letter or digit, at most 128";

export function isTeamId(text: string): boolean {
  return TEAM_ID_PATTERN.test(text);
}

/** A display name from a team id: `customer-support` → `Customer Support`. */
export function teamName(teamId: string): string {
  if (teamId === ORG_TEAM) return 'Organization';
  return teamId
    .split(/[-_.]/)
    .filter((w) => w !== '')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

export interface TeamForest<T> {
  /** Items whose parent is absent or not among the items, in input order. */
  roots: T[];
  /** Children of each team id, in input order. */
  children: Map<string, T[]>;
}

/** Parent links → roots and children, keeping the input order among siblings. */
export function teamForest<T>(items: Iterable<T>, id: (item: T) => string, parent: (item: T) => string | null): TeamForest<T> {
  const list = [...items];
  const ids = new Set(list.map(id));
  const roots: T[] = [];
  const children = new Map<string, T[]>();
  for (const item of list) {
    const p = parent(item);
    if (p === null || !ids.has(p)) {
      roots.push(item);
      continue;
    }
    const siblings = children.get(p);
    if (siblings === undefined) children.set(p, [item]);
    else siblings.push(item);
  }
  return { roots, children };
}

/** The item and everything below it, depth first (a cycle in bad data is visited once). */
export function subtree<T>(forest: TeamForest<T>, rootItem: T, id: (item: T) => string): T[] {
  const out: T[] = [];
  const seen = new Set<string>();
  const stack = [rootItem];
  while (stack.length > 0) {
    const item = stack.pop() as T;
    const key = id(item);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
    const kids = forest.children.get(key) ?? [];
    for (let i = kids.length - 1; i >= 0; i -= 1) stack.push(kids[i] as T);
  }
  return out;
}

/**
 * The one message for a team the control plane does not know, with the
 * nearest known team as a suggestion. `role` names the flag's meaning:
 * `team` for --team, `parent team` for --parent.
 */
export function unknownTeamMessage(team: string, known: Iterable<string>, role: 'team' | 'parent team' = 'team'): { message: string; hint: string } {
  const suggestion = didYouMean(team, [...known].filter((k) => k !== team));
  return {
    message: `unknown ${role} "${team}": the control plane has no wallet for it${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`}`,
    hint: 'run `kt wallets list` to see every team',
  };
}
