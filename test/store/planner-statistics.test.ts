import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { dialectSuite, paidMessage } from '../helpers/store.js';

const T = Date.UTC(2031, 0, 1, 12, 0, 0);

const due = (accountId: number, i: number) => paidMessage(accountId, {
  sendAt: T - 1000, createdAt: T - 60_000, content: { channel: 'sms', text: `hello ${i}`, sender: null, unicode: false },
  recipients: [{ address: `+336${10_000_000 + i}`, price: 40 }],
});

// PostgreSQL only: SQLite's planner does not depend on statistics that something else refreshes.
dialectSuite('store: planner statistics of a young PostgreSQL database', ({ dialect, getStore }) => {
  if (dialect !== 'postgres') return;
  let store: KyselyStore;
  let accountId: number;

  const reltuples = async (): Promise<Record<string, number>> => {
    const { rows } = await sql<{ relname: string; reltuples: number }>`select relname, reltuples from pg_class
      where relname in ('messages', 'recipients')`.execute(store.db);
    return Object.fromEntries(rows.map((r) => [r.relname, Number(r.reltuples)]));
  };
  // One commit: autovacuum, which analyzes a table after 50 changes, has no time to step in between.
  const schedule = (from: number, n: number) => store.transaction(async (tx) => {
    for (let i = from; i < from + n; i++) assert.ok(await tx.insertPaidMessage(due(accountId, i)));
  });

  before(async () => {
    store = getStore() as KyselyStore;
    const acc = await store.autocommit.createAccount({ name: 'stats', parentId: null, currency: 'EUR', createdAt: T - 60_000 });
    accountId = acc.id;
    await store.transaction((tx) => tx.applyLedgerEntry({ accountId, kind: 'topup', amount: 1_000_000, messageId: null, cause: 'initial', createdAt: T - 60_000 }));
  });

  test('a claim that is not full leaves the statistics to autovacuum', async () => {
    assert.deepEqual(await reltuples(), { messages: -1, recipients: -1 }, 'fresh tables: never analyzed');
    await schedule(0, 10);
    assert.equal((await store.autocommit.claimDue(T, 100, 'w1', T + 60_000)).length, 10);
    await sleep(500);
    assert.deepEqual(await reltuples(), { messages: -1, recipients: -1 });
  });

  test('a full claim on never-analyzed tables analyzes them in the background', async () => {
    await schedule(10, 150);
    assert.equal((await store.autocommit.claimDue(T, 100, 'w1', T + 60_000)).length, 100);
    let seen = await reltuples();
    for (let i = 0; i < 100 && (seen.messages < 0 || seen.recipients < 0); i++) {
      await sleep(100);
      seen = await reltuples();
    }
    assert.deepEqual(seen, { messages: 160, recipients: 160 });
    // Analyzed while it claimed: the claim itself went on and the rest is still there to claim.
    assert.equal((await store.autocommit.claimDue(T, 100, 'w1', T + 60_000)).length, 50);
  });
});
