import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreKind } from '../kind.js';

/**
 * What the vendor dialects need beyond the core model: per-recipient texts (bulk sends), status
 * callbacks and their outbox, account profiles (login e-mail, sub-accounts), and an id per
 * suppression (the SMS Partner STOP list is listed and deleted by id).
 */
export const partner = (kind: StoreKind): Migration => ({
  async up(db: Kysely<any>) {
    const pg = kind === 'postgres';
    await db.schema.alterTable('messages').addColumn('callback_url', 'text').execute();
    await db.schema.alterTable('messages').addColumn('callback_format', 'text').execute();
    await db.schema.alterTable('recipients').addColumn('content', 'text').execute();
    await db.schema.alterTable('recipients').addColumn('units', 'integer').execute();
    // Tag lookups (status by tag) scan the account's messages with that tag only.
    await db.schema.createIndex('messages_tag').on('messages').columns(['account_id', 'tag']).execute();

    await db.schema.createTable('account_profiles')
      .addColumn('account_id', 'bigint', (c) => c.primaryKey().references('accounts.id'))
      .addColumn('email', 'text')
      .addColumn('subaccounts_enabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('token', 'text')
      .addColumn('sub_type', 'text')
      .addColumn('is_buyer', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('title', 'text')
      .addColumn('firstname', 'text')
      .addColumn('lastname', 'text')
      .addColumn('api_key', 'text')
      .addColumn('closed_at', 'bigint')
      .execute();
    // NULLs never collide in a unique index, on either dialect: accounts without e-mail are fine.
    await db.schema.createIndex('account_profiles_email').on('account_profiles').column('email').unique().execute();
    await db.schema.createIndex('account_profiles_token').on('account_profiles').column('token').unique().execute();

    if (pg) {
      await sql`alter table suppressions add column id bigserial`.execute(db);
      await db.schema.createIndex('suppressions_id').on('suppressions').column('id').unique().execute();
    } else {
      // SQLite cannot add an autoincrement column: rebuild the table, keeping the rows in list order.
      await db.schema.createTable('suppressions_new')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('account_id', 'bigint', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await sql`insert into suppressions_new (account_id, channel, address, reason, created_at)
        select account_id, channel, address, reason, created_at from suppressions order by created_at, address`.execute(db);
      await db.schema.dropTable('suppressions').execute();
      await db.schema.alterTable('suppressions_new').renameTo('suppressions').execute();
      await db.schema.createIndex('suppressions_key').on('suppressions').columns(['account_id', 'channel', 'address']).unique().execute();
    }

    const id = (t: any) => (pg ? t.addColumn('id', 'bigserial', (c: any) => c.primaryKey()) : t.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement()));
    await id(db.schema.createTable('webhook_deliveries'))
      .addColumn('account_id', 'bigint', (c: any) => c.notNull())
      .addColumn('message_id', 'bigint', (c: any) => c.notNull())
      .addColumn('recipient_id', 'bigint', (c: any) => c.notNull())
      .addColumn('event', 'text', (c: any) => c.notNull())
      .addColumn('format', 'text', (c: any) => c.notNull())
      .addColumn('url', 'text', (c: any) => c.notNull())
      .addColumn('address', 'text', (c: any) => c.notNull())
      .addColumn('tag', 'text')
      .addColumn('at', 'bigint', (c: any) => c.notNull())
      .addColumn('data', 'text')
      .addColumn('status', 'text', (c: any) => c.notNull())
      .addColumn('attempts', 'integer', (c: any) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint', (c: any) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'bigint', (c: any) => c.notNull())
      .execute();
    await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
    await db.schema.createIndex('webhook_deliveries_message').on('webhook_deliveries').columns(['message_id', 'id']).execute();
  },
});
