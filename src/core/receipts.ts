import type { Core } from './context.js';
import { refundReleased } from './ledger.js';
import type { Receipt, ReceiptOutcome } from './transport.js';

/**
 * Applies a delivery receipt: the recipient sent with its provider id goes sent → delivered or
 * undelivered, with its event (which enqueues the status callback like every recipient event).
 * An undelivered recipient is refunded only when `refundUndelivered` (RELAIS_REFUND_UNDELIVERED):
 * the vendors Relais stands in for charge an SMS the network took and could not deliver, and
 * the price was spent on the provider. A receipt for an id no send was recorded with is
 * `unknown`; one for a recipient settled already is `repeated`: both change nothing.
 */
export async function recordReceipt(core: Core, receipt: Receipt, policy: { refundUndelivered: boolean }): Promise<ReceiptOutcome> {
  const now = core.clock.now();
  const at = receipt.at ?? now;
  const settled = await core.store.transaction(async (tx) => {
    const recipients = await tx.settleByProviderId(receipt.providerId, receipt.status, at, receipt.status === 'undelivered' ? receipt.reason ?? 'undelivered' : null);
    if (receipt.status === 'undelivered' && policy.refundUndelivered) {
      await refundReleased(tx, recipients, (id) => `message ${id}: undelivered`, now);
    }
    await tx.insertEvents(recipients.map((r) => ({
      messageId: r.messageId, recipientId: r.id, type: receipt.status, at,
      data: { providerId: receipt.providerId, reason: receipt.reason ?? null, providerCode: receipt.providerCode ?? null },
    })));
    return recipients.length;
  });
  if (settled > 0) return 'settled';
  // The provider id commits with the `sent` mark (delivery.ts): a receipt that comes before the
  // send is recorded (#20) is `unknown` here and dropped, never taken for a repeat.
  return (await core.store.autocommit.knowsProviderId(receipt.providerId)) ? 'repeated' : 'unknown';
}
