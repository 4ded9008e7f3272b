// The gateway's side of the ledger: a reservation holds an estimate in the
// wallet and every ancestor; settling turns it into spend (an event), and
// releasing or expiry gives the hold back. Node runs one request's
// transaction at a time, so a reservation's checks and writes can never
// interleave with another's — that, not locking, is what keeps every wallet
// at or above zero.
//
// Each step writes one ledger row, on the wallet charged (the head of the
// chain). The ancestors' spent and reserved move in the same transaction, so
// every budget up the chain stays exact, but they get no row of their own:
// three rows per step were the largest single cost of a reserve or settle
// (docs/benchmarks.md), and a parent's ledger then lists what was done to it
// (allocations, credits, reclaims) rather than every request below it.
//
// kt's contract holds a reservation on its team's wallet and every ancestor.
// The product's cascade (reserveFirst) may charge another chain instead (a
// user's wallet, or the organization's alone): the reservation keeps the
// team that asked (its event is the team's), and reservation_wallets the
// wallet whose chain holds it.
import type Database from 'better-sqlite3';
import { overrunRefusal, reserveRefusal, softCapCrossedAt, type HoldRefusal } from '../domain/ledger.js';
import { addMoney, maxMoney, type Money, negateMoney, subtractMoney, ZERO } from '../domain/money.js';
import { ApiFailure, decimal } from './failure.js';
import type { EventLog } from './event-log.js';
import { orderedHex } from './ids.js';
import { fromDb, RESERVATION_MONEY, type EventRow, type ReservationRow, type WalletRow } from './schema.js';
import { amountsOf, availableOf, type Wallets } from './wallets.js';

export interface SettleInput {
  reservation_id: string;
  actual: Money;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cached: boolean;
  user_id: string | null;
}

export class Reservations {
  private readonly stmts;
  private readonly wallets: Wallets;
  private readonly events: EventLog;
  private readonly now: () => number;
  private readonly ttlMs: number;
  /**
   * Whether any reservation was ever charged to a wallet other than its
   * team's (the product's cascade). kt's contract never does, so its settles
   * skip looking that up; the emulator is the database's only writer.
   */
  private anyCharged: boolean;

