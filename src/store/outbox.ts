import type { Kysely } from 'kysely';
import type { StoreTx } from '../core/ports.js';
import type { Database } from './schema.js';
import { toOutboxEntry } from './mappers.js';
import { Statement, type Raw } from './raw.js';

const insertOutbox = new Statement(`insert into outbox (account_id, message_id, recipient_id, channel, address, rendered, sent_at)
  values (?, ?, ?, ?, ?, ?, ?) returning id`);

type OutboxQueries = Pick<StoreTx, 'insertOutbox' | 'listOutbox'>;

export const outboxQueries = (db: Kysely<Database>, raw: Raw): OutboxQueries => ({
  async insertOutbox(e) {
    const [row] = await raw.all<{ id: number }>(insertOutbox, [e.accountId, e.messageId, e.recipientId, e.channel, e.address, JSON.stringify(e.rendered), e.sentAt]);
    return { id: Number(row.id), ...e };
  },

  async listOutbox(q) {
    let query = db.selectFrom('outbox').selectAll().orderBy('id', 'desc').limit(q.limit);
    if (q.accountId !== undefined) query = query.where('account_id', '=', q.accountId);
    if (q.messageId !== undefined) query = query.where('message_id', '=', q.messageId);
    if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
    return (await query.execute()).map(toOutboxEntry);
  },
});
