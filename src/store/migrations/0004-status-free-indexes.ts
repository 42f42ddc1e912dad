import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Index keys without the status that every claim, send and cancel changes, so that a status
 * change moves no index entry. The due index holds scheduled messages only, keyed by send_at:
 * the claim and the next-wake query read nothing else, and sent or cancelled messages cost it
 * no bytes (queries must name the status as a literal for SQLite to use it: claim.ts). The
 * recipient indexes find a message's or an address's few rows; their status is read from the row.
 */
export const statusFreeIndexes: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.dropIndex('messages_due').execute();
    await db.schema.createIndex('messages_due').on('messages').column('send_at')
      .where(sql.ref('status'), '=', sql.lit('scheduled')).execute();
    await db.schema.dropIndex('recipients_message').execute();
    await db.schema.createIndex('recipients_message').on('recipients').column('message_id').execute();
    await db.schema.dropIndex('recipients_address').execute();
    await db.schema.createIndex('recipients_address').on('recipients').columns(['account_id', 'address']).execute();
  },
};
