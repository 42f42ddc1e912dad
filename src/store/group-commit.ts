import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';

interface Pending {
  fn: (trx: Transaction<Database>) => Promise<unknown>;
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
 * a caller alone pays no savepoint at all.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private running = false;

  constructor(private readonly db: Kysely<Database>) {}

  run<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      if (batch.length === 1) await this.runAlone(batch[0]);
      else await this.runTogether(batch);
    }
    this.running = false;
  }

  private async runAlone(p: Pending): Promise<void> {
    try {
      p.resolve(await this.db.transaction().execute(p.fn));
    } catch (err) {
      p.reject(err);
    }
  }

  private async runTogether(batch: Pending[]): Promise<void> {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; err: unknown })[] = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const p of batch) {
          await sql`savepoint g`.execute(trx);
          try {
            outcomes.push({ ok: true, value: await p.fn(trx) });
            await sql`release g`.execute(trx);
          } catch (err) {
            await sql`rollback to g`.execute(trx);
            await sql`release g`.execute(trx);
            outcomes.push({ ok: false, err });
          }
        }
      });
    } catch (err) {
      // The commit itself failed: nothing of the batch is stored, every caller hears it.
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (o.ok) p.resolve(o.value);
      else p.reject(o.err);
    });
  }
}
