import type { Kysely } from 'kysely';
import type { SuppressionsPort } from '../core/ports.js';
import type { Database } from './schema.js';
import { toSuppression } from './mappers.js';
import { CHUNK } from './messages.js';
import { inList, type Raw } from './raw.js';

type SuppressionQueries = Pick<SuppressionsPort, 'addSuppression' | 'removeSuppression' | 'listSuppressions' | 'suppressedAmong'>;

// Read by every delivery round: written out rather than built by Kysely (raw.ts).
const suppressedAmong = inList('select address from suppressions where account_id = ? and channel = ? and address in');

export const suppressionQueries = (db: Kysely<Database>, raw: Raw): SuppressionQueries => ({
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
    for (let i = 0; i < addresses.length; i += CHUNK) {
      const chunk = addresses.slice(i, i + CHUNK);
      for (const r of await raw.all<{ address: string }>(suppressedAmong(chunk.length), [accountId, channel, ...chunk])) found.add(r.address);
    }
    return found;
  },
});
