import { formatCredits } from '../core/money.js';
import type { MessageDetail, OutboxRead } from '../core/queries.js';
import type { SuppressionAdded } from '../core/suppressions.js';
import type { LedgerEntry, Message, MessageEvent, OutboxEntry, Recipient, Suppression } from '../core/types.js';
import { iso } from './account.js';

export const messageView = (m: Message) => ({
  id: m.id,
  channel: m.channel,
  status: m.status,
  sendAt: iso(m.sendAt),
  tag: m.tag,
  batchId: m.batchId,
  idempotencyKey: m.idempotencyKey,
  metadata: m.metadata,
  content: (({ channel: _channel, ...rest }) => rest)(m.content),
  units: m.units,
  price: formatCredits(m.price),
  recipientCount: m.recipientCount,
  createdAt: iso(m.createdAt),
  updatedAt: iso(m.updatedAt),
  dispatchedAt: iso(m.dispatchedAt),
  completedAt: iso(m.completedAt),
  cancelledAt: iso(m.cancelledAt),
});

export const recipientView = (r: Recipient) => ({
  id: r.id,
  address: r.address,
  status: r.status,
  price: formatCredits(r.price),
  providerId: r.providerId,
  error: r.error,
  attempts: r.attempts,
  sentAt: iso(r.sentAt),
  updatedAt: iso(r.updatedAt),
});

export const eventView = (e: MessageEvent) => ({ id: e.id, type: e.type, recipientId: e.recipientId, at: iso(e.at), data: e.data });

/** A message with the first page of its recipients and of its events (getMessageDetail). */
export const messageDetailView = (d: MessageDetail) => ({
  ...messageView(d.message),
  recipients: d.recipients.items.map(recipientView),
  recipientsNextCursor: d.recipients.nextCursor,
  events: d.events.items.map(eventView),
  eventsNextCursor: d.events.nextCursor,
});

/** What a cancel did (or, dry run, would do): the native API's answer and `relais cancel`'s. */
export const cancelView = (r: { messages: number; recipients: number; refund: number; messageIds: number[] }, dryRun = false) => ({
  dryRun, messages: r.messages, recipients: r.recipients, refund: formatCredits(r.refund), messageIds: r.messageIds,
});

/** The cancel of one message by its id: `DELETE /api/v1/messages/{id}` and `relais cancel <id>`. */
export const cancelOneView = (id: number, r: Parameters<typeof cancelView>[0]) => ({ id, status: 'cancelled' as const, ...cancelView(r) });

export const ledgerView = (e: LedgerEntry) => ({
  id: e.id,
  kind: e.kind,
  amount: formatCredits(e.amount),
  balanceAfter: formatCredits(e.balanceAfter),
  messageId: e.messageId,
  cause: e.cause,
  createdAt: iso(e.createdAt),
});

export const suppressionView = (s: Suppression) => ({ channel: s.channel, address: s.address, reason: s.reason, createdAt: iso(s.createdAt) });

export const suppressionAddedView = (r: SuppressionAdded) => ({
  ...suppressionView(r.suppression), added: r.added, cancelledRecipients: r.cancelledRecipients, refund: formatCredits(r.refund),
});

/** An outbox entry as the lists show it: a mail without its MIME, which only one entry's read composes (outboxEntryView). */
export const outboxView = (o: OutboxEntry) => ({
  id: o.id, messageId: o.messageId, recipientId: o.recipientId, channel: o.channel, address: o.address, sentAt: iso(o.sentAt), ...o.rendered,
});

/** One outbox entry in full: a mail with its whole MIME message. */
export const outboxEntryView = (r: OutboxRead) => (r.mime === null ? outboxView(r.entry) : { ...outboxView(r.entry), mime: r.mime });
