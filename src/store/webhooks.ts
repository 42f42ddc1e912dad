import { sql, type Kysely, type Selectable } from 'kysely';
import type { NewEvent, WebhooksPort } from '../core/ports.js';
import { NATIVE_WEBHOOK_FORMAT, RECIPIENT_STATUSES, type WebhookDelivery, type WebhookStatus } from '../core/types.js';
import type { StoreKind } from './kind.js';
import type { Database, WebhookDeliveryTable } from './schema.js';
import { CHUNK } from './messages.js';
import { multiRow, type Raw } from './raw.js';
import { around, word } from './rules.js';

/** Recipient events a client hears about: every change of a recipient's status (an event is named after the status it reached). */
const CALLBACK_EVENTS = new Set<string>(RECIPIENT_STATUSES.filter((s) => s !== 'pending'));
/** Events of a message as a whole that native endpoints hear about (DECISIONS §40). */
const MESSAGE_EVENTS = ['scheduled', 'cancelled'] as const;

export const toWebhook = (r: Selectable<WebhookDeliveryTable>): WebhookDelivery => ({
  id: r.id, accountId: r.account_id, messageId: r.message_id, recipientId: r.recipient_id, endpointId: r.endpoint_id, event: r.event, format: r.format,
  url: r.url, address: r.address, tag: r.tag, at: r.at, data: r.data === null ? null : JSON.parse(r.data),
  status: r.status as WebhookStatus, attempts: r.attempts, nextAttemptAt: r.next_attempt_at, lastError: r.last_error, createdAt: r.created_at,
});

export const isCallbackEvent = (type: string): boolean => CALLBACK_EVENTS.has(type);

const COLUMNS = `(account_id, message_id, recipient_id, endpoint_id, event, format, url, address, tag, at, data, status, attempts, next_attempt_at, created_at)`;

/** Whether the native endpoint `e` is of the account `account` and subscribed to `event` (SQL expressions). */
const subscribed = (account: string, event: string): string =>
  `e.account_id = ${account} and e.events like '%,' || ${event} || ',%'`;

/**
 * Enqueues the deliveries of the recipients `r` of `from`: the message's callback URL if it has
 * one, and every native endpoint of its account subscribed to the event, in one statement (the
 * table of endpoints is usually empty: one index probe). `data` is each one's payload data.
 * Parameters before those of `from`: event type, at, (a `?` in `data`), due, created at (when
 * Relais heard of the event: the retry window counts from then). Values are cast
 * so that PostgreSQL types the parameters of INSERT … SELECT.
 * `s` is materialized: SQLite would otherwise expand it in each branch and join `from` with
 * messages twice (PostgreSQL materializes a CTE read twice anyway). The cross join keeps `s` the
 * outer loop on SQLite, each row one probe of the endpoints' account index; a plain join let it
 * scan every endpoint and probe `s` through an automatic index (PostgreSQL plans both alike).
 */
export const enqueueSql = (data: string, from: string): string => `insert into webhook_deliveries ${COLUMNS}
  with s as materialized (
    select m.account_id, m.id as message_id, r.id as recipient_id, r.address, m.tag, m.callback_url, m.callback_format,
      cast(? as text) as event, cast(? as bigint) as at, ${data} as data, cast(? as bigint) as due, cast(? as bigint) as created_at
    from ${from} join messages m on m.id = r.message_id
  )
  select account_id, message_id, recipient_id, cast(null as bigint), event, callback_format, callback_url, address, tag, at, data,
    ${word('pending')}, 0, due, created_at
  from s where callback_url is not null
  union all
  select s.account_id, s.message_id, s.recipient_id, e.id, s.event, '${NATIVE_WEBHOOK_FORMAT}', e.url, s.address, s.tag, s.at, s.data, ${word('pending')}, 0, s.due, s.created_at
  from s cross join webhook_endpoints e where ${subscribed('s.account_id', 's.event')}`;

/**
 * Enqueues the native deliveries of message-level events: `from` yields messages as `m` and
 * their events as `ev` (type, at, data). One row per message and endpoint, whatever the number
 * of recipients; only `scheduled` and `cancelled` (a vendor callback is per recipient).
 */
export const enqueueMessageSql = (from: string): string => `insert into webhook_deliveries ${COLUMNS}
  select m.account_id, m.id, null, e.id, ev.type, '${NATIVE_WEBHOOK_FORMAT}', e.url, null, m.tag, ev.at, ev.data, ${word('pending')}, 0, ev.at, ev.at
  from ${from} join webhook_endpoints e on ${subscribed('m.account_id', 'ev.type')}
  where ev.type in (${MESSAGE_EVENTS.map((t) => `'${t}'`).join(', ')})`;

