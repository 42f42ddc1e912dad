import type { Kysely, Migration } from 'kysely';

/**
 * The server's own settings: the check value that ties the database to its secret key. The
 * sub-account keys stored in clear before are not sealed here (a migration has no key, and
 * `relais migrate` may run without one): the first start with the key seals them (core/secrets.ts).
 */
export const settings: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createTable('settings')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
};
