import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreKind } from '../kind.js';

/**
 * The users of an account's audience (DESIGN.md, Braze): an external id or an alias (name under a
 * label), each unique per account, resolves to the addresses, time zone and attributes a Braze
 * schedule needs. Either may be absent (an alias-only user, a user known by external id only);
 * the unique indexes skip absent ones (partial), as NULLs are distinct on both databases anyway
 * and the partial form keeps the indexes small. Custom attributes are one JSON object as text.
 */
export const brazeUsers = (kind: StoreKind): Migration => ({
  async up(db: Kysely<any>) {
    const pg = kind === 'postgres';
    const t = db.schema.createTable('users');
    await (pg ? t.addColumn('id', 'bigserial', (c) => c.primaryKey()) : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()))
      .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
      .addColumn('external_id', 'text')
      .addColumn('alias_name', 'text')
      .addColumn('alias_label', 'text')
      .addColumn('email', 'text')
      .addColumn('phone', 'text')
      .addColumn('time_zone', 'text')
      .addColumn('first_name', 'text')
      .addColumn('last_name', 'text')
      .addColumn('custom', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('users_external_id').on('users').columns(['account_id', 'external_id']).unique()
      .where(sql.ref('external_id'), 'is not', null).execute();
    await db.schema.createIndex('users_alias').on('users').columns(['account_id', 'alias_label', 'alias_name']).unique()
      .where(sql.ref('alias_name'), 'is not', null).execute();
  },
});
