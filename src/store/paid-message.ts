import type { MessagesPort } from '../core/ports.js';
import type { MessageRow } from './schema.js';
import { toJson, toMessage } from './mappers.js';
import { insertLedger, moveBalanceAboveFloor } from './ledger.js';
import { Statement, type Raw } from './raw.js';
import { enqueueMessageSql } from './webhooks.js';
import { causeAround, lowestBefore, moveBalance, newEvent, newLedgerEntry, newMessage, newRecipient, word } from './rules.js';

type PaidMessageQueries = Pick<MessagesPort, 'insertPaidMessage'>;

/**
 * PostgreSQL: the whole of a schedule as one statement, so one round trip and one implicit
 * transaction instead of seven round trips (BEGIN, five statements, COMMIT), made of the steps
 * the other path runs (rules.ts), the native webhooks of its `scheduled` event included. Every CTE reads the debit: when the balance is short nothing at
 * all is written. Parameters of INSERT … SELECT are cast because PostgreSQL does not type them
 * from the target columns.
 */
const pgInsertPaid = new Statement(`with debit as (
    ${moveBalance('?::bigint', '?::bigint', '?::bigint')}
  ), message as (
    ${newMessage.select({
      account_id: '?::bigint', channel: '?::text', send_at: '?::bigint', created_at: '?::bigint', updated_at: '?::bigint', tag: '?::text',
      batch_id: '?::text', idempotency_key: '?::text', request_hash: '?::text', metadata: '?::text', content: '?::text', units: '?::integer',
      price: '?::bigint', recipient_count: '?::integer', callback_url: '?::text', callback_format: '?::text',
    }, 'debit')}
    returning *
  ), recipient as (
    ${newRecipient.select({
      message_id: 'message.id', account_id: 'message.account_id', address: 'r.address', price: 'r.price', updated_at: 'message.created_at',
      content: 'r.content', units: 'r.units',
    }, 'message, unnest(?::text[], ?::bigint[], ?::text[], ?::integer[]) with ordinality as r(address, price, content, units, n)')}
    order by r.n
  ), entry as (
    ${newLedgerEntry.select({ account_id: 'message.account_id', kind: word('debit'), amount: '-message.price', balance_after: 'debit.balance',
      message_id: 'message.id', cause: '?::text || message.id || ?::text', created_at: 'message.created_at' }, 'debit, message')}
  ), event as (
    ${newEvent.select({ message_id: 'message.id', recipient_id: 'null', type: '?::text', at: 'message.created_at', data: '?::text' }, 'message')}
    returning message_id, type, at, data
  ), hook as (
    ${enqueueMessageSql('message m join event ev on ev.message_id = m.id')}
  )
  select * from message`);

export const paidMessageQueries = (composite: boolean, raw: Raw, tx: Pick<MessagesPort, 'insertMessage' | 'insertEvents'>): PaidMessageQueries => ({
  async insertPaidMessage(m) {
    const lowest = lowestBefore(m.debit.floor, -m.price);
    if (composite) {
      const [before, after] = causeAround(m.debit.cause);
      const own = (f: (r: (typeof m.recipients)[number]) => unknown) => m.recipients.map(f);
      const [row] = await raw.all<MessageRow>(pgInsertPaid, [
        -m.price, m.accountId, lowest,
        m.accountId, m.channel, m.sendAt, m.createdAt, m.createdAt, m.tag, m.batchId, m.idempotencyKey, m.requestHash,
        toJson(m.metadata), JSON.stringify(m.content), m.units, m.price, m.recipients.length, m.callback?.url ?? null, m.callback?.format ?? null,
        own((r) => r.address), own((r) => r.price), own((r) => (r.content ? JSON.stringify(r.content) : null)),
        own((r) => (r.content ? r.units ?? null : null)),
        before, after, m.event.type, toJson(m.event.data),
      ]);
      return row && toMessage(row);
    }
    // Step by step inside the caller's transaction; the debit goes first so that a short balance
    // writes nothing.
    const [debit] = await raw.all<{ balance: number }>(moveBalanceAboveFloor, [-m.price, m.accountId, lowest]);
    if (!debit) return undefined;
    const message = await tx.insertMessage(m);
    await raw.all(insertLedger, [m.accountId, 'debit', -m.price, debit.balance, message.id, m.debit.cause(message.id), m.createdAt]);
    await tx.insertEvents([{ messageId: message.id, recipientId: null, type: m.event.type, at: m.createdAt, data: m.event.data }]);
    return message;
  },
});
