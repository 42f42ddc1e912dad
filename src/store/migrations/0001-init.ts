import type { Kysely, Migration } from 'kysely';
import type { StoreKind } from '../kind.js';

/**
 * Ids are one sequence per table; message ids come from one sequence for the whole server
 * so that every dialect can find any message by its number. `bigint` everywhere an
 * instant or a sum of credits lives (SQLite integers are 64-bit already).
 */
export const init = (kind: StoreKind): Migration => ({
  async up(db: Kysely<any>) {
    const pg = kind === 'postgres';
    const table = (name: string) => {
      const t = db.schema.createTable(name);
      return pg ? t.addColumn('id', 'bigserial', (c) => c.primaryKey()) : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
    };

    await table('accounts')
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('parent_id', 'bigint', (c) => c.references('accounts.id'))
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('balance', 'bigint', (c) => c.notNull())
      .addColumn('default_sender', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await table('api_keys')
      .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
      .addColumn('hash', 'text', (c) => c.notNull().unique())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await table('messages')
      .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('send_at', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('tag', 'text')
      .addColumn('batch_id', 'text')
      .addColumn('idempotency_key', 'text')
      .addColumn('request_hash', 'text')
      .addColumn('metadata', 'text')
      .addColumn('content', 'text', (c) => c.notNull())
      .addColumn('units', 'integer', (c) => c.notNull())
      .addColumn('price', 'bigint', (c) => c.notNull())
      .addColumn('recipient_count', 'integer', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'bigint')
      .addColumn('dispatched_at', 'bigint')
      .addColumn('completed_at', 'bigint')
      .addColumn('cancelled_at', 'bigint')
      .execute();
    // The dispatcher's claim and the next-wake query read only these two indexes.
    await db.schema.createIndex('messages_due').on('messages').columns(['status', 'send_at']).execute();
    await db.schema.createIndex('messages_lease').on('messages').columns(['status', 'lease_until']).execute();
    await db.schema.createIndex('messages_account').on('messages').columns(['account_id', 'id']).execute();
    await db.schema.createIndex('messages_idempotency').on('messages').columns(['account_id', 'idempotency_key']).unique().execute();

    await table('recipients')
      .addColumn('message_id', 'bigint', (c) => c.notNull().references('messages.id'))
      .addColumn('account_id', 'bigint', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('price', 'bigint', (c) => c.notNull())
      .addColumn('provider_id', 'text')
      .addColumn('error', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('sent_at', 'bigint')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('recipients_message').on('recipients').columns(['message_id', 'status']).execute();
    await db.schema.createIndex('recipients_address').on('recipients').columns(['account_id', 'address', 'status']).execute();

    await table('events')
      .addColumn('message_id', 'bigint', (c) => c.notNull())
      .addColumn('recipient_id', 'bigint')
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('data', 'text')
      .execute();
    await db.schema.createIndex('events_message').on('events').columns(['message_id', 'id']).execute();

    await table('ledger')
      .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('amount', 'bigint', (c) => c.notNull())
      .addColumn('balance_after', 'bigint', (c) => c.notNull())
      .addColumn('message_id', 'bigint')
      .addColumn('cause', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('ledger_account').on('ledger').columns(['account_id', 'id']).execute();

    await db.schema.createTable('suppressions')
      .addColumn('account_id', 'bigint', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('suppressions_pk', ['account_id', 'channel', 'address'])
      .execute();

    await table('outbox')
      .addColumn('account_id', 'bigint', (c) => c.notNull())
      .addColumn('message_id', 'bigint', (c) => c.notNull())
      .addColumn('recipient_id', 'bigint', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('rendered', 'text', (c) => c.notNull())
      .addColumn('sent_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('outbox_account').on('outbox').columns(['account_id', 'id']).execute();
    await db.schema.createIndex('outbox_message').on('outbox').columns(['message_id']).execute();
  },
});
