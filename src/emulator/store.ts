// The emulator's ledger on SQLite, put together: wallets, reservations,
// events, period roll-over and history loading over one database, with group
// commit around the requests. Money is integer nano-units (1e-9 of the
// currency): INTEGER in the database, bigint in memory.
import type Database from 'better-sqlite3';
import { EventLog } from './event-log.js';
import { GroupCommit } from './group-commit.js';
import { HistoryLoader, type SpendSummary } from './history.js';
import { PeriodRollover } from './period-rollover.js';
import { Reservations } from './reservations.js';
import { Rollups } from './rollups.js';
import { migrate, type EventInput } from './schema.js';
import { Wallets } from './wallets.js';

export class Store {
  readonly db: Database.Database;
  readonly wallets: Wallets;
  readonly reservations: Reservations;
  readonly events: EventLog;
  readonly periods: PeriodRollover;
  /** Hourly usage before the raw events begin (the full demo). */
  readonly rollups: Rollups;
  private readonly history: HistoryLoader;
  private readonly commits: GroupCommit;
  private readonly clock: () => number;
  /**
   * A batch is one instant of the ledger: every request in it sees the same
   * now, so a period end or an expiry cannot fall between the check at the
   * batch's start and a request's writes.
   */
  private batchNow: number | undefined;
  private readonly stmts;
  private readonly queryCache = new Map<string, Database.Statement>();

  constructor(db: Database.Database, options: { reservationTtlMs: number; now?: () => number }) {
    this.db = db;
    this.clock = options.now ?? Date.now;
    migrate(db);
    const now = (): number => this.now();
    this.events = new EventLog(db);
    this.rollups = new Rollups(db);
    this.wallets = new Wallets(db, { now, onCreated: (w) => this.periods.track(w) });
    this.periods = new PeriodRollover(db, { wallets: this.wallets, events: this.events });
    this.reservations = new Reservations(db, { wallets: this.wallets, events: this.events, now, ttlMs: options.reservationTtlMs });
    this.history = new HistoryLoader({ wallets: this.wallets, events: this.events, now });
    this.commits = new GroupCommit(db, {
      open: () => {
        this.batchNow = this.clock();
        this.applyClock(this.batchNow);
      },
      close: (ok) => {
        this.batchNow = undefined;
        // A rolled-back batch may have rolled periods over in the cache only.
        if (!ok) this.periods.forget();
      },
      rolledBack: () => this.wallets.forget(),
    });
    this.stmts = {
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      idem: db.prepare<[string], { fingerprint: string; status: number; body: string }>('SELECT fingerprint, status, body FROM idempotency WHERE key = ?'),
      saveIdem: db.prepare('INSERT INTO idempotency (key, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?)'),
    };
  }

  /** The ledger's clock: the batch's instant inside a batch, else the emulator's clock. */
  now(): number {
    return this.batchNow ?? this.clock();
  }

  /**
   * Brings the ledger to `now`: periods that ended roll over first (so a hold
   * carried into the new period is re-held there), then due reservations
   * expire. Cheap when nothing is due: a comparison and one indexed probe.
   */
  applyClock(now: number = this.now()): { rolled: number; expired: number } {
    const rolled = this.periods.rollOver(now);
    const expired = this.reservations.expireDue(now);
    return { rolled, expired };
  }

  /** Loads past events (seed, import) and spend summaries; see HistoryLoader. */
  loadHistory(events: Iterable<EventInput | SpendSummary>, options: { ownWalletOnly?: boolean } = {}): number {
    const count = this.history.load(events, options);
    this.periods.forget();
    return count;
  }

  /** One event reported after the fact (POST /v1/events): charged like history; returns its seq. */
  recordEvent(event: EventInput): number {
    this.history.load([event]);
    this.periods.forget();
    return this.events.lastSeq();
  }

  // ---- transactions -------------------------------------------------------

  /** Runs `fn` in one transaction now (a savepoint when nested). */
  tx<T>(fn: () => T): T {
    return this.commits.tx(fn);
  }

  /** Runs `fn` in the next group commit, after the batch has applied the clock; see GroupCommit. */
  txBatched<T>(fn: () => T): Promise<T> {
    return this.commits.txBatched(fn);
  }

  setCommitSync(sync: (() => Promise<void>) | undefined): void {
    this.commits.setCommitSync(sync);
  }

  prepareCached(sql: string): Database.Statement {
    let stmt = this.queryCache.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql);
      this.queryCache.set(sql, stmt);
    }
    return stmt;
  }

  // ---- meta and idempotency ------------------------------------------------

  getMeta(key: string): string | undefined {
    return this.stmts.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmts.setMeta.run(key, value);
  }

  idempotent(key: string): { fingerprint: string; status: number; body: string } | undefined {
    return this.stmts.idem.get(key);
  }

  saveIdempotent(key: string, fingerprint: string, status: number, body: string): void {
    this.stmts.saveIdem.run(key, fingerprint, status, body, this.now());
  }
}
