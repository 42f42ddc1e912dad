import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WEBHOOK_RENDERERS } from '../../../../src/main.js';
import { listWebhooks } from '../../../../src/core/webhooks.js';
import { startTestApp, type TestApp } from '../../../helpers/app.js';
import { FakeClock } from '../../../helpers/clock.js';
import { eachDialect } from '../../../helpers/dispatch.js';
import { testStore, type Dialect } from '../../../helpers/store.js';
import { ProviderDouble } from '../../../helpers/provider.js';
import { account, get, phone, post } from './support.js';

/** What the urlDlr receiver is sent for each callback of the message, in order: the status word per number. */
async function dlrWords(t: TestApp, messageId: number): Promise<[string, string][]> {
  const rows = await listWebhooks(t.core, { messageId });
  const bodies = await Promise.all(rows.map(async (d) => {
    const payload = await WEBHOOK_RENDERERS[d.format](d, t.core);
    return new URLSearchParams('body' in payload ? payload.body : payload.query);
  }));
  return bodies.map((b) => [b.get('phoneNumber')!, b.get('status')!]);
}

eachDialect('SMS Partner statuses through a transport with delivery receipts', (dialect) => {
  test('sent reads Waiting (status endpoints and urlDlr) until the receipt: then Delivered / Not delivered', async () => {
    let provider: ProviderDouble | undefined;
    const t = await startTestApp({ dialect, transports: (core) => ({ sms: (provider = new ProviderDouble(core)) }) });
    try {
      const a = await account(t, '10');
      const [p1, p2] = [phone(), phone()];
      const s = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: `${p1.national},${p2.national}`, message: 'x', urlDlr: 'http://127.0.0.1:9/dlr' });
      const id: number = s.body.message_id;
      await t.dispatcher.drain();
      const words = async () => {
        const bulk = await get(t, '/bulk-status', { apiKey: a.apiKey, messageId: id });
        const one = await get(t, '/message-status', { apiKey: a.apiKey, messageId: id, phoneNumber: p1.e164 });
        const multi = await post(t, '/multi-status', { apiKey: a.apiKey, SMSStatut_List: [{ phoneNumber: p2.e164, messageId: id }] });
        return [bulk.body.StatutResponse_List.map((x: { status: string }) => x.status), one.body.statut, multi.body.StatutResponse_List[0].status];
      };
      assert.deepEqual(await words(), [['Waiting', 'Waiting'], 'Waiting', 'Waiting']);
      assert.deepEqual(await dlrWords(t, id), [[p1.e164, 'Waiting'], [p2.e164, 'Waiting']]);

      const [r1, r2] = await t.store.autocommit.getRecipients(id);
      await provider!.report({ providerId: r1.providerId!, status: 'delivered' });
      await provider!.report({ providerId: r2.providerId!, status: 'undelivered', reason: 'expired' });
      assert.deepEqual(await words(), [['Delivered', 'Not delivered'], 'Delivered', 'Not delivered']);
      assert.deepEqual(await dlrWords(t, id), [[p1.e164, 'Waiting'], [p2.e164, 'Waiting'], [p1.e164, 'Delivered'], [p2.e164, 'Not delivered']]);
    } finally {
      await t.close();
    }
  });

  test('the status word follows the send (every status endpoint, and a urlDlr rendered after the switch): sent through the outbox reads Delivered once the SMS transport reports receipts; sent through that one, Waiting', async () => {
    const db = await testStore(dialect);
    try {
      const before = await startTestApp({ dialect, database: db });
      let a: { id: number; apiKey: string };
      const [p1, p2] = [phone(), phone()];
      let outboxSent: number;
      try {
        a = await account(before, '10');
        outboxSent = (await post(before, '/send', { apiKey: a.apiKey, phoneNumbers: p1.national, message: 'x', tag: 'outbox', urlDlr: 'http://127.0.0.1:9/dlr' })).body.message_id;
        await before.dispatcher.drain();
      } finally {
        await before.close();
      }
      const t = await startTestApp({ dialect, database: db, transports: (core) => ({ sms: new ProviderDouble(core) }) });
      try {
        const receiptSent: number = (await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: p2.national, message: 'x', tag: 'receipts', urlDlr: 'http://127.0.0.1:9/dlr' })).body.message_id;
        await t.dispatcher.drain();
        const words = async (id: number, p: { e164: string }, tag: string) => [
          (await get(t, '/bulk-status', { apiKey: a.apiKey, messageId: id })).body.StatutResponse_List[0].status,
          (await get(t, '/message-status', { apiKey: a.apiKey, messageId: id, phoneNumber: p.e164 })).body.statut,
          (await post(t, '/multi-status', { apiKey: a.apiKey, SMSStatut_List: [{ phoneNumber: p.e164, messageId: id }] })).body.StatutResponse_List[0].status,
          (await get(t, '/bulk-status-by-tag', { apiKey: a.apiKey, tag })).body.StatutResponse_List[0].status,
        ];
        assert.deepEqual(await words(outboxSent, p1, 'outbox'), ['Delivered', 'Delivered', 'Delivered', 'Delivered']);
        assert.deepEqual(await words(receiptSent, p2, 'receipts'), ['Waiting', 'Waiting', 'Waiting', 'Waiting']);
        // The outbox send's callback is rendered (retried) under the new configuration: it still says what that send did.
        assert.deepEqual([await dlrWords(t, outboxSent), await dlrWords(t, receiptSent)], [[[p1.e164, 'Delivered']], [[p2.e164, 'Waiting']]]);
      } finally {
        await t.close();
      }
    } finally {
      await db.cleanup();
    }
  });

  /** Cost-resume of last month after one of two SMS came back undelivered under `refundAtReceipt`, read under `refundNow`. */
  async function costResumeAcrossRestart(dialect: Dialect, refundAtReceipt: boolean, refundNow: boolean): Promise<[string, string][]> {
    const db = await testStore(dialect);
    const clock = new FakeClock();
    try {
      let provider: ProviderDouble | undefined;
      const before = await startTestApp({ dialect, database: db, clock, env: { RELAIS_REFUND_UNDELIVERED: String(refundAtReceipt) }, transports: (core) => ({ sms: (provider = new ProviderDouble(core)) }) });
      let apiKey: string;
      try {
        apiKey = (await account(before, '10')).apiKey;
        clock.set(Date.UTC(2026, 3, 10, 10));
        const s = await post(before, '/send', { apiKey, phoneNumbers: `${phone().national},${phone().national}`, message: 'x' });
        await before.dispatcher.drain();
        const [r1] = await before.store.autocommit.getRecipients(s.body.message_id);
        clock.advance(60_000);
        await provider!.report({ providerId: r1.providerId!, status: 'undelivered', reason: 'expired' });
      } finally {
        await before.close();
      }
      const t = await startTestApp({ dialect, database: db, clock, env: { RELAIS_REFUND_UNDELIVERED: String(refundNow) } });
      try {
        clock.set(Date.UTC(2026, 4, 3, 8));
        const r = await get(t, '/statistics/cost-resume', { apiKey, interval: 'last_month' });
        return r.body.datas.map((d: { cost: string; nb_send: string }) => [d.cost, d.nb_send]);
      } finally {
        await t.close();
      }
    } finally {
      await db.cleanup();
    }
  }

  test('cost-resume counts the units refunded when the receipt came, whatever RELAIS_REFUND_UNDELIVERED says now', async () => {
    assert.deepEqual(await costResumeAcrossRestart(dialect, true, false), [['0.045', '1']]);
    assert.deepEqual(await costResumeAcrossRestart(dialect, false, true), [['0.090', '2']]);
  });

  /**
   * Two SMS sent April 10, one reported undelivered (the provider's instant `at`) when the clock
   * reads `heard`; then cost-resume asked at `asked` with `query`: [month, cost, nb_send] per month.
   */
  async function costResumeAfterUndelivered(env: Record<string, string>, o: { heard: number; at?: number; asked: number; query: Record<string, string> }): Promise<string[][]> {
    let provider: ProviderDouble | undefined;
    const t = await startTestApp({ dialect, env, transports: (core) => ({ sms: (provider = new ProviderDouble(core)) }) });
    try {
      const a = await account(t, '10');
      t.clock.set(Date.UTC(2026, 3, 10, 10));
      const s = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: `${phone().national},${phone().national}`, message: 'x' });
      await t.dispatcher.drain();
      const [r1] = await t.store.autocommit.getRecipients(s.body.message_id);
      t.clock.set(o.heard);
      await provider!.report({ providerId: r1.providerId!, status: 'undelivered', reason: 'expired', ...(o.at === undefined ? {} : { at: o.at }) });
      t.clock.set(o.asked);
      const r = await get(t, '/statistics/cost-resume', { apiKey: a.apiKey, ...o.query });
      return r.body.datas.map((d: { m: string; cost: string; nb_send: string }) => [d.m, d.cost, d.nb_send]);
    } finally {
      await t.close();
    }
  }

  test('cost-resume counts a receipt\'s refund in the month the ledger books it (heard May 1 00:00:30), not the provider\'s instant (April 30 23:59:30)', async () => {
    const heard = Date.UTC(2026, 4, 1, 0, 0, 30);
    assert.deepEqual(await costResumeAfterUndelivered({ RELAIS_REFUND_UNDELIVERED: 'true', RELAIS_TIMEZONE: 'UTC' }, {
      heard, at: Date.UTC(2026, 3, 30, 23, 59, 30), asked: heard, query: { interval: 'custom', from: '01-04-2026', to: '31-05-2026' },
    }), [['04', '0.090', '2'], ['05', '-0.045', '-1']]);
  });

  for (const refund of [true, false]) {
    test(`cost-resume with RELAIS_REFUND_UNDELIVERED=${refund}: an undelivered SMS counts in units exactly as in cost`, async () => {
      assert.deepEqual(await costResumeAfterUndelivered({ RELAIS_REFUND_UNDELIVERED: String(refund) }, {
        heard: Date.UTC(2026, 3, 10, 10, 1), asked: Date.UTC(2026, 4, 3, 8), query: { interval: 'last_month' },
      }), [refund ? ['04', '0.045', '1'] : ['04', '0.090', '2']]);
    });
  }
});
