import type { Credits } from './money.js';

export const CHANNELS = ['sms', 'email', 'voice'] as const;
export type Channel = (typeof CHANNELS)[number];

export const MESSAGE_STATUSES = ['scheduled', 'dispatching', 'sent', 'partially_failed', 'failed', 'cancelled'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const RECIPIENT_STATUSES = ['pending', 'sent', 'delivered', 'undelivered', 'failed', 'skipped', 'cancelled'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

/** Recipient states that end a recipient's life with its price given back. */
export type RefundedStatus = 'failed' | 'skipped' | 'cancelled';

export interface Account {
  id: number;
  name: string;
  parentId: number | null;
  currency: string;
  balance: Credits;
  defaultSender: string | null;
  createdAt: number;
}

export interface ApiKey {
  id: number;
  accountId: number;
  prefix: string;
  scopes: string[] | null;
  createdAt: number;
}

/** What is sent, per channel. Stored as JSON; each transport renders it. */
export type MessageContent =
  | { channel: 'sms'; text: string; sender: string | null; unicode: boolean }
  | { channel: 'email'; subject: string; text: string | null; html: string | null; from: string | null; replyTo: string | null }
  | { channel: 'voice'; text: string | null; audioUrl: string | null; sender: string | null };

export interface Message {
  id: number;
  accountId: number;
  channel: Channel;
  status: MessageStatus;
  sendAt: number;
  createdAt: number;
  updatedAt: number;
  tag: string | null;
  batchId: string | null;
  idempotencyKey: string | null;
  metadata: Record<string, unknown> | null;
  content: MessageContent;
  /** Units billed per recipient (SMS segments, 1 for e-mail and voice). */
  units: number;
  /** Total debited at scheduling time. */
  price: Credits;
  recipientCount: number;
  dispatchedAt: number | null;
  completedAt: number | null;
  cancelledAt: number | null;
}

export interface Recipient {
  id: number;
  messageId: number;
  address: string;
  status: RecipientStatus;
  price: Credits;
  providerId: string | null;
  error: string | null;
  attempts: number;
  sentAt: number | null;
  updatedAt: number;
}

export interface MessageEvent {
  id: number;
  messageId: number;
  recipientId: number | null;
  type: string;
  at: number;
  data: Record<string, unknown> | null;
}

export const LEDGER_KINDS = ['topup', 'debit', 'refund', 'adjust'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export interface LedgerEntry {
  id: number;
  accountId: number;
  kind: LedgerKind;
  amount: Credits;
  balanceAfter: Credits;
  messageId: number | null;
  cause: string;
  createdAt: number;
}

export type SuppressionChannel = 'sms' | 'email';

export interface Suppression {
  accountId: number;
  channel: SuppressionChannel;
  address: string;
  reason: string | null;
  createdAt: number;
}

export interface OutboxEntry {
  id: number;
  accountId: number;
  messageId: number;
  recipientId: number;
  channel: Channel;
  address: string;
  rendered: Record<string, unknown>;
  sentAt: number;
}

/** A page of results and the opaque cursor of the next one. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
