import { sql, type Kysely } from 'kysely';
import type { StoreTx } from '../core/ports.js';
import { REFUNDED_STATUSES } from '../core/types.js';
import type { Database } from './schema.js';
import { toMessage, toRecipient } from './mappers.js';

type StatusQueries = Pick<StoreTx, 'findRecipient' | 'listRecipientsByTag' | 'pendingUnits' | 'usage'>;

// A recipient's units: its own when it has its own text, else its message's.
const UNITS = sql<number>`coalesce(recipients.units, messages.units)`;

/** Status lookups and usage sums for the vendor dialects. */
export const statusQueries = (db: Kysely<Database>): StatusQueries => ({
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

  async usage(accountId, channel, from, to) {
    const spent = await db.selectFrom('ledger').innerJoin('messages', 'messages.id', 'ledger.message_id')
      .select((eb) => eb.fn.sum<number | string | null>('ledger.amount').as('total'))
      .where('ledger.account_id', '=', accountId).where('messages.channel', '=', channel)
      .where('ledger.created_at', '>=', from).where('ledger.created_at', '<', to)
      .executeTakeFirst();
    const units = db.selectFrom('recipients').innerJoin('messages', 'messages.id', 'recipients.message_id')
      .select((eb) => eb.fn.sum<number | string | null>(UNITS).as('units'))
      .where('recipients.account_id', '=', accountId).where('messages.channel', '=', channel);
    // Debited when the message was stored, given back when the recipient was released: the same
    // instants the ledger books them, so units and cost agree period by period.
    const bought = await units.where('messages.created_at', '>=', from).where('messages.created_at', '<', to).executeTakeFirst();
    const refunded = await units.where('recipients.status', 'in', REFUNDED_STATUSES)
      .where('recipients.updated_at', '>=', from).where('recipients.updated_at', '<', to).executeTakeFirst();
    return { cost: -Number(spent?.total ?? 0), units: Number(bought?.units ?? 0) - Number(refunded?.units ?? 0) };
  },
});
