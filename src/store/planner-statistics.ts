import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** The tables the dispatch's statements join and look up by key. */
const TABLES = ['messages', 'recipients'] as const;
/** Fewer changed rows than this never make a plan bad enough to matter. */
const MIN_CHANGED = 1000;
const MIN_INTERVAL_MS = 5000;

/**
 * PostgreSQL plans from table statistics that autovacuum refreshes at most once a minute. A young
 * database (a table never analyzed, or one that has grown many times over since) that takes a
 * large campaign and sends it at once is planned as if its tables were nearly empty: the claim
 * sorts every due row to take a batch, and the recipient reads and sent marks scan the whole
 * recipient table (docs/BENCHMARKS.md, 3). When the dispatcher claims a full batch, the tables
 * that changed more than they had rows at their last analysis are analyzed, in the background,
 * on a connection of the pool.
 */
export class PlannerStatistics {
  private running: Promise<void> | undefined;
  private checkedAt = -Infinity;

  constructor(private readonly db: Kysely<Database>) {}

  /** A full batch was claimed: many rows are due, the claims and sends that follow depend on good plans. */
  freshen(): void {
    const now = performance.now();
    if (this.running || now - this.checkedAt < MIN_INTERVAL_MS) return;
    this.checkedAt = now;
    // A maintenance step: when it fails, the statements still run, on the plans they had.
    this.running = this.analyzeStale().catch(() => {}).finally(() => { this.running = undefined; });
  }

  /** Resolves when no analysis is running (before the pool closes). */
  async settled(): Promise<void> {
    await this.running;
  }

  private async analyzeStale(): Promise<void> {
    // reltuples < 0: never analyzed nor vacuumed. The change counters reach pg_stat a second or so late.
    const { rows } = await sql<{ relname: string }>`select c.relname from pg_class c
      left join pg_stat_user_tables s on s.relid = c.oid
      where c.oid in (${sql.join(TABLES.map((t) => sql`${t}::regclass`))})
        and (c.reltuples < 0 or coalesce(s.n_mod_since_analyze, 0) >= greatest(${MIN_CHANGED}, c.reltuples))`.execute(this.db);
    if (rows.length === 0) return;
    // SKIP_LOCKED: a table autovacuum is working on is left to it rather than waited for.
    await sql`analyze (skip_locked) ${sql.join(rows.map((r) => sql.table(r.relname)))}`.execute(this.db);
  }
}
