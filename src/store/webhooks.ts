import { sql, type Kysely, type Selectable } from 'kysely';
import type { NewEvent, WebhooksPort } from '../core/ports.js';
import { RECIPIENT_STATUSES, type WebhookDelivery, type WebhookStatus } from '../core/types.js';
import type { StoreKind } from './kind.js';
import type { Database, WebhookDeliveryTable } from './schema.js';
import { CHUNK } from './messages.js';
import { multiRow, type Raw } from './raw.js';
import { around, word } from './rules.js';

/** Recipient events a client hears about: every change of a recipient's status (an event is named after the status it reached). */
const CALLBACK_EVENTS = new Set<string>(RECIPIENT_STATUSES.filter((s) => s !== 'pending'));

const toWebhook = (r: Selectable<WebhookDeliveryTable>): WebhookDelivery => ({
  id: r.id, accountId: r.account_id, messageId: r.message_id, recipientId: r.recipient_id, event: r.event, format: r.format,
  url: r.url, address: r.address, tag: r.tag, at: r.at, data: r.data === null ? null : JSON.parse(r.data),
  status: r.status as WebhookStatus, attempts: r.attempts, nextAttemptAt: r.next_attempt_at, lastError: r.last_error,
});

export const isCallbackEvent = (type: string): boolean => CALLBACK_EVENTS.has(type);

/**
 * Enqueues the callbacks of the recipients `r` of `from` whose message has a callback URL, with
 * `data` as each one's payload data. Parameters before those of `from`: event type, at, (a `?` in
 * `data`), at, at. Values are cast so that PostgreSQL types the parameters of INSERT … SELECT.
 */
export const enqueueSql = (data: string, from: string): string => `insert into webhook_deliveries (account_id, message_id,
  recipient_id, event, format, url, address, tag, at, data, status, attempts, next_attempt_at, created_at)
  select m.account_id, m.id, r.id, cast(? as text), m.callback_format, m.callback_url, r.address, m.tag, cast(? as bigint),
    ${data}, ${word('pending')}, 0, cast(? as bigint), cast(? as bigint)
  from ${from} join messages m on m.id = r.message_id
  where m.callback_url is not null`;

// One statement for many recipients, each with its own data: (recipient id, data) rows joined in.
const [head, tail] = around((values) => enqueueSql('v.column2', `(${values}) as v join recipients r on r.id = v.column1`));
const enqueue = multiRow(head, '(cast(? as bigint), cast(? as text))', tail);

/**
 * The outbox of status callbacks: one row per recipient event of a message that has a callback
 * URL, written by the same statement group as the event (see insertEvents in kysely-store.ts).
 */
export async function enqueueWebhooks(raw: Raw, events: NewEvent[]): Promise<void> {
  const groups = new Map<string, { type: string; at: number; rows: unknown[][] }>();
  for (const e of events) {
    if (e.recipientId === null || !CALLBACK_EVENTS.has(e.type)) continue;
    const key = `${e.type} ${e.at}`;
    const g = groups.get(key) ?? { type: e.type, at: e.at, rows: [] };
    g.rows.push([e.recipientId, e.data === null ? null : JSON.stringify(e.data)]);
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    for (let i = 0; i < g.rows.length; i += CHUNK) {
      const rows = g.rows.slice(i, i + CHUNK);
      await raw.run(enqueue(rows.length), [g.type, g.at, g.at, g.at, ...rows.flat()]);
    }
  }
}

export const webhookQueries = (db: Kysely<Database>, kind: StoreKind): WebhooksPort => ({
  async claimWebhooks(now, limit, leaseUntil, skip = []) {
    let due = db.selectFrom('webhook_deliveries').select('id')
      .where('status', '=', 'pending').where('next_attempt_at', '<=', now).orderBy('next_attempt_at').orderBy('id').limit(limit);
    // A prefix compare rather than LIKE: nothing in a URL needs escaping, and both databases have substr.
    for (const prefix of skip) due = due.where(sql<string>`substr(url, 1, ${sql.lit(prefix.length)})`, '<>', prefix);
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

  async finishWebhook(id, attempt, o) {
    const r = await db.updateTable('webhook_deliveries').set({ status: o.status, next_attempt_at: o.nextAttemptAt, last_error: o.error })
      .where('id', '=', id).where('attempts', '=', attempt).where('status', '=', 'pending').executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  async listWebhooks(q) {
    let query = db.selectFrom('webhook_deliveries').selectAll().orderBy('id');
    if (q.accountId !== undefined) query = query.where('account_id', '=', q.accountId);
    if (q.messageId !== undefined) query = query.where('message_id', '=', q.messageId);
    return (await query.execute()).map(toWebhook);
  },
});
