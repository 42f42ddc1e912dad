import type { Kysely, Selectable } from 'kysely';
import type { SuppressionsPort } from '../core/ports.js';
import type { StoredSuppression, SuppressionChannel } from '../core/types.js';
import type { Database, SuppressionTable } from './schema.js';

type StopListQueries = Pick<SuppressionsPort, 'listStoredSuppressions' | 'findStoredSuppression' | 'removeSuppressionById'>;

const toStored = (r: Selectable<SuppressionTable>): StoredSuppression => ({
  id: r.id, accountId: r.account_id, channel: r.channel as SuppressionChannel, address: r.address, reason: r.reason, createdAt: r.created_at,
});

/** Suppressions addressed by id, as the SMS Partner STOP list endpoints do. */
export const stopListQueries = (db: Kysely<Database>): StopListQueries => ({
  async listStoredSuppressions(accountId, channel) {
    const rows = await db.selectFrom('suppressions').selectAll()
      .where('account_id', '=', accountId).where('channel', '=', channel).orderBy('id').execute();
    return rows.map(toStored);
  },

  async findStoredSuppression(accountId, channel, address) {
    const row = await db.selectFrom('suppressions').selectAll()
      .where('account_id', '=', accountId).where('channel', '=', channel).where('address', '=', address).executeTakeFirst();
    return row && toStored(row);
  },

  async removeSuppressionById(accountId, channel, id) {
    const r = await db.deleteFrom('suppressions')
      .where('account_id', '=', accountId).where('channel', '=', channel).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  },
});
