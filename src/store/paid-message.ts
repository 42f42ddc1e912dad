import type { StoreTx } from '../core/ports.js';
import type { StoreKind } from './kind.js';
import type { MessageRow } from './schema.js';
import { toJson, toMessage } from './mappers.js';
import { insertLedger, moveBalanceAboveFloor } from './accounts.js';
import { causeAround, Statement, type Raw } from './raw.js';

type PaidMessageQueries = Pick<StoreTx, 'insertPaidMessage'>;

/**
 * PostgreSQL: the whole of a schedule as one statement, so one round trip and one implicit
 * transaction instead of seven round trips (BEGIN, five statements, COMMIT). Every CTE reads the
 * debit: when the balance is short nothing at all is written. Parameters of INSERT … SELECT are
 * cast because PostgreSQL does not type them from the target columns.
 */
const pgInsertPaid = new Statement(`with debit as (
    update accounts set balance = balance - ?::bigint where id = ?::bigint and balance >= ?::bigint returning balance
  ), message as (
    insert into messages (account_id, channel, status, send_at, created_at, updated_at, tag, batch_id, idempotency_key,
      request_hash, metadata, content, units, price, recipient_count, callback_url, callback_format)
    select ?::bigint, ?::text, 'scheduled', ?::bigint, ?::bigint, ?::bigint, ?::text, ?::text, ?::text, ?::text, ?::text, ?::text,
      ?::integer, ?::bigint, ?::integer, ?::text, ?::text from debit
    returning *
  ), recipient as (
    insert into recipients (message_id, account_id, address, status, price, attempts, updated_at, content, units)
    select message.id, message.account_id, r.address, 'pending', r.price, 0, message.created_at, r.content, r.units
    from message, unnest(?::text[], ?::bigint[], ?::text[], ?::integer[]) with ordinality as r(address, price, content, units, n)
    order by r.n
  ), entry as (
    insert into ledger (account_id, kind, amount, balance_after, message_id, cause, created_at)
    select message.account_id, 'debit', -message.price, debit.balance, message.id, ?::text || message.id || ?::text, message.created_at
    from debit, message
  ), event as (
    insert into events (message_id, recipient_id, type, at, data)
    select message.id, null, ?::text, message.created_at, ?::text from message
  )
  select * from message`);

export const paidMessageQueries = (kind: StoreKind, raw: Raw, tx: Pick<StoreTx, 'insertMessage' | 'insertEvents'>): PaidMessageQueries => ({
  async insertPaidMessage(m) {
    if (kind === 'postgres') {
      const [before, after] = causeAround(m.debit.cause);
      const own = (f: (r: (typeof m.recipients)[number]) => unknown) => m.recipients.map(f);
      const [row] = await raw.all<MessageRow>(pgInsertPaid, [
        m.price, m.accountId, m.debit.floor + m.price,
        m.accountId, m.channel, m.sendAt, m.createdAt, m.createdAt, m.tag, m.batchId, m.idempotencyKey, m.requestHash,
        toJson(m.metadata), JSON.stringify(m.content), m.units, m.price, m.recipients.length, m.callback?.url ?? null, m.callback?.format ?? null,
        own((r) => r.address), own((r) => r.price), own((r) => (r.content ? JSON.stringify(r.content) : null)),
        own((r) => (r.content ? r.units ?? null : null)),
        before, after, m.event.type, toJson(m.event.data),
      ]);
      return row && toMessage(row);
    }
    // SQLite runs this inside the caller's transaction; the debit goes first so that a short
    // balance writes nothing.
    const [debit] = await raw.all<{ balance: number }>(moveBalanceAboveFloor, [-m.price, m.accountId, m.debit.floor + m.price]);
    if (!debit) return undefined;
    const message = await tx.insertMessage(m);
    await raw.all(insertLedger, [m.accountId, 'debit', -m.price, debit.balance, message.id, m.debit.cause(message.id), m.createdAt]);
    await tx.insertEvents([{ messageId: message.id, recipientId: null, type: m.event.type, at: m.createdAt, data: m.event.data }]);
    return message;
  },
});
