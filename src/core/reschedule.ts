import type { Core } from './context.js';
import { explainRefusal, minSendAtFor } from './cancel.js';
import { RelaisError } from './errors.js';
import { formatCredits } from './money.js';
import { validateContent } from './content.js';
import { priceOf } from './pricing.js';
import { checkMetadata, keepsLegalWindow, loadLegalWindow, resolveSendAt } from './schedule.js';
import type { StoreTx } from './ports.js';
import type { Message, MessageContent } from './types.js';
import { isSpoken } from './speech.js';

type LegalWindow = Awaited<ReturnType<typeof loadLegalWindow>>;

export interface MessageEdit {
  sendAt?: number;
  tag?: string | null;
  batchId?: string | null;
  metadata?: Record<string, unknown> | null;
  /** Fields of the content to replace; the channel cannot change. */
  content?: Partial<MessageContent>;
}

/**
 * Reschedules or edits a message while it is still scheduled (and outside the cutoff), with the
 * same conditional update as a cancel. A new text that changes the price debits or refunds the
 * difference for the recipients still pending, in the same transaction.
 */
export async function editMessage(core: Core, accountId: number, messageId: number, edit: MessageEdit, opts: { cutoffMs?: number } = {}): Promise<Message> {
  const now = core.clock.now();
  const asked = edit.sendAt === undefined ? undefined : resolveSendAt(core, edit.sendAt);
  checkMetadata(edit.metadata);
  const minSendAt = minSendAtFor(now, opts.cutoffMs);
  // Loaded before the transaction, which must not hold its lock while a module loads.
  const legal = asked === undefined ? undefined : await loadLegalWindow();
  const updated = await core.store.transaction((tx) => editWithin(core, tx, { accountId, messageId, edit: { ...edit, sendAt: asked }, minSendAt, legal, now }));
  if (updated) {
    core.wakeup.notify(updated.sendAt);
    return updated;
  }
  throw await explainRefusal(core, accountId, messageId, 'changed');
}

/**
 * One message's edit inside the caller's transaction (a Braze schedule update edits its whole
 * batch in one): undefined when the message is no longer scheduled or within `minSendAt`.
 * `edit.sendAt` is already resolved against the clock; `legal` is core/legal-window.ts when it may move it.
 */
export async function editWithin(core: Pick<Core, 'pricing'>, tx: StoreTx, e: {
  accountId: number; messageId: number; edit: MessageEdit; minSendAt: number; legal: LegalWindow | undefined; now: number;
}): Promise<Message | undefined> {
  const { accountId, messageId, edit, minSendAt, legal, now } = e;
  const asked = edit.sendAt;
  // The decision (and, on PostgreSQL, the row lock) comes first; what follows only applies it.
  const old = await tx.patchScheduledMessage(messageId, accountId, minSendAt, { updatedAt: now });
  if (!old) return undefined;
  const sendAt = asked !== undefined && legal && await keepsLegalWindow(tx, accountId, old.channel) ? legal.legalSendAt(asked) : asked;
  let pricing: { content: MessageContent; units: number; price: number } | undefined;
  if (edit.content) {
    // The audio and the duration (its price, where it depends on it) were made from the text.
    if (old.content.channel === 'voice' && isSpoken(old.content) && edit.content.text !== undefined) {
      throw new RelaisError('invalid_request', 'the text of a spoken call cannot be edited: cancel it and schedule another', { field: 'text' });
    }
    const content = validateContent(old.channel, { ...old.content, ...edit.content, channel: old.channel } as MessageContent);
    const { units, unitPrice } = priceOf(core.pricing, content);
    const pending = (await tx.getRecipients(messageId)).filter((r) => r.status === 'pending');
    // One new text cannot replace many: each recipient of a bulk send has its own.
    if (pending.some((r) => r.content)) {
      throw new RelaisError('invalid_request', 'this message has a text per recipient; its content cannot be edited', { field: 'content' });
    }
    const oldUnitPrice = pending[0]?.price ?? 0;
    const delta = (unitPrice - oldUnitPrice) * pending.length;
    if (delta !== 0) {
      const entry = await tx.applyLedgerEntry({
        accountId, kind: delta > 0 ? 'debit' : 'refund', amount: -delta, messageId,
        cause: `message ${messageId} edited`, createdAt: now,
      }, delta > 0 ? 0 : undefined);
      if (!entry) throw new RelaisError('insufficient_credits', 'insufficient credit for the new text', { required: formatCredits(delta) });
      await tx.setRecipientPrices(messageId, unitPrice);
    }
    pricing = { content, units, price: old.price + delta };
  }
  const m = await tx.patchScheduledMessage(messageId, accountId, minSendAt, {
    updatedAt: now, sendAt, tag: edit.tag, batchId: edit.batchId, metadata: edit.metadata, ...pricing,
  });
  await tx.insertEvents([{ messageId, recipientId: null, type: sendAt !== undefined && sendAt !== old.sendAt ? 'rescheduled' : 'edited', at: now, data: sendAt !== undefined ? { sendAt } : null }]);
  return m;
}
