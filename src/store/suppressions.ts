import type { Kysely } from 'kysely';
import type { StoreTx } from '../core/ports.js';
import type { Database } from './schema.js';
import { toSuppression } from './mappers.js';

type SuppressionQueries = Pick<StoreTx, 'addSuppression' | 'removeSuppression' | 'listSuppressions' | 'suppressedAmong'>;

export const suppressionQueries = (db: Kysely<Database>): SuppressionQueries => ({
  async addSuppression(s) {
    const r = await db.insertInto('suppressions')
      .values({ account_id: s.accountId, channel: s.channel, address: s.address, reason: s.reason, created_at: s.createdAt })
      .onConflict((oc) => oc.columns(['account_id', 'channel', 'address']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  },

  async removeSuppression(accountId, channel, address) {
    const r = await db.deleteFrom('suppressions')
      .where('account_id', '=', accountId).where('channel', '=', channel).where('address', '=', address)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  },

  async listSuppressions(accountId, channel) {
    let q = db.selectFrom('suppressions').selectAll().where('account_id', '=', accountId).orderBy('created_at').orderBy('address');
    if (channel) q = q.where('channel', '=', channel);
    return (await q.execute()).map(toSuppression);
  },

  async suppressedAmong(accountId, channel, addresses) {
    const found = new Set<string>();
    for (let i = 0; i < addresses.length; i += 500) {
      const rows = await db.selectFrom('suppressions').select('address')
        .where('account_id', '=', accountId).where('channel', '=', channel)
        .where('address', 'in', addresses.slice(i, i + 500)).execute();
      for (const r of rows) found.add(r.address);
    }
    return found;
  },
});
