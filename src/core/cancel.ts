import type { Core } from './context.js';
import { RelaisError } from './errors.js';
import { refundReleased } from './ledger.js';
import type { Credits } from './money.js';
import type { LedgerPort, MessageFilter, MessagesPort, ReleasedRecipient } from './ports.js';
import type { Channel, Message } from './types.js';

export interface CancelSelection {
  ids?: number[];
  tag?: string;
  batchId?: string;
  channel?: Channel;
  sendAtFrom?: number;
  sendAtTo?: number;
}

export interface CancelOptions {
  /** Cancels are refused this long before sendAt (vendor dialects keep 5 minutes); absent: until claimed. */
  cutoffMs?: number;
  dryRun?: boolean;
}

export interface CancelResult {
  messages: number;
  recipients: number;
  refund: Credits;
  messageIds: number[];
}

/**
 * The earliest sendAt a change may still touch. Without a cutoff (the native API) only the
 * claim ends the window: a due message the dispatcher has not taken yet can still be cancelled,
 * which stays linearizable because the claim and the cancel both require status 'scheduled'.
 */
export const minSendAtFor = (now: number, cutoffMs: number | undefined): number =>
  cutoffMs === undefined ? Number.MIN_SAFE_INTEGER : now + cutoffMs;

const hasSelector = (s: CancelSelection) =>
  s.ids !== undefined || s.tag !== undefined || s.batchId !== undefined || s.sendAtFrom !== undefined || s.sendAtTo !== undefined;

/**
 * Cancels every still-scheduled message of the selection whose sendAt is at least the cutoff
 * away, and refunds its pending recipients, in one transaction. The conditional update is the
 * whole decision: a message the dispatcher has claimed is simply not matched.
 */
export async function cancelMessages(core: Core, accountId: number, selection: CancelSelection, opts: CancelOptions = {}): Promise<CancelResult> {
  if (!hasSelector(selection)) {
    throw new RelaisError('invalid_request', 'name at least one of ids, tag, batchId, sendAtFrom, sendAtTo', { field: 'selection' });
  }
  const now = core.clock.now();
  const minSendAt = minSendAtFor(now, opts.cutoffMs);
  const filter: MessageFilter = { accountId, ...selection };
  if (opts.dryRun) {
    const c = await core.store.autocommit.countSelection(filter, minSendAt);
    const ids = (await core.store.autocommit.listMessages({ ...filter, statuses: ['scheduled'], sendAtFrom: Math.max(filter.sendAtFrom ?? minSendAt, minSendAt) }, { limit: 10_000 }))
      .map((m) => m.id).sort((a, b) => a - b);
    return { messages: c.messages, recipients: c.recipients, refund: c.refund, messageIds: ids };
  }
  const result = isOneMessage(selection) && core.store.autocommit.cancelOne
    ? await cancelOne(core.store.autocommit.cancelOne, accountId, selection.ids[0], minSendAt, now)
    : await core.store.transaction((tx) => cancelWithin(tx, filter, minSendAt, now));
  observeCancelled(core, result);
  return {
    messages: result.cancelled.length,
    recipients: result.released.length,
    refund: result.refund,
    messageIds: result.cancelled.map((m) => m.id).sort((a, b) => a - b),
  };
}

/** Counts a committed cancel in the metrics, per message and channel. */
export function observeCancelled(core: Pick<Core, 'observer'>, result: { cancelled: Message[]; released: ReleasedRecipient[] }): void {
  // Counted in one pass: filtering the released recipients per message is quadratic in a bulk cancel.
  const releasedOf = new Map<number, number>();
  for (const r of result.released) releasedOf.set(r.messageId, (releasedOf.get(r.messageId) ?? 0) + 1);
  for (const m of result.cancelled) core.observer.cancelled(m.channel, releasedOf.get(m.id) ?? 0);
}

const CANCELLED_CAUSE = (id: number) => `message ${id} cancelled`;

/** A selection of exactly one message id and nothing else: a DELETE of one message. */
const isOneMessage = (s: CancelSelection): s is CancelSelection & { ids: [number] } =>
  s.ids?.length === 1 && Object.entries(s).every(([k, v]) => k === 'ids' || v === undefined);

/** What cancelWithin does, for one message, by a store that does it in one statement. */
async function cancelOne(storeCancelOne: NonNullable<MessagesPort['cancelOne']>, accountId: number, messageId: number, minSendAt: number, now: number): Promise<{ cancelled: Message[]; released: ReleasedRecipient[]; refund: Credits }> {
  const r = await storeCancelOne({ accountId, messageId, minSendAt, now, eventType: 'cancelled', refundCause: CANCELLED_CAUSE });
  if (!r) return { cancelled: [], released: [], refund: 0 };
  return { cancelled: [r.message], released: r.released, refund: r.released.reduce((sum, x) => sum + x.price, 0) };
}

/** The cancel and its refunds, inside a transaction the caller owns (closing a sub-account cancels its messages too). */
export async function cancelWithin(tx: MessagesPort & LedgerPort, filter: MessageFilter, minSendAt: number, now: number): Promise<{ cancelled: Message[]; released: ReleasedRecipient[]; refund: Credits }> {
  const cancelled = await tx.cancelMessages(filter, minSendAt, now);
  if (cancelled.length === 0) return { cancelled, released: [], refund: 0 };
  const released = await tx.releasePendingRecipients(cancelled.map((m) => m.id), 'cancelled', now);
  const refund = await refundReleased(tx, released, CANCELLED_CAUSE, now);
  await tx.insertEvents(cancelled.map((m) => ({ messageId: m.id, recipientId: null, type: 'cancelled', at: now, data: null })));
  return { cancelled, released, refund };
}

/** Cancels one message; when it cannot, says precisely why. */
export async function cancelMessage(core: Core, accountId: number, messageId: number, opts: CancelOptions = {}): Promise<CancelResult> {
  const result = await cancelMessages(core, accountId, { ids: [messageId] }, opts);
  if (result.messages === 1) return result;
  throw await explainRefusal(core, accountId, messageId, 'cancelled');
}

/** After a conditional update matched nothing: reads (never decides) why, for the error. */
export async function explainRefusal(core: Core, accountId: number, messageId: number, verb: string): Promise<RelaisError> {
  const m = await core.store.autocommit.getMessage(messageId);
  if (!m || m.accountId !== accountId) return new RelaisError('not_found', `message ${messageId} does not exist`, { messageId });
  if (m.status === 'cancelled') return new RelaisError('already_cancelled', `message ${messageId} is already cancelled`, { messageId });
  if (m.status !== 'scheduled') return new RelaisError('already_dispatched', `message ${messageId} is already ${m.status}`, { messageId, messageStatus: m.status });
  // A message sent "now" is on its way from the moment it is accepted (spec/errors.md §7, step 2):
  // the vendors answer "already sent", not "too close to its send time".
  if (m.sendAt <= m.createdAt) return new RelaisError('already_dispatched', `message ${messageId} was sent immediately`, { messageId, messageStatus: m.status });
  return new RelaisError('cancel_too_late', `message ${messageId} is due too soon to be ${verb}`, { messageId, sendAt: new Date(m.sendAt).toISOString() });
}
