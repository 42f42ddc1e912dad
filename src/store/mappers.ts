import type {
  Account, ApiKey, Channel, DueMessage, LedgerEntry, LedgerKind, Message, MessageEvent, MessageStatus, OutboxEntry, Recipient,
  RecipientStatus, Suppression, SuppressionChannel,
} from '../core/types.js';
import type { Selectable } from 'kysely';
import type { AccountRow, ApiKeyTable, EventTable, LedgerRow, MessageRow, OutboxTable, RecipientRow, SuppressionTable } from './schema.js';

const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));
export const toJson = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

export const toAccount = (r: AccountRow): Account => ({
  id: r.id, name: r.name, parentId: r.parent_id, currency: r.currency, balance: r.balance,
  defaultSender: r.default_sender, createdAt: r.created_at,
});

export const toApiKey = (r: Selectable<ApiKeyTable>): ApiKey => ({
  id: r.id, accountId: r.account_id, prefix: r.prefix, scopes: json<string[]>(r.scopes), createdAt: r.created_at,
});

export const toMessage = (r: MessageRow): Message => ({
  id: r.id,
  accountId: r.account_id,
  channel: r.channel as Channel,
  status: r.status as MessageStatus,
  sendAt: r.send_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  tag: r.tag,
  batchId: r.batch_id,
  idempotencyKey: r.idempotency_key,
  metadata: json(r.metadata),
  content: JSON.parse(r.content),
  units: r.units,
  price: r.price,
  recipientCount: r.recipient_count,
  dispatchedAt: r.dispatched_at,
  completedAt: r.completed_at,
  cancelledAt: r.cancelled_at,
});

/** The columns of a message that toDueMessage reads. */
export const DUE_COLUMNS = ['id', 'account_id', 'channel', 'send_at', 'content', 'metadata', 'recipient_count'] as const;

export const toDueMessage = (r: Pick<MessageRow, (typeof DUE_COLUMNS)[number]>): DueMessage => ({
  id: r.id, accountId: r.account_id, channel: r.channel as Channel, sendAt: r.send_at, content: JSON.parse(r.content),
  metadata: json(r.metadata), recipientCount: r.recipient_count,
});

export const toRecipient = (r: RecipientRow): Recipient => ({
  id: r.id, messageId: r.message_id, address: r.address, status: r.status as RecipientStatus, price: r.price,
  providerId: r.provider_id, error: r.error, attempts: r.attempts, sentAt: r.sent_at, updatedAt: r.updated_at,
  // Only recipients with their own text carry these, so the common shape stays as it was.
  ...(r.content ? { content: JSON.parse(r.content), units: r.units ?? undefined } : {}),
});

export const toEvent = (r: Selectable<EventTable>): MessageEvent => ({
  id: r.id, messageId: r.message_id, recipientId: r.recipient_id, type: r.type, at: r.at, data: json(r.data),
});

export const toLedgerEntry = (r: LedgerRow): LedgerEntry => ({
  id: r.id, accountId: r.account_id, kind: r.kind as LedgerKind, amount: r.amount, balanceAfter: r.balance_after,
  messageId: r.message_id, cause: r.cause, createdAt: r.created_at,
});

export const toSuppression = (r: Selectable<SuppressionTable>): Suppression => ({
  accountId: r.account_id, channel: r.channel as SuppressionChannel, address: r.address, reason: r.reason, createdAt: r.created_at,
});

export const toOutboxEntry = (r: Selectable<OutboxTable>): OutboxEntry => ({
  id: r.id, accountId: r.account_id, messageId: r.message_id, recipientId: r.recipient_id, channel: r.channel as Channel,
  address: r.address, rendered: JSON.parse(r.rendered), sentAt: r.sent_at,
});
