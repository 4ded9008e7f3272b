// A database written by the first release (schema version 0) opens in this
// one: children_allocated is added and filled in, and the roll-over at start
// takes out the credits of a period that ended while the emulator was off.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/emulator/store.js';
import { SCHEMA_VERSION, type EventRow, type TxnRow } from '../../src/emulator/schema.js';
import { eventJson, txnJson } from '../../src/emulator/resource-json.js';
import { unallocatedOf } from '../../src/emulator/wallets.js';
import { nanos } from '../../src/domain/money.js';

// The wallets table as the first release created it.
const VERSION_0_WALLETS = `
CREATE TABLE wallets (
  team_id TEXT PRIMARY KEY, name TEXT NOT NULL, parent_id TEXT REFERENCES wallets(team_id),
  currency TEXT NOT NULL, period TEXT NOT NULL, allocation INTEGER NOT NULL,
  soft_cap INTEGER, hard_cap INTEGER, period_start INTEGER NOT NULL,
  extra INTEGER NOT NULL DEFAULT 0, spent INTEGER NOT NULL DEFAULT 0, reserved INTEGER NOT NULL DEFAULT 0,
  soft_cap_crossed_at INTEGER, created_at INTEGER NOT NULL);`;

const MARCH = Date.parse('2026-03-01T00:00:00Z');

function versionZero(): Database.Database {
  const db = new Database(':memory:');
  db.exec(VERSION_0_WALLETS);
  const insert = db.prepare(
    'INSERT INTO wallets (team_id, name, parent_id, currency, period, allocation, period_start, extra, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  insert.run('org', 'Organization', null, 'USD', 'monthly', 100_000_000, MARCH, 0, MARCH);
  insert.run('eng', 'Engineering', 'org', 'USD', 'monthly', 40_000_000, MARCH, 5_000_000, MARCH);
  insert.run('search', 'Search', 'eng', 'USD', 'quarterly', 10_000_000, Date.parse('2026-01-01T00:00:00Z'), 1_000_000, MARCH);
  insert.run('sales', 'Sales', 'org', 'USD', 'monthly', 20_000_000, MARCH, 0, MARCH);
  return db;
}

describe('schema migrations', () => {
  it('adds and fills children_allocated in a version 0 database', () => {
    const db = versionZero();
    const store = new Store(db, { reservationTtlMs: 60_000, now: () => Date.parse('2026-03-20T00:00:00Z') });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const sums = Object.fromEntries(store.wallets.all().map((w) => [w.team_id, w.children_allocated]));
    // Version 2 turned the micro-units into nano-units (× 1000).
    expect(sums).toEqual({ org: 65_000_000_000n, eng: 11_000_000_000n, search: 0n, sales: 0n });
    expect(unallocatedOf(store.wallets.get('org'))).toBe(35_000_000_000n);
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'wallets' AND name LIKE 'wallets_%'").pluck().all();
    expect(indexes.sort()).toEqual(['wallets_parent', 'wallets_period']);
  });

  it('then lets the roll-over take lapsed credits out of the sums', () => {
    const db = versionZero();
    const store = new Store(db, { reservationTtlMs: 60_000, now: () => Date.parse('2026-04-02T00:00:00Z') });
    expect(store.applyClock().rolled).toBe(4);
    const sums = Object.fromEntries(store.wallets.all().map((w) => [w.team_id, w.children_allocated]));
    expect(sums).toEqual({ org: 60_000_000_000n, eng: 10_000_000_000n, search: 0n, sales: 0n });
  });

  it('opens a current database again without changing it', () => {
    const db = new Database(':memory:');
    const first = new Store(db, { reservationTtlMs: 60_000, now: () => MARCH });
    first.wallets.allocate({ team_id: 'org', amount: nanos(5_000_000n), currency: 'USD', period: 'monthly' });
    first.wallets.allocate({ team_id: 'eng', amount: nanos(2_000_000n), currency: 'USD', period: 'monthly' });
    const again = new Store(db, { reservationTtlMs: 60_000, now: () => MARCH });
    expect(again.wallets.get('org').children_allocated).toBe(2_000_000n);
  });

  it('refuses a database from a newer kt', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    expect(() => new Store(db, { reservationTtlMs: 60_000 })).toThrow(
      `the database was written by a newer kt (schema version ${SCHEMA_VERSION + 1}; this kt knows ${SCHEMA_VERSION})`,
    );
  });
});

