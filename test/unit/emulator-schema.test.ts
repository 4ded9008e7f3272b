// A database written by the first release (schema version 0) opens in this
// one: children_allocated is added and filled in, and the roll-over at start
// takes out the credits of a period that ended while the emulator was off.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/emulator/store.js';
import { SCHEMA_VERSION } from '../../src/emulator/schema.js';
import { unallocatedOf } from '../../src/emulator/wallets.js';

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
    first.wallets.allocate({ team_id: 'org', amount: 5_000_000n, currency: 'USD', period: 'monthly' });
    first.wallets.allocate({ team_id: 'eng', amount: 2_000_000n, currency: 'USD', period: 'monthly' });
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
