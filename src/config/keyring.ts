// The OS keyring through @napi-rs/keyring (Rust's keyring crate, prebuilt for
// every platform kt supports and shipped in the npm registry, no install
// script): macOS Keychain, Windows Credential Manager, the Secret Service on
// Linux and FreeBSD (GNOME Keyring, KWallet). The binding is imported here
// only, and only when a token is read, written or removed.
//
// On Linux the Secret Service is required explicitly: the crate's default
// falls back to the kernel keyring, which forgets everything at logout or
// reboot, and a login that silently lands there would be lost.
import type { SecretStore } from './secret-store.js';
import { KeyringAccessError, KeyringUnavailableError } from './secret-store.js';

/** The keyring entries' service name; each profile is one account under it. */
export const KEYRING_SERVICE = 'keeptrusts-kt';

/** What the user calls the platform's keyring. */
export function keyringName(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service';
}

/** The crate's messages nest prefixes ("Platform failure: DBus error: …"); keep the part a user can act on. */
export function keyringReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // libdbus's words for "no session bus": it would try X11 autolaunch next.
  if (/autolaunch|set your DBUS_SESSION_BUS_ADDRESS/i.test(message)) return 'no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)';
  return (
    (message.split('\n')[0] ?? '')
      .replace(/^(?:(?:Platform failure|Couldn't access platform storage|Secret Service|DBus error|Error): *)+/i, '')
      .trim() || 'unknown error'
  );
}

type Binding = typeof import('@napi-rs/keyring');

export async function openOsKeyring(options: { signal?: AbortSignal; platform?: NodeJS.Platform } = {}): Promise<SecretStore> {
  const platform = options.platform ?? process.platform;
  const name = keyringName(platform);
  let binding: Binding;
  try {
    binding = await import('@napi-rs/keyring');
  } catch (error) {
    throw new KeyringUnavailableError(name, `the keyring binding did not load on ${platform}-${process.arch} (${keyringReason(error)})`);
  }
  const entry = (account: string): InstanceType<Binding['AsyncEntry']> => {
    try {
      return new binding.AsyncEntry(KEYRING_SERVICE, account, { linux: { store: 'secret-service' } });
    } catch (error) {
      // On Linux and FreeBSD the entry connects to the Secret Service here: a
      // failure means no session bus or no service on it. Keychain and
      // Credential Manager are always there, so a failure is a real one.
      if (platform === 'darwin' || platform === 'win32') throw new KeyringAccessError(name, keyringReason(error));
      throw new KeyringUnavailableError(name, keyringReason(error));
    }
  };
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (options.signal?.aborted === true) throw options.signal.reason as Error;
      throw new KeyringAccessError(name, keyringReason(error));
    }
  };
  return {
    name,
    get: async (account) => {
      const e = entry(account);
      return call(async () => (await e.getPassword(options.signal)) ?? undefined);
    },
    set: async (account, secret) => {
      const e = entry(account);
      await call(() => e.setPassword(secret, options.signal));
    },
    delete: async (account) => {
      const e = entry(account);
      return call(() => e.deleteCredential(options.signal));
    },
  };
}
