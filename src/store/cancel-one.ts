import type { MessagesPort, ReleasedRecipient } from '../core/ports.js';
import type { MessageRow } from './schema.js';
import { toMessage } from './mappers.js';
import { Statement, type Raw } from './raw.js';
import { enqueueMessageSql } from './webhooks.js';
import { cancelScheduled, causeAround, moveBalance, newEvent, newLedgerEntry, releasePending, word } from './rules.js';

type CancelOneQueries = Required<Pick<MessagesPort, 'cancelOne'>>;

/**
 * PostgreSQL: a cancel of one message as one statement instead of seven round trips, made of the
 * steps core's `cancelWithin` runs (rules.ts): the message's cancel, the release of its pending
 * recipients, one refund entry of what they cost when it is not zero, the message's event and its
 * native webhooks. Every
 * CTE reads the conditional update of the message, so nothing moves when it matches no row.
 */
const pgCancelOne = new Statement(`with m as (
    ${cancelScheduled('id = ? and account_id = ?')}
  ), r as (
    ${releasePending('(select id from m)')}
  ), s as (
    select m.account_id, sum(r.price) as amount from m join r on r.message_id = m.id group by m.account_id having sum(r.price) > 0
  ), b as (
    ${moveBalance('(select amount from s)', '(select account_id from s)')}
  ), l as (
    ${newLedgerEntry.select({ account_id: 's.account_id', kind: word('refund'), amount: 's.amount', balance_after: 'b.balance',
      message_id: 'm.id', cause: '?::text || m.id || ?::text', created_at: '?::bigint' }, 'b, s, m')}
  ), e as (
    ${newEvent.select({ message_id: 'm.id', recipient_id: 'null', type: '?::text', at: '?::bigint', data: 'null' }, 'm')}
    returning message_id, type, at, data
  ), hook as (
    ${enqueueMessageSql('m join e ev on ev.message_id = m.id')}
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
    const [row] = await raw.all<MessageRow & { released: ReleasedRecipient[] | string }>(pgCancelOne, [
      c.now, c.now, c.messageId, c.accountId, c.minSendAt, 'cancelled', c.now, null, before, after, c.now, c.eventType, c.now]);
    if (!row) return undefined;
    const released = (typeof row.released === 'string' ? JSON.parse(row.released) : row.released) as ReleasedRecipient[];
    return { message: toMessage(row), released: released.map((r) => ({ ...r, price: Number(r.price) })) };
  },
});
