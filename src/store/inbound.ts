import type { Kysely } from 'kysely';
import type { InboundPort } from '../core/ports.js';
import type { Database } from './schema.js';

/**
 * Who sent to a handset: the sends a transport with receipts recorded (provider_ids, migration
 * 0015), newest first through the index on (address, transport, recipient_id), which PostgreSQL
 * reads backwards and stops at the limit.
 */
export const inboundQueries = (db: Kysely<Database>): InboundPort => ({
  async smsSentTo(address, transport, since, limit) {
    const rows = await db.selectFrom('provider_ids as p')
      .innerJoin('recipients as r', 'r.id', 'p.recipient_id')
      .innerJoin('messages as m', 'm.id', 'r.message_id')
      .select(['r.account_id', 'p.sender'])
      .where('p.address', '=', address).where('p.transport', '=', transport)
      .where('m.channel', '=', 'sms').where('r.sent_at', '>=', since)
      .orderBy('p.recipient_id', 'desc').limit(limit).execute();
    return rows.map((r) => ({ accountId: Number(r.account_id), sender: r.sender }));
  },
});
