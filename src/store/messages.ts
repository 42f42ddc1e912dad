import type { Kysely, SelectQueryBuilder, UpdateQueryBuilder } from 'kysely';
import type { MessageFilter, MessagesPort, ReleasedRecipient } from '../core/ports.js';
import type { StoreKind } from './kind.js';
import type { Database, MessageRow } from './schema.js';
import { toEvent, toJson, toMessage, toRecipient } from './mappers.js';
import { inList, multiRow, Statement, type Raw } from './raw.js';
import { around, cancelScheduled, newEvent, newMessage, newRecipient, RELEASED_COLUMNS, releasePending, stillCancellableWhere } from './rules.js';

type MessageQueries = Pick<MessagesPort,
  'insertMessage' | 'findMessageByIdempotencyKey' | 'getMessage' | 'listMessages' | 'countSelection' | 'getRecipients' |
  'getEvents' | 'insertEvents' | 'cancelMessages' | 'releasePendingRecipients' | 'releaseScheduledRecipientsByAddress' |
  'patchScheduledMessage' | 'setRecipientPrices'>;

/** Rows per multi-row INSERT / ids per IN list: well under both dialects' bound-parameter limits. */
export const CHUNK = 500;

type Filterable = SelectQueryBuilder<Database, 'messages', any> | UpdateQueryBuilder<Database, 'messages', 'messages', any>;

function where<Q extends Filterable>(q: Q, f: MessageFilter): Q {
  let r: any = (q as any).where('messages.account_id', '=', f.accountId);
  if (f.ids) r = r.where('messages.id', 'in', f.ids.length ? f.ids : [-1]);
  if (f.statuses?.length) r = r.where('messages.status', 'in', f.statuses);
  if (f.channel) r = r.where('messages.channel', '=', f.channel);
  if (f.tag !== undefined) r = r.where('messages.tag', '=', f.tag);
  if (f.batchId !== undefined) r = r.where('messages.batch_id', '=', f.batchId);
  if (f.sendAtFrom !== undefined) r = r.where('messages.send_at', '>=', f.sendAtFrom);
  if (f.sendAtTo !== undefined) r = r.where('messages.send_at', '<', f.sendAtTo);
  return r as Q;
}

export type ReleasedRow = { id: number; message_id: number; account_id: number; address: string; price: number };
export const toReleased = (r: ReleasedRow): ReleasedRecipient => ({
  id: r.id, messageId: r.message_id, accountId: r.account_id, address: r.address, price: r.price,
});

const insertMessage = new Statement(`${newMessage.values({
  account_id: '?', channel: '?', send_at: '?', created_at: '?', updated_at: '?', tag: '?', batch_id: '?', idempotency_key: '?',
  request_hash: '?', metadata: '?', content: '?', units: '?', price: '?', recipient_count: '?', callback_url: '?', callback_format: '?',
})} returning *`);
const insertRecipients = multiRow(newRecipient.head, newRecipient.tuple({
  message_id: '?', account_id: '?', address: '?', price: '?', updated_at: '?', content: '?', units: '?',
}));
const insertEvents = multiRow(newEvent.head, newEvent.tuple({ message_id: '?', recipient_id: '?', type: '?', at: '?', data: '?' }));
const getMessage = new Statement('select * from messages where id = ?');
const findByIdempotencyKey = new Statement('select * from messages where account_id = ? and idempotency_key = ?');
const cancelOne = new Statement(cancelScheduled('id = ? and account_id = ?'));
const releasePendingOf = inList(...around(releasePending));

/**
 * The ids of the messages an update of several rows will change, locked in id order first on
 * PostgreSQL: the update alone locks rows in its scan order, and two overlapping bulk updates
 * scanning differently (one by tag, one by time range) could each hold a row the other wants.
 */
const lockedInOrder = (kind: StoreKind, ids: SelectQueryBuilder<Database, 'messages', { id: number }>) =>
  kind === 'postgres' ? ids.orderBy('messages.id').forUpdate() : ids;

/**
 * A cancel by one id and nothing else (a DELETE of one message) runs as one precompiled statement.
 * Any other field set goes through the builder; `statuses` never narrows a cancel (see below).
 */
const isOneId = (f: MessageFilter): f is MessageFilter & { ids: [number] } =>
  f.ids?.length === 1 && Object.entries(f).every(([k, v]) => v === undefined || k === 'accountId' || k === 'ids' || k === 'statuses');

