import type { Kysely, Migration } from 'kysely';

/**
 * Braze schedules (core/braze-schedules.ts, DECISIONS §35): the handle a Braze client holds for one
 * batch of messages (their `batch_id` is the `schedule_id`). `schedule` and `request` are JSON
 * text; `send_at` is the instant the schedule stands for when it resolved to no message at all.
 * A row is never removed: a deleted schedule keeps answering its id.
 */
export const brazeSchedules: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createTable('braze_schedules')
      .addColumn('schedule_id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
      .addColumn('dispatch_id', 'text', (c) => c.notNull())
      .addColumn('send_id', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('parent_id', 'text')
      .addColumn('schedule', 'text', (c) => c.notNull())
      .addColumn('request', 'text', (c) => c.notNull())
      .addColumn('send_at', 'bigint', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('braze_schedules_account').on('braze_schedules').columns(['account_id', 'state']).execute();
  },
};
