import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrationProvider } from '../../src/store/migrations/index.js';

const dir = mkdtempSync(join(tmpdir(), 'relais-migration-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A SQLite file migrated up to 0011 with deliveries 1–5, the top one deleted; `fn` gets it and its migrator. */
async function at0011(name: string, fn: (database: SqliteDatabase.Database, migrator: Migrator) => Promise<void>): Promise<void> {
  const database = new SqliteDatabase(join(dir, `${name}.db`));
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database }) });
  try {
    const migrator = new Migrator({ db, provider: migrationProvider('sqlite') });
    assert.equal((await migrator.migrateTo('0011-braze-schedules')).error, undefined);
    const insert = database.prepare(`insert into webhook_deliveries (account_id, message_id, recipient_id, event, format, url, address, at, status, next_attempt_at, created_at)
      values (1, ?, ?, 'sent', 'smspartner', 'https://x.example.com/', '+33600000000', 1, 'pending', 1, 1)`);
    for (let i = 1; i <= 5; i++) insert.run(i, i);
    database.prepare('delete from webhook_deliveries where id = 5').run();
    await fn(database, migrator);
  } finally {
    await db.destroy();
  }
}

const ids = (database: SqliteDatabase.Database) => (database.prepare('select id from webhook_deliveries order by id').all() as { id: number }[]).map((r) => r.id);
const addDelivery = (database: SqliteDatabase.Database) => Number(database.prepare(`insert into webhook_deliveries (account_id, message_id, recipient_id, event, format, url, address, at, status, next_attempt_at, created_at)
  values (1, 1, null, 'scheduled', 'native', 'https://x.example.com/', null, 1, 'pending', 1, 1)`).run().lastInsertRowid);

test('SQLite, migration 0012: the rebuilt deliveries keep their ids, and new ones continue past a deleted top row', async () => {
  await at0011('ids', async (database, migrator) => {
    assert.equal((await migrator.migrateToLatest()).error, undefined);
    assert.deepEqual(ids(database), [1, 2, 3, 4]);
    assert.equal(addDelivery(database), 6, 'id 5 was a webhook-id already');
  });
});

test('SQLite, migration 0012: a failure midway leaves the 0011 schema whole, and the migration runs again', async () => {
  await at0011('atomic', async (database, migrator) => {
    // Makes the last statement of 0012 fail, after the rebuild.
    database.exec('create table webhook_attempts (id integer primary key)');
    const failed = await migrator.migrateToLatest();
    assert.ok(failed.error, 'the migration failed');
    const [first, ...rest] = failed.results ?? [];
    assert.deepEqual([first?.migrationName, first?.status], ['0012-webhook-endpoints', 'Error']);
    assert.deepEqual(rest.map((r) => r.status), rest.map(() => 'NotExecuted'), 'the later migrations wait');
    assert.ok(rest.length > 0);
    const tables = (database.prepare(`select name from sqlite_master where type = 'table' and name like 'webhook%' order by name`).all() as { name: string }[]).map((r) => r.name);
    assert.deepEqual(tables, ['webhook_attempts', 'webhook_deliveries'], 'no endpoints table, no half-built copy');
    assert.match(String((database.prepare(`select sql from sqlite_master where name = 'webhook_deliveries'`).get() as { sql: string }).sql), /"recipient_id" bigint not null/i);
    assert.deepEqual(ids(database), [1, 2, 3, 4]);
    database.exec('drop table webhook_attempts');
    assert.equal((await migrator.migrateToLatest()).error, undefined);
    assert.equal(addDelivery(database), 6);
  });
});
