import type { Kysely, Migration } from 'kysely';

/**
 * The transport that gave each provider id: ids are unique per provider at best (an SMSC reuses
 * short decimal ids after a restart), so a receipt matches only the ids its own transport gave.
 * Rows written before this migration have none and stay matchable by any transport: which
 * transport sent them is not recorded anywhere (DECISIONS.md §24). The index leads with the
 * provider id, which selects, and holds the transport, so the match never reads the table.
 */
export const providerIdTransport: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('provider_ids').addColumn('transport', 'text').execute();
    await db.schema.dropIndex('provider_ids_provider').execute();
    await db.schema.createIndex('provider_ids_provider_transport').on('provider_ids').columns(['provider_id', 'transport']).execute();
  },
};
