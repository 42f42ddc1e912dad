import type { Kysely, Selectable } from 'kysely';
import type { AudioFilesPort } from '../core/ports.js';
import type { AudioContentType, AudioFile, AudioFileKind } from '../core/types.js';
import type { AudioFileTable, Database } from './schema.js';

/** Every column but the bytes: a list or a rename never reads a file's content. */
const INFO = ['id', 'account_id', 'kind', 'token', 'name', 'content_type', 'size', 'duration_ms', 'created_at'] as const;

const toAudioFile = (r: Omit<Selectable<AudioFileTable>, 'bytes'>): AudioFile => ({
  id: Number(r.id), accountId: Number(r.account_id), kind: r.kind as AudioFileKind, token: r.token, name: r.name, contentType: r.content_type as AudioContentType,
  size: Number(r.size), durationMs: Number(r.duration_ms), createdAt: Number(r.created_at),
});

export const audioFileQueries = (db: Kysely<Database>): AudioFilesPort => ({
  async insertAudioFile(f) {
    const row = await db.insertInto('audio_files')
      .values({ account_id: f.accountId, kind: f.kind, token: f.token, name: f.name, content_type: f.contentType, bytes: f.bytes, size: f.size, duration_ms: f.durationMs, created_at: f.createdAt })
      .onConflict((oc) => oc.column('token').doNothing())
      .returning(INFO).executeTakeFirst();
    return row && toAudioFile(row);
  },

  async listAudioFiles(accountId) {
    return (await db.selectFrom('audio_files').select(INFO).where('account_id', '=', accountId).where('kind', '=', 'upload').orderBy('id').execute()).map(toAudioFile);
  },

  async findAudioFile(accountId, token) {
    const row = await db.selectFrom('audio_files').select(INFO).where('token', '=', token).where('account_id', '=', accountId).executeTakeFirst();
    return row && toAudioFile(row);
  },

  async audioFileBytes(accountId, token) {
    const row = await db.selectFrom('audio_files').select('bytes').where('token', '=', token).where('account_id', '=', accountId).executeTakeFirst();
    return row?.bytes;
  },

  async renameAudioFile(accountId, token, name) {
    const row = await db.updateTable('audio_files').set({ name }).where('token', '=', token).where('account_id', '=', accountId).where('kind', '=', 'upload').returning(INFO).executeTakeFirst();
    return row && toAudioFile(row);
  },

  async deleteAudioFile(accountId, token) {
    await db.deleteFrom('audio_files').where('token', '=', token).where('account_id', '=', accountId).execute();
  },
});
