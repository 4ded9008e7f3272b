// The events table: spend as the gateway settles it or as history loads it.
// Costs are nano-units; statements that read them run in safe-integer mode.
import type Database from 'better-sqlite3';
import { type Money, nanos } from '../domain/money.js';
import { DEFAULT_DECISION, EVENT_MONEY, fromDb, type EventInput, type EventRow } from './schema.js';

export class EventLog {
  private readonly stmts;
  private last = 0;

  constructor(db: Database.Database) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO events (ts, team_id, user_id, provider, model, input_tokens, output_tokens, cached, cost, currency, request_id,
           verdict, reason_code, event_type, config_version, spend_log_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      bySeq: db.prepare<[number], unknown>('SELECT * FROM events WHERE seq = ?').safeIntegers(true),
      spendSince: db
        .prepare<[number], { team_id: string; cost: bigint }>('SELECT team_id, SUM(cost) AS cost FROM events WHERE ts >= ? GROUP BY team_id')
        .safeIntegers(true),
    };
  }

  /** Appends an event; returns its sequence number. */
  insert(e: EventInput): number {
    const d = e.decision ?? DEFAULT_DECISION;
    const info = this.stmts.insert.run(
      e.ts, e.team_id, e.user_id, e.provider, e.model, e.input_tokens, e.output_tokens, e.cached ? 1 : 0, e.cost, e.currency, e.request_id,
      d.verdict, d.reason_code, d.event_type, d.config_version, d.spend_log_id,
    );
    this.last = Number(info.lastInsertRowid);
    return this.last;
  }

  /** Appends an event; returns its row as `get` would read it back, without reading it. */
  insertRow(e: EventInput): EventRow {
    const seq = this.insert(e);
    const d = e.decision ?? DEFAULT_DECISION;
    return {
      seq,
      ts: e.ts,
      team_id: e.team_id,
      user_id: e.user_id,
      provider: e.provider,
      model: e.model,
      input_tokens: e.input_tokens,
      output_tokens: e.output_tokens,
      cached: e.cached ? 1 : 0,
      cost: e.cost,
      currency: e.currency,
      request_id: e.request_id,
      verdict: d.verdict,
      reason_code: d.reason_code,
      event_type: d.event_type,
      config_version: d.config_version,
      spend_log_id: d.spend_log_id,
    };
  }

  /** The seq of the last event inserted. */
  lastSeq(): number {
    return this.last;
  }

  get(seq: number): EventRow | undefined {
    const raw = this.stmts.bySeq.get(seq);
    return raw === undefined ? undefined : fromDb<EventRow>(raw, EVENT_MONEY);
  }

  /** Each team's own spend from `since` on (the ts index limits it to those events). */
  spendByTeamSince(since: number): Map<string, Money> {
    return new Map(this.stmts.spendSince.all(since).map((r) => [r.team_id, nanos(r.cost)]));
  }
}
