// GET /v1/whoami, read tolerantly: kt's contract answers {org, name, scopes};
// the product's CLI shows user, organization, role and scope, which may come
// as strings or as objects ({id, email}, {id, name}), and the scope as a list
// or a space- or comma-separated string.
import type { ApiClient } from './client.js';
import { asObject, type RawObject } from './read.js';

export interface Whoami {
  /** The user (or token) name: an email, a name or an id. */
  user: string | null;
  organization: string | null;
  /** The organization's id where the server sends one apart from its name (else the same label). */
  organizationId: string | null;
  role: string | null;
  scopes: string[];
}

const WHERE = 'GET /v1/whoami';

function label(value: unknown, keys: readonly string[]): string | null {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const o = value as RawObject;
    for (const k of keys) if (typeof o[k] === 'string' && o[k] !== '') return o[k];
  }
  return null;
}

function first(o: RawObject, names: readonly string[], keys: readonly string[]): string | null {
  for (const name of names) {
    const found = label(o[name], keys);
    if (found !== null) return found;
  }
  return null;
}

export function readWhoami(raw: unknown): Whoami {
  const o = asObject(raw, 'the response', WHERE);
  const scope = o.scopes ?? o.scope ?? o.permissions;
  const scopes = Array.isArray(scope)
    ? scope.filter((s): s is string => typeof s === 'string')
    : typeof scope === 'string'
      ? scope.split(/[\s,]+/).filter((s) => s !== '')
      : [];
  return {
    user: first(o, ['user', 'name', 'email', 'user_id', 'subject'], ['email', 'name', 'id']),
    organization: first(o, ['organization', 'org', 'organisation', 'org_id', 'organization_id'], ['name', 'slug', 'id']),
    organizationId: first(o, ['organization_id', 'org_id', 'organization', 'org', 'organisation'], ['id', 'slug', 'name']),
    role: first(o, ['role'], ['name', 'id']),
    scopes,
  };
}

export async function fetchWhoami(client: ApiClient): Promise<Whoami> {
  return readWhoami(await client.get<unknown>('/v1/whoami'));
}
