import { sql, type Kysely } from 'kysely';
import type SqliteDatabase from 'better-sqlite3';
import type { Store, StoreTx } from '../core/ports.js';
import type { StoreKind } from './kind.js';
import type { Database } from './schema.js';
import { accountQueries } from './accounts.js';
import { claimQueries } from './claim.js';
import { ledgerQueries } from './ledger.js';
import { messageQueries } from './messages.js';
import { outboxQueries } from './outbox.js';
import { suppressionQueries } from './suppressions.js';
import { profileQueries } from './profiles.js';
import { settingQueries } from './settings.js';
import { statusQueries } from './status.js';
import { stopListQueries } from './stop-list.js';
import { enqueueWebhooks, webhookQueries } from './webhooks.js';
import { webhookEndpointQueries } from './webhook-endpoints.js';
import { migrateToLatest } from './migrations/index.js';
import { GroupCommitter } from './group-commit.js';
import { guarded, translate } from './unavailable.js';
import { retryConflicts } from './retry.js';
import { pgRaw, sqliteRaw, type Raw } from './raw.js';
import { directSqlite } from './sqlite-direct.js';
import { paidMessageQueries } from './paid-message.js';
import { cancelOneQueries } from './cancel-one.js';
import { PlannerStatistics } from './planner-statistics.js';
import { inboundQueries } from './inbound.js';
import { receiptQueries } from './receipts.js';
import { audioFileQueries } from './audio-files.js';
import { campaignQueries } from './campaigns.js';
import { userQueries } from './users.js';
import { brazeScheduleQueries } from './braze-schedules.js';

/**
 * The store's queries on one connection or transaction. `composite`: the operations that must be
 * atomic on their own run as one statement each (PostgreSQL, DECISIONS §14); otherwise as their
 * steps, inside the transaction the caller runs them in.
 */
const bind = (db: Kysely<Database>, kind: StoreKind, composite: boolean, raw: Raw, onFullClaim?: () => void): StoreTx => {
  const messages = messageQueries(db, raw, kind);
  // Every recipient status change writes an event: deriving the callback outbox here means
  // no code path can change a status without its callback (MessagesPort.insertEvents).
  const insertEvents: StoreTx['insertEvents'] = async (events) => {
    await messages.insertEvents(events);
    await enqueueWebhooks(raw, events);
  };
  return {
    ...accountQueries(db, raw, kind),
    ...ledgerQueries(db, raw),
    ...messages,
    insertEvents,
    ...paidMessageQueries(composite, raw, { insertMessage: messages.insertMessage, insertEvents }),
    ...(composite ? cancelOneQueries(raw) : {}),
    ...claimQueries(kind, composite, raw, insertEvents, onFullClaim),
    ...suppressionQueries(db, raw),
    ...outboxQueries(db, raw),
    ...profileQueries(db),
    ...settingQueries(db),
    ...stopListQueries(db),
    ...statusQueries(db, raw),
    ...webhookQueries(db, kind),
    ...webhookEndpointQueries(db),
    ...receiptQueries(raw),
    ...inboundQueries(db),
    ...audioFileQueries(db),
    ...campaignQueries(db),
    ...userQueries(db),
    ...brazeScheduleQueries(db),
  };
};

/** Each of these operations, run through `run` (a transaction of some kind) on the StoreTx it is given. */
function eachIn<K extends keyof StoreTx>(names: K[], run: (fn: (tx: StoreTx) => Promise<unknown>) => Promise<unknown>): Pick<StoreTx, K> {
  return Object.fromEntries(names.map((name) => [name, (...args: unknown[]) =>
    run((t) => (t[name] as (...a: unknown[]) => Promise<unknown>)(...args))])) as unknown as Pick<StoreTx, K>;
}

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
  private readonly stepwise: boolean = false;
  private readonly statistics: PlannerStatistics | undefined;

  /**
   * `stepwise` (PostgreSQL): run the operations that have composite statements as their steps, in
   * a transaction each, as SQLite does; the differential test compares the two
   * (test/store/differential.test.ts).
   */
  constructor(readonly db: Kysely<Database>, readonly kind: StoreKind, sqlite?: SqliteHandle, opts: { stepwise?: boolean } = {}) {
    if (sqlite) {
      const tx = bind(directSqlite(sqlite.prepare), kind, false, sqliteRaw(sqlite.database));
      this.group = new GroupCommitter(sqlite.database, tx);
      // A lone statement is a transaction of its own, with a commit of its own: the dispatcher's
      // many small writes (outbox rows, leases, completions) share commits too.
      this.autocommit = guarded(this.viaGroup(tx));
    } else {
      // PostgreSQL has a pool of connections and commits concurrently on its own.
      this.statistics = new PlannerStatistics(db);
      this.stepwise = opts.stepwise ?? false;
      const queries = bind(db, kind, !this.stepwise, pgRaw(db), this.freshen);
      this.autocommit = guarded(this.stepwise ? { ...queries, ...this.inOwnTransaction(['insertPaidMessage', 'markRecipient', 'markSent']) } : queries);
    }
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    // SQLite's group committer runs one writer at a time: it cannot deadlock.
    if (this.group) return this.group.run(fn).catch(translate);
    return retryConflicts(() => this.db.transaction().execute((trx) => fn(bind(trx, this.kind, !this.stepwise, pgRaw(trx), this.freshen))))
      .catch(translate);
  }

  /** These operations, each in a transaction of its own: atomic on their own as their composite statements are. */
  private inOwnTransaction<K extends keyof StoreTx>(names: K[]): Pick<StoreTx, K> {
    return eachIn(names, (fn) => this.transaction(fn));
  }

  private viaGroup(tx: StoreTx): StoreTx {
    return eachIn(Object.keys(tx) as (keyof StoreTx)[], (fn) => this.group!.run(fn)) as StoreTx;
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
