// Opens the database, seeds it, and serves it. Used by `kt emulator start`.
import type { Dialect } from './api.js';
import { closeSync, fsync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AddressInfo } from 'node:net';
import { FailureError } from '../errors.js';
import { Store } from './store.js';
import { EmulatorClock } from './clock.js';
import { createEmulatorServer } from './server.js';
import type { FaultRule } from './faults.js';
import { seedDemo, importEvents, type DemoSeeded } from './seed.js';
import { seedUserWallet } from './wallets.js';
import { ZERO } from '../domain/money.js';

export interface EmulatorOptions {
  host: string;
  port: number;
  db: string;
  seed: 'demo' | 'none' | undefined;
  /** Demo requests to generate; undefined: as many as the demo budgets call for. */
  seedEvents: number | undefined;
  /** kt's API contract (default) or the product's documented shapes. */
  dialect?: Dialect;
  importFile: string | undefined;
  adminToken: string;
  gatewayToken: string;
  reservationTtlMs: number;
  faults: FaultRule[];
  faultsSeed: number | undefined;
  /** The clock: the wall clock by default. */
  now?: () => number;
  /** `now` names one fixed instant (KT_NOW): the clock stands still until POST /v1/emulator/clock moves it. */
  clockFixed?: boolean;
}

export interface RunningEmulator {
  url: string;
  seeded: DemoSeeded | undefined;
  imported: number | undefined;
  close(): Promise<void>;
}

