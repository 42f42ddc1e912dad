import { sql, type Kysely, type Migration } from 'kysely';

/**
 * What a past send's STOP, status word and refund are read from, recorded when it happened
 * rather than read from today's configuration (#20, DECISIONS.md §38):
 * - provider_ids: the handset and the sender the send went out with. A STOP reads a handset's
 *   latest sends through its own transport from the index, newest first, and stops at its limit;
 *   the handsets' index on recipients goes, so scheduling pays nothing for STOP any more. Rows
 *   written before have no address: their sends are not attributable, and the index is partial
 *   (address not null), so it starts empty and its build writes nothing while the migration
 *   holds the table; `address = ?` implies the condition, so both databases use it for a STOP.
 * - provider_ids(recipient_id): whether a `sent` recipient awaits a receipt (a row exists for it).
 *   Only sends through a transport with receipts write rows; the outbox's burst path none.
 * - recipients.refunded_at: when a receipt refunded an undelivered recipient. Not indexed, so the
 *   settle's update stays HOT on PostgreSQL (§24). Backfilled for the undelivered recipients of
 *   a message that a receipt refunded (the ledger's cause that core/receipts.ts writes), at their
 *   `updated_at`, the instant cost-resume counted them at before.
 */
export const sendsRecorded: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('provider_ids').addColumn('address', 'text').execute();
    await db.schema.alterTable('provider_ids').addColumn('sender', 'text').execute();
    await db.schema.createIndex('provider_ids_handset').on('provider_ids').columns(['address', 'transport', 'recipient_id'])
      .where(sql.ref('address'), 'is not', null).execute();
    await db.schema.createIndex('provider_ids_recipient').on('provider_ids').column('recipient_id').execute();
    await db.schema.dropIndex('recipients_handset').execute();
    await db.schema.alterTable('recipients').addColumn('refunded_at', 'bigint').execute();
    // The refunds read once (no index on ledger.message_id), not probed per recipient.
    await sql`update recipients set refunded_at = updated_at where status = 'undelivered' and message_id in (
      select message_id from ledger where kind = 'refund' and cause = 'message ' || message_id || ': undelivered')`.execute(db);
  },
};