// Version 1's tables that hold money (micro-units then), and its events without the product's fields.
const VERSION_1 = `
CREATE TABLE wallets (
  team_id TEXT PRIMARY KEY, name TEXT NOT NULL, parent_id TEXT REFERENCES wallets(team_id),
  currency TEXT NOT NULL, period TEXT NOT NULL, allocation INTEGER NOT NULL,
  soft_cap INTEGER, hard_cap INTEGER, period_start INTEGER NOT NULL,
  extra INTEGER NOT NULL DEFAULT 0, spent INTEGER NOT NULL DEFAULT 0, reserved INTEGER NOT NULL DEFAULT 0,
  soft_cap_crossed_at INTEGER, created_at INTEGER NOT NULL,
  children_allocated INTEGER NOT NULL DEFAULT 0);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER NOT NULL, team_id TEXT NOT NULL, user_id TEXT,
  provider TEXT NOT NULL, model TEXT NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
  cached INTEGER NOT NULL, cost INTEGER NOT NULL, currency TEXT NOT NULL, request_id TEXT);
CREATE TABLE transactions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, wallet_team TEXT NOT NULL, type TEXT NOT NULL,
  amount INTEGER NOT NULL, balance_after INTEGER NOT NULL, reservation_id TEXT, event_seq INTEGER,
  created_at INTEGER NOT NULL);
CREATE TABLE reservations (
  id TEXT PRIMARY KEY, team_id TEXT NOT NULL, amount INTEGER NOT NULL, status TEXT NOT NULL,
  expires_at INTEGER NOT NULL, created_at INTEGER NOT NULL, request_id TEXT);
PRAGMA user_version = 1;`;

describe('schema version 2: nano-units', () => {
  it('turns the micro-units of a version 1 database into nano-units and keeps event ids', () => {
    const db = new Database(':memory:');
    db.exec(VERSION_1);
    db.prepare(
      "INSERT INTO wallets (team_id, name, parent_id, currency, period, allocation, soft_cap, hard_cap, period_start, extra, spent, reserved, created_at, children_allocated) VALUES ('org', 'Organization', NULL, 'USD', 'monthly', 50000000000, 40000000000, NULL, ?, 1500000, 1234567, 250000, ?, 0)",
    ).run(MARCH, MARCH);
    // Two events; the first row is deleted so the second's seq (2) is not its position.
    db.prepare("INSERT INTO events (ts, team_id, provider, model, input_tokens, output_tokens, cached, cost, currency) VALUES (?, 'org', 'openai', 'gpt-4o', 1, 1, 0, 1, 'USD')").run(MARCH);
    db.prepare("INSERT INTO events (ts, team_id, provider, model, input_tokens, output_tokens, cached, cost, currency, request_id) VALUES (?, 'org', 'openai', 'gpt-4o', 250, 10, 0, 1234567, 'USD', 'req-1')").run(MARCH + 1);
    db.exec('DELETE FROM events WHERE seq = 1');
    db.prepare("INSERT INTO transactions (wallet_team, type, amount, balance_after, event_seq, created_at) VALUES ('org', 'settle', -1234567, 49998765433, 2, ?)").run(MARCH + 1);
    db.prepare("INSERT INTO reservations (id, team_id, amount, status, expires_at, created_at) VALUES ('res_1', 'org', 250000, 'held', ?, ?)").run(MARCH + 60_000, MARCH);

    const store = new Store(db, { reservationTtlMs: 60_000, now: () => MARCH + 2 });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const org = store.wallets.get('org');
    expect([org.allocation, org.soft_cap, org.hard_cap, org.extra, org.spent, org.reserved]).toEqual([
      50_000_000_000_000n,
      40_000_000_000_000n,
      null,
      1_500_000_000n,
      1_234_567_000n,
      250_000_000n,
    ]);
    const event = store.events.get(2);
    expect(event?.cost).toBe(1_234_567_000n);
    const json = eventJson(event as EventRow, true);
    expect(json).toMatchObject({ id: 'evt_0000000002', verdict: 'allow', reason_code: 'all_policies_passed', event_type: 'decision', config_version: '0.2.0' });
    expect(json.event_cost_attribution).toEqual({ total_cost_usd: 1_234_567_000n, source_spend_log_id: 'spl_0000000002' });
    const txn = store.wallets.transaction(1);
    expect([txn?.amount, txn?.balance_after]).toEqual([-1_234_567_000n, 49_998_765_433_000n]);
    expect(txnJson(txn as TxnRow).event_id).toBe('evt_0000000002');
    const held = db.prepare('SELECT amount FROM reservations').safeIntegers(true).pluck().get();
    expect(held).toBe(250_000_000n);
    // Opened again: nothing is multiplied twice.
    const again = new Store(db, { reservationTtlMs: 60_000, now: () => MARCH + 2 });
    expect(again.wallets.get('org').spent).toBe(1_234_567_000n);
  });
});
