// The events table: spend as the gateway settles it or as history loads it.
import type Database from 'better-sqlite3';
import type { Micros } from '../domain/money.js';
import type { EventInput, EventRow } from './schema.js';

export class EventLog {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO events (ts, team_id, user_id, provider, model, input_tokens, output_tokens, cached, cost, currency, request_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      bySeq: db.prepare<[number], EventRow>('SELECT * FROM events WHERE seq = ?'),
      spendSince: db.prepare<[number], { team_id: string; cost: number }>(
        'SELECT team_id, SUM(cost) AS cost FROM events WHERE ts >= ? GROUP BY team_id',
      ),
    };
  }

  /** Appends an event; returns its sequence number. */
  insert(e: EventInput): number {
    const info = this.stmts.insert.run(
      e.ts, e.team_id, e.user_id, e.provider, e.model, e.input_tokens, e.output_tokens, e.cached ? 1 : 0, e.cost, e.currency, e.request_id,
    );
    return Number(info.lastInsertRowid);
  }

  get(seq: number): EventRow | undefined {
    return this.stmts.bySeq.get(seq);
  }

  /** Each team's own spend from `since` on (the ts index limits it to those events). */
  spendByTeamSince(since: number): Map<string, Micros> {
    return new Map(this.stmts.spendSince.all(since).map((r) => [r.team_id, r.cost]));
  }
}
