import type { Core } from './context.js';
import { refundReleased } from './ledger.js';
import type { NewEvent, OutgoingMessage, ReleasedRecipient, SendResult } from './ports.js';
import { suppressionChannelOf } from './suppressions.js';
import type { Channel, Message, MessageStatus, Recipient, RecipientStatus } from './types.js';

export interface DeliveryOptions {
  owner: string;
  leaseMs: number;
  maxAttempts: number;
  /** Delay before retry number `attempt` (1-based) of a transient failure. */
  backoffMs(attempt: number): number;
  /** Sends one recipient through its transport; a throw must come back as a retryable failure. */
  send(msg: OutgoingMessage): Promise<SendResult>;
  /**
   * Runs one recipient's turn once the caller's limits (concurrency, rate) let a send on this
   * channel go, and holds that slot until the turn ends. A turn checks the lease (waiting for a
   * slot may outlast it, and another worker may have taken the message over meanwhile), sends,
   * and records the result: at any instant, at most as many sends as there are slots have been
   * accepted by a transport and not yet recorded, which bounds the duplicates a crash can cause.
   * Default: no limits.
   */
  slot?<T>(channel: Channel, turn: () => Promise<T>): Promise<T>;
}

export type DeliveryOutcome = { status: MessageStatus } | { retryAt: number } | { lostLease: true };

/** Claims due messages for `owner`: scheduled and due, or abandoned by a worker whose lease expired. */
export function claimDue(core: Core, owner: string, limit: number, leaseMs: number): Promise<Message[]> {
  const now = core.clock.now();
  return core.store.transaction((tx) => tx.claimDue(now, limit, owner, now + leaseMs));
}

/**
 * A skipped (suppressed) recipient is the account's own choice, not a delivery failure: it does
 * not make a sent message partially_failed. Nothing delivered and something skipped or failed is
 * `failed`; every recipient cancelled (by suppressions before dispatch) is `cancelled`.
 */
export function finalStatus(statuses: RecipientStatus[]): MessageStatus {
  const count = (...of: RecipientStatus[]) => statuses.filter((s) => of.includes(s)).length;
  const sent = count('sent', 'delivered', 'undelivered');
  const failed = count('failed');
  if (sent > 0) return failed > 0 ? 'partially_failed' : 'sent';
  return failed + count('skipped') > 0 ? 'failed' : 'cancelled';
}

/**
 * Delivers the pending recipients of a claimed message. A recipient already marked sent is
 * never sent again; a crash between a transport's acceptance and the recipient's update is the
 * only window for a duplicate. Skips and permanent failures are refunded exactly once.
 */
export async function deliverMessage(core: Core, message: Message, opts: DeliveryOptions): Promise<DeliveryOutcome> {
  const pending = await core.store.read.pendingRecipients(message.id);
  const sendable = await releaseSuppressed(core, message, pending);
  let retry = 0;
  let leaseUntil = core.clock.now() + opts.leaseMs;
  // True while this worker holds the lease with more than half of it left; renews it otherwise.
  const holdsLease = async (): Promise<boolean> => {
    const now = core.clock.now();
    if (leaseUntil - now > opts.leaseMs / 2) return true;
    leaseUntil = now + opts.leaseMs;
    return core.store.read.setLease(message.id, opts.owner, leaseUntil);
  };
  const slot = opts.slot ?? (<T>(_channel: Channel, turn: () => Promise<T>) => turn());
  for (const r of sendable) {
    const attempt = await slot(message.channel, async () => {
      if (!(await holdsLease())) return 'lost' as const;
      const result = await opts.send({
        accountId: message.accountId, messageId: message.id, recipientId: r.id, channel: message.channel,
        address: r.address, content: r.content ?? message.content, sendAt: message.sendAt, metadata: message.metadata,
      });
      return recordResult(core, message, r, result, opts.maxAttempts);
    });
    if (attempt === 'lost') return { lostLease: true };
    if (attempt) retry = Math.max(retry, attempt);
  }
  const now = core.clock.now();
  if (retry > 0) {
    const retryAt = now + opts.backoffMs(retry);
    return (await core.store.read.setLease(message.id, opts.owner, retryAt)) ? { retryAt } : { lostLease: true };
  }
  const status = finalStatus((await core.store.read.getRecipients(message.id)).map((r) => r.status));
  return (await core.store.read.completeMessage(message.id, opts.owner, status, now)) ? { status } : { lostLease: true };
}

async function releaseSuppressed(core: Core, message: Message, pending: Recipient[]): Promise<Recipient[]> {
  const list = suppressionChannelOf(message.channel);
  if (!list || pending.length === 0) return pending;
  const suppressed = await core.store.read.suppressedAmong(message.accountId, list, pending.map((r) => r.address));
  if (suppressed.size === 0) return pending;
  const now = core.clock.now();
  await core.store.transaction(async (tx) => {
    const released: ReleasedRecipient[] = [];
    for (const r of pending) {
      if (!suppressed.has(r.address)) continue;
      const x = await tx.releaseRecipient(r.id, 'skipped', now, 'suppressed');
      if (x) released.push(x);
    }
    await refundReleased(tx, released, (id) => `message ${id}: suppressed recipients skipped`, now);
    await tx.insertEvents(released.map((x) => ({ messageId: message.id, recipientId: x.id, type: 'skipped', at: now, data: { reason: 'suppressed' } })));
  });
  for (let i = 0; i < suppressed.size; i++) core.observer.skipped(message.channel);
  return pending.filter((r) => !suppressed.has(r.address));
}

/** Applies one transport result; returns the attempt number when the recipient must be retried. */
async function recordResult(core: Core, message: Message, r: Recipient, result: SendResult, maxAttempts: number): Promise<number | undefined> {
  const now = core.clock.now();
  const event = (type: string, data: Record<string, unknown> | null): NewEvent => ({ messageId: message.id, recipientId: r.id, type, at: now, data });
  if (result.ok) {
    await core.store.transaction(async (tx) => {
      if (await tx.updatePendingRecipient(r.id, { status: 'sent', at: now, providerId: result.providerId, error: null }, true)) {
        await tx.insertEvents([event('sent', { providerId: result.providerId })]);
      }
    });
    core.observer.sent(message.channel, now - message.sendAt);
    return undefined;
  }
  const attempt = r.attempts + 1;
  if (result.retryable && attempt < maxAttempts) {
    await core.store.read.updatePendingRecipient(r.id, { status: 'pending', at: now, error: result.reason }, true);
    return attempt;
  }
  await core.store.transaction(async (tx) => {
    const released = await tx.releaseRecipient(r.id, 'failed', now, result.reason, true);
    if (!released) return;
    await refundReleased(tx, [released], (id) => `message ${id}: delivery to ${r.address} failed`, now);
    await tx.insertEvents([event('failed', { reason: result.reason, providerCode: result.providerCode ?? null })]);
  });
  core.observer.failed(message.channel);
  return undefined;
}