async function loadSqlite(): Promise<typeof import('better-sqlite3')> {
  try {
    const mod = (await import('better-sqlite3')) as unknown as { default: typeof import('better-sqlite3') };
    return mod.default;
  } catch (error) {
    throw new FailureError(
      `the emulator needs better-sqlite3, which is not installed (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
      'run: npm install better-sqlite3@12',
    );
  }
}

export async function openEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const Database = await loadSqlite();
  const clock = new EmulatorClock(options.now ?? Date.now, { fixed: options.clockFixed === true });
  const now = clock.now;
  if (options.db !== ':memory:') mkdirSync(dirname(options.db), { recursive: true });
  let db;
  try {
    db = new Database(options.db);
  } catch (error) {
    throw new FailureError(`cannot open database ${options.db}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    // 2 KiB pages for a new file (an existing one keeps its own): a commit writes every page it
    // touched to the WAL whole, and a hold or settle touches a few pages for a few dozen bytes
    // each (its team's wallet row and index leaves). Half the bytes to write, checksum and
    // fsync: 27 → 17 KiB of WAL per reserve+settle at 1,000 wallets, ~8 % less CPU, and no
    // slower reads (200,000 events paged through in the same time either way).
    if (options.db !== ':memory:') db.pragma('page_size = 2048');
    db.pragma('journal_mode = WAL');
    // FULL until the server is up: seeding and --import commit durably; then see walSync.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // 64 MiB of page cache (the default is 2 MiB): the ledger's indexes stay in memory
    // under load; 0.56 → 0.61 of the bare server's throughput in bench/emulator.mjs.
    db.pragma('cache_size = -65536');
    // A checkpoint runs inside a COMMIT, on the event loop, with an fsync of the WAL before it and
    // of the database after it, and copies each page changed since the last one once, however
    // often it changed. Every 80 MiB of WAL (40,000 pages of 2 KiB) instead of SQLite's 1,000
    // pages makes those stalls rare; with spend spread over 1,000 teams, each one copies about
    // the same few thousand pages (their wallet rows and index leaves) whatever the interval,
    // so 80 rather than 40 MiB halved their cost: +3-4 % pairs/s and a p99 of 12 instead of
    // 17 ms in bench/emulator.mjs at 1,000 wallets. The WAL file stays that large on disk.
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.pragma(`wal_autocheckpoint = ${Math.round((80 * 1024 * 1024) / pageSize)}`);
  } catch (error) {
    db.close();
    throw new FailureError(`cannot use database ${options.db}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let store: Store;
  try {
    store = new Store(db, { reservationTtlMs: options.reservationTtlMs, now });
  } catch (error) {
    db.close();
    throw new FailureError(`cannot use database ${options.db}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let seeded: RunningEmulator['seeded'];
  let imported: number | undefined;
  try {
    const fresh = store.getMeta('initialized') === undefined;
    if (fresh) {
      store.tx(() => {
        const seed = options.seed ?? 'demo';
        if (seed === 'demo') {
          seeded = seedDemo(store, { events: options.seedEvents, now: now() });
          // The product's wallets have scopes: its demo has a user's wallet too.
          if (options.dialect === 'product') seedUserWallet(db, store.wallets);
        } else store.wallets.create({ team_id: 'org', name: 'Organization', parent_id: null, currency: 'USD', period: 'monthly', allocation: ZERO, soft_cap: null, hard_cap: null });
        store.setMeta('initialized', new Date(now()).toISOString());
      });
    } else if (options.seed === 'demo') {
      throw new FailureError(`--seed demo needs a new database; ${options.db} already has data`, 'use --db with a new file, or drop --seed');
    }
    // A database last used in an earlier period (or just seeded) starts the current one before it serves.
    store.tx(() => store.applyClock());
    if (options.importFile !== undefined) imported = await importEvents(store, options.importFile);
  } catch (error) {
    db.close();
    throw error;
  }

  let closeWal: (() => void) | undefined;
  if (options.db !== ':memory:') {
    try {
      closeWal = walSync(db, store, options.db);
    } catch (error) {
      db.close();
      throw new FailureError(`cannot use database ${options.db}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const server = createEmulatorServer({
    store,
    adminToken: options.adminToken,
    gatewayToken: options.gatewayToken,
    faults: options.faults,
    faultsSeed: options.faultsSeed,
    clock,
    dialect: options.dialect ?? 'kt',
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      db.close();
      reject(
        new FailureError(
          error.code === 'EADDRINUSE' ? `port ${options.port} on ${options.host} is already in use` : `cannot listen on ${options.host}:${options.port}: ${error.message}`,
          error.code === 'EADDRINUSE' ? 'pick another --port, or --port 0 for a free one' : undefined,
        ),
      );
    });
    server.listen(options.port, options.host, () => resolve());
  });
  // Every request batch applies the clock first; the sweep keeps an idle ledger current, on the emulator's clock.
  const sweep = setInterval(() => {
    try {
      store.tx(() => store.applyClock());
    } catch {
      // the next request expires them instead
    }
  }, Math.min(1000, Math.max(100, Math.floor(options.reservationTtlMs / 2))));
  sweep.unref();
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed = false;
  return {
    url: `http://${host}:${address.port}`,
    seeded,
    imported,
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(sweep);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 500).unref();
      });
      db.close();
      closeWal?.();
    },
  };
}

/**
 * Durable commits without blocking the event loop. With synchronous=FULL,
 * SQLite fsyncs the WAL inside COMMIT, and the server can do nothing else
 * meanwhile (milliseconds on a busy shared disk). Instead: synchronous=NORMAL
 * (SQLite still syncs the WAL before every checkpoint and the database after
 * it), and after each group commit the WAL file is fsynced on the thread pool
 * before any request of that batch is answered. Each commit starts its own
 * fsync at once, while the next batch is served, even if an earlier one is
 * still running: an fsync covers everything written to the file before it
 * began, and queueing behind the earlier one (which may have begun before
 * this commit) kept each batch waiting for two (bench/emulator.mjs: ~6 %
 * more pairs/s without the queue). Returns the cleanup.
 */
function walSync(db: import('better-sqlite3').Database, store: Store, file: string): () => void {
  // A write makes sure the WAL file exists before it is opened; SQLite keeps
  // it (reset in place, never deleted) while this connection is open.
  store.tx(() => store.setMeta('opened_at', new Date().toISOString()));
  const fd = openSync(`${file}-wal`, 'r+');
  db.pragma('synchronous = NORMAL');
  const sync = (): Promise<void> =>
    new Promise<void>((resolve, reject) => fsync(fd, (error) => (error === null ? resolve() : reject(error))));
  store.setCommitSync(sync);
  return () => {
    store.setCommitSync(undefined);
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  };
}
