import type { Core } from './context.js';
import { RelaisError } from './errors.js';
import type { MessageFilter } from './ports.js';
import type { LedgerEntry, Message, MessageContent, MessageEvent, OutboxEntry, Page, Recipient } from './types.js';

export const MAX_PAGE = 500;

/** Cursors are opaque to clients: the last id seen, base64url-encoded. */
export const encodeCursor = (id: number): string => Buffer.from(`id:${id}`).toString('base64url');

export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const m = /^id:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new RelaisError('invalid_request', 'cursor is not valid', { field: 'cursor' });
  return Number(m[1]);
}

/** The first `limit` of `rows` (fetched with one more), and the cursor of the next page when there is one. */
export function page<T extends { id: number }>(rows: T[], limit: number): Page<T> {
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

/** What recipient `recipientId` of a message was sent: its own content, else the message's; undefined when either is gone. */
export async function sentContent(core: Core, messageId: number, recipientId: number): Promise<{ message: Message; recipient: Recipient; content: MessageContent } | undefined> {
  const message = await core.store.autocommit.getMessage(messageId);
  const [recipient] = message ? await core.store.autocommit.getRecipients(messageId, { limit: 1, afterId: recipientId - 1 }) : [];
  if (!message || recipient?.id !== recipientId) return undefined;
  return { message, recipient, content: recipient.content ?? message.content };
}

/** An outbox entry and, for a mail, its whole MIME message. */
export interface OutboxRead {
  entry: OutboxEntry;
  mime: string | null;
}

/**
 * An outbox entry of this account, or not_found (another account's id is indistinguishable from
 * no id), with its MIME when it is a mail.
 */
export async function getOutboxEntry(core: Core, accountId: number, id: number): Promise<OutboxRead> {
  const entry = await core.store.autocommit.getOutbox(id);
  if (!entry || entry.accountId !== accountId) throw new RelaisError('not_found', `outbox entry ${id} does not exist`, { id });
  return withMime(core, entry);
}

/** The newest outbox entry of this account, or not_found, with its MIME when it is a mail. */
export async function latestOutboxEntry(core: Core, accountId: number): Promise<OutboxRead> {
  const [entry] = await core.store.autocommit.listOutbox({ accountId, limit: 1 });
  if (!entry) throw new RelaisError('not_found', 'the outbox is empty');
  return withMime(core, entry);
}

/**
 * A mail's MIME is composed on read (core.outboxMime), from the entry and the attachments of the
 * content it was sent, which the outbox keeps once per message, not per recipient.
 */
async function withMime(core: Core, entry: OutboxEntry): Promise<OutboxRead> {
  if (entry.channel !== 'email') return { entry, mime: null };
  const sent = await sentContent(core, entry.messageId, entry.recipientId);
  const attachments = sent?.content.channel === 'email' ? sent.content.attachments ?? [] : [];
  return { entry, mime: await core.outboxMime(entry, attachments) };
}

export async function listOutbox(core: Core, q: { accountId?: number; messageId?: number; limit: number; cursor?: string }): Promise<Page<OutboxEntry>> {
  return page(await core.store.autocommit.listOutbox({ ...q, limit: q.limit + 1, beforeId: decodeCursor(q.cursor) }), q.limit);
}
