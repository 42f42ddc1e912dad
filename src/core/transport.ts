import type { Channel, MessageContent } from './types.js';

/** The message a transport is asked to send, without its recipients. */
export interface TransportMessage {
  accountId: number;
  messageId: number;
  channel: Channel;
  sendAt: number;
  metadata: Record<string, unknown> | null;
}

/** One recipient of it, with the content meant for it (per-recipient texts differ from the message's). */
export interface TransportRecipient {
  recipientId: number;
  address: string;
  content: MessageContent;
}

/** One recipient of one message: what the dispatcher hands over per send, and what the outbox stores. */
export type OutgoingMessage = TransportMessage & TransportRecipient;

/**
 * What became of one recipient. Core alone decides what it means: accepted → `sent` with the
 * provider id; retryable → tried again after a backoff until RELAIS_MAX_ATTEMPTS, then failed;
 * permanent → `failed`, refunded once.
 */
export type SendResult =
  | { ok: true; providerId: string }
  | { ok: false; retryable: boolean; reason: string; providerCode?: string };

/** A provider's later word on a recipient it accepted, found again by the provider id it gave. */
export interface Receipt {
  providerId: string;
  status: 'delivered' | 'undelivered';
  /** When the provider says it happened; absent: when Relais hears of it. */
  at?: number;
  reason?: string;
  providerCode?: string;
}

/** A message a handset sent to one of the provider's numbers (mobile-originated), not a receipt. */
export interface InboundMessage {
  /** The handset's number, as the provider gives it. */
  from: string;
  /** The number (or sender) it was sent to. */
  to: string;
  text: string;
  /** When the provider says it was sent; absent: when Relais hears of it. */
  at?: number;
}

/**
 * What a receipt did (core/receipts.ts): settled its recipients, repeated one already settled,
 * kept for a send not recorded yet, or (kept too long) named an unknown id; or a receipt the
 * transport could not read (no id, no state it knows), acknowledged and dropped.
 */
export type ReceiptOutcome = 'settled' | 'repeated' | 'kept' | 'unknown' | 'unreadable';

/**
 * A way out of Relais for messages (the outbox, SMTP, SMPP, an HTTP provider). It sees neither
 * core nor the store: it puts messages on the wire and says what became of each recipient.
 */
export interface Transport {
  readonly name: string;
  /**
   * Sends `message` to `recipients`; resolves with one result per recipient, in their order. A
   * throw, or an answer after `signal` aborted, counts as retryable for every recipient of the
   * call. The signal aborts when the dispatcher stops waiting (its lease on the message runs out).
   */
  send(message: TransportMessage, recipients: TransportRecipient[], opts: { signal: AbortSignal }): Promise<SendResult[]>;
  /** Messages per second the dispatcher lets through (a token bucket); absent: no limit. */
  readonly rate?: number;
  /** Sends in flight at once; absent: RELAIS_TRANSPORT_CONCURRENCY. */
  readonly concurrency?: number;
  /**
   * The sender its provider sends with when a message names none, when the operator configured
   * one: recorded as such a send's sender, so that a STOP answering it can be attributed
   * (core/inbound.ts). Absent: the provider's own default, which Relais does not know.
   */
  readonly defaultSender?: string;
  /**
   * For a provider that reports delivery later: the worker calls this once with the handler of
   * its receipts. The transport acknowledges a receipt to its provider only once the handler's
   * promise resolves (it is then recorded), so a crash loses none.
   */
  receipts?(record: (receipt: Receipt) => Promise<void>): void;
  /**
   * For a provider that passes on mobile-originated messages (a STOP): the worker calls this once
   * with their handler; the transport acknowledges one only once the handler's promise resolves.
   */
  inbound?(handle: (message: InboundMessage) => Promise<void>): void;
  /** Resolves once the sends in flight have ended; no send is started after. */
  close(): Promise<void>;
}

/** The transport each channel sends through; one transport may serve several channels. */
export type TransportRegistry = Record<Channel, Transport>;

export async function closeTransports(registry: TransportRegistry): Promise<void> {
  await Promise.all([...new Set(Object.values(registry))].map((t) => t.close()));
}
