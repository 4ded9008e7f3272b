// Budget periods turn over in one explicit step, never as a side effect of a
// read. The instant of the next turn (the earliest period end of any wallet)
// is kept in memory, so the check before each request batch is a single
// comparison; only when the clock passes it are the due wallets rolled.
import type Database from 'better-sqlite3';
import { openPeriod, periodEndAfter, periodStartAt } from '../domain/ledger.js';
import { addMoney, type Money, ZERO } from '../domain/money.js';
import { WALLET_PERIODS, type WalletPeriod } from '../domain/periods.js';
import type { EventLog } from './event-log.js';
import { fromDb, WALLET_MONEY, type WalletRow } from './schema.js';
import type { Wallets } from './wallets.js';

export class PeriodRollover {
  private readonly stmts;
  private readonly wallets: Wallets;
  private readonly events: EventLog;
  /** The next period end of any wallet; -Infinity when unknown (look it up on the next check). */
  private nextAt = Number.NEGATIVE_INFINITY;

  constructor(db: Database.Database, options: { wallets: Wallets; events: EventLog }) {
    this.wallets = options.wallets;
    this.events = options.events;
    this.stmts = {
      // Both by the (period, period_start) index.
      due: db.prepare<[WalletPeriod, number], unknown>('SELECT * FROM wallets WHERE period = ? AND period_start < ? ORDER BY team_id').safeIntegers(true),
      earliest: db.prepare<[WalletPeriod], number | null>('SELECT MIN(period_start) FROM wallets WHERE period = ?').pluck(),
    };
  }

  /** The instant of the next roll-over, looked up if unknown; Infinity with no wallets. */
  nextRollOverAt(): number {
    if (this.nextAt === Number.NEGATIVE_INFINITY) {
      let next = Number.POSITIVE_INFINITY;
      for (const period of WALLET_PERIODS) {
        const start = this.stmts.earliest.get(period);
        if (start !== null && start !== undefined) next = Math.min(next, periodEndAfter(start, period));
      }
      this.nextAt = next;
    }
    return this.nextAt;
  }

  /** A wallet was created (possibly back-dated): its period may end before any other. */
  track(w: Pick<WalletRow, 'period' | 'period_start'>): void {
    this.nextAt = Math.min(this.nextAt, periodEndAfter(w.period_start, w.period));
  }

  /** Periods changed behind the cache's back (bulk loads, a rolled-back batch): look again next time. */
  forget(): void {
    this.nextAt = Number.NEGATIVE_INFINITY;
  }

  /**
   * Starts the period holding `now` for every wallet whose period is over:
   * an allocate row with the full allocation at the period start, a reserve
   * row re-holding carried-over holds, credits and reclaims lapsed (and taken
   * off the parent's children_allocated). Returns how many wallets rolled.
   */
  rollOver(now: number): number {
    if (now < this.nextRollOverAt()) return 0;
    let rolled = 0;
    for (const period of WALLET_PERIODS) {
      const start = periodStartAt(now, period);
      const due = this.stmts.due.all(period, start).map((raw) => fromDb<WalletRow>(raw, WALLET_MONEY));
      if (due.length === 0) continue;
      const spent = this.subtreeSpendSince(start);
      for (const w of due) {
        this.wallets.startPeriod(w, openPeriod({ allocation: w.allocation, reserved: w.reserved, softCap: w.soft_cap, period }, now, spent.get(w.team_id) ?? ZERO));
        this.wallets.save(w);
        rolled += 1;
      }
    }
    this.forget();
    return rolled;
  }

  /**
   * Spend since `since` of every subtree that has any: one grouped query over
   * the new period's events (normally none yet), each team's total added to
   * its ancestors.
   */
  private subtreeSpendSince(since: number): Map<string, Money> {
    const totals = new Map<string, Money>();
    const parents = new Map<string, string | null>();
    for (const [team, cost] of this.events.spendByTeamSince(since)) {
      for (let id: string | null = team; id !== null; ) {
        totals.set(id, addMoney(totals.get(id) ?? ZERO, cost));
        let parent = parents.get(id);
        if (parent === undefined) {
          parent = this.wallets.find(id)?.parent_id ?? null;
          parents.set(id, parent);
        }
        id = parent;
      }
    }
    return totals;
  }
}
