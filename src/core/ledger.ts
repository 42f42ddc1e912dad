import { RelaisError } from './errors.js';
import { formatCredits, type Credits } from './money.js';
import type { LedgerPort, NewLedgerEntry, ReleasedRecipient } from './ports.js';
import type { LedgerEntry } from './types.js';

/**
 * Gives back the price of recipients that have just left `pending` (cancel, skip, permanent
 * failure). Called only with recipients a conditional update released, so each recipient's
 * price comes back exactly once whatever the path. One ledger entry per message.
 */
export async function refundReleased(tx: LedgerPort, released: ReleasedRecipient[], cause: (messageId: number) => string, now: number): Promise<number> {
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

/**
 * The largest balance an account may hold: 10^12 currency units (10^15 thousandths), far below
 * 2^53 so that every balance, ledger sum and `balance_after` is exact as a JS number. Top-ups and
 * transfers that would pass it are refused; refunds are not (they give back what was paid, so an
 * account passes the maximum by at most what its scheduled messages hold).
 */
export const MAX_BALANCE: Credits = 1_000_000_000_000_000;

/** Refuses an amount beyond MAX_BALANCE before it reaches SQL (a bigint column overflows on some, a float on others). */
export function checkAmount(amount: Credits, field: string): void {
  if (!Number.isSafeInteger(amount) || Math.abs(amount) > MAX_BALANCE) {
    throw new RelaisError('invalid_request', `${field} must be at most ${formatCredits(MAX_BALANCE)}`, { field, max: formatCredits(MAX_BALANCE) });
  }
}

/**
 * Adds money to an account (a top-up, an opening balance, the receiving side of a transfer), or
 * throws when the balance would pass MAX_BALANCE: the caller's transaction then rolls back, so
 * concurrent top-ups cannot pass the maximum together. Undefined when the account does not exist.
 */
export async function addCredits(tx: LedgerPort, entry: NewLedgerEntry, field = 'credits'): Promise<LedgerEntry | undefined> {
  checkAmount(entry.amount, field);
  const applied = await tx.applyLedgerEntry(entry);
  if (applied && applied.balanceAfter > MAX_BALANCE) {
    throw new RelaisError('invalid_request', `the balance would pass the maximum of ${formatCredits(MAX_BALANCE)}`, {
      field, max: formatCredits(MAX_BALANCE), balance: formatCredits(applied.balanceAfter - entry.amount),
    });
  }
  return applied;
}
