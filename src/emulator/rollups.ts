// Hourly usage rollups: how a gateway keeps spend older than its raw-event
// retention. One row per UTC hour, team, provider and model with the sums an
// aggregate needs (requests, tokens, exact cost) and the counts of cached and
// blocked requests; no single request survives. The full demo keeps its
// last 30 days as raw events and the year before that as rollups; the meta
// key `raw_events_since` says where the raw events begin, and the events
// endpoints read both (docs/emulator.md § Retention).
import type Database from 'better-sqlite3';
import type { Money } from '../domain/money.js';

export interface RollupRow {
  hour_start: number;
  team_id: string;
  provider: string;
  model: string;
  requests: number;
  cached: number;
  blocked: number;
  input_tokens: number;
  output_tokens: number;
  cost: Money;
}

const RAW_SINCE_KEY = 'raw_events_since';

export class Rollups {
  private readonly stmts;
  private rawSince: number | null | undefined;

  constructor(db: Database.Database) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO usage_hourly (hour_start, team_id, provider, model, requests, cached, blocked, input_tokens, output_tokens, cost)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (hour_start, team_id, provider, model) DO UPDATE SET requests = requests + excluded.requests,
           cached = cached + excluded.cached, blocked = blocked + excluded.blocked, input_tokens = input_tokens + excluded.input_tokens,
           output_tokens = output_tokens + excluded.output_tokens, cost = cost + excluded.cost`,
      ),
      any: db.prepare<[number, number], { one: number }>('SELECT 1 AS one FROM usage_hourly WHERE hour_start >= ? AND hour_start < ? LIMIT 1'),
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    };
  }

  /** Adds a row (to an existing one for the same hour, team, provider and model). */
  insert(r: RollupRow): void {
    this.stmts.insert.run(r.hour_start, r.team_id, r.provider, r.model, r.requests, r.cached, r.blocked, r.input_tokens, r.output_tokens, r.cost);
  }

  /** Whether any rollup hour starts in [since, until). */
  anyBetween(since: number, until: number): boolean {
    return this.stmts.any.get(since, until) !== undefined;
  }

  /** Where the raw events begin (ms), when the database keeps rollups before them. */
  rawEventsSince(): number | undefined {
    if (this.rawSince === undefined) {
      const text = this.stmts.getMeta.get(RAW_SINCE_KEY)?.value;
      this.rawSince = text === undefined ? null : Date.parse(text);
    }
    return this.rawSince ?? undefined;
  }

  setRawEventsSince(ms: number): void {
    this.stmts.setMeta.run(RAW_SINCE_KEY, new Date(ms).toISOString());
    this.rawSince = ms;
  }
}
