// Where a profile's token lives, and reading, storing and removing it.
//
// Reading order: KEEPTRUSTS_API_TOKEN, then the keyring, then the file. The
// config file says where each profile's token lives (`token_store`), so the
// keyring (and its native binding) is opened only for a profile whose token
// is there: a file-only or logged-out profile never touches it.
//
// Storing: the keyring unless --insecure-storage. A machine with no keyring
// falls back to the 0600 file and the caller says so; a keyring that refuses
// is an error and nothing is stored anywhere else.
import { resolve } from 'node:path';
import { AuthError } from '../errors.js';
import { KEYRING_SERVICE } from './keyring.js';
import { KeyringAccessError, KeyringUnavailableError, type OpenSecretStore, type SecretStore } from './secret-store.js';
import type { ConfigStore, StoredProfile } from './store.js';

type Env = Readonly<Record<string, string | undefined>>;

export type TokenSource = 'env' | 'keyring' | 'file' | 'none';

export interface TokenLookup {
  value: string | undefined;
  source: TokenSource;
  /** The variable, the keyring's name or the file's path; undefined when there is no token. */
  where: string | undefined;
  /** Why there is no token where the config file says it lives. */
  missing?: string;
}

export interface CredentialDeps {
  env: Env;
  store: ConfigStore;
  openKeyring: OpenSecretStore;
}

export const TOKEN_VARIABLE = 'KEEPTRUSTS_API_TOKEN';

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);

/**
 * The keyring account of a profile: its name, or `name@dir` for a config
 * directory chosen with KT_CONFIG_DIR. Two config directories are two sets of
 * profiles; their "default" profiles must not share one keyring entry.
 */
export function keyringAccount(profile: string, env: Env): string {
  const dir = nonEmpty(env.KT_CONFIG_DIR);
  return dir === undefined ? profile : `${profile}@${resolve(dir)}`;
}

/** `kt auth login` as the user would retype it for this profile. */
export function loginCommand(profile: string, extra = ''): string {
  return `kt auth login${profile === 'default' ? '' : ` --profile ${profile}`}${extra}`;
}

/** Where the token comes from, known without opening the keyring. */
export function tokenLocation(env: Env, stored: StoredProfile): TokenSource {
  if (nonEmpty(env[TOKEN_VARIABLE]) !== undefined) return 'env';
  if (stored.token_store === 'keyring') return 'keyring';
  if (nonEmpty(stored.token) !== undefined) return 'file';
  return 'none';
}

function readFailure(profile: string, error: unknown): unknown {
  if (error instanceof KeyringUnavailableError) {
    return new AuthError(
      `the token of profile "${profile}" is in the ${error.keyring}, which is not available here: ${error.reason}`,
      `set ${TOKEN_VARIABLE}, run kt where the keyring is available, or log in again with \`${loginCommand(profile, ' --insecure-storage')}\` to keep the token in a 0600 file`,
    );
  }
  if (error instanceof KeyringAccessError) {
    return new AuthError(
      `cannot read the token of profile "${profile}" from the ${error.keyring}: ${error.reason}`,
      `unlock the keyring and try again, set ${TOKEN_VARIABLE}, or log in again with \`${loginCommand(profile, ' --insecure-storage')}\` to keep the token in a 0600 file`,
    );
  }
  return error;
}

export async function readToken(deps: CredentialDeps, profile: string): Promise<TokenLookup> {
  const fromEnv = nonEmpty(deps.env[TOKEN_VARIABLE]);
  if (fromEnv !== undefined) return { value: fromEnv, source: 'env', where: TOKEN_VARIABLE };
  const stored = deps.store.profile(profile);
  let missing: string | undefined;
  if (stored.token_store === 'keyring') {
    let keyring: SecretStore;
    let value: string | undefined;
    try {
      keyring = await deps.openKeyring();
      value = nonEmpty(await keyring.get(keyringAccount(profile, deps.env)));
    } catch (error) {
      throw readFailure(profile, error);
    }
    if (value !== undefined) return { value, source: 'keyring', where: keyring.name };
    missing = `the ${keyring.name} has no token for profile "${profile}" although ${deps.store.path} says it is there`;
  }
  const fromFile = nonEmpty(stored.token);
  if (fromFile !== undefined) return { value: fromFile, source: 'file', where: deps.store.path };
  return missing === undefined ? { value: undefined, source: 'none', where: undefined } : { value: undefined, source: 'none', where: undefined, missing };
}

