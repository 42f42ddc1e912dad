import type { Kysely } from 'kysely';
import type { SettingsPort } from '../core/ports.js';
import type { Database } from './schema.js';

export const settingQueries = (db: Kysely<Database>): SettingsPort => ({
  async claimSetting(name, value) {
    // Two nodes starting at once: one insert wins, both read the winner's value.
    await db.insertInto('settings').values({ name, value }).onConflict((oc) => oc.column('name').doNothing()).execute();
    const row = await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirstOrThrow();
    return row.value;
  },
});
