import type { Kysely, Migration } from 'kysely';

/**
 * Receipts that came before their send was recorded (core/receipts.ts), kept until the send is
 * recorded or they expire (RELAIS_RECEIPT_KEEP_SECONDS): one per transport and provider id, the
 * first one heard. And the handsets' index of recipients, by which a mobile-originated STOP finds
 * the accounts that sent to its number (core/inbound.ts); an address never changes after the
 * insert, so the updates of a send stay HOT on PostgreSQL. Dropped by 0015: a STOP now reads the
 * sends recorded in provider_ids (DECISIONS.md §38).
 */
export const keptReceipts: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createTable('kept_receipts')
      .addColumn('transport', 'text', (c) => c.notNull())
      .addColumn('provider_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('provider_code', 'text')
      .addColumn('kept_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('kept_receipts_key', ['transport', 'provider_id'])
      .execute();
    // The sweep takes and drops them oldest first, a batch at a time (core/receipts.ts).
    await db.schema.createIndex('kept_receipts_kept_at').on('kept_receipts').column('kept_at').execute();
    // With the id, PostgreSQL reads a handset's latest recipients in order and stops at the limit (core/inbound.ts).
    await db.schema.createIndex('recipients_handset').on('recipients').columns(['address', 'id']).execute();
  },
};