export interface StoredToken {
  kind: 'keyring' | 'file';
  /** The keyring's name or the file's path. */
  where: string;
  /** Set when there was no keyring and the file was used instead. */
  noKeyring?: KeyringUnavailableError;
  /** The profile's token was in the file and now is not. */
  movedFromFile: boolean;
  /** An older keyring entry that could not be removed (with --insecure-storage or the fallback). */
  leftInKeyring?: string;
}

/**
 * Stores a verified token for `profile` and records where it lives. The
 * profile keeps its API URL, or takes `apiUrl` when given.
 */
export async function storeToken(
  deps: CredentialDeps,
  profile: string,
  token: string,
  options: { insecureStorage: boolean; apiUrl?: string | undefined },
): Promise<StoredToken> {
  const previous = deps.store.profile(profile);
  const apiUrl = options.apiUrl ?? previous.api_url;
  const base: StoredProfile = apiUrl === undefined ? {} : { api_url: apiUrl };
  const account = keyringAccount(profile, deps.env);
  let keyring: SecretStore | undefined;
  let noKeyring: KeyringUnavailableError | undefined;
  if (!options.insecureStorage) {
    try {
      keyring = await deps.openKeyring();
      await keyring.set(account, token);
    } catch (error) {
      if (error instanceof KeyringUnavailableError) {
        noKeyring = error;
      } else if (error instanceof KeyringAccessError) {
        throw new AuthError(
          `cannot store the token in the ${error.keyring}: ${error.reason}; nothing was saved`,
          `unlock the keyring and run \`${loginCommand(profile)}\` again, set ${TOKEN_VARIABLE} instead, or run \`${loginCommand(profile, ' --insecure-storage')}\` to keep the token in a 0600 file`,
        );
      } else {
        throw error;
      }
    }
    if (noKeyring === undefined && keyring !== undefined) {
      await deps.store.saveProfile(profile, { ...base, token_store: 'keyring' });
      return { kind: 'keyring', where: keyring.name, movedFromFile: nonEmpty(previous.token) !== undefined };
    }
  }
  let leftInKeyring: string | undefined;
  if (previous.token_store === 'keyring') {
    // The token now lives in the file: an older keyring entry must not linger.
    try {
      keyring ??= await deps.openKeyring();
      await keyring.delete(account);
    } catch (error) {
      if (!(error instanceof KeyringUnavailableError || error instanceof KeyringAccessError)) throw error;
      leftInKeyring = `the previous token of profile "${profile}" is still in the ${error.keyring} (${error.reason}); remove it there (service "${KEYRING_SERVICE}", account "${account}")`;
    }
  }
  await deps.store.saveProfile(profile, { ...base, token_store: 'file', token });
  const stored: StoredToken = { kind: 'file', where: deps.store.path, movedFromFile: false };
  if (noKeyring !== undefined) stored.noKeyring = noKeyring;
  if (leftInKeyring !== undefined) stored.leftInKeyring = leftInKeyring;
  return stored;
}

/** Removes the profile's token from wherever it lives; returns those places (none when there was nothing). */
export async function removeToken(deps: CredentialDeps, profile: string): Promise<string[]> {
  const previous = deps.store.profile(profile);
  const removed: string[] = [];
  if (previous.token_store === 'keyring') {
    const logout = `kt auth logout${profile === 'default' ? '' : ` --profile ${profile}`}`;
    try {
      const keyring = await deps.openKeyring();
      if (await keyring.delete(keyringAccount(profile, deps.env))) removed.push(keyring.name);
    } catch (error) {
      if (error instanceof KeyringUnavailableError || error instanceof KeyringAccessError) {
        throw new AuthError(
          `cannot remove the token of profile "${profile}" from the ${error.keyring}: ${error.reason}`,
          error instanceof KeyringUnavailableError
            ? `run \`${logout}\` where the keyring is available, or delete the entry there (service "${KEYRING_SERVICE}", account "${keyringAccount(profile, deps.env)}")`
            : `unlock the keyring and run \`${logout}\` again`,
        );
      }
      throw error;
    }
  }
  if (nonEmpty(previous.token) !== undefined) removed.push(deps.store.path);
  if (previous.token_store !== undefined || previous.token !== undefined) {
    await deps.store.saveProfile(profile, previous.api_url === undefined ? {} : { api_url: previous.api_url });
  }
  return removed;
}
