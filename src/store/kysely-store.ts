import { sql, type Kysely } from 'kysely';
import type { Store, StoreTx } from '../core/ports.js';
import type { StoreKind } from './open.js';
import type { Database } from './schema.js';
import { accountQueries } from './accounts.js';
import { claimQueries } from './claim.js';
import { messageQueries } from './messages.js';
import { outboxQueries } from './outbox.js';
import { suppressionQueries } from './suppressions.js';
import { profileQueries } from './profiles.js';
import { statusQueries } from './status.js';
import { stopListQueries } from './stop-list.js';
import { enqueueWebhooks, webhookQueries } from './webhooks.js';
import { migrateToLatest } from './migrations/index.js';
import { GroupCommitter } from './group-commit.js';
import { guarded, translate } from './unavailable.js';

const bind = (db: Kysely<Database>, kind: StoreKind): StoreTx => {
  const messages = messageQueries(db);
  return {
    ...accountQueries(db),
    ...messages,
    // Every recipient status change writes an event: deriving the callback outbox here means
    // no code path can change a status without its callback (StoreTx.insertEvents).
    async insertEvents(events) {
      await messages.insertEvents(events);
      await enqueueWebhooks(db, events);
    },
    ...claimQueries(db, kind),
    ...suppressionQueries(db),
    ...outboxQueries(db),
    ...profileQueries(db),
    ...stopListQueries(db),
    ...statusQueries(db),
    ...webhookQueries(db),
  };
};

/** The Store port over Kysely, for SQLite and PostgreSQL alike. */
export class KyselyStore implements Store {
  readonly read: StoreTx;
  private readonly group: GroupCommitter | undefined;
  /** A group-commit batch runs many callers in one transaction: bind its queries once. */
  private readonly bound = new WeakMap<Kysely<Database>, StoreTx>();

  constructor(readonly db: Kysely<Database>, readonly kind: StoreKind) {
    // PostgreSQL has a pool of connections and commits concurrently on its own.
    this.group = kind === 'sqlite' ? new GroupCommitter(db) : undefined;
    // On SQLite a lone statement is a transaction of its own, with a commit of its own: the
    // dispatcher's many small writes (outbox rows, leases, completions) then share commits too.
    this.read = guarded(this.group ? this.viaGroup() : bind(db, kind));
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const run = (trx: Kysely<Database>) => fn(this.bindTo(trx));
    return (this.group ? this.group.run(run) : this.db.transaction().execute(run)).catch(translate);
  }

  private bindTo(trx: Kysely<Database>): StoreTx {
    let tx = this.bound.get(trx);
    if (!tx) this.bound.set(trx, (tx = bind(trx, this.kind)));
    return tx;
  }

  private viaGroup(): StoreTx {
    const names = Object.keys(bind(this.db, this.kind)) as (keyof StoreTx)[];
    return Object.fromEntries(names.map((name) => [name, (...args: unknown[]) =>
      this.group!.run((trx) => (this.bindTo(trx)[name] as (...a: unknown[]) => Promise<unknown>)(...args))])) as unknown as StoreTx;
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db).catch(translate);
  }

  migrate(): Promise<string[]> {
    return migrateToLatest(this.db, this.kind);
  }

  close(): Promise<void> {
    return this.db.destroy();
  }
}
