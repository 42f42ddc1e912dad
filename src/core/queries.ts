import type { Core } from './context.js';
import { RelaisError } from './errors.js';
import type { MessageFilter } from './ports.js';
import type { LedgerEntry, Message, MessageEvent, OutboxEntry, Page, Recipient } from './types.js';

export const MAX_PAGE = 500;

/** Cursors are opaque to clients: the last id seen, base64url-encoded. */
export const encodeCursor = (id: number): string => Buffer.from(`id:${id}`).toString('base64url');

export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const m = /^id:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new RelaisError('invalid_request', 'cursor is not valid', { field: 'cursor' });
  return Number(m[1]);
}

function page<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].id) : null };
}

/** A message of this account, or not_found: another account's id is indistinguishable from no id. */
export async function getOwnMessage(core: Core, accountId: number, messageId: number): Promise<Message> {
  const m = await core.store.autocommit.getMessage(messageId);
  if (!m || m.accountId !== accountId) throw new RelaisError('not_found', `message ${messageId} does not exist`, { messageId });
  return m;
}

/**
 * Recipients and events shown with a message, in the order they came; the rest are read page by
 * page (a message has up to RELAIS_MAX_RECIPIENTS recipients, and several events each).
 */
export const DETAIL_PAGE = 100;

export interface MessageDetail {
  message: Message;
  recipients: Page<Recipient>;
  events: Page<MessageEvent>;
}

export async function getMessageDetail(core: Core, accountId: number, messageId: number): Promise<MessageDetail> {
  const message = await getOwnMessage(core, accountId, messageId);
  const first = { limit: DETAIL_PAGE };
  return { message, recipients: await recipientsPage(core, messageId, first), events: await eventsPage(core, messageId, first) };
}

/** A message's recipients in the order they were given, `limit` at a time. */
export async function listRecipients(core: Core, accountId: number, messageId: number, q: PageQuery): Promise<Page<Recipient>> {
  await getOwnMessage(core, accountId, messageId);
  return recipientsPage(core, messageId, q);
}

/** A message's events, oldest first, `limit` at a time. */
export async function listEvents(core: Core, accountId: number, messageId: number, q: PageQuery): Promise<Page<MessageEvent>> {
  await getOwnMessage(core, accountId, messageId);
  return eventsPage(core, messageId, q);
}

interface PageQuery { limit: number; cursor?: string }

const recipientsPage = async (core: Core, messageId: number, q: PageQuery): Promise<Page<Recipient>> =>
  page(await core.store.autocommit.getRecipients(messageId, { limit: q.limit + 1, afterId: decodeCursor(q.cursor) }), q.limit);

const eventsPage = async (core: Core, messageId: number, q: PageQuery): Promise<Page<MessageEvent>> =>
  page(await core.store.autocommit.getEvents(messageId, { limit: q.limit + 1, afterId: decodeCursor(q.cursor) }), q.limit);

export async function listMessages(core: Core, filter: MessageFilter, q: { limit: number; cursor?: string }): Promise<Page<Message>> {
  const rows = await core.store.autocommit.listMessages(filter, { limit: q.limit + 1, beforeId: decodeCursor(q.cursor) });
  return page(rows, q.limit);
}

export async function listLedger(core: Core, accountId: number, q: { limit: number; cursor?: string }): Promise<Page<LedgerEntry>> {
  return page(await core.store.autocommit.listLedger(accountId, { limit: q.limit + 1, beforeId: decodeCursor(q.cursor) }), q.limit);
}

export async function listOutbox(core: Core, q: { accountId?: number; messageId?: number; limit: number; cursor?: string }): Promise<Page<OutboxEntry>> {
  return page(await core.store.autocommit.listOutbox({ ...q, limit: q.limit + 1, beforeId: decodeCursor(q.cursor) }), q.limit);
}
