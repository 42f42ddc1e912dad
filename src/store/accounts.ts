import type { Kysely } from 'kysely';
import type { StoreTx } from '../core/ports.js';
import type { Database } from './schema.js';
import { toAccount, toApiKey, toJson, toLedgerEntry } from './mappers.js';

type AccountQueries = Pick<StoreTx,
  'createAccount' | 'getAccount' | 'listAccounts' | 'applyLedgerEntry' | 'listLedger' | 'sumLedger' |
  'setDefaultSender' | 'insertApiKey' | 'findApiKeyByHash'>;

export const accountQueries = (db: Kysely<Database>): AccountQueries => ({
  async createAccount(a) {
    const row = await db.insertInto('accounts')
      .values({ name: a.name, parent_id: a.parentId, currency: a.currency, balance: 0, default_sender: null, created_at: a.createdAt })
      .returningAll().executeTakeFirstOrThrow();
    return toAccount(row);
  },

  async getAccount(id) {
    const row = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAccount(row);
  },

  async listAccounts(parentId) {
    let q = db.selectFrom('accounts').selectAll().orderBy('id');
    if (parentId !== undefined) q = parentId === null ? q.where('parent_id', 'is', null) : q.where('parent_id', '=', parentId);
    return (await q.execute()).map(toAccount);
  },

  async applyLedgerEntry(e, floor) {
    // One conditional update decides whether the balance may move; the entry records the result.
    let update = db.updateTable('accounts')
      .set((eb) => ({ balance: eb('balance', '+', e.amount) }))
      .where('id', '=', e.accountId);
    if (floor !== undefined) update = update.where('balance', '>=', floor - e.amount);
    const acc = await update.returning('balance').executeTakeFirst();
    if (!acc) return undefined;
    const row = await db.insertInto('ledger')
      .values({
        account_id: e.accountId, kind: e.kind, amount: e.amount, balance_after: acc.balance,
        message_id: e.messageId, cause: e.cause, created_at: e.createdAt,
      })
      .returningAll().executeTakeFirstOrThrow();
    return toLedgerEntry(row);
  },

  async listLedger(accountId, q) {
    let query = db.selectFrom('ledger').selectAll().where('account_id', '=', accountId).orderBy('id', 'desc').limit(q.limit);
    if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
    return (await query.execute()).map(toLedgerEntry);
  },

  async sumLedger(accountId) {
    const r = await db.selectFrom('ledger').select((eb) => eb.fn.sum<number | string | null>('amount').as('total'))
      .where('account_id', '=', accountId).executeTakeFirst();
    return Number(r?.total ?? 0);
  },

  async setDefaultSender(accountId, sender) {
    await db.updateTable('accounts').set({ default_sender: sender }).where('id', '=', accountId).execute();
  },

  async insertApiKey(k) {
    const row = await db.insertInto('api_keys')
      .values({ account_id: k.accountId, hash: k.hash, prefix: k.prefix, scopes: toJson(k.scopes), created_at: k.createdAt })
      .returningAll().executeTakeFirstOrThrow();
    return toApiKey(row);
  },

  async findApiKeyByHash(hash) {
    const row = await db.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
    return row && toApiKey(row);
  },
});
