import type SqliteDatabase from 'better-sqlite3';
import type { StoreTx } from '../core/ports.js';

interface Pending {
  fn: (tx: StoreTx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** Transactions per shared commit: bounds how long one batch holds the single connection. */
const MAX_BATCH = 256;

/**
 * Group commit for SQLite, whose one connection serialises every transaction anyway: the
 * transactions requested while one commits run together in the next, each inside its own
 * savepoint (a failure rolls back only its own writes), and all of them answer after the one
 * COMMIT. Concurrent requests then share the cost of a commit instead of queueing for it;
 * a caller alone pays no savepoint at all. `begin immediate` takes the write lock up front, so
 * another process writing (the CLI) makes it wait (busy_timeout) instead of failing later.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private running = false;
  private readonly statements = new Map<string, SqliteDatabase.Statement>();

  constructor(private readonly database: SqliteDatabase.Database, private readonly tx: StoreTx) {}

  private exec(text: string): void {
    let s = this.statements.get(text);
    if (!s) this.statements.set(text, (s = this.database.prepare(text)));
    s.run();
  }

  run<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (this.running) return;
      this.running = true;
      // Start at the end of this turn of the event loop: the callers that the same turn resumes
      // (the sends of one dispatcher round, the requests of one socket read) then share a commit.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      if (batch.length === 1) await this.runAlone(batch[0]);
      else await this.runTogether(batch);
    }
    this.running = false;
  }

  private async runAlone(p: Pending): Promise<void> {
    try {
      this.exec('begin immediate');
      let value: unknown;
      try {
        value = await p.fn(this.tx);
        this.exec('commit');
      } catch (err) {
        this.rollback();
        throw err;
      }
      p.resolve(value);
    } catch (err) {
      p.reject(err);
    }
  }

  private async runTogether(batch: Pending[]): Promise<void> {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; err: unknown })[] = [];
    try {
      this.exec('begin immediate');
      try {
        for (const p of batch) {
          this.exec('savepoint g');
          try {
            outcomes.push({ ok: true, value: await p.fn(this.tx) });
            this.exec('release g');
          } catch (err) {
            this.exec('rollback to g');
            this.exec('release g');
            outcomes.push({ ok: false, err });
          }
        }
        this.exec('commit');
      } catch (err) {
        this.rollback();
        throw err;
      }
    } catch (err) {
      // The transaction itself failed: nothing of the batch is stored, every caller hears it.
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (o.ok) p.resolve(o.value);
      else p.reject(o.err);
    });
  }

  /** SQLite rolls some failures back on its own (a full disk, an I/O error): only roll back what is still open. */
  private rollback(): void {
    if (this.database.inTransaction) this.exec('rollback');
  }
}
