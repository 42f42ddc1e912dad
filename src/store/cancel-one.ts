import type { ReleasedRecipient, StoreTx } from '../core/ports.js';
import type { MessageRow } from './schema.js';
import { toMessage } from './mappers.js';
import { causeAround, Statement, type Raw } from './raw.js';

type CancelOneQueries = Required<Pick<StoreTx, 'cancelOne'>>;

/**
 * PostgreSQL: a cancel of one message as one statement instead of seven round trips. Every CTE
 * reads the conditional update of the message, so nothing moves when it matches no row.
 */
const pgCancelOne = new Statement(`with m as (
    update messages set status = 'cancelled', cancelled_at = ?::bigint, updated_at = ?::bigint
    where id = ?::bigint and account_id = ?::bigint and status = 'scheduled' and send_at >= ?::bigint
    returning *
  ), r as (
    update recipients set status = 'cancelled', updated_at = ?::bigint, error = null
    where message_id in (select id from m) and status = 'pending'
    returning id, message_id, account_id, address, price
  ), s as (
    select coalesce(sum(price), 0) as amount from r
  ), b as (
    update accounts set balance = balance + s.amount from s, m where accounts.id = m.account_id and s.amount > 0
    returning accounts.balance, s.amount
  ), l as (
    insert into ledger (account_id, kind, amount, balance_after, message_id, cause, created_at)
    select m.account_id, 'refund', b.amount, b.balance, m.id, ?::text || m.id || ?::text, ?::bigint from b, m
  ), e as (
    insert into events (message_id, recipient_id, type, at, data) select m.id, null, ?::text, ?::bigint, null from m
  )
  select m.*, (select coalesce(json_agg(json_build_object('id', r.id, 'messageId', r.message_id, 'accountId', r.account_id,
    'address', r.address, 'price', r.price) order by r.id), '[]'::json) from r) as released
  from m`);

/**
 * PostgreSQL only: there a transaction of seven round trips costs more than the work in it. On
 * SQLite the store has no `cancelOne`, and core runs its own cancel in a transaction.
 */
export const cancelOneQueries = (raw: Raw): CancelOneQueries => ({
  async cancelOne(c) {
    const [before, after] = causeAround(c.refundCause);
    const [row] = await raw.all<MessageRow & { released: ReleasedRecipient[] | string }>(
      pgCancelOne, [c.now, c.now, c.messageId, c.accountId, c.minSendAt, c.now, before, after, c.now, c.eventType, c.now]);
    if (!row) return undefined;
    const released = (typeof row.released === 'string' ? JSON.parse(row.released) : row.released) as ReleasedRecipient[];
    return { message: toMessage(row), released: released.map((r) => ({ ...r, price: Number(r.price) })) };
  },
});
