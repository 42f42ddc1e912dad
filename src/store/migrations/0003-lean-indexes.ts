import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Partial indexes for what most rows do not have: scheduling a message without an idempotency
 * key or a tag, or in any state but `dispatching`, then writes no entry in them. Each index
 * entry saved is one page less in every scheduling commit and bytes saved per pending message.
 * Queries on the lease index must name the status as a literal (SQLite only uses a partial
 * index when the query's WHERE visibly implies the index's): see claim.ts.
 */
export const leanIndexes: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.dropIndex('messages_idempotency').execute();
    await db.schema.createIndex('messages_idempotency').on('messages').columns(['account_id', 'idempotency_key']).unique()
      .where(sql.ref('idempotency_key'), 'is not', null).execute();
    await db.schema.dropIndex('messages_lease').execute();
    await db.schema.createIndex('messages_lease').on('messages').column('lease_until')
      .where(sql.ref('status'), '=', sql.lit('dispatching')).execute();
    await db.schema.dropIndex('messages_tag').execute();
    await db.schema.createIndex('messages_tag').on('messages').columns(['account_id', 'tag'])
      .where(sql.ref('tag'), 'is not', null).execute();
  },
};
