// The emulator's ledger on SQLite. Every public method runs inside one
// transaction the server opens per request; money is integer micros in the
// database and in memory. Node runs one request's transaction at a time, so
// the checks and the writes of a reservation can never interleave with
// another's — that, not locking, is what keeps every wallet at or above zero.
import type Database from 'better-sqlite3';
import type { Micros } from '../domain/money.js';
import { walletPeriodBounds, type WalletPeriod } from '../domain/periods.js';
import { subtree, teamForest, teamName } from '../domain/teams.js';
import { ApiFailure } from './failure.js';
import { randomHex } from './ids.js';

export interface WalletRow {
  team_id: string;
  name: string;
  parent_id: string | null;
  currency: string;
  period: WalletPeriod;
  allocation: number;
  soft_cap: number | null;
  hard_cap: number | null;
  period_start: number;
  extra: number;
  spent: number;
  reserved: number;
  soft_cap_crossed_at: number | null;
  created_at: number;
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

interface EventRow {
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

interface TxnRow {
  seq: number;
  wallet_team: string;
  type: string;
  amount: number;
  balance_after: number;
  reservation_id: string | null;
  event_seq: number | null;
  created_at: number;
}

interface ReservationRow {
  id: string;
  team_id: string;
  amount: number;
  status: string;
  expires_at: number;
  created_at: number;
  request_id: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS wallets (
  team_id TEXT PRIMARY KEY, name TEXT NOT NULL, parent_id TEXT REFERENCES wallets(team_id),
  currency TEXT NOT NULL, period TEXT NOT NULL, allocation INTEGER NOT NULL,
  soft_cap INTEGER, hard_cap INTEGER, period_start INTEGER NOT NULL,
  extra INTEGER NOT NULL DEFAULT 0, spent INTEGER NOT NULL DEFAULT 0, reserved INTEGER NOT NULL DEFAULT 0,
  soft_cap_crossed_at INTEGER, created_at INTEGER NOT NULL);
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

const pad = (seq: number): string => String(seq).padStart(10, '0');
export const eventId = (seq: number): string => `evt_${pad(seq)}`;
export const txnId = (seq: number): string => `txn_${pad(seq)}`;
export const iso = (ms: number): string => new Date(ms).toISOString();

export class Store {
  readonly db: Database.Database;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly stmts;
  private readonly queryCache = new Map<string, Database.Statement>();

