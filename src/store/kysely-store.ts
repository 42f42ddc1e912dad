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

  constructor(readonly db: Kysely<Database>, readonly kind: StoreKind) {
    this.read = guarded(bind(db, kind));
    // PostgreSQL has a pool of connections and commits concurrently on its own.
    this.group = kind === 'sqlite' ? new GroupCommitter(db) : undefined;
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const run = (trx: Kysely<Database>) => fn(bind(trx, this.kind));
    return (this.group ? this.group.run(run) : this.db.transaction().execute(run)).catch(translate);
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
