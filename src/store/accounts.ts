import type { Kysely, Selectable } from 'kysely';
import type { AccountsPort } from '../core/ports.js';
import type { StoreKind } from './kind.js';
import type { AccountRow, ApiKeyTable, Database } from './schema.js';
import { toAccount, toApiKey, toJson } from './mappers.js';
import { Statement, type Raw } from './raw.js';

type AccountQueries = Pick<AccountsPort,
  'createAccount' | 'getAccount' | 'listAccounts' | 'setDefaultSender' | 'lockAccounts' | 'insertApiKey' | 'findApiKeyByHash'>;

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