  constructor(db: Database.Database, options: { wallets: Wallets; events: EventLog; now: () => number; ttlMs: number }) {
    this.wallets = options.wallets;
    this.events = options.events;
    this.now = options.now;
    this.ttlMs = options.ttlMs;
    // A table of its own (no migration): older databases gain it empty, and kt's contract never writes it.
    db.exec('CREATE TABLE IF NOT EXISTS reservation_wallets (reservation_id TEXT PRIMARY KEY, wallet_team TEXT NOT NULL)');
    this.stmts = {
      insert: db.prepare('INSERT INTO reservations (id, team_id, amount, status, expires_at, created_at, request_id) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      charge: db.prepare('INSERT INTO reservation_wallets (reservation_id, wallet_team) VALUES (?, ?)'),
      chargedTo: db.prepare<[string], string>('SELECT wallet_team FROM reservation_wallets WHERE reservation_id = ?').pluck(),
      get: db.prepare<[string], unknown>('SELECT * FROM reservations WHERE id = ?').safeIntegers(true),
      setStatus: db.prepare('UPDATE reservations SET status = ? WHERE id = ?'),
      due: db.prepare<[number], unknown>("SELECT * FROM reservations WHERE status = 'held' AND expires_at <= ? ORDER BY expires_at").safeIntegers(true),
    };
    this.anyCharged = db.prepare('SELECT 1 FROM reservation_wallets LIMIT 1').get() !== undefined;
  }

  /** Releases every held reservation whose time is up at `now`, with an expire row on the wallet charged. */
  expireDue(now: number = this.now()): number {
    const due = this.stmts.due.all(now).map((raw) => fromDb<ReservationRow>(raw, RESERVATION_MONEY));
    for (const r of due) {
      this.stmts.setStatus.run('expired', r.id);
      const chain = this.chainOf(r);
      for (const w of chain) {
        w.reserved = subtractMoney(w.reserved, r.amount);
        this.wallets.saveSpending(w);
      }
      this.wallets.record(chain[0] as WalletRow, 'expire', r.amount, r.id, null, now);
    }
    return due.length;
  }

  reserve(teamId: string, estimate: Money, requestId: string | null): ReservationRow {
    const chain = this.wallets.chain(teamId);
    const refusal = reserveRefusal(chain.map(amountsOf), estimate);
    if (refusal !== undefined) throw reserveFailure(chain, refusal, estimate);
    return this.hold(teamId, chain, estimate, requestId);
  }

  /**
   * The product's cascade: the first of `chains` (each a wallet and what its
   * spend rolls up to) that can hold the estimate holds it; when none can,
   * the refusal is the team's own chain's.
   */
  reserveFirst(teamId: string, chains: readonly WalletRow[][], estimate: Money, requestId: string | null): ReservationRow {
    for (const chain of chains) {
      if (reserveRefusal(chain.map(amountsOf), estimate) !== undefined) continue;
      const r = this.hold(teamId, chain, estimate, requestId);
      const head = chain[0] as WalletRow;
      if (head.team_id !== teamId) {
        this.stmts.charge.run(r.id, head.team_id);
        this.anyCharged = true;
      }
      return r;
    }
    const own = this.wallets.chain(teamId);
    throw reserveFailure(own, reserveRefusal(own.map(amountsOf), estimate) ?? { index: own.length - 1, reason: 'insufficient_funds' }, estimate);
  }

  /** The wallet whose chain holds the reservation: its team's, unless the cascade charged another. */
  chargedTo(reservationId: string): string {
    const charged = this.anyCharged ? this.stmts.chargedTo.get(reservationId) : undefined;
    if (charged !== undefined) return charged;
    const raw = this.stmts.get.get(reservationId);
    return raw === undefined ? '' : fromDb<ReservationRow>(raw, RESERVATION_MONEY).team_id;
  }

  /** The wallets a reservation holds money in: the chain of the wallet charged (the organization's is itself alone). */
  private chainOf(r: ReservationRow): WalletRow[] {
    const charged = this.anyCharged ? this.stmts.chargedTo.get(r.id) : undefined;
    return this.wallets.chain(charged ?? r.team_id);
  }

  private hold(teamId: string, chain: WalletRow[], estimate: Money, requestId: string | null): ReservationRow {
    const now = this.now();
    const r: ReservationRow = {
      id: `res_${orderedHex()}`,
      team_id: teamId,
      amount: estimate,
      status: 'held',
      expires_at: now + this.ttlMs,
      created_at: now,
      request_id: requestId,
    };
    this.stmts.insert.run(r.id, r.team_id, r.amount, r.status, r.expires_at, r.created_at, r.request_id);
    for (const w of chain) {
      w.reserved = addMoney(w.reserved, estimate);
      this.wallets.saveSpending(w);
    }
    this.wallets.record(chain[0] as WalletRow, 'reserve', negateMoney(estimate), r.id, null, now);
    return r;
  }

  settle(input: SettleInput): { reservation: ReservationRow; event: EventRow; released: Money } {
    const r = this.held(input.reservation_id);
    const chain = this.chainOf(r);
    const overrun = subtractMoney(input.actual, r.amount);
    if (overrun > 0n) {
      const refusal = overrunRefusal(chain.map(amountsOf), overrun);
      if (refusal !== undefined) throw overrunFailure(chain, refusal, overrun);
    }
    const now = this.now();
    const event = this.events.insertRow({
      ts: now,
      team_id: r.team_id,
      user_id: input.user_id,
      provider: input.provider,
      model: input.model,
      input_tokens: input.input_tokens,
      output_tokens: input.output_tokens,
      cached: input.cached,
      cost: input.actual,
      currency: chain[0]?.currency ?? 'USD',
      request_id: r.request_id,
    });
    this.stmts.setStatus.run('settled', r.id);
    for (const w of chain) {
      w.reserved = subtractMoney(w.reserved, r.amount);
      w.spent = addMoney(w.spent, input.actual);
      w.soft_cap_crossed_at = softCapCrossedAt(amountsOf(w), w.soft_cap_crossed_at, now);
      this.wallets.saveSpending(w);
    }
    this.wallets.record(chain[0] as WalletRow, 'settle', subtractMoney(r.amount, input.actual), r.id, event.seq, now);
    return { reservation: { ...r, status: 'settled' }, event, released: maxMoney(subtractMoney(r.amount, input.actual), ZERO) };
  }

  release(id: string): ReservationRow {
    const r = this.held(id);
    const now = this.now();
    this.stmts.setStatus.run('released', r.id);
    const chain = this.chainOf(r);
    for (const w of chain) {
      w.reserved = subtractMoney(w.reserved, r.amount);
      this.wallets.saveSpending(w);
    }
    this.wallets.record(chain[0] as WalletRow, 'release', r.amount, r.id, null, now);
    return { ...r, status: 'released' };
  }

  private held(id: string): ReservationRow {
    const raw = this.stmts.get.get(id);
    const r = raw === undefined ? undefined : fromDb<ReservationRow>(raw, RESERVATION_MONEY);
    if (r === undefined) throw new ApiFailure(404, 'reservation_not_found', `no reservation "${id}"`);
    // A request batch expires due holds before it starts; called outside one, a due hold has expired all the same.
    if (r.status === 'held' && r.expires_at <= this.now()) {
      this.expireDue();
      r.status = 'expired';
    }
    if (r.status !== 'held') {
      throw new ApiFailure(409, 'reservation_not_held', `reservation "${id}" is ${r.status}`, { status: r.status });
    }
    return r;
  }
}

function reserveFailure(chain: WalletRow[], refusal: HoldRefusal, estimate: Money): ApiFailure {
  const w = chain[refusal.index] as WalletRow;
  if (refusal.reason === 'hard_cap_exceeded') {
    const cap = w.hard_cap ?? ZERO;
    return new ApiFailure(402, 'hard_cap_exceeded', `"${w.team_id}" would pass its hard cap of ${decimal(cap)} ${w.currency}`, {
      team_id: w.team_id,
      hard_cap: cap,
    });
  }
  const left = maxMoney(availableOf(w), ZERO);
  return new ApiFailure(402, 'insufficient_funds', `"${w.team_id}" has ${decimal(left)} ${w.currency} available; ${decimal(estimate)} requested`, {
    team_id: w.team_id,
    available: left,
    requested: estimate,
  });
}

function overrunFailure(chain: WalletRow[], refusal: HoldRefusal, overrun: Money): ApiFailure {
  const w = chain[refusal.index] as WalletRow;
  if (refusal.reason === 'hard_cap_exceeded') {
    return new ApiFailure(402, 'hard_cap_exceeded', `"${w.team_id}" would pass its hard cap of ${decimal(w.hard_cap ?? ZERO)} ${w.currency}`, {
      team_id: w.team_id,
    });
  }
  return new ApiFailure(402, 'insufficient_funds', `actual cost exceeds the estimate by ${decimal(overrun)} and "${w.team_id}" cannot cover it`, {
    team_id: w.team_id,
  });
}
