import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreKind } from '../kind.js';

/**
 * Status webhooks of the native API (core/webhook-endpoints.ts, DECISIONS §40): an account's
 * endpoints, a delivery's endpoint, and every attempt of a delivery. A delivery of a message-level
 * event (`scheduled`, a whole message `cancelled`) has no recipient: `recipient_id` and `address`
 * become nullable, which SQLite can only do by rebuilding the table.
 * `events` is the subscribed types between commas (`,sent,failed,`), matched with LIKE by the
 * statement that enqueues a recipient event.
 */
export const webhookEndpoints = (kind: StoreKind): Migration => ({
  // Kysely runs SQLite migrations outside a transaction (it assumes no transactional DDL, which
  // SQLite has): one here, so that a process killed during the rebuild leaves 0011's tables, and
  // the migration can run again. Only the migration's own record comes after the commit.
  up: (db: Kysely<any>) => (kind === 'postgres' ? create(db, true) : db.transaction().execute((trx) => create(trx, false))),
});

async function create(db: Kysely<any>, pg: boolean): Promise<void> {
  const id = (t: any) => (pg ? t.addColumn('id', 'bigserial', (c: any) => c.primaryKey()) : t.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement()));
  await id(db.schema.createTable('webhook_endpoints'))
    .addColumn('account_id', 'bigint', (c: any) => c.notNull().references('accounts.id'))
    .addColumn('url', 'text', (c: any) => c.notNull())
    .addColumn('events', 'text', (c: any) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('secret', 'text', (c: any) => c.notNull())
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_endpoints_account').on('webhook_endpoints').columns(['account_id', 'id']).execute();

  if (pg) {
    await db.schema.alterTable('webhook_deliveries').addColumn('endpoint_id', 'bigint').execute();
    await sql`alter table webhook_deliveries alter column recipient_id drop not null, alter column address drop not null`.execute(db);
  } else {
    // The table as 0002 made it, from its own definition, with the two NOT NULLs dropped.
    const { rows } = await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = 'webhook_deliveries'`.execute(db);
    const definition = rows[0]!.sql.replace('"webhook_deliveries"', '"webhook_deliveries_new"')
      .replace(/"recipient_id" bigint not null/i, '"recipient_id" bigint').replace(/"address" text not null/i, '"address" text');
    if (/"(recipient_id|address)" \w+ not null/i.test(definition)) throw new Error(`unexpected webhook_deliveries definition: ${definition}`);
    await sql.raw(definition).execute(db);
    const columns = 'id, account_id, message_id, recipient_id, event, format, url, address, tag, at, data, status, attempts, next_attempt_at, last_error, created_at';
    await sql.raw(`insert into webhook_deliveries_new (${columns}) select ${columns} from webhook_deliveries`).execute(db);
    // Ids are never reused (a delivery's id is its webhook-id): the copy's AUTOINCREMENT counter
    // only reached the highest id left, the old one's may be past it (a deleted top row).
    await sql`delete from sqlite_sequence where name = 'webhook_deliveries_new'`.execute(db);
    await sql`insert into sqlite_sequence (name, seq) select 'webhook_deliveries_new', seq from sqlite_sequence where name = 'webhook_deliveries'`.execute(db);
    await db.schema.dropTable('webhook_deliveries').execute();
    await db.schema.alterTable('webhook_deliveries_new').renameTo('webhook_deliveries').execute();
    await db.schema.alterTable('webhook_deliveries').addColumn('endpoint_id', 'bigint').execute();
    await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
    await db.schema.createIndex('webhook_deliveries_message').on('webhook_deliveries').columns(['message_id', 'id']).execute();
  }
  await db.schema.createIndex('webhook_deliveries_endpoint').on('webhook_deliveries').columns(['endpoint_id', 'id']).execute();

  await id(db.schema.createTable('webhook_attempts'))
    .addColumn('delivery_id', 'bigint', (c: any) => c.notNull())
    .addColumn('attempt', 'integer', (c: any) => c.notNull())
    .addColumn('at', 'bigint', (c: any) => c.notNull())
    .addColumn('http_status', 'integer')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('webhook_attempts_delivery').on('webhook_attempts').columns(['delivery_id', 'attempt']).execute();
}
