import { createHash } from 'node:crypto';
import type { Core } from './context.js';
import { RelaisError } from './errors.js';
import { addCredits } from './ledger.js';
import type { Credits } from './money.js';
import { randomBase62 } from './random-id.js';
import { checkScopes, type Scope } from './scopes.js';
import type { Account, ApiKey } from './types.js';

const KEY_LENGTH = 40; // 40 base62 characters ≈ 238 random bits

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export const newApiKey = (): string => randomBase62(KEY_LENGTH);

export interface CreatedAccount {
  account: Account;
  apiKey: string;
}

/** Creates an account with its first API key (every scope) and its opening topup. */
export async function createAccount(core: Core, input: { name: string; credits: Credits; parentId?: number | null }): Promise<CreatedAccount> {
  const name = input.name.trim();
  if (!name) throw new RelaisError('invalid_request', 'name must not be empty', { field: 'name' });
  if (input.credits < 0) throw new RelaisError('invalid_request', 'credits must not be negative', { field: 'credits' });
  const now = core.clock.now();
  return core.store.transaction(async (tx) => {
    if (input.parentId != null && !(await tx.getAccount(input.parentId))) {
      throw new RelaisError('not_found', `account ${input.parentId} does not exist`, { field: 'parentId' });
    }
    const created = await tx.createAccount({ name, parentId: input.parentId ?? null, currency: core.currency, createdAt: now });
    if (input.credits > 0) {
      await addCredits(tx, { accountId: created.id, kind: 'topup', amount: input.credits, messageId: null, cause: 'opening balance', createdAt: now });
    }
    const apiKey = newApiKey();
    await tx.insertApiKey({ accountId: created.id, hash: hashApiKey(apiKey), prefix: apiKey.slice(0, 6), scopes: null, createdAt: now });
    return { account: (await tx.getAccount(created.id))!, apiKey };
  });
}

export async function topUp(core: Core, accountId: number, credits: Credits, cause = 'topup'): Promise<Account> {
  if (credits <= 0) throw new RelaisError('invalid_request', 'credits must be positive', { field: 'credits' });
  const now = core.clock.now();
  return core.store.transaction(async (tx) => {
    const entry = await addCredits(tx, { accountId, kind: 'topup', amount: credits, messageId: null, cause, createdAt: now });
    if (!entry) throw new RelaisError('not_found', `account ${accountId} does not exist`);
    return (await tx.getAccount(accountId))!;
  });
}

/**
 * A new key for the account: null scopes = every scope. Unknown scope names are refused (a
 * misspelt scope must not yield a key that silently cannot do what was meant), and so is a
 * closed sub-account: closing it deleted its keys, a new one would bring it back to life.
 */
export async function createApiKey(core: Core, accountId: number, scopes: readonly string[] | null = null): Promise<{ apiKey: string; key: ApiKey }> {
  const checked = scopes === null ? null : checkScopes(scopes);
  const now = core.clock.now();
  return core.store.transaction(async (tx) => {
    if (!(await tx.getAccount(accountId))) throw new RelaisError('not_found', `account ${accountId} does not exist`);
    if ((await tx.getProfile(accountId))?.closedAt != null) throw new RelaisError('conflict', `account ${accountId} is closed`, { accountId });
    const apiKey = newApiKey();
    const key = await tx.insertApiKey({ accountId, hash: hashApiKey(apiKey), prefix: apiKey.slice(0, 6), scopes: checked, createdAt: now });
    return { apiKey, key };
  });
}

/** The key's account, or an `unauthorized` error; never says whether the key ever existed. */
export async function authenticate(core: Core, apiKey: string | undefined): Promise<{ account: Account; key: ApiKey }> {
  if (!apiKey) throw new RelaisError('unauthorized', 'an API key is required');
  const key = await core.store.autocommit.findApiKeyByHash(hashApiKey(apiKey));
  const account = key && (await core.store.autocommit.getAccount(key.accountId));
  if (!key || !account) throw new RelaisError('unauthorized', 'invalid API key');
  return { account, key };
}

export function requireScope(key: ApiKey, scope: Scope): void {
  if (key.scopes !== null && !key.scopes.includes(scope)) {
    throw new RelaisError('forbidden', `this API key lacks the "${scope}" scope`, { scope });
  }
}

export async function getAccount(core: Core, accountId: number): Promise<Account> {
  const account = await core.store.autocommit.getAccount(accountId);
  if (!account) throw new RelaisError('not_found', `account ${accountId} does not exist`);
  return account;
}
