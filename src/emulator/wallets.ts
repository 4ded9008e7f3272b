// Wallets and their ledger rows: reads (pure: a read never writes), and the
// admin writes — create, allocate, credit, reclaim — each checked against the
// ledger rules in domain/ledger.ts. Every write that changes what a wallet
// holds also moves its parent's children_allocated by the same amount.
import type Database from 'better-sqlite3';
import { available, periodAllocated, periodStartAt, returnable, softCapCrossedAt, unallocated, type PeriodOpening, type WalletAmounts } from '../domain/ledger.js';
import { addMoney, maxMoney, type Money, nanos, negateMoney, subtractMoney, ZERO } from '../domain/money.js';
import type { WalletPeriod } from '../domain/periods.js';
import { teamName } from '../domain/teams.js';
import { ApiFailure, decimal } from './failure.js';
import { fromDb, TXN_MONEY, WALLET_MONEY, type TxnRow, type WalletRow } from './schema.js';

export function amountsOf(w: WalletRow): WalletAmounts {
  return { allocated: periodAllocated(w.allocation, w.extra), spent: w.spent, reserved: w.reserved, softCap: w.soft_cap, hardCap: w.hard_cap };
}

export const availableOf = (w: WalletRow): Money => available(amountsOf(w));

export const unallocatedOf = (w: WalletRow): Money => unallocated(periodAllocated(w.allocation, w.extra), w.children_allocated);

// Scopes (the product's model): the organization's wallet, team wallets, and
// user wallets. A user wallet is a row keyed `user:<user id>` (a key no team
// id can take) with no parent: its own pool, funded by allocation, which
// spend draws on first when a reserve names its user (the product dialect's
// cascade user → team → organization; see Reservations.reserve).
export type WalletScope = 'organization' | 'team' | 'user';

const USER_KEY = 'user:';

export const userKey = (userId: string): string => `${USER_KEY}${userId}`;

export function userOf(w: Pick<WalletRow, 'team_id'>): string | null {
  return w.team_id.startsWith(USER_KEY) ? w.team_id.slice(USER_KEY.length) : null;
}

export function scopeOf(w: Pick<WalletRow, 'team_id' | 'parent_id'>): WalletScope {
  if (userOf(w) !== null) return 'user';
  return w.parent_id === null ? 'organization' : 'team';
}

/** A wallet's id on the API: `wal_<team>`, or `uwal_<user>` for a user's wallet. */
export function walletId(w: Pick<WalletRow, 'team_id'>): string {
  const user = userOf(w);
  return user === null ? `wal_${w.team_id}` : `uwal_${user}`;
}

/** The row key behind an id of a wallet path (`wal_search`, `uwal_ada`); leniently, a bare team id. */
export function keyOfWalletId(id: string): string {
  if (id.startsWith('uwal_')) return userKey(id.slice(5));
  return id.startsWith('wal_') ? id.slice(4) : id;
}

/** What creating a wallet takes: the row's own settings (its period state starts fresh). */
export type NewWallet = Pick<WalletRow, 'team_id' | 'name' | 'parent_id' | 'currency' | 'period' | 'allocation' | 'soft_cap' | 'hard_cap'>;

export interface AllocateInput {
  team_id: string;
  amount: Money;
  currency: string;
  period: WalletPeriod;
  parent_id?: string | undefined;
  name?: string | undefined;
  soft_cap?: Money | null | undefined;
  hard_cap?: Money | null | undefined;
}

const CACHE_MAX = 100_000;

export class Wallets {
  private readonly stmts;
  private readonly now: () => number;
  private readonly onCreated: (w: WalletRow) => void;
  /**
   * The wallets read so far, each the one object every later request reads
   * and writes: a hold and a settle read the team's wallet and its ancestors',
   * and reading a row (15 columns, most of them bigints) cost more than
   * writing one. Writes still go to the database at once, and every write to
   * the wallets table goes through this class, so an entry is the row as the
   * current transaction sees it; the emulator is its database's only writer
   * (as the roll-over instant already assumes). When a transaction or a
   * request's savepoint rolls back, the objects it changed no longer match
   * the database: `forget` drops them all.
   */
  private readonly cache = new Map<string, WalletRow>();

