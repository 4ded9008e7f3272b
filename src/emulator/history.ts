// Bulk loading of past spend (the demo seed, --import): each event becomes
// an event row and a settle row for its wallet and every ancestor (a
// summary, spend older than the raw events, only the settle rows), and a
// wallet whose ledger is behind the event's period opens that period first,
// so every period's rows add up to its available amount. Events before a
// wallet's ledger period, or in a period that has not begun, are kept as
// events only.
import { openPeriod, periodStartAt, softCapCrossedAt } from '../domain/ledger.js';
import type { EventLog } from './event-log.js';
import type { EventInput, WalletRow } from './schema.js';
import { amountsOf, availableOf, type Wallets } from './wallets.js';
import { addMoney, type Money, negateMoney, ZERO } from '../domain/money.js';

/**
 * Spend kept only as a sum (a team's day): ledger rows without an event.
 * Before the raw events begin, for the team's wallet and its ancestors; with
 * `ancestorsOnly`, the departments' and organization's day of a team whose
 * requests were loaded with `ownWalletOnly`.
 */
export interface SpendSummary {
  kind: 'summary';
  ts: number;
  team_id: string;
  cost: Money;
  ancestorsOnly?: boolean;
}

export class HistoryLoader {
  private readonly wallets: Wallets;
  private readonly events: EventLog;
  private readonly now: () => number;

  constructor(options: { wallets: Wallets; events: EventLog; now: () => number }) {
    this.wallets = options.wallets;
    this.events = options.events;
    this.now = options.now;
  }

  /**
   * Loads `events` in time order; returns how many events (summaries not
   * counted). Wallets must exist for the teams that should be charged.
   * `ownWalletOnly`: an event's settle row goes to its team's wallet only
   * (a summary with `ancestorsOnly` charges the rest of the chain).
   */
  load(events: Iterable<EventInput | SpendSummary>, options: { ownWalletOnly?: boolean } = {}): number {
    const nowMs = this.now();
    const touched = new Map<string, WalletRow>();
    const chains = new Map<string, WalletRow[]>();
    const walletOf = (id: string): WalletRow | undefined => {
      let w = touched.get(id);
      if (w === undefined) {
        w = this.wallets.find(id);
        if (w !== undefined) touched.set(id, w);
      }
      return w;
    };
    const chainOf = (team: string): WalletRow[] => {
      let chain = chains.get(team);
      if (chain === undefined) {
        chain = [];
        for (let id: string | null = team; id !== null; ) {
          const w = walletOf(id);
          if (w === undefined) break;
          chain.push(w);
          id = w.parent_id;
        }
        chains.set(team, chain);
      }
      return chain;
    };
    let count = 0;
    for (const e of events) {
      let seq: number | null = null;
      let first = 0;
      let last = Infinity;
      if ('kind' in e) {
        if (e.ancestorsOnly === true) first = 1;
      } else {
        seq = this.events.insert(e);
        count += 1;
        if (options.ownWalletOnly === true) last = 1;
      }
      const chain = chainOf(e.team_id);
      for (let i = first; i < Math.min(last, chain.length); i += 1) {
        const w = chain[i] as WalletRow;
        const start = periodStartAt(e.ts, w.period);
        if (start > w.period_start && start <= nowMs) {
          this.wallets.startPeriod(w, openPeriod({ allocation: w.allocation, reserved: w.reserved, softCap: w.soft_cap, period: w.period }, e.ts, ZERO));
        }
        if (start !== w.period_start) continue;
        w.spent = addMoney(w.spent, e.cost);
        w.soft_cap_crossed_at = softCapCrossedAt(amountsOf(w), w.soft_cap_crossed_at, e.ts);
        this.wallets.recordRow(w.team_id, 'settle', negateMoney(e.cost), availableOf(w), null, seq, Math.max(e.ts, w.created_at));
      }
    }
    for (const w of touched.values()) this.wallets.save(w);
    return count;
  }
}
