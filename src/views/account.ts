import { formatCredits } from '../core/money.js';
import type { Account } from '../core/types.js';

/** How an account looks on the native and admin APIs and in the CLI. */
export const accountView = (a: Account) => ({
  id: a.id,
  name: a.name,
  parentId: a.parentId,
  balance: formatCredits(a.balance),
  currency: a.currency,
  createdAt: new Date(a.createdAt).toISOString(),
});

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
