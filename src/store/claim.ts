import type { DispatchPort, MessagesPort, RecipientUpdate } from '../core/ports.js';
import type { Recipient } from '../core/types.js';
import type { StoreKind } from './kind.js';
import type { MessageRow, RecipientRow } from './schema.js';
import { CHUNK, toReleased, type ReleasedRow } from './messages.js';
import { DUE_COLUMNS, toDueMessage, toJson, toRecipient } from './mappers.js';
import { enqueueSql, isCallbackEvent } from './webhooks.js';
import { inList, multiRow, Statement, type Raw } from './raw.js';
import { isDue, newEvent, RELEASED_COLUMNS, word } from './rules.js';

// Statuses are literals, not bound parameters, in every statement here: only then does SQLite
// use the partial lease and due indexes (0003, 0004).
const PENDING = word('pending');
const DISPATCHING = word('dispatching');
const SCHEDULED = word('scheduled');
const SENT = word('sent');

const setLease = new Statement(`update messages set lease_until = ? where id = ? and status = ${DISPATCHING} and lease_owner = ?`);
const recipientsOf = inList('select * from recipients where message_id in', ' order by message_id, id');
// A transport's answer, recorded only while the recipient is still pending. Provider id and error
// change only when the update names them (a flag, then the value); `sent_at` only when sent.
const SET_RECIPIENT = `status = ?, updated_at = ?, sent_at = coalesce(?, sent_at),
  provider_id = case when ? = 1 then ? else provider_id end, error = case when ? = 1 then ? else error end, attempts = attempts + ?`;
const updateRecipient = new Statement(`update recipients set ${SET_RECIPIENT} where id = ? and status = ${PENDING}`);
/** PostgreSQL: the update, its event and its callback in one statement (one round trip, no BEGIN/COMMIT). */
const pgMarkRecipient = (withCallback: boolean) => new Statement(`with r as (
    update recipients set ${SET_RECIPIENT} where id = ? and status = ${PENDING} returning id, message_id, address
  ), e as (
    ${newEvent.select({ message_id: 'r.message_id', recipient_id: 'r.id', type: '?::text', at: '?::bigint', data: '?::text' }, 'r')}
  )${withCallback ? `, w as (${enqueueSql('cast(? as text)', 'r')})` : ''}
  select count(*) as n from r`);
const pgMark = { plain: pgMarkRecipient(false), withCallback: pgMarkRecipient(true) };
// Sends that succeeded, each with its provider id: (recipient id, provider id) rows joined in.
const SET_SENT = `status = ${SENT}, updated_at = ?, sent_at = ?, error = null, attempts = attempts + 1`;
const markSent = multiRow(`update recipients set ${SET_SENT}, provider_id = v.column2 from (`, '(cast(? as bigint), cast(? as text))',
`) as v where recipients.id = v.column1 and recipients.status = ${PENDING} returning recipients.id`);
/**
 * PostgreSQL: the sent marks, their `sent` events and their callbacks in one statement, each
 * recipient with its provider id and its event's data: (recipient id, provider id, data) rows.
 */
const pgMarkSent = multiRow('with v (id, provider_id, data) as (', '(cast(? as bigint), cast(? as text), cast(? as text))', `), r as (
    update recipients set ${SET_SENT}, provider_id = v.provider_id
    from v where recipients.id = v.id and recipients.status = ${PENDING} returning recipients.id, recipients.message_id, recipients.address, v.data
  ), e as (
    ${newEvent.select({ message_id: 'r.message_id', recipient_id: 'r.id', type: SENT, at: 'cast(? as bigint)', data: 'r.data' }, 'r')}
  ), w as (${enqueueSql('r.data', 'r')})
  select id from r`);
const releaseRecipient = new Statement(`update recipients set status = ?, updated_at = ?, error = ?, attempts = attempts + ?
  where id = ? and status = ${PENDING} returning ${RELEASED_COLUMNS.join(', ')}`);
const repriceRecipient = new Statement(`update recipients set content = ?, units = ?, price = ? where id = ? and status = ${PENDING} and price = ?`);
const finishTaken = inList(`update messages set status = ?, dispatched_at = coalesce(dispatched_at, ?), completed_at = ?, updated_at = ?
  where status = ${SCHEDULED} and id in`, ' returning id');
const completeMessages = inList(`update messages set status = ?, completed_at = ?, updated_at = ?, lease_owner = null, lease_until = null
  where status = ${DISPATCHING} and lease_owner = ? and id in`, ' returning id');

