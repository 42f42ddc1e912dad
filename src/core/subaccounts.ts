import { randomBytes } from 'node:crypto';
import { getAccount, hashApiKey, newApiKey } from './accounts.js';
import { normalizeEmail } from './addresses.js';
import { cancelWithin } from './cancel.js';
import type { Core } from './context.js';
import { RelaisError } from './errors.js';
import { addCredits, checkAmount } from './ledger.js';
import { formatCredits, type Credits } from './money.js';
import type { AccountsPort, LedgerPort } from './ports.js';
import { subaccountKeyContext } from './secrets.js';
import type { Account, AccountProfile, Subaccount, SubaccountType } from './types.js';

/**
 * Sub-accounts: full accounts (own API key, own balance) with a parent. Credit moves between
 * parent and child are two ledger entries in one transaction, so the sum of both balances never
 * changes and each balance still equals its own ledger.
 */

export interface NewSubaccount {
  type: SubaccountType;
  /** Null: a unique address `<digits>@<generatedEmailDomain>` is made up (simple sub-accounts need none). */
  email: string | null;
  isBuyer: boolean;
  /** Moved from the parent's balance at creation; 0 for none. */
  credit: Credits;
  title: string | null;
  firstname: string | null;
  lastname: string | null;
  generatedEmailDomain: string;
}

export type CreditDirection = 'to_subaccount' | 'to_parent';

const DEFAULTS = { email: null, subaccountsEnabled: false, legalWindow: false, token: null, subType: null, isBuyer: false, title: null, firstname: null, lastname: null, apiKey: null, closedAt: null };

/** The profile of an account, defaults when it has none. */
export async function profileOf(core: Core, accountId: number): Promise<AccountProfile> {
  return (await core.store.autocommit.getProfile(accountId)) ?? { accountId, ...DEFAULTS };
}

/** The account, if it may manage sub-accounts: the operator enabled it, and it is not a sub-account itself. */
export async function requireSubaccountOwner(core: Core, accountId: number): Promise<{ account: Account; profile: AccountProfile }> {
  const account = await getAccount(core, accountId);
  const profile = await profileOf(core, accountId);
  if (!profile.subaccountsEnabled || account.parentId !== null) {
    throw new RelaisError('forbidden', 'this account may not manage sub-accounts', { feature: 'subaccounts' });
  }
  return { account, profile };
}

async function assertEmailFree(tx: AccountsPort, email: string, accountId?: number): Promise<void> {
  const owner = await tx.findProfileByEmail(email);
  if (owner && owner.accountId !== accountId) throw new RelaisError('conflict', `an account already uses ${email}`, { field: 'email' });
}

/** Moves `amount` from one account to another, or refuses without writing. */
async function transfer(tx: AccountsPort & LedgerPort, from: number, to: number, amount: Credits, cause: { out: string; in: string }, now: number): Promise<void> {
  checkAmount(amount, 'credit');
  await tx.lockAccounts([from, to]);
  const source = await tx.getAccount(from);
  const out = source && source.balance > 0
    ? await tx.applyLedgerEntry({ accountId: from, kind: 'adjust', amount: -amount, messageId: null, cause: cause.out, createdAt: now }, 0)
    : undefined;
  if (!out) {
    throw new RelaisError('insufficient_credits', 'the balance does not cover this transfer', {
      required: formatCredits(amount), balance: formatCredits(source?.balance ?? 0), accountId: from,
    });
  }
  await addCredits(tx, { accountId: to, kind: 'adjust', amount, messageId: null, cause: cause.in, createdAt: now }, 'credit');
}

export async function createSubaccount(core: Core, parentId: number, input: NewSubaccount): Promise<{ subaccount: Subaccount; parent: { account: Account; profile: AccountProfile } }> {
  const parent = await requireSubaccountOwner(core, parentId);
  const email = input.email === null ? null : normalizeEmail(input.email);
  if (input.credit < 0) throw new RelaisError('invalid_request', 'credit must not be negative', { field: 'credit' });
  const now = core.clock.now();
  const subaccount = await core.store.transaction(async (tx) => {
    if (email) await assertEmailFree(tx, email);
    const created = await tx.createAccount({ name: email ?? input.title ?? 'sub-account', parentId, currency: parent.account.currency, createdAt: now });
    if (input.credit > 0) {
      await transfer(tx, parentId, created.id, input.credit, { out: `transfer to sub-account ${created.id}`, in: `transfer from account ${parentId}` }, now);
    }
    const apiKey = newApiKey();
    await tx.insertApiKey({ accountId: created.id, hash: hashApiKey(apiKey), prefix: apiKey.slice(0, 6), scopes: null, createdAt: now });
    const profile = await tx.saveProfile({
      accountId: created.id, email: email ?? `${1_000_000 + created.id}@${input.generatedEmailDomain}`, token: randomBytes(16).toString('hex'),
      subType: input.type, isBuyer: input.type === 'advanced' && input.isBuyer, title: input.title, firstname: input.firstname,
      lastname: input.lastname, apiKey: core.secrets.seal(apiKey, subaccountKeyContext(created.id)),
    });
    return { account: (await tx.getAccount(created.id))!, profile: { ...profile, apiKey } };
  });
  return { subaccount, parent: { account: await getAccount(core, parentId), profile: parent.profile } };
}

