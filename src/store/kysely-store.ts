import { sql, type Kysely } from 'kysely';
import type SqliteDatabase from 'better-sqlite3';
import type { Store, StoreTx } from '../core/ports.js';
import type { StoreKind } from './kind.js';
import type { Database } from './schema.js';
import { accountQueries } from './accounts.js';
import { claimQueries } from './claim.js';
import { messageQueries } from './messages.js';
import { outboxQueries } from './outbox.js';
import { suppressionQueries } from './suppressions.js';
import { profileQueries } from './profiles.js';
import { settingQueries } from './settings.js';
import { statusQueries } from './status.js';
import { stopListQueries } from './stop-list.js';
import { enqueueWebhooks, webhookQueries } from './webhooks.js';
import { migrateToLatest } from './migrations/index.js';
import { GroupCommitter } from './group-commit.js';
import { guarded, translate } from './unavailable.js';
import { retryConflicts } from './retry.js';
import { pgRaw, sqliteRaw, type Raw } from './raw.js';
import { directSqlite } from './sqlite-direct.js';
import { paidMessageQueries } from './paid-message.js';
import { cancelOneQueries } from './cancel-one.js';
import { PlannerStatistics } from './planner-statistics.js';
import { receiptQueries } from './receipts.js';

const bind = (db: Kysely<Database>, kind: StoreKind, raw: Raw, onFullClaim?: () => void): StoreTx => {
  const messages = messageQueries(db, raw, kind);
  // Every recipient status change writes an event: deriving the callback outbox here means
  // no code path can change a status without its callback (StoreTx.insertEvents).
  const insertEvents: StoreTx['insertEvents'] = async (events) => {
    await messages.insertEvents(events);
    await enqueueWebhooks(raw, events);
  };
  return {
    ...accountQueries(db, raw, kind),
    ...messages,
    insertEvents,
    ...paidMessageQueries(kind, raw, { insertMessage: messages.insertMessage, insertEvents }),
    ...(kind === 'postgres' ? cancelOneQueries(raw) : {}),
    ...claimQueries(kind, raw, insertEvents, onFullClaim),
    ...suppressionQueries(db, raw),
    ...outboxQueries(db, raw),
    ...profileQueries(db),
    ...settingQueries(db),
    ...stopListQueries(db),
    ...statusQueries(db),
    ...webhookQueries(db, kind),
    ...receiptQueries(raw),
  };
};

/** SQLite's one connection, as the store's queries and its group committer use it. */
export interface SqliteHandle {
  database: SqliteDatabase.Database;
  /** Prepared statements cached by SQL text. */
  prepare(text: string): SqliteDatabase.Statement;
}

/**
 * The Store port over Kysely, for SQLite and PostgreSQL alike. `db` is Kysely's own dialect
 * (migrations, tests' direct reads). On SQLite the store's queries are bound once to a direct
 * Kysely over the same connection and run inside the group committer's transactions; on
 * PostgreSQL they are bound to each transaction's connection.
 */
export class KyselyStore implements Store {
  readonly autocommit: StoreTx;
  private readonly group: GroupCommitter | undefined;
  private readonly statistics: PlannerStatistics | undefined;

  constructor(readonly db: Kysely<Database>, readonly kind: StoreKind, sqlite?: SqliteHandle) {
    if (sqlite) {
      const tx = bind(directSqlite(sqlite.prepare), kind, sqliteRaw(sqlite.database));
      this.group = new GroupCommitter(sqlite.database, tx);
      // A lone statement is a transaction of its own, with a commit of its own: the dispatcher's
      // many small writes (outbox rows, leases, completions) share commits too.
      this.autocommit = guarded(this.viaGroup(tx));
    } else {
      // PostgreSQL has a pool of connections and commits concurrently on its own.
      this.statistics = new PlannerStatistics(db);
      this.autocommit = guarded(bind(db, kind, pgRaw(db), this.freshen));
    }
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    // SQLite's group committer runs one writer at a time: it cannot deadlock.
    if (this.group) return this.group.run(fn).catch(translate);
    return retryConflicts(() => this.db.transaction().execute((trx) => fn(bind(trx, this.kind, pgRaw(trx), this.freshen)))).catch(translate);
  }

  private viaGroup(tx: StoreTx): StoreTx {
    const names = Object.keys(tx) as (keyof StoreTx)[];
    return Object.fromEntries(names.map((name) => [name, (...args: unknown[]) =>
      this.group!.run((t) => (t[name] as (...a: unknown[]) => Promise<unknown>)(...args))])) as unknown as StoreTx;
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db).catch(translate);
  }

  migrate(): Promise<string[]> {
    return migrateToLatest(this.db, this.kind);
  }

  private readonly freshen = (): void => this.statistics?.freshen();

  async close(): Promise<void> {
    await this.statistics?.settled();
    return this.db.destroy();
  }
}