// One statement for many recipients, each with its own data: (recipient id, data) rows joined in.
const [head, tail] = around((values) => enqueueSql('v.column2', `(${values}) as v join recipients r on r.id = v.column1`));
const enqueue = multiRow(head, '(cast(? as bigint), cast(? as text))', tail);
// The same for message-level events: (message id, type, at, data) rows.
const [messageHead, messageTail] = around((values) => enqueueMessageSql(`(select column1 as message_id, column2 as type, column3 as at,
  column4 as data from (${values}) as v) as ev join messages m on m.id = ev.message_id`));
const enqueueMessages = multiRow(messageHead, '(cast(? as bigint), cast(? as text), cast(? as bigint), cast(? as text))', messageTail);
const MESSAGE_EVENT_SET = new Set<string>(MESSAGE_EVENTS);

/**
 * The outbox of status callbacks and native webhooks: one row per recipient event and
 * destination (and per message-level event and native endpoint), written by the same statement
 * group as the event (see insertEvents in kysely-store.ts).
 */
export async function enqueueWebhooks(raw: Raw, events: NewEvent[]): Promise<void> {
  const groups = new Map<string, { type: string; at: number; heardAt: number; rows: unknown[][] }>();
  const messageRows: unknown[][] = [];
  for (const e of events) {
    const data = e.data === null ? null : JSON.stringify(e.data);
    if (e.recipientId === null) {
      if (MESSAGE_EVENT_SET.has(e.type)) messageRows.push([e.messageId, e.type, e.at, data]);
      continue;
    }
    if (!CALLBACK_EVENTS.has(e.type)) continue;
    const heardAt = e.heardAt ?? e.at;
    const key = `${e.type} ${e.at} ${heardAt}`;
    const g = groups.get(key) ?? { type: e.type, at: e.at, heardAt, rows: [] };
    g.rows.push([e.recipientId, data]);
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    for (let i = 0; i < g.rows.length; i += CHUNK) {
      const rows = g.rows.slice(i, i + CHUNK);
      await raw.run(enqueue(rows.length), [g.type, g.at, g.heardAt, g.heardAt, ...rows.flat()]);
    }
  }
  for (let i = 0; i < messageRows.length; i += CHUNK) {
    const rows = messageRows.slice(i, i + CHUNK);
    await raw.run(enqueueMessages(rows.length), rows.flat());
  }
}

export const webhookQueries = (db: Kysely<Database>, kind: StoreKind): WebhooksPort => ({
  async claimWebhooks(now, limit, leaseUntil, skip = []) {
    let due = db.selectFrom('webhook_deliveries').select('id')
      .where('status', '=', 'pending').where('next_attempt_at', '<=', now).orderBy('next_attempt_at').orderBy('id').limit(limit);
    // A prefix compare rather than LIKE: nothing in a URL needs escaping, and both databases have substr.
    for (const { accountId, prefix } of skip) {
      due = due.where((eb) => eb.not(eb.and([eb('account_id', '=', accountId), eb(sql<string>`substr(url, 1, ${sql.lit(prefix.length)})`, '=', prefix)])));
    }
    // Two senders claiming at once on PostgreSQL: each locks the rows it picks, in the order it picks
    // them, and passes over the other's (no deadlock, no waiting on a row another sender takes anyway).
    if (kind === 'postgres') due = due.forUpdate().skipLocked();
    // Re-checked on the row: of two senders racing for one delivery, the second finds it leased.
    const rows = await db.updateTable('webhook_deliveries')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: leaseUntil }))
      .where('id', 'in', due).where('status', '=', 'pending').where('next_attempt_at', '<=', now)
      .returningAll().execute();
    return rows.map(toWebhook).sort((a, b) => a.id - b.id);
  },

  async releaseWebhooks(ids, leaseUntil, now) {
    await db.updateTable('webhook_deliveries').set((eb) => ({ attempts: eb('attempts', '-', 1), next_attempt_at: now }))
      .where('id', 'in', ids).where('status', '=', 'pending').where('next_attempt_at', '=', leaseUntil).execute();
  },

  async finishWebhook(id, attempt, o, record) {
    const r = await db.updateTable('webhook_deliveries').set({ status: o.status, next_attempt_at: o.nextAttemptAt, last_error: o.error })
      .where('id', '=', id).where('attempts', '=', attempt).where('status', '=', 'pending').executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    await db.insertInto('webhook_attempts').values({ delivery_id: id, attempt, at: record.at, http_status: record.httpStatus, error: record.error }).execute();
    return true;
  },

  async listWebhooks(q) {
    let query = db.selectFrom('webhook_deliveries').selectAll().orderBy('id');
    if (q.accountId !== undefined) query = query.where('account_id', '=', q.accountId);
    if (q.messageId !== undefined) query = query.where('message_id', '=', q.messageId);
    return (await query.execute()).map(toWebhook);
  },
});
