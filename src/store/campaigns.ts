import type { Kysely, Selectable } from 'kysely';
import type { CampaignsPort } from '../core/ports.js';
import type { Campaign, CampaignKind } from '../core/types.js';
import type { BrazeCampaignTable, Database } from './schema.js';

const toCampaign = (r: Selectable<BrazeCampaignTable>): Campaign => ({
  id: r.id, seq: Number(r.seq), revision: Number(r.revision), accountId: Number(r.account_id), kind: r.kind as CampaignKind, name: r.name,
  tags: JSON.parse(r.tags) as string[], messages: JSON.parse(r.messages) as Campaign['messages'], createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
});

export const campaignQueries = (db: Kysely<Database>): CampaignsPort => {
  const own = (accountId: number, kind: CampaignKind, id: string) =>
    db.selectFrom('braze_campaigns').selectAll().where('id', '=', id).where('account_id', '=', accountId).where('kind', '=', kind);
  return {
    async insertCampaign(c) {
      const row = await db.insertInto('braze_campaigns').values({
        id: c.id, account_id: c.accountId, kind: c.kind, name: c.name, tags: JSON.stringify(c.tags), messages: JSON.stringify(c.messages),
        revision: 0, created_at: c.createdAt, updated_at: c.updatedAt,
      }).returningAll().executeTakeFirstOrThrow();
      return toCampaign(row);
    },

    async findCampaign(accountId, kind, id) {
      const row = await own(accountId, kind, id).executeTakeFirst();
      return row && toCampaign(row);
    },

    async listCampaigns(accountId, kind, q) {
      let query = db.selectFrom('braze_campaigns').selectAll().where('account_id', '=', accountId).where('kind', '=', kind);
      if (q.beforeSeq !== undefined) query = query.where('seq', '<', q.beforeSeq);
      return (await query.orderBy('seq', 'desc').limit(q.limit).execute()).map(toCampaign);
    },

    async updateCampaign(c) {
      const row = await db.updateTable('braze_campaigns')
        .set({ name: c.name, tags: JSON.stringify(c.tags), messages: JSON.stringify(c.messages), revision: c.revision + 1, updated_at: c.updatedAt })
        .where('id', '=', c.id).where('account_id', '=', c.accountId).where('kind', '=', c.kind).where('revision', '=', c.revision)
        .returningAll().executeTakeFirst();
      return row && toCampaign(row);
    },

    async deleteCampaign(accountId, kind, id) {
      const r = await db.deleteFrom('braze_campaigns').where('id', '=', id).where('account_id', '=', accountId).where('kind', '=', kind).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
};
