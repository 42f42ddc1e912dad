import type { Kysely, Migration } from 'kysely';

/**
 * Where a delivery receipt finds its recipient: the provider id a transport with receipts gave,
 * indexed. Not an index on recipients.provider_id: the outbox sets that column in the update that
 * marks a recipient sent, and on PostgreSQL any index on a changed column turns that update from
 * a HOT one (no index touched) into one new entry in every index of recipients (DECISIONS.md §24).
 */
export const providerIds: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createTable('provider_ids')
      .addColumn('provider_id', 'text', (c) => c.notNull())
      .addColumn('recipient_id', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('provider_ids_provider').on('provider_ids').column('provider_id').execute();
  },
};
