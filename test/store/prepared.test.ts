import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import type { RelaisError } from '../../src/core/errors.js';
import { openStore } from '../../src/store/open.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { dialectSuite, paidMessage } from '../helpers/store.js';

const T = Date.UTC(2031, 0, 1, 12, 0, 0);

const paid = (accountId: number, idempotencyKey: string) =>
  paidMessage(accountId, { sendAt: T + 3_600_000, createdAt: T, idempotencyKey, requestHash: 'h' });

// One connection, so every statement below runs where the previous one left its prepared plans.
dialectSuite('store: hot statements prepared on the connection', ({ dialect, url }) => {
  let store: KyselyStore;
  before(async () => {
    store = await openStore({ url: url(), poolSize: 1 });
  });
  after(async () => {
    await store?.close();
  });

  test('a schedule that failed on the connection (duplicate key) leaves the statement usable; balance = ledger', async () => {
    const acc = await store.autocommit.createAccount({ name: 'prepared', parentId: null, currency: 'EUR', createdAt: T });
    await store.transaction((tx) => tx.applyLedgerEntry({ accountId: acc.id, kind: 'topup', amount: 1_000, messageId: null, cause: 'initial', createdAt: T }));

    const first = await store.autocommit.insertPaidMessage(paid(acc.id, 'k1'));
    assert.ok(first);
    await assert.rejects(store.autocommit.insertPaidMessage(paid(acc.id, 'k1')));
    const second = await store.autocommit.insertPaidMessage(paid(acc.id, 'k2'));
    assert.ok(second);
    assert.notEqual(second.id, first.id);

    assert.equal((await store.autocommit.getAccount(acc.id))?.balance, 1_000 - 2 * 40);
    const { rows } = await sql<{ n: number }>`select count(*) as n from ledger where account_id = ${acc.id}`.execute(store.db);
    assert.equal(Number(rows[0]!.n), 3, 'topup and two debits: the failed schedule wrote nothing');
    if (dialect === 'postgres') {
      const prepared = await sql<{ n: number }>`select count(*) as n from pg_prepared_statements where statement like 'with debit as%'`.execute(store.db);
      assert.equal(Number(prepared.rows[0]!.n), 1, 'the schedule statement is prepared once on the connection');
    }
  });

  test('a column added by a migration elsewhere: prepared reads answer again, at once outside a transaction', async () => {
    const acc = await store.autocommit.createAccount({ name: 'migrated', parentId: null, currency: 'EUR', createdAt: T });
    assert.equal((await store.autocommit.getAccount(acc.id))?.name, 'migrated');
    // On this very connection; for its prepared plans a migration from another process looks the same.
    await sql`alter table accounts add column later_a integer`.execute(store.db);
    assert.equal((await store.autocommit.getAccount(acc.id))?.name, 'migrated');

    assert.equal((await store.transaction((tx) => tx.getAccount(acc.id)))?.name, 'migrated');
    await sql`alter table accounts add column later_b integer`.execute(store.db);
    // PostgreSQL aborts the transaction that met the stale plan: retry later (503), then it answers.
    const first = await store.transaction((tx) => tx.getAccount(acc.id)).then((a) => a?.name, (e: RelaisError) => e.code);
    assert.equal(first, dialect === 'postgres' ? 'unavailable' : 'migrated');
    assert.equal((await store.transaction((tx) => tx.getAccount(acc.id)))?.name, 'migrated');
  });
});