  constructor(db: Database.Database, options: { reservationTtlMs: number; now?: () => number }) {
    this.db = db;
    this.ttlMs = options.reservationTtlMs;
    this.now = options.now ?? Date.now;
    db.exec(SCHEMA);
    this.stmts = {
      wallet: db.prepare<[string], WalletRow>('SELECT * FROM wallets WHERE team_id = ?'),
      allWallets: db.prepare<[], WalletRow>('SELECT * FROM wallets ORDER BY team_id'),
      insertWallet: db.prepare(
        `INSERT INTO wallets (team_id, name, parent_id, currency, period, allocation, soft_cap, hard_cap,
           period_start, extra, spent, reserved, soft_cap_crossed_at, created_at)
         VALUES (@team_id, @name, @parent_id, @currency, @period, @allocation, @soft_cap, @hard_cap,
           @period_start, @extra, @spent, @reserved, @soft_cap_crossed_at, @created_at)`,
      ),
      // Positional parameters: binding by name costs a property lookup per field per call.
      saveWallet: db.prepare(
        `UPDATE wallets SET name=?, allocation=?, soft_cap=?, hard_cap=?, period_start=?, extra=?, spent=?,
           reserved=?, soft_cap_crossed_at=? WHERE team_id=?`,
      ),
      insertTxn: db.prepare(
        `INSERT INTO transactions (wallet_team, type, amount, balance_after, reservation_id, event_seq, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      txnBySeq: db.prepare<[number], TxnRow>('SELECT * FROM transactions WHERE seq = ?'),
      insertEvent: db.prepare(
        `INSERT INTO events (ts, team_id, user_id, provider, model, input_tokens, output_tokens, cached, cost, currency, request_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      eventBySeq: db.prepare<[number], EventRow>('SELECT * FROM events WHERE seq = ?'),
      insertReservation: db.prepare(
        'INSERT INTO reservations (id, team_id, amount, status, expires_at, created_at, request_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      reservation: db.prepare<[string], ReservationRow>('SELECT * FROM reservations WHERE id = ?'),
      setReservationStatus: db.prepare('UPDATE reservations SET status = ? WHERE id = ?'),
      dueReservations: db.prepare<[number], ReservationRow>(
        "SELECT * FROM reservations WHERE status = 'held' AND expires_at <= ? ORDER BY expires_at",
      ),
      subtreeSpend: db.prepare<[number], { team_id: string; cost: number }>(
        'SELECT team_id, SUM(cost) AS cost FROM events WHERE ts >= ? GROUP BY team_id',
      ),
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      idem: db.prepare<[string], { fingerprint: string; status: number; body: string }>(
        'SELECT fingerprint, status, body FROM idempotency WHERE key = ?',
      ),
      saveIdem: db.prepare('INSERT INTO idempotency (key, fingerprint, status, body, created_at) VALUES (?, ?, ?, ?, ?)'),
    };
  }

  // ---- meta -------------------------------------------------------------

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

  /** Runs `fn` in one transaction (a savepoint when nested). */
  tx<T>(fn: () => T): T {
    return this.runInTx(fn) as T;
  }

  // One wrapper each, built once: better-sqlite3 nests them as savepoints.
  private readonly runInTx = (fn: () => unknown): unknown => this.txWrapper(fn);
  private txWrapperCache: ((fn: () => unknown) => unknown) | undefined;
  private get txWrapper(): (fn: () => unknown) => unknown {
    this.txWrapperCache ??= this.db.transaction((fn: () => unknown) => fn());
    return this.txWrapperCache;
  }

  private queue: Array<{ fn: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void }> = [];

  /**
   * Makes everything committed so far durable (an fsync of the WAL run off
   * the event loop); undefined when SQLite syncs at commit itself, or for
   * :memory:. Batched requests are answered only once it resolves.
   */
  private syncCommitted: (() => Promise<void>) | undefined;

  setCommitSync(sync: (() => Promise<void>) | undefined): void {
    this.syncCommitted = sync;
  }

  /**
   * Group commit: requests that arrive together each run in their own
   * savepoint (a refusal rolls back only its own writes) inside one
   * transaction, and all are answered after that single durable commit.
   * Same atomicity and ordering as one transaction per request, one fsync
   * per batch instead of one per request. With a commit sync set, that fsync
   * runs on the thread pool while the next batch is already being served;
   * no reply leaves before the data it reports is on disk.
   */
  txBatched<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private flush(): void {
    const jobs = this.queue;
    this.queue = [];
    const outcomes: Array<{ ok: boolean; value: unknown }> = [];
    try {
      this.runInTx(() => {
        for (const job of jobs) {
          try {
            outcomes.push({ ok: true, value: this.runInTx(job.fn) });
          } catch (error) {
            outcomes.push({ ok: false, value: error });
          }
        }
      });
    } catch (error) {
      for (const job of jobs) job.reject(error);
      return;
    }
    const answer = (): void =>
      jobs.forEach((job, i) => {
        const outcome = outcomes[i];
        if (outcome?.ok === true) job.resolve(outcome.value);
        else job.reject(outcome?.value);
      });
    if (this.syncCommitted === undefined) {
      answer();
      return;
    }
    this.syncCommitted().then(answer, (error: unknown) => {
      for (const job of jobs) job.reject(error);
    });
  }

  prepareCached(sql: string): Database.Statement {
    let stmt = this.queryCache.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql);
      this.queryCache.set(sql, stmt);
    }
    return stmt;
  }

  // ---- wallets ----------------------------------------------------------

  hasWallet(teamId: string): boolean {
    return this.stmts.wallet.get(teamId) !== undefined;
  }

  /** The wallet, rolled into the current period. */
  wallet(teamId: string): WalletRow {
    const row = this.stmts.wallet.get(teamId);
    if (row === undefined) throw new ApiFailure(404, 'team_not_found', `no wallet for team "${teamId}"`, { team_id: teamId });
    return this.roll(row);
  }

  /** The wallet and its ancestors, nearest first. */
  chain(teamId: string): WalletRow[] {
    const out = [this.wallet(teamId)];
    for (let parent = out[0]?.parent_id ?? null; parent !== null; ) {
      const w = this.wallet(parent);
      out.push(w);
      parent = w.parent_id;
    }
    return out;
  }

  allWallets(): WalletRow[] {
    return this.stmts.allWallets.all().map((w) => this.roll(w));
  }

  /** Team ids of `teamId` and every wallet below it. */
  subtree(teamId: string): string[] {
    const all = this.stmts.allWallets.all();
    const root = all.find((w) => w.team_id === teamId);
    if (root === undefined) return [teamId];
    const forest = teamForest(all, (w) => w.team_id, (w) => w.parent_id);
    return subtree(forest, root, (w) => w.team_id).map((w) => w.team_id);
  }

  allocated(w: WalletRow): Micros {
    return w.allocation + w.extra;
  }

  available(w: WalletRow): Micros {
    return w.allocation + w.extra - w.spent - w.reserved;
  }

  /** What `w` can still carve out for children: allocated minus the children's allocations. */
  unallocated(w: WalletRow): Micros {
    let sum = 0;
    for (const c of this.stmts.allWallets.all()) if (c.parent_id === w.team_id) sum += this.allocated(this.roll(c));
    return this.allocated(w) - sum;
  }

  private save(w: WalletRow): void {
    this.stmts.saveWallet.run(w.name, w.allocation, w.soft_cap, w.hard_cap, w.period_start, w.extra, w.spent, w.reserved, w.soft_cap_crossed_at, w.team_id);
  }

  /**
   * A wallet starts each period afresh: its credits and spend reset and an
   * allocate row at the period start carries the full allocation, so the sum
   * of its rows since period_start equals its available amount.
   */
  private roll(w: WalletRow): WalletRow {
    const { start } = walletPeriodBounds(new Date(this.now()), w.period);
    const startMs = start.getTime();
    if (w.period_start >= startMs) return w;
    const spendByTeam = new Map(this.stmts.subtreeSpend.all(startMs).map((r) => [r.team_id, r.cost]));
    let spent = 0;
    for (const id of this.subtree(w.team_id)) spent += spendByTeam.get(id) ?? 0;
    w.period_start = startMs;
    w.extra = 0;
    w.spent = spent;
    w.soft_cap_crossed_at = w.soft_cap !== null && spent >= w.soft_cap ? this.now() : null;
    this.save(w);
    const reserved = w.reserved;
    // balance_after of the allocate row is the full allocation; holds carried over from the last period follow it
    w.reserved = 0;
    this.txn(w, 'allocate', w.allocation, null, null, startMs);
    w.reserved = reserved;
    if (reserved > 0) this.txn(w, 'reserve', -reserved, null, null, startMs);
    return w;
  }

  private txn(w: WalletRow, type: string, amount: Micros, reservationId: string | null, eventSeq: number | null, at?: number): number {
    const info = this.stmts.insertTxn.run(w.team_id, type, amount, this.available(w), reservationId, eventSeq, at ?? this.now());
    return Number(info.lastInsertRowid);
  }

  transaction(seq: number): TxnRow | undefined {
    return this.stmts.txnBySeq.get(seq);
  }

  createWallet(init: {
    team_id: string;
    name: string;
    parent_id: string | null;
    currency: string;
    period: WalletPeriod;
    allocation: Micros;
    soft_cap: Micros | null;
    hard_cap: Micros | null;
  }, at?: number): { wallet: WalletRow; txnSeq: number | null } {
    const now = at ?? this.now();
    const w: WalletRow = {
      ...init,
      period_start: walletPeriodBounds(new Date(now), init.period).start.getTime(),
      extra: 0,
      spent: 0,
      reserved: 0,
      soft_cap_crossed_at: null,
      created_at: now,
    };
    this.stmts.insertWallet.run(w);
    const txnSeq = init.allocation !== 0 ? this.txn(w, 'allocate', init.allocation, null, null, at === undefined ? now : w.period_start) : null;
    return { wallet: w, txnSeq };
  }

  /** Declarative: sets the per-period allocation; a no-op when it is unchanged. */
  allocate(input: {
    team_id: string;
    amount: Micros;
    currency: string;
    period: WalletPeriod;
    parent_id?: string | undefined;
    name?: string | undefined;
    soft_cap?: Micros | null | undefined;
    hard_cap?: Micros | null | undefined;
  }): { wallet: WalletRow; previous: Micros | null; txnSeq: number | null } {
    this.expireDue();
    const existing = this.stmts.wallet.get(input.team_id);
    if (existing === undefined) {
      const parentId = input.team_id === 'org' ? null : (input.parent_id ?? 'org');
      if (parentId !== null) {
        const parent = this.wallet(parentId);
        this.checkCurrency(parent, input.currency);
        const room = this.unallocated(parent);
        if (input.amount > room) throw parentShort(parent, input.amount, room);
      }
      const { wallet, txnSeq } = this.createWallet({
        team_id: input.team_id,
        name: input.name ?? teamName(input.team_id),
        parent_id: parentId,
        currency: input.currency,
        period: input.period,
        allocation: input.amount,
        soft_cap: input.soft_cap ?? null,
        hard_cap: input.hard_cap ?? null,
      });
      return { wallet, previous: null, txnSeq };
    }
    const w = this.roll(existing);
    if (input.parent_id !== undefined && input.parent_id !== w.parent_id) {
      throw new ApiFailure(409, 'parent_mismatch', `team "${w.team_id}" already sits under "${w.parent_id ?? 'nothing'}"; wallets cannot move`);
    }
    this.checkCurrency(w, input.currency);
    if (input.period !== w.period) {
      throw new ApiFailure(409, 'period_mismatch', `wallet "${w.team_id}" is ${w.period}, not ${input.period}`);
    }
    const previous = w.allocation;
    const delta = input.amount - previous;
    if (delta > 0 && w.parent_id !== null) {
      const parent = this.wallet(w.parent_id);
      const room = this.unallocated(parent);
      if (delta > room) throw parentShort(parent, delta, room);
    }
    if (delta < 0) {
      const free = Math.min(this.available(w), this.unallocated(w));
      if (-delta > free) {
        throw new ApiFailure(
          402,
          'insufficient_funds',
          `cannot lower "${w.team_id}" by ${-delta / 1e6}: only ${free / 1e6} is neither spent, reserved nor allocated to its teams`,
          { team_id: w.team_id },
        );
      }
    }
    if (input.name !== undefined) w.name = input.name;
    if (input.soft_cap !== undefined) w.soft_cap = input.soft_cap;
    if (input.hard_cap !== undefined) w.hard_cap = input.hard_cap;
    w.allocation = input.amount;
    this.noteSoftCap(w);
    this.save(w);
    const txnSeq = delta !== 0 ? this.txn(w, 'allocate', delta, null, null) : null;
    return { wallet: w, previous, txnSeq };
  }

  credit(teamId: string, amount: Micros, currency: string | undefined): { wallet: WalletRow; txnSeq: number } {
    this.expireDue();
    const w = this.wallet(teamId);
    if (currency !== undefined) this.checkCurrency(w, currency);
    if (w.parent_id !== null) {
      const parent = this.wallet(w.parent_id);
      const room = this.unallocated(parent);
      if (amount > room) throw parentShort(parent, amount, room);
    }
    w.extra += amount;
    this.save(w);
    return { wallet: w, txnSeq: this.txn(w, 'credit', amount, null, null) };
  }

  reclaim(teamId: string, amount: Micros | 'all'): { wallet: WalletRow; txnSeq: number } {
    this.expireDue();
    const w = this.wallet(teamId);
    if (w.parent_id === null) throw new ApiFailure(400, 'invalid_request', 'the organization wallet has no parent to return funds to');
    const free = Math.min(this.available(w), this.unallocated(w));
    const take = amount === 'all' ? free : amount;
    if (take <= 0 || take > free) {
      throw new ApiFailure(
        402,
        'insufficient_funds',
        `"${teamId}" has ${free / 1e6} ${w.currency} unused this period; cannot reclaim ${take === 0 ? 'anything' : take / 1e6}`,
        { team_id: teamId, available: free / 1e6 },
      );
    }
    w.extra -= take;
    this.save(w);
    return { wallet: w, txnSeq: this.txn(w, 'reclaim', -take, null, null) };
  }

  private checkCurrency(w: WalletRow, currency: string): void {
    if (w.currency !== currency) {
      throw new ApiFailure(409, 'currency_mismatch', `wallet "${w.team_id}" is in ${w.currency}, not ${currency}`, {
        team_id: w.team_id,
        wallet_currency: w.currency,
      });
    }
  }

  private noteSoftCap(w: WalletRow): void {
    if (w.soft_cap !== null && w.soft_cap_crossed_at === null && w.spent >= w.soft_cap) w.soft_cap_crossed_at = this.now();
    if (w.soft_cap === null || w.spent < w.soft_cap) w.soft_cap_crossed_at = null;
  }

  // ---- reservations -----------------------------------------------------

  /** Releases every held reservation whose time is up; balances reflect it at once. */
  expireDue(): number {
    const due = this.stmts.dueReservations.all(this.now());
    for (const r of due) {
      this.stmts.setReservationStatus.run('expired', r.id);
      for (const w of this.chain(r.team_id)) {
        w.reserved -= r.amount;
        this.save(w);
        this.txn(w, 'expire', r.amount, r.id, null);
      }
    }
    return due.length;
  }

  reserve(teamId: string, estimate: Micros, requestId: string | null): ReservationRow {
    this.expireDue();
    const chain = this.chain(teamId);
    for (const w of chain) {
      if (w.hard_cap !== null && w.spent + w.reserved + estimate > w.hard_cap) {
        throw new ApiFailure(402, 'hard_cap_exceeded', `"${w.team_id}" would pass its hard cap of ${w.hard_cap / 1e6} ${w.currency}`, {
          team_id: w.team_id,
          hard_cap: w.hard_cap / 1e6,
        });
      }
    }
    for (const w of chain) {
      const available = this.available(w);
      if (estimate > available) {
        throw new ApiFailure(402, 'insufficient_funds', `"${w.team_id}" has ${Math.max(available, 0) / 1e6} ${w.currency} available; ${estimate / 1e6} requested`, {
          team_id: w.team_id,
          available: Math.max(available, 0) / 1e6,
          requested: estimate / 1e6,
        });
      }
    }
    const now = this.now();
    const r: ReservationRow = {
      id: `res_${randomHex(10)}`,
      team_id: teamId,
      amount: estimate,
      status: 'held',
      expires_at: now + this.ttlMs,
      created_at: now,
      request_id: requestId,
    };
    this.stmts.insertReservation.run(r.id, r.team_id, r.amount, r.status, r.expires_at, r.created_at, r.request_id);
    for (const w of chain) {
      w.reserved += estimate;
      this.save(w);
      this.txn(w, 'reserve', -estimate, r.id, null);
    }
    return r;
  }

  private heldReservation(id: string): ReservationRow {
    this.expireDue();
    const r = this.stmts.reservation.get(id);
    if (r === undefined) throw new ApiFailure(404, 'reservation_not_found', `no reservation "${id}"`);
    if (r.status !== 'held') {
      throw new ApiFailure(409, 'reservation_not_held', `reservation "${id}" is ${r.status}`, { status: r.status });
    }
    return r;
  }

  settle(input: {
    reservation_id: string;
    actual: Micros;
    provider: string;
    model: string;
    input_tokens: number;
    output_tokens: number;
    cached: boolean;
    user_id: string | null;
  }): { reservation: ReservationRow; event: EventRow; released: Micros } {
    const r = this.heldReservation(input.reservation_id);
    const chain = this.chain(r.team_id);
    const extraCost = input.actual - r.amount;
    if (extraCost > 0) {
      for (const w of chain) {
        if (w.hard_cap !== null && w.spent + w.reserved + extraCost > w.hard_cap) {
          throw new ApiFailure(402, 'hard_cap_exceeded', `"${w.team_id}" would pass its hard cap of ${w.hard_cap / 1e6} ${w.currency}`, {
            team_id: w.team_id,
          });
        }
        if (extraCost > this.available(w)) {
          throw new ApiFailure(402, 'insufficient_funds', `actual cost exceeds the estimate by ${extraCost / 1e6} and "${w.team_id}" cannot cover it`, {
            team_id: w.team_id,
          });
        }
      }
    }
    const now = this.now();
    const currency = chain[0]?.currency ?? 'USD';
    const info = this.stmts.insertEvent.run(
      now,
      r.team_id,
      input.user_id,
      input.provider,
      input.model,
      input.input_tokens,
      input.output_tokens,
      input.cached ? 1 : 0,
      input.actual,
      currency,
      r.request_id,
    );
    const seq = Number(info.lastInsertRowid);
    this.stmts.setReservationStatus.run('settled', r.id);
    for (const w of chain) {
      w.reserved -= r.amount;
      w.spent += input.actual;
      this.noteSoftCap(w);
      this.save(w);
      this.txn(w, 'settle', r.amount - input.actual, r.id, seq);
    }
    const event = this.stmts.eventBySeq.get(seq) as EventRow;
    return { reservation: { ...r, status: 'settled' }, event, released: Math.max(r.amount - input.actual, 0) };
  }

  release(id: string): ReservationRow {
    const r = this.heldReservation(id);
    this.stmts.setReservationStatus.run('released', r.id);
    for (const w of this.chain(r.team_id)) {
      w.reserved -= r.amount;
      this.save(w);
      this.txn(w, 'release', r.amount, r.id, null);
    }
    return { ...r, status: 'released' };
  }

  // ---- bulk loading (seed, import) ---------------------------------------

  /**
   * Loads historical events, sorted by time: each becomes an event and a
   * settle row for its wallet and every ancestor; a wallet whose ledger is
   * behind the event's period rolls forward with an allocate row at the
   * period start, so every period's rows add up to its available amount.
   * Events older than a wallet's ledger period are kept as events only.
   */
  loadHistory(events: Iterable<EventInput>): number {
    const nowMs = this.now();
    const wallets = new Map(this.stmts.allWallets.all().map((w) => [w.team_id, w]));
    const chains = new Map<string, WalletRow[]>();
    const chainOf = (team: string): WalletRow[] => {
      let c = chains.get(team);
      if (c === undefined) {
        c = [];
        for (let id: string | null = team; id !== null; ) {
          const w = wallets.get(id);
          if (w === undefined) break;
          c.push(w);
          id = w.parent_id;
        }
        chains.set(team, c);
      }
      return c;
    };
    let count = 0;
    for (const e of events) {
      const seq = this.insertEventRaw(e);
      count += 1;
      for (const w of chainOf(e.team_id)) {
        const start = walletPeriodBounds(new Date(e.ts), w.period).start.getTime();
        if (start > w.period_start && start <= nowMs) {
          w.period_start = start;
          w.extra = 0;
          w.spent = 0;
          w.soft_cap_crossed_at = null;
          this.stmts.insertTxn.run(w.team_id, 'allocate', w.allocation, this.available(w), null, null, start);
        }
        if (start !== w.period_start) continue;
        w.spent += e.cost;
        if (w.soft_cap !== null && w.soft_cap_crossed_at === null && w.spent >= w.soft_cap) w.soft_cap_crossed_at = e.ts;
        this.stmts.insertTxn.run(w.team_id, 'settle', -e.cost, this.available(w), null, seq, Math.max(e.ts, w.created_at));
      }
    }
    for (const w of wallets.values()) this.save(w);
    return count;
  }

  insertEventRaw(e: EventInput): number {
    const info = this.stmts.insertEvent.run(
      e.ts, e.team_id, e.user_id, e.provider, e.model, e.input_tokens, e.output_tokens, e.cached ? 1 : 0, e.cost, e.currency, e.request_id,
    );
    return Number(info.lastInsertRowid);
  }
}

function parentShort(parent: WalletRow, requested: Micros, room: Micros): ApiFailure {
  return new ApiFailure(
    402,
    'insufficient_parent_funds',
    `"${parent.team_id}" has ${room / 1e6} ${parent.currency} unallocated; ${requested / 1e6} requested`,
    { requested: requested / 1e6, parent_unallocated: room / 1e6, parent_id: parent.team_id },
  );
}

export type { EventRow, TxnRow, ReservationRow };
