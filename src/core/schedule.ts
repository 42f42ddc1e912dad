import { createHash } from 'node:crypto';
import { normalizeAddress } from './addresses.js';
import type { Core } from './context.js';
import { RelaisError } from './errors.js';
import { validateContent } from './content.js';
import { priceOf } from './pricing.js';
import type { Channel, Message, MessageContent } from './types.js';

export interface ScheduleInput {
  channel: Channel;
  recipients: string[];
  content: MessageContent;
  /** Epoch ms; absent means now. */
  sendAt?: number;
  tag?: string | null;
  batchId?: string | null;
  metadata?: Record<string, unknown> | null;
  idempotencyKey?: string | null;
}

export interface Scheduled {
  message: Message;
  /** False when an idempotent replay returned the message an earlier request created. */
  created: boolean;
}

/** Resolves a requested send instant against the clock: absent or slightly past means now. */
export function resolveSendAt(core: Core, sendAt: number | undefined): number {
  const now = core.clock.now();
  if (sendAt === undefined) return now;
  if (!Number.isFinite(sendAt)) throw new RelaisError('invalid_date', 'sendAt is not a valid instant', { field: 'sendAt' });
  if (sendAt < now - core.limits.pastToleranceMs) {
    throw new RelaisError('send_at_in_past', 'sendAt is in the past', { field: 'sendAt', sendAt: new Date(sendAt).toISOString() });
  }
  if (sendAt > now + core.limits.maxHorizonMs) {
    throw new RelaisError('invalid_date', 'sendAt is too far in the future', { field: 'sendAt' });
  }
  return Math.max(sendAt, now);
}

function normalizeRecipients(core: Core, channel: Channel, recipients: string[]): string[] {
  if (recipients.length === 0) throw new RelaisError('invalid_request', 'at least one recipient is required', { field: 'recipients' });
  if (recipients.length > core.limits.maxRecipients) {
    throw new RelaisError('too_many_recipients', `at most ${core.limits.maxRecipients} recipients per message`, { field: 'recipients', max: core.limits.maxRecipients });
  }
  // The same address twice would be sent and billed twice for one intent: keep the first.
  return [...new Set(recipients.map((r) => normalizeAddress(channel, r, core.defaultRegion)))];
}

const requestHash = (input: ScheduleInput): string =>
  createHash('sha256').update(JSON.stringify([input.channel, input.recipients, input.content, input.sendAt ?? null,
    input.tag ?? null, input.batchId ?? null, input.metadata ?? null])).digest('hex');

/**
 * Stores a message and debits its full price in one transaction, or refuses up front
 * (insufficient credit, bad input) without writing anything.
 */
export async function scheduleMessage(core: Core, accountId: number, input: ScheduleInput): Promise<Scheduled> {
  const content = validateContent(input.channel, input.content);
  const addresses = normalizeRecipients(core, input.channel, input.recipients);
  const sendAt = resolveSendAt(core, input.sendAt);
  const { units, unitPrice } = priceOf(core.pricing, content);
  const price = unitPrice * addresses.length;
  const hash = input.idempotencyKey ? requestHash(input) : null;
  const now = core.clock.now();

  const replay = async (): Promise<Scheduled | undefined> => {
    if (!input.idempotencyKey) return undefined;
    const found = await core.store.read.findMessageByIdempotencyKey(accountId, input.idempotencyKey);
    if (!found) return undefined;
    if (found.requestHash !== hash) {
      throw new RelaisError('idempotency_conflict', 'this Idempotency-Key was used with a different request', { idempotencyKey: input.idempotencyKey });
    }
    return { message: found.message, created: false };
  };

  const earlier = await replay();
  if (earlier) return earlier;
  let message: Message;
  try {
    message = await core.store.transaction(async (tx) => {
      const m = await tx.insertMessage({
        accountId, channel: input.channel, sendAt, createdAt: now, tag: input.tag ?? null, batchId: input.batchId ?? null,
        idempotencyKey: input.idempotencyKey ?? null, requestHash: hash, metadata: input.metadata ?? null, content, units,
        price, recipients: addresses.map((address) => ({ address, price: unitPrice })),
      });
      const debit = await tx.applyLedgerEntry({ accountId, kind: 'debit', amount: -price, messageId: m.id, cause: `message ${m.id} scheduled`, createdAt: now }, 0);
      if (!debit) {
        const account = await tx.getAccount(accountId);
        throw new RelaisError('insufficient_credits', 'insufficient credit for this message', {
          required: price, balance: account?.balance ?? 0,
        });
      }
      await tx.insertEvents([{ messageId: m.id, recipientId: null, type: 'scheduled', at: now, data: { sendAt, recipients: addresses.length, price } }]);
      return m;
    });
  } catch (err) {
    // Two concurrent requests with one key: the loser's insert hits the unique index.
    const raced = err instanceof RelaisError ? undefined : await replay();
    if (raced) return raced;
    throw err;
  }
  core.wakeup.notify(sendAt);
  core.observer.scheduled(input.channel, addresses.length);
  return { message, created: true };
}
