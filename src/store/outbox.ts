import type { Kysely } from 'kysely';
import type { OutboxPort } from '../core/ports.js';
import type { Database } from './schema.js';
import { toOutboxEntry } from './mappers.js';
import { multiRow, type Raw } from './raw.js';
import { CHUNK } from './messages.js';

const insertOutbox = multiRow('insert into outbox (account_id, message_id, recipient_id, channel, address, rendered, sent_at)',
  '(?, ?, ?, ?, ?, ?, ?)', ' returning id, recipient_id');

export const outboxQueries = (db: Kysely<Database>, raw: Raw): OutboxPort => ({
  async insertOutbox(entries) {
    const ids = new Map<number, number>();
    for (let i = 0; i < entries.length; i += CHUNK) {
      const chunk = entries.slice(i, i + CHUNK);
      const params = chunk.flatMap((e) => [e.accountId, e.messageId, e.recipientId, e.channel, e.address, JSON.stringify(e.rendered), e.sentAt]);
      for (const r of await raw.all<{ id: number; recipient_id: number }>(insertOutbox(chunk.length), params)) ids.set(Number(r.recipient_id), Number(r.id));
    }
    return entries.map((e) => ({ id: ids.get(e.recipientId)!, ...e }));
  },

  async listOutbox(q) {
    let query = db.selectFrom('outbox').selectAll().orderBy('id', 'desc').limit(q.limit);
    if (q.accountId !== undefined) query = query.where('account_id', '=', q.accountId);
    if (q.messageId !== undefined) query = query.where('message_id', '=', q.messageId);
    if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
    return (await query.execute()).map(toOutboxEntry);
  },

  async getOutbox(id) {
    const r = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toOutboxEntry(r);
  },
});