/**
 * A claim in one statement: expired leases first (a crashed worker's messages are older than
 * anything newly due), then due messages up to the limit; the lease is set on those rows after a
 * re-check on the row itself (on PostgreSQL the candidates' snapshot may be older than the lock).
 * `<=` mirrors cancel's `send_at >= now + cutoff`: at the due instant exactly one of them can match.
 * PostgreSQL locks the candidates in materialized CTEs: written as `id IN (subquery)` the planner
 * may pick a nested-loop semi-join that rescans the subquery for every row, and each rescan SKIP
 * LOCKED-skips the rows this statement already updated, so LIMIT stopped limiting. The rows are
 * then found by `id = any(array(…))`, which the plan prepared once per connection (generic, blind
 * to the limit) can only read through the primary key: with `IN` it chose to scan the whole due
 * index or the whole table, all the more as a burst grows. Returns only what a delivery reads
 * (DUE_COLUMNS): `returning *` row objects cost more than the update.
 */
const claimStatement = (kind: StoreKind): Statement => {
  const pg = kind === 'postgres';
  const lock = pg ? ' for update skip locked' : '';
  const greatest = pg ? 'greatest' : 'max';
  const candidates = 'select id from expired union all select id from due';
  const expired = `status = ${DISPATCHING} and lease_until < ?`;
  return new Statement(`with expired as materialized (
      select id from messages where ${expired} order by lease_until limit ?${lock}
    ), due as materialized (
      select id from messages where ${isDue('?')} order by send_at limit ${greatest}(0, ? - (select count(*) from expired))${lock}
    )
    update messages set lease_owner = ?, lease_until = ?, updated_at = ?, dispatched_at = coalesce(dispatched_at, ?), status = ${DISPATCHING}
    where ${pg ? `id = any(array(${candidates}))` : `id in (${candidates})`}
      and (${expired} or ${isDue('?')})
    returning ${DUE_COLUMNS.join(', ')}`);
};
const claim: Record<StoreKind, Statement> = { sqlite: claimStatement('sqlite'), postgres: claimStatement('postgres') };
/**
 * The claim's condition; on PostgreSQL the rows stay locked until the caller's transaction ends,
 * so a cancel racing it waits and then finds them no longer scheduled. Prepared per number of
 * channels (those of the in-store transports: fixed for a process).
 */
const takeDueStatements = new Map<string, Statement>();
const takeDue = (kind: StoreKind, channels: number): Statement => {
  const key = `${kind} ${channels}`;
  let s = takeDueStatements.get(key);
  if (!s) {
    takeDueStatements.set(key, (s = new Statement(`select ${DUE_COLUMNS.join(', ')} from messages
      where ${isDue('?')} and channel in (${Array.from({ length: channels }, () => '?').join(', ')})
        and recipient_count <= ? order by send_at limit ?${kind === 'postgres' ? ' for update skip locked' : ''}`)));
  }
  return s;
};
const nextWakeAt = new Statement(`select (select min(send_at) from messages where status = ${SCHEDULED}) as due,
  (select min(lease_until) from messages where status = ${DISPATCHING}) as expiring`);
/** A `sent` event's data. */
const sentData = (providerId: string) => ({ providerId });
type DueRow = Pick<MessageRow, (typeof DUE_COLUMNS)[number]>;

const recipientUpdate = (id: number, u: RecipientUpdate, incrementAttempts: boolean): unknown[] => [
  u.status, u.at, u.status === 'sent' ? u.at : null, u.providerId === undefined ? 0 : 1, u.providerId ?? null,
  u.error === undefined ? 0 : 1, u.error ?? null, incrementAttempts ? 1 : 0, id,
];

/**
 * The dispatcher's side of the store. `composite`: a send's record with its event and callback is
 * one statement (PostgreSQL), not the same steps in a row. `onFullClaim`: a claim took as many
 * messages as it may (planner-statistics.ts).
 */
