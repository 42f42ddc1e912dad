import type { Core } from './context.js';
import { refundReleased } from './ledger.js';
import type { KeptReceipt, SettledRecipient, StoreTx } from './ports.js';
import type { Receipt, ReceiptOutcome } from './transport.js';

/** How far back a provider's `at` is believed: a receipt days late is possible (a network backlog), weeks is a bad clock. */
const RECEIPT_PAST_MS = 7 * 86_400_000;
/** How far ahead: clocks drift a little; a receipt from the future would hold its callbacks back. */
const RECEIPT_FUTURE_MS = 5 * 60_000;

/**
 * When the receipt's event happened: the provider's `at` when it is plausible (within
 * [now − 7 d, now + 5 min]), else now. The provider's word is unchecked input: an `at` past any
 * date would break every view of the message, one a year ahead would date the event a year ahead.
 */
export const receiptAt = (at: number | undefined, now: number): number =>
  (at !== undefined && at >= now - RECEIPT_PAST_MS && at <= now + RECEIPT_FUTURE_MS ? at : now);

/** A receipt applied in a transaction, for the metrics once it commits. */
export interface Settlement {
  transport: string;
  receipt: Receipt & { at: number };
  recipients: SettledRecipient[];
}

/** Most kept receipts a sweep takes or drops by expiry: a flood of another system's receipts costs each sweep this much at most. */
export const KEPT_BATCH = 500;
/**
 * Most receipts kept per transport: beyond, the newest are dropped by the next sweep, counted
 * `unknown`. Ten thousand is ten seconds of a 1 000/s bind, far more than sends awaiting their answer.
 */
export const KEPT_CAP = 10_000;

/**
 * Applies a delivery receipt: the recipient sent with its provider id goes sent → delivered or
 * undelivered, with its event (which enqueues the status callback like every recipient event).
 * An undelivered recipient is refunded only when `core.receipts.refundUndelivered`
 * (RELAIS_REFUND_UNDELIVERED): the vendors Relais stands in for charge an SMS the network took
 * and could not deliver, and the price was spent on the provider. A receipt that settles nothing
 * is `kept` (`repeated` when one is kept for its id already): it may have come before its send
 * was recorded (#20), or be a repeat for a recipient settled already, and which one cannot be
 * told while a send with a reused id is in flight. The send's record applies it (settleKept), or
 * the dispatcher's sweep does (sweepKeptReceipts), or it expires (DECISIONS.md §38).
 */
export async function recordReceipt(core: Core, transport: string, receipt: Receipt): Promise<ReceiptOutcome> {
  const now = core.clock.now();
  const heard = { ...receipt, at: receiptAt(receipt.at, now) };
  const { outcome, recipients } = await core.store.transaction(async (tx) => {
    const recipients = await settle(core, tx, transport, heard, now);
    if (recipients.length > 0) return { outcome: 'settled' as const, recipients };
    const kept = await tx.keepReceipt({ transport, receipt: heard, keptAt: now });
    return { outcome: kept ? 'kept' as const : 'repeated' as const, recipients };
  });
  core.observer.receipt(transport, outcome);
  observeSettled(core, { transport, receipt: heard, recipients });
  return outcome;
}

/**
 * In the transaction that records a send with `providerId`: applies the receipt kept for it, if
 * one came first. The caller reports the settlement (observeSettlement) once it commits.
 */
export async function settleKept(core: Core, tx: StoreTx, transport: string, providerId: string, now: number): Promise<Settlement | undefined> {
  const kept = await tx.takeKeptReceipt(transport, providerId);
  return kept && { transport, receipt: kept.receipt, recipients: await settle(core, tx, transport, kept.receipt, now) };
}

/** Kept receipts a sweep dropped, per transport: those no send claimed, and repeats of a settled receipt. */
export type DroppedCounts = Record<string, { unknown: number; repeated: number }>;

/**
 * Closes the race settleKept leaves on PostgreSQL (READ COMMITTED): a receipt kept while its send
 * was being recorded, each transaction blind to the other's rows. Applies the kept receipts a
 * recipient still `sent` with their id awaits, drops those older than RELAIS_RECEIPT_KEEP_SECONDS
 * (KEPT_BATCH of each, oldest first) and those beyond KEPT_CAP. A dropped one is counted
 * `repeated` when its id was ever sent with, else `unknown`. One read when nothing is kept.
 */
export async function sweepKeptReceipts(core: Core): Promise<DroppedCounts> {
  if (!(await core.store.autocommit.hasKeptReceipts())) return {};
  const now = core.clock.now();
  const { settlements, dropped } = await core.store.transaction(async (tx) => {
    const settlements: Settlement[] = [];
    for (const { transport, receipt } of await tx.takeAwaitedKeptReceipts(KEPT_BATCH)) settlements.push({ transport, receipt, recipients: await settle(core, tx, transport, receipt, now) });
    const dropped = [...await tx.dropKeptReceipts(now - core.receipts.keepMs, KEPT_BATCH), ...await tx.dropKeptOverflow(KEPT_CAP)];
    return { settlements, dropped };
  });
  for (const s of settlements) observeSettlement(core, s);
  const counts: DroppedCounts = {};
  for (const { transport, known } of dropped) {
    const outcome = known ? 'repeated' : 'unknown';
    core.observer.receipt(transport, outcome);
    (counts[transport] ??= { unknown: 0, repeated: 0 })[outcome] += 1;
  }
  return counts;
}

/** Counts a kept receipt applied: settled, or repeated when its recipient had been settled meanwhile. */
export function observeSettlement(core: Core, s: Settlement): void {
  core.observer.receipt(s.transport, s.recipients.length > 0 ? 'settled' : 'repeated');
  observeSettled(core, s);
}

function observeSettled(core: Core, { transport, receipt, recipients }: Settlement): void {
  for (const r of recipients) core.observer.settled(transport, receipt.status, r.sentAt === null ? 0 : receipt.at - r.sentAt);
}

/** The receipt's status on the recipients its transport sent with its id, their refunds (by the policy) and events. */
async function settle(core: Core, tx: StoreTx, transport: string, receipt: Receipt & { at: number }, now: number): Promise<SettledRecipient[]> {
  const undelivered = receipt.status === 'undelivered';
  const refund = undelivered && core.receipts.refundUndelivered;
  const recipients = await tx.settleByProviderId(transport, receipt.providerId, receipt.status, receipt.at, undelivered ? receipt.reason ?? 'undelivered' : null, refund ? now : null);
  if (refund) await refundReleased(tx, recipients, (id) => `message ${id}: undelivered`, now);
  await tx.insertEvents(recipients.map((r) => ({
    messageId: r.messageId, recipientId: r.id, type: receipt.status, at: receipt.at, heardAt: now,
    data: { providerId: receipt.providerId, reason: receipt.reason ?? null, providerCode: receipt.providerCode ?? null },
  })));
  return recipients;
}
