import type { Kysely, Selectable } from 'kysely';
import type { StoreTx } from '../core/ports.js';
import type { StoreKind } from './kind.js';
import type { AccountRow, ApiKeyTable, Database } from './schema.js';
import { toAccount, toApiKey, toJson, toLedgerEntry } from './mappers.js';
import { Statement, type Raw } from './raw.js';
import { lowestBefore, moveBalance, newLedgerEntry } from './rules.js';

type AccountQueries = Pick<StoreTx,
  'createAccount' | 'getAccount' | 'listAccounts' | 'applyLedgerEntry' | 'listLedger' | 'sumLedger' |
  'setDefaultSender' | 'lockAccounts' | 'insertApiKey' | 'findApiKeyByHash'>;

const addToBalance = new Statement(moveBalance('?', '?'));
export const moveBalanceAboveFloor = new Statement(moveBalance('?', '?', '?'));
export const insertLedger = new Statement(`${newLedgerEntry.values({
  account_id: '?', kind: '?', amount: '?', balance_after: '?', message_id: '?', cause: '?', created_at: '?',
})} returning id`);
// Both run on every authenticated request.
const getAccount = new Statement('select * from accounts where id = ?');
const findApiKey = new Statement('select * from api_keys where hash = ?');

export const accountQueries = (db: Kysely<Database>, raw: Raw, kind: StoreKind): AccountQueries => ({
  async createAccount(a) {
    const row = await db.insertInto('accounts')
      .values({ name: a.name, parent_id: a.parentId, currency: a.currency, balance: 0, default_sender: null, created_at: a.createdAt })
      .returningAll().executeTakeFirstOrThrow();
    return toAccount(row);
  },

  async getAccount(id) {
    const [row] = await raw.all<AccountRow>(getAccount, [id]);
    return row && toAccount(row);
  },

  async listAccounts(parentId) {
    let q = db.selectFrom('accounts').selectAll().orderBy('id');
    if (parentId !== undefined) q = parentId === null ? q.where('parent_id', 'is', null) : q.where('parent_id', '=', parentId);
    return (await q.execute()).map(toAccount);
  },

  async applyLedgerEntry(e, floor) {
    // One conditional update decides whether the balance may move; the entry records the result.
    const [acc] = floor === undefined
      ? await raw.all<{ balance: number }>(addToBalance, [e.amount, e.accountId])
      : await raw.all<{ balance: number }>(moveBalanceAboveFloor, [e.amount, e.accountId, lowestBefore(floor, e.amount)]);
    if (!acc) return undefined;
    const balanceAfter = Number(acc.balance);
    const [row] = await raw.all<{ id: number }>(insertLedger, [e.accountId, e.kind, e.amount, balanceAfter, e.messageId, e.cause, e.createdAt]);
    return { id: Number(row.id), accountId: e.accountId, kind: e.kind, amount: e.amount, balanceAfter, messageId: e.messageId, cause: e.cause, createdAt: e.createdAt };
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

  async lockAccounts(ids) {
    if (kind === 'postgres' && ids.length > 0) {
      await db.selectFrom('accounts').select('id').where('id', 'in', [...new Set(ids)]).orderBy('id').forUpdate().execute();
    }
  },

  async insertApiKey(k) {
    const row = await db.insertInto('api_keys')
      .values({ account_id: k.accountId, hash: k.hash, prefix: k.prefix, scopes: toJson(k.scopes), created_at: k.createdAt })
      .returningAll().executeTakeFirstOrThrow();
    return toApiKey(row);
  },

  async findApiKeyByHash(hash) {
    const [row] = await raw.all<Selectable<ApiKeyTable>>(findApiKey, [hash]);
    return row && toApiKey(row);
  },
});
