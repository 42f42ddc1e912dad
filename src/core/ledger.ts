import type { ReleasedRecipient, StoreTx } from './ports.js';

/**
 * Gives back the price of recipients that have just left `pending` (cancel, skip, permanent
 * failure). Called only with recipients a conditional update released, so each recipient's
 * price comes back exactly once whatever the path. One ledger entry per message.
 */
export async function refundReleased(tx: StoreTx, released: ReleasedRecipient[], cause: (messageId: number) => string, now: number): Promise<number> {
  const byMessage = new Map<number, { accountId: number; amount: number }>();
  for (const r of released) {
    const m = byMessage.get(r.messageId) ?? { accountId: r.accountId, amount: 0 };
    m.amount += r.price;
    byMessage.set(r.messageId, m);
  }
  let total = 0;
  // In account order: a transaction refunding two accounts must not lock them in the order
  // another one locks them the other way round (PostgreSQL deadlock).
  const ordered = [...byMessage].sort(([ma, a], [mb, b]) => a.accountId - b.accountId || ma - mb);
  for (const [messageId, { accountId, amount }] of ordered) {
    if (amount === 0) continue;
    await tx.applyLedgerEntry({ accountId, kind: 'refund', amount, messageId, cause: cause(messageId), createdAt: now });
    total += amount;
  }
  return total;
}
