import type { Core } from './context.js';
import { refundReleased } from './ledger.js';
import type { KeptReceipt, SettledRecipient, StoreTx } from './ports.js';
import type { Receipt, ReceiptOutcome } from './transport.js';
import { REFUNDED_STATUSES, type RecipientStatus } from './types.js';

/** The recipient states whose price was given back: an undelivered one too under RELAIS_REFUND_UNDELIVERED. */
export const refundedStatuses = (core: Core): readonly RecipientStatus[] =>
  (core.receipts.refundUndelivered ? [...REFUNDED_STATUSES, 'undelivered'] : REFUNDED_STATUSES);

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

/**
 * Applies a delivery receipt: the recipient sent with its provider id goes sent → delivered or
 * undelivered, with its event (which enqueues the status callback like every recipient event).
 * An undelivered recipient is refunded only when `core.receipts.refundUndelivered`
 * (RELAIS_REFUND_UNDELIVERED): the vendors Relais stands in for charge an SMS the network took
 * and could not deliver, and the price was spent on the provider. A receipt for a recipient
 * settled already is `repeated` and changes nothing. One for an id no send through this transport was recorded with is
 * `kept`: a fast network can report before the submit response is recorded (#20), and the send's
 * record applies it (settleKept), or the dispatcher's sweep does (sweepKeptReceipts).
 */
export async function recordReceipt(core: Core, transport: string, receipt: Receipt): Promise<ReceiptOutcome> {
  const now = core.clock.now();
  const heard = { ...receipt, at: receiptAt(receipt.at, now) };
  const { outcome, recipients } = await core.store.transaction(async (tx) => {
    // Asked before the settle: on PostgreSQL (READ COMMITTED) each statement sees what committed
    // before it, so a send recorded between the two would make an id the settle missed look known.
    const known = await tx.knowsProviderId(transport, heard.providerId);
    const recipients = await settle(core, tx, transport, heard, now);
    if (recipients.length > 0) return { outcome: 'settled' as const, recipients };
    // A known id whose recipient is settled already, or an early receipt kept already: a repeat.
    const kept = !known && (await tx.keepReceipt({ transport, receipt: heard, keptAt: now }));
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

/**
 * Closes the race settleKept leaves on PostgreSQL (READ COMMITTED): a receipt kept while its send
 * was being recorded, each transaction blind to the other's rows. Applies the kept receipts whose
 * id a send has been recorded with since, and drops those older than RELAIS_RECEIPT_KEEP_SECONDS
 * (counted `unknown`). One read when nothing is kept. Returns the dropped ones.
 */
export async function sweepKeptReceipts(core: Core): Promise<KeptReceipt[]> {
  if (!(await core.store.autocommit.hasKeptReceipts())) return [];
  const now = core.clock.now();
  const { settlements, expired } = await core.store.transaction(async (tx) => {
    const settlements: Settlement[] = [];
    for (const { transport, receipt } of await tx.takeKnownKeptReceipts()) settlements.push({ transport, receipt, recipients: await settle(core, tx, transport, receipt, now) });
    return { settlements, expired: await tx.dropKeptReceipts(now - core.receipts.keepMs) };
  });
  for (const s of settlements) observeSettlement(core, s);
  for (const k of expired) core.observer.receipt(k.transport, 'unknown');
  return expired;
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
  const recipients = await tx.settleByProviderId(transport, receipt.providerId, receipt.status, receipt.at, undelivered ? receipt.reason ?? 'undelivered' : null);
  if (undelivered && core.receipts.refundUndelivered) await refundReleased(tx, recipients, (id) => `message ${id}: undelivered`, now);
  await tx.insertEvents(recipients.map((r) => ({
    messageId: r.messageId, recipientId: r.id, type: receipt.status, at: receipt.at, heardAt: now,
    data: { providerId: receipt.providerId, reason: receipt.reason ?? null, providerCode: receipt.providerCode ?? null },
  })));
  return recipients;
}