  constructor(db: Database.Database, options: { now: () => number; onCreated: (w: WalletRow) => void }) {
    this.now = options.now;
    this.onCreated = options.onCreated;
    this.stmts = {
      wallet: db.prepare<[string], unknown>('SELECT * FROM wallets WHERE team_id = ?').safeIntegers(true),
      all: db.prepare<[], unknown>('SELECT * FROM wallets ORDER BY team_id').safeIntegers(true),
      // UNION, not UNION ALL: a cycle in hand-edited data ends instead of looping.
      subtree: db
        .prepare<[string], string>(
          `WITH RECURSIVE sub(team_id) AS (SELECT ? UNION SELECT w.team_id FROM wallets w JOIN sub ON w.parent_id = sub.team_id)
           SELECT team_id FROM sub`,
        )
        .pluck(),
      insert: db.prepare(
        `INSERT INTO wallets (team_id, name, parent_id, currency, period, allocation, soft_cap, hard_cap,
           period_start, extra, spent, reserved, soft_cap_crossed_at, created_at, children_allocated)
         VALUES (@team_id, @name, @parent_id, @currency, @period, @allocation, @soft_cap, @hard_cap,
           @period_start, @extra, @spent, @reserved, @soft_cap_crossed_at, @created_at, @children_allocated)`,
      ),
      // Positional parameters: binding by name costs a property lookup per field per call.
      // children_allocated is left out: only addToChildrenAllocated moves it, so a stale copy in memory never overwrites it.
      save: db.prepare(
        `UPDATE wallets SET name=?, allocation=?, soft_cap=?, hard_cap=?, period_start=?, extra=?, spent=?,
           reserved=?, soft_cap_crossed_at=? WHERE team_id=?`,
      ),
      // The gateway's writes touch only these: no indexed column in the SET list, so no index entry is rewritten.
      saveSpending: db.prepare('UPDATE wallets SET spent=?, reserved=?, soft_cap_crossed_at=? WHERE team_id=?'),
      addToChildren: db.prepare('UPDATE wallets SET children_allocated = children_allocated + ? WHERE team_id = ?'),
      insertTxn: db.prepare(
        `INSERT INTO transactions (wallet_team, type, amount, balance_after, reservation_id, event_seq, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      txnBySeq: db.prepare<[number], unknown>('SELECT * FROM transactions WHERE seq = ?').safeIntegers(true),
    };
  }

  // ---- reads --------------------------------------------------------------

  has(teamId: string): boolean {
    return this.find(teamId) !== undefined;
  }

  find(teamId: string): WalletRow | undefined {
    const cached = this.cache.get(teamId);
    if (cached !== undefined) return cached;
    const raw = this.stmts.wallet.get(teamId);
    if (raw === undefined) return undefined;
    const row = fromDb<WalletRow>(raw, WALLET_MONEY);
    // A bound, for organizations with very many (user) wallets: start again rather than grow.
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(teamId, row);
    return row;
  }

  /** A transaction or savepoint rolled back: cached objects may hold changes the database no longer has. */
  forget(): void {
    this.cache.clear();
  }

  /** A row written from an object other than the cached one: that one is stale now. */
  private wrote(w: WalletRow): void {
    if (this.cache.get(w.team_id) !== w) this.cache.delete(w.team_id);
  }

  get(teamId: string): WalletRow {
    const row = this.find(teamId);
    if (row === undefined) throw new ApiFailure(404, 'team_not_found', `no wallet for team "${teamId}"`, { team_id: teamId });
    return row;
  }

  /** The wallet and its ancestors, nearest first. */
  chain(teamId: string): WalletRow[] {
    const out = [this.get(teamId)];
    for (let parent = out[0]?.parent_id ?? null; parent !== null; ) {
      const w = this.get(parent);
      out.push(w);
      parent = w.parent_id;
    }
    return out;
  }

  all(): WalletRow[] {
    return this.stmts.all.all().map((raw) => fromDb<WalletRow>(raw, WALLET_MONEY));
  }

  /** Team ids of `teamId` and every wallet below it (through the parent index, not a scan). */
  subtree(teamId: string): string[] {
    return this.stmts.subtree.all(teamId);
  }

  transaction(seq: number): TxnRow | undefined {
    const raw = this.stmts.txnBySeq.get(seq);
    return raw === undefined ? undefined : fromDb<TxnRow>(raw, TXN_MONEY);
  }

  // ---- writes shared with reservations, roll-over and history ------------

  save(w: WalletRow): void {
    this.stmts.save.run(w.name, w.allocation, w.soft_cap, w.hard_cap, w.period_start, w.extra, w.spent, w.reserved, w.soft_cap_crossed_at, w.team_id);
    this.wrote(w);
  }

  /** Writes only spent, reserved and soft_cap_crossed_at: all that reserving, settling, releasing and expiring change. */
  saveSpending(w: WalletRow): void {
    this.stmts.saveSpending.run(w.spent, w.reserved, w.soft_cap_crossed_at, w.team_id);
    this.wrote(w);
  }

  /** A ledger row for `w` as it now stands: balance_after is its available amount. */
  record(w: WalletRow, type: string, amount: Money, reservationId: string | null, eventSeq: number | null, at?: number): number {
    return this.recordRow(w.team_id, type, amount, availableOf(w), reservationId, eventSeq, at ?? this.now());
  }

  recordRow(teamId: string, type: string, amount: Money, balanceAfter: Money, reservationId: string | null, eventSeq: number | null, at: number): number {
    const info = this.stmts.insertTxn.run(teamId, type, amount, balanceAfter, reservationId, eventSeq, at);
    return Number(info.lastInsertRowid);
  }

  /** Moves the parent's sum of its children's holdings; a no-op for the organization. */
  addToChildrenAllocated(parentId: string | null, delta: Money): void {
    if (parentId === null || delta === 0n) return;
    this.stmts.addToChildren.run(delta, parentId);
    const cached = this.cache.get(parentId);
    if (cached !== undefined) cached.children_allocated = addMoney(cached.children_allocated, delta);
  }

  /** Puts `w` in the period `opening` describes (see openPeriod in domain/ledger.ts) and writes its rows; the caller saves `w`. */
  startPeriod(w: WalletRow, opening: PeriodOpening): void {
    this.addToChildrenAllocated(w.parent_id, subtractMoney(opening.credited, w.extra));
    w.period_start = opening.periodStart;
    w.extra = opening.credited;
    w.spent = opening.spent;
    w.soft_cap_crossed_at = opening.softCapCrossedAt;
    for (const e of opening.entries) this.recordRow(w.team_id, e.type, e.amount, e.balanceAfter, null, null, e.at);
  }

  // ---- admin writes -------------------------------------------------------

  /** `at` back-dates the wallet (demo history): its allocate row then sits at that period's start. */
  create(init: NewWallet, at?: number): { wallet: WalletRow; txnSeq: number | null } {
    const now = at ?? this.now();
    const w: WalletRow = {
      ...init,
      period_start: periodStartAt(now, init.period),
      extra: ZERO,
      spent: ZERO,
      reserved: ZERO,
      soft_cap_crossed_at: null,
      created_at: now,
      children_allocated: ZERO,
    };
    this.stmts.insert.run(w);
    this.addToChildrenAllocated(w.parent_id, init.allocation);
    this.onCreated(w);
    const txnSeq = init.allocation !== 0n ? this.record(w, 'allocate', init.allocation, null, null, at === undefined ? now : w.period_start) : null;
    return { wallet: w, txnSeq };
  }

  /** Declarative: sets the per-period allocation; a no-op when it is unchanged. */
  allocate(input: AllocateInput): { wallet: WalletRow; previous: Money | null; txnSeq: number | null } {
    const existing = this.find(input.team_id);
    if (existing === undefined) {
      // The organization and a user's wallet are pools of their own; a team's is carved out of its parent.
      const parentId = input.team_id === 'org' || userOf(input) !== null ? null : (input.parent_id ?? 'org');
      if (parentId !== null) {
        const parent = this.get(parentId);
        checkCurrency(parent, input.currency);
        const room = unallocatedOf(parent);
        if (input.amount > room) throw parentShort(parent, input.amount, room);
      }
      const { wallet, txnSeq } = this.create({
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
    const w = existing;
    if (input.parent_id !== undefined && input.parent_id !== w.parent_id) {
      throw new ApiFailure(409, 'parent_mismatch', `team "${w.team_id}" already sits under "${w.parent_id ?? 'nothing'}"; wallets cannot move`);
    }
    checkCurrency(w, input.currency);
    if (input.period !== w.period) {
      throw new ApiFailure(409, 'period_mismatch', `wallet "${w.team_id}" is ${w.period}, not ${input.period}`);
    }
    const previous = w.allocation;
    const delta = subtractMoney(input.amount, previous);
    if (delta > 0n && w.parent_id !== null) {
      const parent = this.get(w.parent_id);
      const room = unallocatedOf(parent);
      if (delta > room) throw parentShort(parent, delta, room);
    }
    if (delta < 0n) {
      const free = returnable(amountsOf(w), w.children_allocated);
      if (negateMoney(delta) > free) {
        throw new ApiFailure(
          402,
          'insufficient_funds',
          `cannot lower the allocation of "${w.team_id}" by ${decimal(negateMoney(delta))} ${w.currency}: only ${decimal(maxMoney(free, ZERO))} ${w.currency} is neither spent, reserved nor allocated to its teams`,
          { team_id: w.team_id, requested: negateMoney(delta), returnable: maxMoney(free, ZERO), currency: w.currency },
        );
      }
    }
    if (input.name !== undefined) w.name = input.name;
    if (input.soft_cap !== undefined) w.soft_cap = input.soft_cap;
    if (input.hard_cap !== undefined) w.hard_cap = input.hard_cap;
    w.allocation = input.amount;
    w.soft_cap_crossed_at = softCapCrossedAt(amountsOf(w), w.soft_cap_crossed_at, this.now());
    this.save(w);
    this.addToChildrenAllocated(w.parent_id, delta);
    const txnSeq = delta !== 0n ? this.record(w, 'allocate', delta, null, null) : null;
    return { wallet: w, previous, txnSeq };
  }

  credit(teamId: string, amount: Money, currency: string | undefined): { wallet: WalletRow; txnSeq: number } {
    const w = this.get(teamId);
    if (currency !== undefined) checkCurrency(w, currency);
    if (w.parent_id !== null) {
      const parent = this.get(w.parent_id);
      const room = unallocatedOf(parent);
      if (amount > room) throw parentShort(parent, amount, room);
    }
    w.extra = addMoney(w.extra, amount);
    this.save(w);
    this.addToChildrenAllocated(w.parent_id, amount);
    return { wallet: w, txnSeq: this.record(w, 'credit', amount, null, null) };
  }

  reclaim(teamId: string, amount: Money | 'all'): { wallet: WalletRow; txnSeq: number } {
    const w = this.get(teamId);
    if (w.parent_id === null) {
      throw new ApiFailure(400, 'invalid_request', `${scopeOf(w) === 'user' ? "a user's wallet" : 'the organization wallet'} has no parent to return funds to`);
    }
    const free = returnable(amountsOf(w), w.children_allocated);
    const take = amount === 'all' ? free : amount;
    if (take <= 0n || take > free) {
      throw new ApiFailure(
        402,
        'insufficient_funds',
        `"${teamId}" has ${decimal(free)} ${w.currency} unused this period; cannot reclaim ${take === 0n ? 'anything' : decimal(take)}`,
        { team_id: teamId, available: free, ...(take > 0n ? { requested: take } : {}), currency: w.currency },
      );
    }
    w.extra = subtractMoney(w.extra, take);
    this.save(w);
    this.addToChildrenAllocated(w.parent_id, negateMoney(take));
    return { wallet: w, txnSeq: this.record(w, 'reclaim', negateMoney(take), null, null) };
  }
}

function checkCurrency(w: WalletRow, currency: string): void {
  if (w.currency !== currency) {
    throw new ApiFailure(409, 'currency_mismatch', `wallet "${w.team_id}" is in ${w.currency}, not ${currency}`, {
      team_id: w.team_id,
      wallet_currency: w.currency,
    });
  }
}

function parentShort(parent: WalletRow, requested: Money, room: Money): ApiFailure {
  return new ApiFailure(
    402,
    'insufficient_parent_funds',
    `"${parent.team_id}" has ${decimal(room)} ${parent.currency} unallocated; ${decimal(requested)} requested`,
    { requested: requested, parent_unallocated: room, parent_id: parent.team_id, currency: parent.currency },
  );
}

/** The user wallet the product dialect's demo has: $100 a month for the user who spends most in search. */
export const DEMO_USER_ALLOCATION = nanos(100_000_000_000n);

/**
 * Gives the demo one user-scope wallet (the product dialect serves scopes):
 * for the user with the most spend in search, else any user, else `usr_demo`.
 */
export function seedUserWallet(db: Database.Database, wallets: Wallets): string {
  const top = db
    .prepare<[], string | null>(
      "SELECT user_id FROM events WHERE user_id IS NOT NULL GROUP BY user_id ORDER BY MAX(team_id = 'search') DESC, SUM(cost) DESC, user_id LIMIT 1",
    )
    .pluck()
    .get();
  const user = typeof top === 'string' && top !== '' ? top : 'usr_demo';
  wallets.allocate({ team_id: userKey(user), amount: DEMO_USER_ALLOCATION, currency: 'USD', period: 'monthly', name: user });
  return user;
}