export const claimQueries = (kind: StoreKind, composite: boolean, raw: Raw, insertEvents: MessagesPort['insertEvents'], onFullClaim?: () => void): DispatchPort => {
  const updatePendingRecipient: DispatchPort['updatePendingRecipient'] = async (id, u, incrementAttempts = false) =>
    (await raw.run(updateRecipient, recipientUpdate(id, u, incrementAttempts))) > 0;
  return {
    async claimDue(now, limit, owner, leaseUntil) {
      const rows = await raw.all<DueRow>(claim[kind], [now, limit, now, limit, owner, leaseUntil, now, now, now, now]);
      if (rows.length >= limit) onFullClaim?.();
      return rows.map(toDueMessage);
    },

    async takeDue(now, limit, channels, maxRecipients) {
      const rows = await raw.all<DueRow>(takeDue(kind, channels.length), [now, ...channels, maxRecipients, limit]);
      if (rows.length >= limit) onFullClaim?.();
      return rows.map(toDueMessage);
    },

    async finishTaken(ids, status, now) {
      const done: number[] = [];
      for (let i = 0; i < ids.length; i += CHUNK) {
        const chunk = ids.slice(i, i + CHUNK);
        for (const r of await raw.all<{ id: number }>(finishTaken(chunk.length), [status, now, now, now, ...chunk])) done.push(Number(r.id));
      }
      return done;
    },

    async setLease(messageId, owner, leaseUntil) {
      return (await raw.run(setLease, [leaseUntil, messageId, owner])) > 0;
    },

    async recipientsOf(messageIds) {
      const out: Recipient[] = [];
      for (let i = 0; i < messageIds.length; i += CHUNK) {
        const ids = messageIds.slice(i, i + CHUNK);
        for (const r of await raw.all<RecipientRow>(recipientsOf(ids.length), ids)) out.push(toRecipient(r));
      }
      return out;
    },

    updatePendingRecipient,

    async markRecipient(r, u, incrementAttempts, event) {
      if (!composite) {
        if (!(await updatePendingRecipient(r.id, u, incrementAttempts))) return false;
        await insertEvents([{ messageId: r.messageId, recipientId: r.id, type: event.type, at: u.at, data: event.data }]);
        return true;
      }
      const data = toJson(event.data);
      const callback = isCallbackEvent(event.type);
      const [{ n }] = await raw.all<{ n: number | string }>(callback ? pgMark.withCallback : pgMark.plain, [
        ...recipientUpdate(r.id, u, incrementAttempts), event.type, u.at, data, ...(callback ? [event.type, u.at, data, u.at, u.at] : []),
      ]);
      return Number(n) > 0;
    },

    async markSent(sends, at) {
      const won: number[] = [];
      if (composite) {
        for (let i = 0; i < sends.length; i += CHUNK) {
          const chunk = sends.slice(i, i + CHUNK);
          const params = [...chunk.flatMap((x) => [x.id, x.providerId, toJson(sentData(x.providerId))]), at, at, at, 'sent', at, at, at];
          for (const r of await raw.all<{ id: number }>(pgMarkSent(chunk.length), params)) won.push(Number(r.id));
        }
        return won;
      }
      for (let i = 0; i < sends.length; i += CHUNK) {
        const chunk = sends.slice(i, i + CHUNK);
        const rows = await raw.all<{ id: number }>(markSent(chunk.length), [at, at, ...chunk.flatMap((x) => [x.id, x.providerId])]);
        for (const r of rows) won.push(Number(r.id));
      }
      const recorded = new Set(won);
      await insertEvents(sends.filter((x) => recorded.has(x.id))
        .map((x) => ({ messageId: x.messageId, recipientId: x.id, type: 'sent', at, data: sentData(x.providerId) })));
      return won;
    },

    async repriceRecipient(id, price, next) {
      return (await raw.run(repriceRecipient, [toJson(next.content), next.units, next.price, id, price])) > 0;
    },

    async releaseRecipient(id, status, now, error, incrementAttempts = false) {
      const [r] = await raw.all<ReleasedRow>(releaseRecipient, [status, now, error, incrementAttempts ? 1 : 0, id]);
      return r && toReleased(r);
    },

    async completeMessages(ids, owner, status, now) {
      const done: number[] = [];
      for (let i = 0; i < ids.length; i += CHUNK) {
        const chunk = ids.slice(i, i + CHUNK);
        for (const r of await raw.all<{ id: number }>(completeMessages(chunk.length), [status, now, now, owner, ...chunk])) done.push(Number(r.id));
      }
      return done;
    },

    async nextWakeAt() {
      const [row] = await raw.all<{ due: number | null; expiring: number | null }>(nextWakeAt, []);
      const times = [row?.due, row?.expiring].filter((t): t is number => t !== null && t !== undefined).map(Number);
      return times.length ? Math.min(...times) : undefined;
    },
  };
};