export const messageQueries = (db: Kysely<Database>, raw: Raw, kind: StoreKind): MessageQueries => ({
  async insertMessage(m) {
    const [row] = await raw.all<MessageRow>(insertMessage, [
      m.accountId, m.channel, m.sendAt, m.createdAt, m.createdAt, m.tag, m.batchId, m.idempotencyKey, m.requestHash,
      toJson(m.metadata), JSON.stringify(m.content), m.units, m.price, m.recipients.length, m.callback?.url ?? null,
      m.callback?.format ?? null,
    ]);
    for (let i = 0; i < m.recipients.length; i += CHUNK) {
      const chunk = m.recipients.slice(i, i + CHUNK);
      const params: unknown[] = [];
      for (const r of chunk) {
        params.push(row.id, m.accountId, r.address, r.price, m.createdAt,
          r.content ? JSON.stringify(r.content) : null, r.content ? r.units ?? null : null);
      }
      await raw.run(insertRecipients(chunk.length), params);
    }
    return toMessage(row);
  },

  async findMessageByIdempotencyKey(accountId, key) {
    const [row] = await raw.all<MessageRow>(findByIdempotencyKey, [accountId, key]);
    return row && { message: toMessage(row), requestHash: row.request_hash };
  },

  async getMessage(id) {
    const [row] = await raw.all<MessageRow>(getMessage, [id]);
    return row && toMessage(row);
  },

  async listMessages(f, q) {
    let query = where(db.selectFrom('messages').selectAll(), f).orderBy('id', 'desc').limit(q.limit);
    if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
    return (await query.execute()).map(toMessage);
  },

  async countSelection(f, minSendAt) {
    const sel = where(db.selectFrom('messages'), { ...f, statuses: undefined }).where(stillCancellableWhere(minSendAt));
    const m = await sel.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    const r = await sel.innerJoin('recipients', 'recipients.message_id', 'messages.id')
      .where('recipients.status', '=', 'pending')
      .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.sum<number | string | null>('recipients.price').as('total')])
      .executeTakeFirstOrThrow();
    return { messages: Number(m.n), recipients: Number(r.n), refund: Number(r.total ?? 0) };
  },

  async getRecipients(messageId, page) {
    let q = db.selectFrom('recipients').selectAll().where('message_id', '=', messageId).orderBy('id');
    if (page) q = q.where('id', '>', page.afterId ?? 0).limit(page.limit);
    return (await q.execute()).map(toRecipient);
  },

  async getEvents(messageId, page) {
    let q = db.selectFrom('events').selectAll().where('message_id', '=', messageId).orderBy('id');
    if (page) q = q.where('id', '>', page.afterId ?? 0).limit(page.limit);
    return (await q.execute()).map(toEvent);
  },

  async insertEvents(events) {
    for (let i = 0; i < events.length; i += CHUNK) {
      const chunk = events.slice(i, i + CHUNK);
      const params: unknown[] = [];
      for (const e of chunk) params.push(e.messageId, e.recipientId, e.type, e.at, toJson(e.data));
      await raw.run(insertEvents(chunk.length), params);
    }
  },

  async cancelMessages(f, minSendAt, now) {
    // The whole decision: a message is cancelled only if it is still scheduled and not yet due
    // (mirror of the claim's `send_at <= now`), so cancel and dispatch can never both win.
    if (isOneId(f)) return (await raw.all<MessageRow>(cancelOne, [now, now, f.ids[0], f.accountId, minSendAt])).map(toMessage);
    const picked = where(db.selectFrom('messages').select('messages.id'), { ...f, statuses: undefined })
      .where(stillCancellableWhere(minSendAt));
    const rows = await db.updateTable('messages')
      .set({ status: 'cancelled', cancelled_at: now, updated_at: now })
      .where('id', 'in', lockedInOrder(kind, picked))
      .where(stillCancellableWhere(minSendAt))
      .returningAll().execute();
    return rows.map(toMessage);
  },

  async releasePendingRecipients(messageIds, status, now, error = null) {
    const out: ReleasedRecipient[] = [];
    for (let i = 0; i < messageIds.length; i += CHUNK) {
      const ids = messageIds.slice(i, i + CHUNK);
      for (const r of await raw.all<ReleasedRow>(releasePendingOf(ids.length), [status, now, error, ...ids])) out.push(toReleased(r));
    }
    return out;
  },

  async releaseScheduledRecipientsByAddress(accountId, channels, address, minSendAt, now) {
    // Touch (and so lock, on PostgreSQL) the still-scheduled messages first: a claim running
    // concurrently either waits for this transaction or no longer sees them as scheduled.
    const picked = db.selectFrom('messages').select('messages.id')
      .where('account_id', '=', accountId).where('channel', 'in', channels)
      .where(stillCancellableWhere(minSendAt))
      .where('id', 'in', (eb) => eb.selectFrom('recipients').select('message_id')
        .where('account_id', '=', accountId).where('address', '=', address).where('status', '=', 'pending'));
    const messages = await db.updateTable('messages').set({ updated_at: now })
      .where('id', 'in', lockedInOrder(kind, picked)).where(stillCancellableWhere(minSendAt))
      .returning('id').execute();
    if (messages.length === 0) return [];
    const out: ReleasedRecipient[] = [];
    const ids = messages.map((m) => m.id);
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await db.updateTable('recipients').set({ status: 'cancelled', updated_at: now, error: 'suppressed' })
        .where('message_id', 'in', ids.slice(i, i + CHUNK)).where('address', '=', address).where('status', '=', 'pending')
        .returning(RELEASED_COLUMNS).execute();
      for (const r of rows) out.push(toReleased(r));
    }
    return out;
  },

  async patchScheduledMessage(id, accountId, minSendAt, p) {
    const set: Record<string, unknown> = { updated_at: p.updatedAt };
    if (p.sendAt !== undefined) set.send_at = p.sendAt;
    if (p.tag !== undefined) set.tag = p.tag;
    if (p.batchId !== undefined) set.batch_id = p.batchId;
    if (p.metadata !== undefined) set.metadata = toJson(p.metadata);
    if (p.content !== undefined) set.content = JSON.stringify(p.content);
    if (p.units !== undefined) set.units = p.units;
    if (p.price !== undefined) set.price = p.price;
    const row = await db.updateTable('messages').set(set)
      .where('id', '=', id).where('account_id', '=', accountId).where(stillCancellableWhere(minSendAt))
      .returningAll().executeTakeFirst();
    return row && toMessage(row);
  },

  async setRecipientPrices(messageId, price) {
    await db.updateTable('recipients').set({ price }).where('message_id', '=', messageId).where('status', '=', 'pending').execute();
  },
});
