import type { Kysely, Selectable } from 'kysely';
import type { UsersPort } from '../core/ports.js';
import type { User, UserProfile } from '../core/types.js';
import type { Database, UserTable } from './schema.js';

const toUser = (r: Selectable<UserTable>): User => ({
  id: Number(r.id), accountId: Number(r.account_id), externalId: r.external_id,
  alias: r.alias_name !== null && r.alias_label !== null ? { name: r.alias_name, label: r.alias_label } : null,
  email: r.email, phone: r.phone, timeZone: r.time_zone, firstName: r.first_name, lastName: r.last_name,
  custom: JSON.parse(r.custom) as Record<string, unknown>,
  createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
});

const profileColumns = (p: UserProfile) => ({
  email: p.email, phone: p.phone, time_zone: p.timeZone, first_name: p.firstName, last_name: p.lastName, custom: JSON.stringify(p.custom),
});

export const userQueries = (db: Kysely<Database>): UsersPort => ({
  async lockUser(accountId, key) {
    // A write that changes nothing takes the row lock on PostgreSQL (SELECT … FOR UPDATE does not
    // exist on SQLite, whose one writer makes the lock needless) and returns the row as committed.
    let q = db.updateTable('users').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('account_id', '=', accountId);
    q = 'externalId' in key ? q.where('external_id', '=', key.externalId) : q.where('alias_name', '=', key.alias.name).where('alias_label', '=', key.alias.label);
    const row = await q.returningAll().executeTakeFirst();
    return row && toUser(row);
  },

  async insertUser(u) {
    const row = await db.insertInto('users').values({
      account_id: u.accountId, external_id: u.externalId, alias_name: u.alias?.name ?? null, alias_label: u.alias?.label ?? null,
      ...profileColumns(u.profile), created_at: u.at, updated_at: u.at,
    }).onConflict((oc) => oc.doNothing()).returningAll().executeTakeFirst();
    return row && toUser(row);
  },

  async updateUser(id, profile, at) {
    return toUser(await db.updateTable('users').set({ ...profileColumns(profile), updated_at: at }).where('id', '=', id).returningAll().executeTakeFirstOrThrow());
  },

  async findUsersByExternalIds(accountId, externalIds) {
    if (externalIds.length === 0) return [];
    return (await db.selectFrom('users').selectAll().where('account_id', '=', accountId).where('external_id', 'in', externalIds).execute()).map(toUser);
  },

  async findUserByAlias(accountId, alias) {
    const row = await db.selectFrom('users').selectAll().where('account_id', '=', accountId)
      .where('alias_label', '=', alias.label).where('alias_name', '=', alias.name).executeTakeFirst();
    return row && toUser(row);
  },

  async findUsersByIds(accountId, ids) {
    if (ids.length === 0) return [];
    return (await db.selectFrom('users').selectAll().where('account_id', '=', accountId).where('id', 'in', ids).execute()).map(toUser);
  },

  async listUsers(accountId, q) {
    let s = db.selectFrom('users').selectAll().where('account_id', '=', accountId);
    if (q.afterId !== undefined) s = s.where('id', '>', q.afterId);
    return (await s.orderBy('id').limit(q.limit).execute()).map(toUser);
  },

  async deleteUser(accountId, externalId) {
    const r = await db.deleteFrom('users').where('account_id', '=', accountId).where('external_id', '=', externalId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  },
});
