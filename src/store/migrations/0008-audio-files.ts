import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreKind } from '../kind.js';

/**
 * Voice Partner's audio files (spec/voice-partner.md §2–§4), their bytes in the database: every
 * node of a deployment sees a file the moment it is uploaded, with no shared disk to set up.
 * `token` is the opaque `tokenAudio` clients send; unique over the table, looked up per account.
 * `kind` tells an account's uploads from the WAV synthesised for one text-to-speech call, which
 * is stored the same way so that every node and the outbox can serve it, but is never listed.
 * A Voice Partner call is found by its campaign id, the message's `batch_id` (core/voice.ts), at
 * every send (the id is drawn unused) and cancel: a partial index, as for tags (0003).
 */
export const audioFiles = (kind: StoreKind): Migration => ({
  async up(db: Kysely<any>) {
    const pg = kind === 'postgres';
    const t = db.schema.createTable('audio_files');
    await (pg ? t.addColumn('id', 'bigserial', (c) => c.primaryKey()) : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()))
      .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
      .addColumn('kind', 'text', (c) => c.notNull().defaultTo('upload'))
      .addColumn('token', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('content_type', 'text', (c) => c.notNull())
      .addColumn('bytes', pg ? 'bytea' : 'blob', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audio_files_account').on('audio_files').columns(['account_id', 'id']).execute();
    await db.schema.createIndex('messages_batch').on('messages').columns(['account_id', 'batch_id'])
      .where(sql.ref('batch_id'), 'is not', null).execute();
  },
});
