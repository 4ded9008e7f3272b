// Group commit: requests that arrive together share one transaction and one
// durable commit, each in its own savepoint, so a refusal rolls back only its
// own writes. Same atomicity and order as a transaction per request, one
// fsync per batch instead of one per request.
import type Database from 'better-sqlite3';

export interface BatchHooks {
  /** Runs first inside each batch's transaction; a throw fails the whole batch. */
  open(): void;
  /** Runs once the batch's transaction has committed (ok) or rolled back. */
  close(ok: boolean): void;
  /** Runs after any rollback: a failed job's savepoint, a failed batch, a failed `tx`. */
  rolledBack?(): void;
}

interface Job {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  // better-sqlite3 turns a nested call into a savepoint, so one wrapper serves batches and jobs alike.
  private readonly inTransaction: (fn: () => unknown) => unknown;
  private readonly hooks: BatchHooks | undefined;
  private queue: Job[] = [];
  /**
   * Makes everything committed so far durable (an fsync of the WAL run off
   * the event loop); undefined when SQLite syncs at commit itself, or for
   * :memory:.
   */
  private syncCommitted: (() => Promise<void>) | undefined;

  constructor(db: Database.Database, hooks?: BatchHooks) {
    this.inTransaction = db.transaction((fn: () => unknown) => fn());
    this.hooks = hooks;
  }

  setCommitSync(sync: (() => Promise<void>) | undefined): void {
    this.syncCommitted = sync;
  }

  /** Runs `fn` in one transaction now (a savepoint when nested). */
  tx<T>(fn: () => T): T {
    try {
      return this.inTransaction(fn) as T;
    } catch (error) {
      this.hooks?.rolledBack?.();
      throw error;
    }
  }

  /**
   * Runs `fn` in the next batch. With a commit sync set, that sync runs on
   * the thread pool while the next batch is already being served; no answer
   * leaves before the data it reports is on disk.
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
      this.inTransaction(() => {
        this.hooks?.open();
        for (const job of jobs) {
          try {
            outcomes.push({ ok: true, value: this.inTransaction(job.fn) });
          } catch (error) {
            this.hooks?.rolledBack?.();
            outcomes.push({ ok: false, value: error });
          }
        }
      });
    } catch (error) {
      this.hooks?.rolledBack?.();
      this.hooks?.close(false);
      for (const job of jobs) job.reject(error);
      return;
    }
    this.hooks?.close(true);
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
}
