// The emulator's SQLite tables, the rows as they come back, and the
// migrations that bring a database written by an older kt up to date (the
// default database lives in the user's data directory across upgrades).
import type Database from 'better-sqlite3';
import type { Micros } from '../domain/money.js';
import type { WalletPeriod } from '../domain/periods.js';

export interface WalletRow {
  team_id: string;
  name: string;
  parent_id: string | null;
  currency: string;
  period: WalletPeriod;
  /** Per period; what the wallet starts each period with. */
  allocation: number;
  soft_cap: number | null;
  hard_cap: number | null;
  period_start: number;
  /** Credits less reclaims in the current period. */
  extra: number;
  spent: number;
  reserved: number;
  soft_cap_crossed_at: number | null;
  created_at: number;
  /** Sum of the children's allocation + extra: kept by every write that changes them, so `unallocated` is one subtraction. */
  children_allocated: number;
}

export interface EventInput {
  ts: number;
  team_id: string;
  user_id: string | null;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cached: boolean;
  cost: Micros;
  currency: string;
  request_id: string | null;
}

export interface EventRow {
  seq: number;
  ts: number;
  team_id: string;
  user_id: string | null;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cached: number;
  cost: number;
  currency: string;
  request_id: string | null;
}

export interface TxnRow {
  seq: number;
  wallet_team: string;
  type: string;
  amount: number;
  balance_after: number;
  reservation_id: string | null;
  event_seq: number | null;
  created_at: number;
}

export interface ReservationRow {
  id: string;
  team_id: string;
  amount: number;
  status: string;
  expires_at: number;
  created_at: number;
  request_id: string | null;
}

const TABLES = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS wallets (
  team_id TEXT PRIMARY KEY, name TEXT NOT NULL, parent_id TEXT REFERENCES wallets(team_id),
  currency TEXT NOT NULL, period TEXT NOT NULL, allocation INTEGER NOT NULL,
  soft_cap INTEGER, hard_cap INTEGER, period_start INTEGER NOT NULL,
  extra INTEGER NOT NULL DEFAULT 0, spent INTEGER NOT NULL DEFAULT 0, reserved INTEGER NOT NULL DEFAULT 0,
  soft_cap_crossed_at INTEGER, created_at INTEGER NOT NULL,
  children_allocated INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER NOT NULL, team_id TEXT NOT NULL, user_id TEXT,
  provider TEXT NOT NULL, model TEXT NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
  cached INTEGER NOT NULL, cost INTEGER NOT NULL, currency TEXT NOT NULL, request_id TEXT);
CREATE INDEX IF NOT EXISTS events_ts ON events (ts, seq);
CREATE INDEX IF NOT EXISTS events_team_ts ON events (team_id, ts, seq);
CREATE TABLE IF NOT EXISTS transactions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, wallet_team TEXT NOT NULL, type TEXT NOT NULL,
  amount INTEGER NOT NULL, balance_after INTEGER NOT NULL, reservation_id TEXT, event_seq INTEGER,
  created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS transactions_ts ON transactions (created_at, seq);
CREATE INDEX IF NOT EXISTS transactions_team_ts ON transactions (wallet_team, created_at, seq);
CREATE TABLE IF NOT EXISTS reservations (
  id TEXT PRIMARY KEY, team_id TEXT NOT NULL, amount INTEGER NOT NULL, status TEXT NOT NULL,
  expires_at INTEGER NOT NULL, created_at INTEGER NOT NULL, request_id TEXT);
CREATE INDEX IF NOT EXISTS reservations_held ON reservations (expires_at) WHERE status = 'held';
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL,
  created_at INTEGER NOT NULL);
`;

/**
 * Each step takes a database at version i to i + 1 (PRAGMA user_version).
 * Version 0 is the first release's schema.
 */
const MIGRATIONS: ReadonlyArray<(db: Database.Database) => void> = [
  (db) => {
    const columns = db.prepare<[], { name: string }>('PRAGMA table_info(wallets)').all();
    if (!columns.some((c) => c.name === 'children_allocated')) {
      db.exec('ALTER TABLE wallets ADD COLUMN children_allocated INTEGER NOT NULL DEFAULT 0');
    }
    // Extras of a period already over are still counted here; the roll-over at start-up takes them out.
    db.exec(`UPDATE wallets SET children_allocated =
      (SELECT COALESCE(SUM(c.allocation + c.extra), 0) FROM wallets c WHERE c.parent_id = wallets.team_id)`);
    // Children and subtrees by parent; wallets due to roll over by period.
    db.exec('CREATE INDEX IF NOT EXISTS wallets_parent ON wallets (parent_id)');
    db.exec('CREATE INDEX IF NOT EXISTS wallets_period ON wallets (period, period_start)');
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Creates the tables of a new database, or migrates an older one; in one transaction. */
export function migrate(db: Database.Database): void {
  db.transaction(() => {
    db.exec(TABLES);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`the database was written by a newer kt (schema version ${version}; this kt knows ${SCHEMA_VERSION})`);
    }
    for (let v = version; v < SCHEMA_VERSION; v += 1) MIGRATIONS[v]?.(db);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

const pad = (seq: number): string => String(seq).padStart(10, '0');
export const eventId = (seq: number): string => `evt_${pad(seq)}`;
export const txnId = (seq: number): string => `txn_${pad(seq)}`;
export const iso = (ms: number): string => new Date(ms).toISOString();
