import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompiledQuery, Migrator, sql } from 'kysely';
import { inboundQueries } from '../../src/store/inbound.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { blankDatabase, dialectBlocks } from '../helpers/store.js';

let last: CompiledQuery | undefined;

dialectBlocks('Migration 0015', (dialect) => blankDatabase(dialect, (q) => { last = q; }), (b) => b.cleanup(), (dialect, get) => {
  test('refunded_at is set, at updated_at, exactly on the undelivered recipients of a message a receipt refunded', async () => {
    const { db } = get();
    const migrator = new Migrator({ db, provider: migrationProvider(dialect) });
    assert.equal((await migrator.migrateTo('0014-provider-id-transport')).error, undefined);
    await sql`insert into accounts (id, name, currency, balance, created_at) values (1, 'a', 'EUR', 0, 1)`.execute(db);
    for (const id of [1, 2, 3]) {
      await sql`insert into messages (id, account_id, channel, status, send_at, created_at, updated_at, content, units, price, recipient_count)
        values (${id}, 1, 'sms', 'completed', 1, 1, 1, '{}', 1, 45, 2)`.execute(db);
    }
    // 1: one of two undelivered and refunded by its receipt; 2: undelivered, refunds off; 3: undelivered, and another recipient cancelled (refunded, other cause).
    const recipients: [number, number, string, number][] = [
      [11, 1, 'undelivered', 1000], [12, 1, 'delivered', 1100], [21, 2, 'undelivered', 2000], [31, 3, 'undelivered', 3000], [32, 3, 'cancelled', 3100]];
    for (const [id, messageId, status, at] of recipients) {
      await sql`insert into recipients (id, message_id, account_id, address, status, price, updated_at) values (${id}, ${messageId}, 1, ${`+3360000000${id}`}, ${status}, 45, ${at})`.execute(db);
    }
    await sql`insert into ledger (account_id, kind, amount, balance_after, message_id, cause, created_at) values
      (1, 'refund', 45, 45, 1, 'message 1: undelivered', 1005), (1, 'refund', 45, 90, 3, 'message 3: cancelled', 3100)`.execute(db);

    assert.equal((await migrator.migrateToLatest()).error, undefined);
    const rows = await sql<{ id: number | string; refunded_at: number | string | null }>`select id, refunded_at from recipients order by id`.execute(db);
    assert.deepEqual(rows.rows.map((r) => [Number(r.id), r.refunded_at === null ? null : Number(r.refunded_at)]),
      [[11, 1000], [12, null], [21, null], [31, null], [32, null]]);
  });

  test('a STOP reads the handset\'s sends through the partial index provider_ids_handset', async () => {
    const { db } = get();
    await inboundQueries(db).smsSentTo('+33600000011', 'smpp', 0, 50);
    const q = last!;
    // The tables are nearly empty: PostgreSQL is told to prefer any index, as it does at scale.
    const plan = await db.connection().execute(async (c) => {
      if (dialect === 'postgres') await sql`set enable_seqscan = off`.execute(c);
      return c.executeQuery(CompiledQuery.raw(`${dialect === 'sqlite' ? 'explain query plan' : 'explain'} ${q.sql}`, [...q.parameters]));
    });
    assert.match(JSON.stringify(plan.rows), /provider_ids_handset/);
    const definition = dialect === 'sqlite'
      ? sql<{ d: string }>`select sql as d from sqlite_master where name = 'provider_ids_handset'`
      : sql<{ d: string }>`select indexdef as d from pg_indexes where indexname = 'provider_ids_handset'`;
    assert.match((await definition.execute(db)).rows[0].d, /where .*address.* is not null/i);
  });
});
