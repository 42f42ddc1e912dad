import type { Kysely } from 'kysely';
import type { InboundPort } from '../core/ports.js';
import type { Database } from './schema.js';

/** Who sent to a handset: recipients by address (index recipients_handset, migration 0013). */
export const inboundQueries = (db: Kysely<Database>): InboundPort => ({
  async smsSentTo(address, since, limit) {
    const rows = await db.selectFrom('recipients as r')
      .innerJoin('messages as m', 'm.id', 'r.message_id')
      .innerJoin('accounts as a', 'a.id', 'r.account_id')
      .select(['r.account_id', 'r.content as own', 'm.content as shared', 'a.default_sender'])
      .where('r.address', '=', address).where('m.channel', '=', 'sms').where('r.sent_at', '>=', since)
      .orderBy('r.id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      accountId: Number(r.account_id),
      sender: (JSON.parse(r.own ?? r.shared) as { sender?: string | null }).sender ?? null,
      defaultSender: r.default_sender,
    }));
  },
});
