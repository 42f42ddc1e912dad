import type { Core } from '../../src/core/context.js';
import type { Message, MessageContent } from '../../src/core/types.js';

/** Price of one e-mail to one recipient at the default tariff (0.002 EUR). */
export const EMAIL_PRICE = 2;

export type EmailContent = Extract<MessageContent, { channel: 'email' }>;

/**
 * Stores a mail and debits it as scheduleMessage does (same store calls, same price), with the
 * fields of the content contract that no API of this branch takes yet (recipients' names,
 * attachments): what a dialect will hand core.
 */
export async function storeMail(core: Core, accountId: number, to: string[], content: EmailContent, sendAt: number): Promise<Message> {
  const now = core.clock.now();
  const price = EMAIL_PRICE * to.length;
  return core.store.transaction(async (tx) => {
    const m = await tx.insertMessage({
      accountId, channel: 'email', sendAt, createdAt: now, tag: null, batchId: null, idempotencyKey: null, requestHash: null,
      metadata: null, content, units: 1, price, recipients: to.map((address) => ({ address, price: EMAIL_PRICE })),
    });
    if (!(await tx.applyLedgerEntry({ accountId, kind: 'debit', amount: -price, messageId: m.id, cause: `message ${m.id} scheduled`, createdAt: now }, 0))) {
      throw new Error(`account ${accountId}: insufficient credit for the test setup`);
    }
    await tx.insertEvents([{ messageId: m.id, recipientId: null, type: 'scheduled', at: now, data: { sendAt, recipients: m.recipientCount, price } }]);
    return m;
  });
}
