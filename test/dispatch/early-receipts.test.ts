import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import type { StoreTx } from '../../src/core/ports.js';
import { KEPT_BATCH, KEPT_CAP, recordReceipt, sweepKeptReceipts } from '../../src/core/receipts.js';
import { scheduleMessage } from '../../src/core/schedule.js';
import type { Receipt } from '../../src/core/transport.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { ledgerInvariant, startTestApp, type TestApp } from '../helpers/app.js';
import { eachDialect, phone, scheduleSms, SMS_PRICE } from '../helpers/dispatch.js';
import { sample } from '../helpers/metrics.js';
import { ProviderDouble } from '../helpers/provider.js';

const MIN = 60_000;
const KEEP_SECONDS = 120;
/** When the network reports delivering: a second before the send (the test clock starts at 08:00, the sends are at 08:01), believed as told. */
const DELIVERED_AT = Date.parse('2026-06-01T08:00:59.000Z');

/** A server whose SMS go through a provider double that reports `early` receipts before it answers each send with `id`. */
async function withEarlyProvider(dialect: 'sqlite' | 'postgres', env: Record<string, string>, early: (id: string) => Receipt[],
  fn: (t: TestApp, provider: ProviderDouble, accountId: number) => Promise<void>): Promise<void> {
  let provider: ProviderDouble | undefined;
  let n = 0;
  const t = await startTestApp({
    dialect, env: { RELAIS_RECEIPT_KEEP_SECONDS: String(KEEP_SECONDS), ...env },
    transports: (core) => ({
      sms: (provider = new ProviderDouble(core, async () => {
        const providerId = `early-${++n}`;
        for (const receipt of early(providerId)) await provider!.report(receipt);
        return { ok: true, providerId };
      })),
    }),
  });
  try {
    await fn(t, provider!, (await t.account('100')).id);
  } finally {
    await t.close();
  }
}

const receiptCount = async (t: TestApp, outcome: string) => sample((await t.request('GET', '/metrics')).text, 'relais_receipts_total', `transport="scripted",outcome="${outcome}"`) ?? 0;

const receiptEvents = async (t: TestApp, messageId: number) =>
  (await t.store.autocommit.getEvents(messageId)).filter((e) => e.type !== 'scheduled').map((e) => [e.type, e.recipientId, e.data]);

