// The emulator's SQLite tables, the rows as they come back, and the
// migrations that bring a database written by an older kt up to date (the
// default database lives in the user's data directory across upgrades).
import type Database from 'better-sqlite3';
import type { Money } from '../domain/money.js';
import type { WalletPeriod } from '../domain/periods.js';

export interface WalletRow {
  team_id: string;
  name: string;
  parent_id: string | null;
  currency: string;
  period: WalletPeriod;
  /** Per period; what the wallet starts each period with. */
  allocation: Money;
  soft_cap: Money | null;
  hard_cap: Money | null;
  period_start: number;
  /** Credits less reclaims in the current period. */
  extra: Money;
  spent: Money;
  reserved: Money;
  soft_cap_crossed_at: number | null;
  created_at: number;
  /** Sum of the children's allocation + extra: kept by every write that changes them, so `unallocated` is one subtraction. */
  children_allocated: Money;
}

export const VERDICTS = ['allow', 'block', 'redact', 'escalate'] as const;
export type Verdict = (typeof VERDICTS)[number];
export const isVerdict = (text: string): text is Verdict => (VERDICTS as readonly string[]).includes(text);

/** The product fields an event carries besides kt's; the defaults describe a request every policy passed. */
export interface DecisionFields {
  verdict: Verdict;
  reason_code: string;
  event_type: string;
  config_version: string;
  /** The spend log the cost came from; null renders the one derived from the event's id. */
  spend_log_id: string | null;
}

export const DEFAULT_DECISION: Readonly<DecisionFields> = {
  verdict: 'allow',
  reason_code: 'all_policies_passed',
  event_type: 'decision',
  config_version: '0.2.0',
  spend_log_id: null,
};

export interface EventInput {
  ts: number;
  team_id: string;
  user_id: string | null;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cached: boolean;
  cost: Money;
  currency: string;
  request_id: string | null;
  /** Defaults: DEFAULT_DECISION. */
  decision?: DecisionFields | undefined;
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
  cost: Money;
  currency: string;
  request_id: string | null;
  verdict: string;
  reason_code: string;
  event_type: string;
  config_version: string;
  spend_log_id: string | null;
}

export interface TxnRow {
  seq: number;
  wallet_team: string;
  type: string;
  amount: Money;
  balance_after: Money;
  reservation_id: string | null;
  event_seq: number | null;
  created_at: number;
}

export interface ReservationRow {
  id: string;
  team_id: string;
  amount: Money;
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
  cached INTEGER NOT NULL, cost INTEGER NOT NULL, currency TEXT NOT NULL, request_id TEXT,
  verdict TEXT NOT NULL DEFAULT 'allow', reason_code TEXT NOT NULL DEFAULT 'all_policies_passed',
  event_type TEXT NOT NULL DEFAULT 'decision', config_version TEXT NOT NULL DEFAULT '0.2.0', spend_log_id TEXT);
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
CREATE TABLE IF NOT EXISTS usage_hourly (
  hour_start INTEGER NOT NULL, team_id TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL,
  requests INTEGER NOT NULL, cached INTEGER NOT NULL, blocked INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cost INTEGER NOT NULL,
  PRIMARY KEY (hour_start, team_id, provider, model)) WITHOUT ROWID;
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
  // Version 2: money in nano-units (1e-9 of the currency) instead of micro-units, and the
  // product's decision fields on events. Ids of existing events stay as they were (derived from seq).
  (db) => {
    db.exec(`UPDATE wallets SET allocation = allocation * 1000, soft_cap = soft_cap * 1000, hard_cap = hard_cap * 1000,
      extra = extra * 1000, spent = spent * 1000, reserved = reserved * 1000, children_allocated = children_allocated * 1000`);
    db.exec('UPDATE events SET cost = cost * 1000');
    db.exec('UPDATE transactions SET amount = amount * 1000, balance_after = balance_after * 1000');
    db.exec('UPDATE reservations SET amount = amount * 1000');
    const columns = new Set(db.prepare<[], { name: string }>('PRAGMA table_info(events)').all().map((c) => c.name));
    const added: Array<[string, string]> = [
      ['verdict', "TEXT NOT NULL DEFAULT 'allow'"],
      ['reason_code', "TEXT NOT NULL DEFAULT 'all_policies_passed'"],
      ['event_type', "TEXT NOT NULL DEFAULT 'decision'"],
      ['config_version', "TEXT NOT NULL DEFAULT '0.2.0'"],
      ['spend_log_id', 'TEXT'],
    ];
    for (const [name, type] of added) if (!columns.has(name)) db.exec(`ALTER TABLE events ADD COLUMN ${name} ${type}`);
  },
  // Version 3: hourly usage rollups (rollups.ts), kept for spend older than the raw events. The
  // table itself comes with TABLES; the version tells an older kt that it cannot read such a
  // database whole.
  () => undefined,
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

/**
 * A row read by a statement in safe-integer mode: every integer came back a
 * bigint; all but the money columns (`money`) go back to numbers (ids,
 * instants and token counts are far below 2^53).
 */
export function fromDb<T>(raw: unknown, money: ReadonlySet<string>): T {
  const row = raw as Record<string, unknown>;
  for (const key in row) {
    const v = row[key];
    if (typeof v === 'bigint' && !money.has(key)) row[key] = Number(v);
  }
  return row as T;
}

export const WALLET_MONEY: ReadonlySet<string> = new Set(['allocation', 'soft_cap', 'hard_cap', 'extra', 'spent', 'reserved', 'children_allocated']);
export const EVENT_MONEY: ReadonlySet<string> = new Set(['cost']);
export const TXN_MONEY: ReadonlySet<string> = new Set(['amount', 'balance_after']);
export const RESERVATION_MONEY: ReadonlySet<string> = new Set(['amount']);

const pad = (seq: number): string => String(seq).padStart(10, '0');
export const eventId = (seq: number): string => `evt_${pad(seq)}`;
export const spendLogId = (seq: number): string => `spl_${pad(seq)}`;
export const txnId = (seq: number): string => `txn_${pad(seq)}`;
export const iso = (ms: number): string => new Date(ms).toISOString();
