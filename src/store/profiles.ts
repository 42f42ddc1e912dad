import type { Kysely, Selectable } from 'kysely';
import type { AccountsPort } from '../core/ports.js';
import type { AccountProfile, SubaccountType } from '../core/types.js';
import type { AccountProfileTable, Database } from './schema.js';
import { toAccount } from './mappers.js';

type ProfileQueries = Pick<AccountsPort, 'getProfile' | 'saveProfile' | 'findProfileByEmail' | 'findSubaccount' | 'listSubaccounts' | 'deleteApiKeys' | 'listSubaccountKeys'>;

const toProfile = (r: Selectable<AccountProfileTable>): AccountProfile => ({
  accountId: r.account_id, email: r.email, subaccountsEnabled: Boolean(r.subaccounts_enabled), legalWindow: Boolean(r.legal_window), token: r.token,
  subType: r.sub_type as SubaccountType | null, isBuyer: Boolean(r.is_buyer), title: r.title, firstname: r.firstname,
  lastname: r.lastname, apiKey: r.api_key, closedAt: r.closed_at,
});

/** Only the fields given: a patch never resets what it does not name. */
function toColumns(p: Partial<AccountProfile>): Partial<Selectable<AccountProfileTable>> {
  const c: Partial<Selectable<AccountProfileTable>> = {};
  if (p.email !== undefined) c.email = p.email;
  if (p.subaccountsEnabled !== undefined) c.subaccounts_enabled = p.subaccountsEnabled ? 1 : 0;
  if (p.legalWindow !== undefined) c.legal_window = p.legalWindow ? 1 : 0;
  if (p.token !== undefined) c.token = p.token;
  if (p.subType !== undefined) c.sub_type = p.subType;
  if (p.isBuyer !== undefined) c.is_buyer = p.isBuyer ? 1 : 0;
  if (p.title !== undefined) c.title = p.title;
  if (p.firstname !== undefined) c.firstname = p.firstname;
  if (p.lastname !== undefined) c.lastname = p.lastname;
  if (p.apiKey !== undefined) c.api_key = p.apiKey;
  if (p.closedAt !== undefined) c.closed_at = p.closedAt;
  return c;
}

export const profileQueries = (db: Kysely<Database>): ProfileQueries => ({
  async getProfile(accountId) {
    const row = await db.selectFrom('account_profiles').selectAll().where('account_id', '=', accountId).executeTakeFirst();
    return row && toProfile(row);
  },

  async saveProfile(p) {
    const set = toColumns(p);
    const insert = db.insertInto('account_profiles').values({ account_id: p.accountId, subaccounts_enabled: 0, legal_window: 0, is_buyer: 0, ...set });
    const row = await (Object.keys(set).length
      ? insert.onConflict((oc) => oc.column('account_id').doUpdateSet(set))
      : insert.onConflict((oc) => oc.column('account_id').doNothing())
    ).execute().then(() => db.selectFrom('account_profiles').selectAll().where('account_id', '=', p.accountId).executeTakeFirstOrThrow());
    return toProfile(row);
  },

  async findProfileByEmail(email) {
    const row = await db.selectFrom('account_profiles').selectAll().where('email', '=', email).executeTakeFirst();
    return row && toProfile(row);
  },

  async findSubaccount(parentId, token) {
    const row = await db.selectFrom('account_profiles').selectAll()
      .where('token', '=', token).where('closed_at', 'is', null).executeTakeFirst();
    if (!row) return undefined;
    const account = await db.selectFrom('accounts').selectAll().where('id', '=', row.account_id).where('parent_id', '=', parentId).executeTakeFirst();
    return account && { account: toAccount(account), profile: toProfile(row) };
  },

  async listSubaccounts(parentId, q) {
    const base = db.selectFrom('account_profiles').innerJoin('accounts', 'accounts.id', 'account_profiles.account_id')
      .where('accounts.parent_id', '=', parentId).where('account_profiles.token', 'is not', null).where('account_profiles.closed_at', 'is', null);
    const { n } = await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    const rows = await base.selectAll('account_profiles').orderBy('accounts.id').limit(q.limit).offset(q.offset).execute();
    const accounts = rows.length
      ? await db.selectFrom('accounts').selectAll().where('id', 'in', rows.map((r) => r.account_id)).execute()
      : [];
    const byId = new Map(accounts.map((a) => [a.id, toAccount(a)]));
    return { total: Number(n), items: rows.map((r) => ({ account: byId.get(r.account_id)!, profile: toProfile(r) })) };
  },

  async listSubaccountKeys() {
    const rows = await db.selectFrom('account_profiles').select(['account_id', 'api_key']).where('api_key', 'is not', null).orderBy('account_id').execute();
    return rows.map((r) => ({ accountId: r.account_id, apiKey: r.api_key! }));
  },

  async deleteApiKeys(accountId) {
    const r = await db.deleteFrom('api_keys').where('account_id', '=', accountId).executeTakeFirst();
    return Number(r.numDeletedRows);
  },
});
