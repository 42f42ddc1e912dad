import type { Kysely } from 'kysely';
import type { MessagesPort } from '../core/ports.js';
import type { Database } from './schema.js';
import { toMessage, toRecipient } from './mappers.js';
import { CHUNK } from './messages.js';
import { inList, type Raw } from './raw.js';
import { UNITS } from './rules.js';

type StatusQueries = Pick<MessagesPort, 'findRecipient' | 'listRecipientsByTag' | 'pendingUnits' | 'rememberedForReceipts'>;

const remembered = inList('select recipient_id from provider_ids where recipient_id in');

/** Status lookups and pending units for the vendor dialects. */
export const statusQueries = (db: Kysely<Database>, raw: Raw): StatusQueries => ({
  async findRecipient(messageId, address) {
    const row = await db.selectFrom('recipients').selectAll()
      .where('message_id', '=', messageId).where('address', '=', address).orderBy('id').limit(1).executeTakeFirst();
    return row && toRecipient(row);
  },

  async listRecipientsByTag(accountId, tag, q) {
    const base = db.selectFrom('recipients').innerJoin('messages', 'messages.id', 'recipients.message_id')
      .where('messages.account_id', '=', accountId).where('messages.tag', '=', tag);
    const { n } = await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    const rows = await base.selectAll('recipients').orderBy('recipients.id').limit(q.limit).offset(q.offset).execute();
    const ids = [...new Set(rows.map((r) => r.message_id))];
    const messages = ids.length ? await db.selectFrom('messages').selectAll().where('id', 'in', ids).execute() : [];
    const byId = new Map(messages.map((m) => [m.id, toMessage(m)]));
    return { total: Number(n), items: rows.map((r) => ({ message: byId.get(r.message_id)!, recipient: toRecipient(r) })) };
  },

  async pendingUnits(accountId, channel) {
    const r = await db.selectFrom('recipients').innerJoin('messages', 'messages.id', 'recipients.message_id')
      .select((eb) => eb.fn.sum<number | string | null>(UNITS).as('units'))
      .where('recipients.account_id', '=', accountId).where('recipients.status', '=', 'pending')
      .where('messages.channel', '=', channel).where('messages.status', 'in', ['scheduled', 'dispatching'])
      .executeTakeFirst();
    return Number(r?.units ?? 0);
  },

  async rememberedForReceipts(recipientIds) {
    const found = new Set<number>();
    for (let i = 0; i < recipientIds.length; i += CHUNK) {
      const chunk = recipientIds.slice(i, i + CHUNK);
      for (const r of await raw.all<{ recipient_id: number }>(remembered(chunk.length), chunk)) found.add(Number(r.recipient_id));
    }
    return found;
  },

});
