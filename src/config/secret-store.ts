// The small interface kt keeps tokens behind: the OS keyring in real use
// (keyring.ts), an in-process map in unit tests. Two failures matter and are
// kept apart, because kt answers them differently: a machine with no keyring
// at all (login falls back to the 0600 file and says so), and a keyring that
// exists but refuses (locked, access denied: an error, never a silent
// fallback).

export interface SecretStore {
  /** What the user knows it as: "macOS Keychain", "Windows Credential Manager", "Secret Service". */
  readonly name: string;
  get(account: string): Promise<string | undefined>;
  set(account: string, secret: string): Promise<void>;
  /** True when there was an entry to delete. */
  delete(account: string): Promise<boolean>;
}

/** Opens the keyring; may load a native binding, so called only when a token is needed. */
export type OpenSecretStore = () => Promise<SecretStore>;

/** There is no keyring on this machine (no session bus, no Secret Service, no binary for the platform). */
export class KeyringUnavailableError extends Error {
  readonly keyring: string;
  readonly reason: string;
  constructor(keyring: string, reason: string) {
    super(`no ${keyring} is available: ${reason}`);
    this.name = 'KeyringUnavailableError';
    this.keyring = keyring;
    this.reason = reason;
  }
}

/** The keyring exists but did not do what was asked: locked, access refused, or failed. */
export class KeyringAccessError extends Error {
  readonly keyring: string;
  readonly reason: string;
  constructor(keyring: string, reason: string) {
    super(`the ${keyring} refused access: ${reason}`);
    this.name = 'KeyringAccessError';
    this.keyring = keyring;
    this.reason = reason;
  }
}