/** The parent's open sub-accounts, with their keys in clear (the vendor's list shows them). */
export async function listSubaccounts(core: Core, parentId: number, page: { limit: number; offset: number }): Promise<{ total: number; items: Subaccount[] }> {
  await requireSubaccountOwner(core, parentId);
  const { total, items } = await core.store.autocommit.listSubaccounts(parentId, page);
  return {
    total,
    items: items.map(({ account, profile }) => ({
      account, profile: { ...profile, apiKey: profile.apiKey && core.secrets.open(profile.apiKey, subaccountKeyContext(account.id)) },
    })),
  };
}

/** Moves credit between a parent and one of its sub-accounts; returns both balances after. */
export async function moveCredit(core: Core, parentId: number, token: string, amount: Credits, direction: CreditDirection): Promise<{ parent: Account; subaccount: Account }> {
  await requireSubaccountOwner(core, parentId);
  if (!(amount > 0)) throw new RelaisError('invalid_request', 'credit must be positive', { field: 'credit' });
  const now = core.clock.now();
  return core.store.transaction(async (tx) => {
    const sub = await tx.findSubaccount(parentId, token);
    if (!sub) throw new RelaisError('not_found', 'no such sub-account', { field: 'token' });
    const subId = sub.account.id;
    if (direction === 'to_subaccount') {
      await transfer(tx, parentId, subId, amount, { out: `transfer to sub-account ${subId}`, in: `transfer from account ${parentId}` }, now);
    } else {
      await transfer(tx, subId, parentId, amount, { out: `transfer to account ${parentId}`, in: `transfer from sub-account ${subId}` }, now);
    }
    return { parent: (await tx.getAccount(parentId))!, subaccount: (await tx.getAccount(subId))! };
  });
}

/**
 * Closes a sub-account: its keys stop working at once, its scheduled messages are cancelled and
 * refunded to it, then its whole balance goes back to the parent; its e-mail becomes free. One
 * transaction, so a send with its key either committed before (and is cancelled here) or fails.
 */
export async function removeSubaccount(core: Core, parentId: number, token: string): Promise<{ refund: Credits; returned: Credits }> {
  await requireSubaccountOwner(core, parentId);
  const now = core.clock.now();
  return core.store.transaction(async (tx) => {
    const sub = await tx.findSubaccount(parentId, token);
    if (!sub) throw new RelaisError('not_found', 'no such sub-account', { field: 'token' });
    const subId = sub.account.id;
    // Before the refunds touch the sub-account: a credit move locks the parent first.
    await tx.lockAccounts([parentId, subId]);
    await tx.deleteApiKeys(subId);
    await tx.saveProfile({ accountId: subId, closedAt: now, email: null });
    // Everything not yet claimed, even if due: the claim and this update cannot both match.
    const { refund } = await cancelWithin(tx, { accountId: subId }, 0, now);
    const balance = (await tx.getAccount(subId))!.balance;
    if (balance > 0) {
      await transfer(tx, subId, parentId, balance, { out: `sub-account closed: balance to account ${parentId}`, in: `sub-account ${subId} closed: balance returned` }, now);
    }
    return { refund, returned: Math.max(0, balance) };
  });
}

export type ProfilePatch = Partial<Pick<AccountProfile, 'email' | 'subaccountsEnabled' | 'legalWindow'>>;

/**
 * Operator settings of an account: login e-mail (unique), the sub-account feature and the legal
 * sending window for e-mail. Only the fields given change.
 */
export async function updateProfile(core: Core, accountId: number, patch: ProfilePatch): Promise<AccountProfile> {
  await getAccount(core, accountId);
  const email = patch.email === undefined || patch.email === null ? patch.email : normalizeEmail(patch.email);
  const { subaccountsEnabled, legalWindow } = patch;
  return core.store.transaction(async (tx) => {
    if (email) await assertEmailFree(tx, email, accountId);
    return tx.saveProfile({ accountId, email, subaccountsEnabled, legalWindow });
  });
}
