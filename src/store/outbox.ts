import type { Kysely } from 'kysely';
import type { StoreTx } from '../core/ports.js';
import type { Database } from './schema.js';
import { toOutboxEntry } from './mappers.js';
import type { Raw } from './raw.js';

type OutboxQueries = Pick<StoreTx, 'insertOutbox' | 'listOutbox'>;

export const outboxQueries = (db: Kysely<Database>, raw: Raw): OutboxQueries => ({
  async insertOutbox(e) {
    const row = await db.insertInto('outbox')
      .values({
        account_id: e.accountId, message_id: e.messageId, recipient_id: e.recipientId, channel: e.channel,
        address: e.address, rendered: JSON.stringify(e.rendered), sent_at: e.sentAt,
      })
      .returningAll().executeTakeFirstOrThrow();
    return toOutboxEntry(row);
  },

  async listOutbox(q) {
    let query = db.selectFrom('outbox').selectAll().orderBy('id', 'desc').limit(q.limit);
    if (q.accountId !== undefined) query = query.where('account_id', '=', q.accountId);
    if (q.messageId !== undefined) query = query.where('message_id', '=', q.messageId);
    if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
    return (await query.execute()).map(toOutboxEntry);
  },
});
