import { formatCredits } from '../core/money.js';
import type { Account, AccountProfile } from '../core/types.js';

/** How an account looks on the native and admin APIs and in the CLI. */
export const accountView = (a: Account) => ({
  id: a.id,
  name: a.name,
  parentId: a.parentId,
  balance: formatCredits(a.balance),
  currency: a.currency,
  createdAt: new Date(a.createdAt).toISOString(),
});

/** An account with its operator settings, as the admin API's PATCH and `relais account settings` print it. */
export const profileView = (a: Account, p: AccountProfile) => ({
  ...accountView(a), email: p.email, subaccountsEnabled: p.subaccountsEnabled, legalWindow: p.legalWindow,
});

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
