import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoreTx } from '../../src/core/ports.js';
import { recordReceipt } from '../../src/core/receipts.js';
import { scheduleMessage } from '../../src/core/schedule.js';
import type { Receipt } from '../../src/core/transport.js';
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
        ['sent', r.id, { providerId: 'early-1' }],
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