eachDialect('receipts before the send is recorded', (dialect) => {
  test('a receipt heard before the submit answer is kept, then settles its recipient in the send\'s commit: delivered, with its event and callback, once', async () => {
    await withEarlyProvider(dialect, {}, (id) => [{ providerId: id, status: 'delivered', at: DELIVERED_AT }], async (t, _provider, accountId) => {
      const { message: m } = await scheduleMessage(t.core, accountId, {
        channel: 'sms', recipients: [phone(1)], sendAt: t.clock.now() + MIN, content: { channel: 'sms', text: 'hi', sender: null, unicode: false },
        callback: { url: 'http://127.0.0.1:9/receipts', format: 'smspartner' },
      });
      t.clock.set(m.sendAt);
      assert.equal(await t.dispatcher.drain(), 1);
      const [r] = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual([r.status, r.providerId, r.updatedAt], ['delivered', 'early-1', DELIVERED_AT]);
      assert.deepEqual(await receiptEvents(t, m.id), [
        ['sent', r.id, { providerId: 'early-1', awaitsReceipt: true }],
        ['delivered', r.id, { providerId: 'early-1', reason: null, providerCode: null }],
      ]);
      assert.deepEqual((await t.store.autocommit.listWebhooks({ messageId: m.id })).map((w) => w.event), ['sent', 'delivered']);
      assert.equal((await t.store.autocommit.getMessage(m.id))!.status, 'sent');
      assert.equal(await receiptCount(t, 'kept'), 1);
      assert.equal(await receiptCount(t, 'settled'), 1);
      t.clock.advance(KEEP_SECONDS * 1000 + 1);
      assert.equal(await t.dispatcher.drain(), 0);
      assert.equal(await t.store.autocommit.hasKeptReceipts(), false, 'nothing is left kept');
      assert.equal((await receiptEvents(t, m.id)).length, 2, 'settled once');
    });
  });

  test('a receipt repeated before the submit answer settles once; with RELAIS_REFUND_UNDELIVERED one refund', async () => {
    const undelivered = (id: string): Receipt => ({ providerId: id, status: 'undelivered', reason: 'absent subscriber', providerCode: '27', at: DELIVERED_AT });
    await withEarlyProvider(dialect, { RELAIS_REFUND_UNDELIVERED: 'true' }, (id) => [undelivered(id), undelivered(id), { providerId: id, status: 'delivered' }], async (t, _provider, accountId) => {
      const m = await scheduleSms(t.core, accountId, [phone(1)], t.clock.now() + MIN);
      t.clock.set(m.sendAt);
      await t.dispatcher.drain();
      const [r] = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual([r.status, r.error], ['undelivered', 'absent subscriber']);
      assert.deepEqual((await receiptEvents(t, m.id)).map(([type]) => type), ['sent', 'undelivered']);
      assert.equal(await receiptCount(t, 'kept'), 1);
      assert.equal(await receiptCount(t, 'repeated'), 2);
      const refunds = (await t.store.autocommit.listLedger(accountId, { limit: 100 })).filter((e) => e.kind === 'refund');
      assert.deepEqual(refunds.map((e) => [e.messageId, e.amount, e.cause]), [[m.id, SMS_PRICE, `message ${m.id}: undelivered`]]);
      const { balance, sum } = await ledgerInvariant(t.store, accountId);
      assert.deepEqual([balance, sum], [100_000, 100_000]);
    });
  });

  test('a receipt kept while its send was being recorded (the two commits blind to each other) is applied by the next round\'s sweep', async () => {
    await withEarlyProvider(dialect, {}, () => [], async (t, _provider, accountId) => {
      const m = await scheduleSms(t.core, accountId, [phone(1)], t.clock.now() + MIN);
      t.clock.set(m.sendAt);
      await t.dispatcher.drain();
      // What READ COMMITTED allows: the receipt's transaction saw no send and kept it, the send's saw nothing kept.
      await t.store.autocommit.keepReceipt({ transport: 'scripted', receipt: { providerId: 'early-1', status: 'delivered', at: m.sendAt + 10 }, keptAt: m.sendAt });
      t.clock.advance(1000);
      await t.dispatcher.drain();
      const [r] = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual([r.status, r.updatedAt], ['delivered', m.sendAt + 10]);
      assert.deepEqual((await receiptEvents(t, m.id)).map(([type]) => type), ['sent', 'delivered']);
      assert.equal(await receiptCount(t, 'settled'), 1);
      assert.equal(await t.store.autocommit.hasKeptReceipts(), false);
    });
  });

  test('a kept receipt whose send never comes expires after RELAIS_RECEIPT_KEEP_SECONDS and is counted unknown', async () => {
    await withEarlyProvider(dialect, {}, () => [], async (t, provider) => {
      await provider.report({ providerId: 'never-sent', status: 'delivered' });
      assert.equal(await receiptCount(t, 'kept'), 1);
      t.clock.advance(KEEP_SECONDS * 1000);
      await t.dispatcher.drain();
      assert.equal(await t.store.autocommit.hasKeptReceipts(), true, 'kept for exactly RELAIS_RECEIPT_KEEP_SECONDS');
      t.clock.advance(1001);
      await t.dispatcher.drain();
      assert.equal(await t.store.autocommit.hasKeptReceipts(), false);
      assert.equal(await receiptCount(t, 'unknown'), 1);
      await provider.report({ providerId: 'never-sent', status: 'delivered' });
      assert.equal(await receiptCount(t, 'kept'), 2, 'heard again after it expired: kept again');
    });
  });
});

/** Keeps `count` receipts for ids no send has, heard at `keptAt`, in one statement. */
async function keepStrays(t: TestApp, dialect: 'sqlite' | 'postgres', count: number, keptAt: number): Promise<void> {
  const db = (t.store as KyselyStore).db;
  const rows = dialect === 'postgres'
    ? sql`select g as n from generate_series(1, ${count}) g`
    : sql`with recursive g(n) as (select 1 union all select n + 1 from g where n < ${count}) select n from g`;
  await sql`insert into kept_receipts (transport, provider_id, status, at, reason, provider_code, kept_at)
    select 'scripted', 'stray-' || n, 'delivered', ${keptAt}, null, null, ${keptAt} from (${rows}) s`.execute(db);
}

const keptCount = async (t: TestApp) =>
  Number((await sql<{ n: number }>`select count(*) as n from kept_receipts`.execute((t.store as KyselyStore).db)).rows[0].n);

