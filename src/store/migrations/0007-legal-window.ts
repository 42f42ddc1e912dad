import type { Kysely, Migration } from 'kysely';

/**
 * The per-account switch of the legal sending window for e-mail (spec/mail-partner.md §0, core/legal-window.ts):
 * off for every existing account, as for new ones.
 */
export const legalWindow: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('account_profiles').addColumn('legal_window', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  },
};
