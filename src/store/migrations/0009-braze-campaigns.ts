import type { Kysely, Migration } from 'kysely';
import type { StoreKind } from '../kind.js';

/**
 * Braze campaigns and canvases (core/campaigns.ts), one table for both kinds. `id` is the UUID
 * Braze clients send; `seq` orders an account's list and carries its cursor. `tags` and
 * `messages` are JSON text, as message content is. `revision` makes a PATCH a compare-and-set.
 */
export const brazeCampaigns = (kind: StoreKind): Migration => ({
  async up(db: Kysely<any>) {
    const pg = kind === 'postgres';
    const t = db.schema.createTable('braze_campaigns');
    await (pg ? t.addColumn('seq', 'bigserial', (c) => c.primaryKey()) : t.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement()))
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('messages', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('braze_campaigns_account').on('braze_campaigns').columns(['account_id', 'kind', 'seq']).execute();
  },
});