eachDialect('kept receipts stay bounded', (dialect) => {
  test('beyond KEPT_CAP per transport the newest kept receipts are dropped by the next sweep, counted unknown; an awaited one is still applied', async () => {
    await withEarlyProvider(dialect, {}, () => [], async (t, provider, accountId) => {
      await keepStrays(t, dialect, KEPT_CAP, t.clock.now());
      const m = await scheduleSms(t.core, accountId, [phone(1)], t.clock.now() + MIN);
      t.clock.set(m.sendAt);
      assert.equal(await t.dispatcher.drain(), 1);
      await provider.report({ providerId: 'stray-late', status: 'delivered' });
      await t.store.autocommit.keepReceipt({ transport: 'scripted', receipt: { providerId: 'early-1', status: 'delivered', at: m.sendAt }, keptAt: m.sendAt });
      assert.deepEqual(await sweepKeptReceipts(t.core), { scripted: { unknown: 1, repeated: 0 } }, 'the awaited one is applied first, then the newest beyond the cap dropped');
      assert.equal(await keptCount(t), KEPT_CAP);
      assert.equal((await t.store.autocommit.getRecipients(m.id))[0].status, 'delivered');
      assert.equal(await receiptCount(t, 'unknown'), 1);
    });
  });

  test('expired kept receipts are dropped KEPT_BATCH per sweep, oldest first, until none is left; all counted unknown', async () => {
    await withEarlyProvider(dialect, {}, () => [], async (t) => {
      const start = t.clock.now();
      await keepStrays(t, dialect, 2 * KEPT_BATCH + 1, start);
      await t.store.autocommit.keepReceipt({ transport: 'scripted', receipt: { providerId: 'newer', status: 'delivered', at: start }, keptAt: start + 1000 });
      t.clock.set(start + KEEP_SECONDS * 1000 + 1);
      const dropped = [];
      for (let i = 0; i < 4; i++) dropped.push((await sweepKeptReceipts(t.core)).scripted?.unknown ?? 0);
      assert.deepEqual(dropped, [KEPT_BATCH, KEPT_BATCH, 1, 0]);
      assert.equal(await keptCount(t), 1, 'the newer one is not expired yet');
      assert.equal(await receiptCount(t, 'unknown'), 2 * KEPT_BATCH + 1);
    });
  });

  test('an early receipt for a provider id reused after an older recipient with it was settled is kept, and settles the new send', async () => {
    let provider: ProviderDouble | undefined;
    let sends = 0;
    const t = await startTestApp({
      dialect, env: { RELAIS_RECEIPT_KEEP_SECONDS: String(KEEP_SECONDS) },
      transports: (core) => ({
        sms: (provider = new ProviderDouble(core, async () => {
          // The SMSC restarted between the two sends and counts its ids from 42 again.
          if (++sends === 2) assert.equal(await recordReceipt(core, 'scripted', { providerId: '42', status: 'undelivered', reason: 'absent' }), 'kept');
          return { ok: true, providerId: '42' };
        })),
      }),
    });
    try {
      const accountId = (await t.account('100')).id;
      const old = await scheduleSms(t.core, accountId, [phone(1)], t.clock.now() + MIN);
      t.clock.set(old.sendAt);
      assert.equal(await t.dispatcher.drain(), 1);
      await provider!.report({ providerId: '42', status: 'delivered' });
      const m = await scheduleSms(t.core, accountId, [phone(2)], t.clock.now() + MIN);
      t.clock.set(m.sendAt);
      assert.equal(await t.dispatcher.drain(), 1);
      assert.deepEqual((await t.store.autocommit.getRecipients(m.id)).map((r) => [r.status, r.error]), [['undelivered', 'absent']]);
      assert.deepEqual((await t.store.autocommit.getRecipients(old.id)).map((r) => r.status), ['delivered']);
      assert.equal(await receiptCount(t, 'settled'), 2);
      assert.equal(await t.store.autocommit.hasKeptReceipts(), false);
    } finally {
      await t.close();
    }
  });
});

// SQLite runs one transaction at a time: the interleaving below exists on PostgreSQL alone.
eachDialect('a receipt racing its send record', (dialect) => {
  test('a receipt whose settle missed the send, committed just after, is still applied (not taken for a repeat)', { skip: dialect === 'sqlite' && 'PostgreSQL only' }, async () => {
    await withEarlyProvider(dialect, {}, () => [], async (t, _provider, accountId) => {
      const m = await scheduleSms(t.core, accountId, [phone(1)], t.clock.now() + MIN);
      t.clock.set(m.sendAt);
      let settleRan!: () => void;
      let sendRecorded!: () => void;
      const afterSettle = new Promise<void>((resolve) => (settleRan = resolve));
      const recorded = new Promise<void>((resolve) => (sendRecorded = resolve));
      // The receipt's transaction pauses after its settle (which sees no send) until the send has committed.
      const store = t.core.store;
      const paused = Object.assign(Object.create(store), {
        transaction: (fn: (tx: StoreTx) => Promise<unknown>) => store.transaction((tx) => fn(new Proxy(tx, {
          get(target, key) {
            const value = Reflect.get(target, key) as unknown;
            if (typeof value !== 'function') return value;
            if (key !== 'settleByProviderId') return value.bind(target);
            return async (...args: unknown[]) => {
              const settled = await value.apply(target, args);
              settleRan();
              await recorded;
              return settled;
            };
          },
        }))),
      });
      const outcome = recordReceipt({ ...t.core, store: paused }, 'scripted', { providerId: 'early-1', status: 'delivered' });
      await afterSettle;
      assert.equal(await t.dispatcher.drain(), 1);
      sendRecorded();
      assert.equal(await outcome, 'kept');
      t.clock.advance(1000);
      await t.dispatcher.drain();
      const [r] = await t.store.autocommit.getRecipients(m.id);
      assert.equal(r.status, 'delivered');
      assert.equal(await t.store.autocommit.hasKeptReceipts(), false);
    });
  });
});
