import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scheduleMessage } from '../../src/core/schedule.js';
import { ledgerInvariant, startTestApp } from '../helpers/app.js';
import { eachDialect, phone, scheduleSms, SMS_PRICE } from '../helpers/dispatch.js';
import { sample } from '../helpers/metrics.js';
import { TestSmsc } from './smpp-server.js';

const MIN = 60_000;
const CREDITS = 100_000;
const N = 30;

eachDialect('smpp end to end: the dispatcher, a burst, a connection dropped in the middle', (dialect) => {
  test('every recipient ends sent once, but the one the SMSC took as the connection dropped (sent twice: the duplicate window); receipts make all delivered; the ledger is right', async () => {
    const server = await new TestSmsc().start();
    try {
      const t = await startTestApp({
        dialect,
        env: { RELAIS_SMS_TRANSPORT: 'smpp', RELAIS_SMPP_URL: server.url(), RELAIS_SMPP_BINDS: '2', RELAIS_SMPP_WINDOW: '4', RELAIS_SMPP_RECONNECT_MIN_MS: '20', RELAIS_SMPP_RECONNECT_MAX_MS: '100' },
      });
      try {
        const { id: accountId } = await t.account('100');
        const to = Array.from({ length: N }, (_, i) => phone(i + 1));
        const dropped = to[11];
        server.answer(dropped.slice(1), 'drop');
        const m = await scheduleSms(t.core, accountId, to, t.clock.now() + MIN);
        t.clock.set(m.sendAt);
        await t.dispatcher.drain();
        for (let round = 0; round < 10; round++) {
          const next = await t.store.autocommit.nextWakeAt();
          if (next === undefined) break;
          t.clock.set(next + 1);
          await t.dispatcher.drain();
        }
        const rs = await t.store.autocommit.getRecipients(m.id);
        assert.deepEqual(rs.map((r) => r.status), to.map(() => 'sent'));
        assert.ok(server.binds.length >= 3, 'the dropped bind bound again');

        // What the SMSC took, by address: each once, the dropped one twice (it had it when the line fell).
        const taken = new Map<string, string[]>();
        for (const s of server.submits.filter((x) => x.messageId)) taken.set(`+${String(s.pdu.destination_addr)}`, [...(taken.get(`+${String(s.pdu.destination_addr)}`) ?? []), s.messageId!]);
        assert.deepEqual(to.filter((a) => taken.get(a)?.length !== 1), [dropped]);
        assert.equal(taken.get(dropped)!.length, 2);
        for (const r of rs) assert.equal(r.providerId, taken.get(r.address)!.at(-1), `${r.address}: the provider id is the id of the submit that was answered`);
        const retried = rs.filter((r) => r.attempts > 1).map((r) => r.address);
        assert.ok(retried.includes(dropped), 'the dropped send was retryable, then sent again');
        assert.ok(retried.every((a) => taken.get(a)!.length === 1 || a === dropped), 'a retried send the SMSC never took went out once');

        // Every id the SMSC gave gets its receipt, the lost first id of the dropped one too (unknown
        // to Relais): each is acknowledged once recorded, so all are delivered when the last is.
        for (const ids of taken.values()) for (const id of ids) assert.equal(await server.receipt(id, 'DELIVRD'), 0);
        assert.deepEqual((await t.store.autocommit.getRecipients(m.id)).map((r) => r.status), to.map(() => 'delivered'));

        const { balance, sum } = await ledgerInvariant(t.store, accountId);
        assert.equal(sum, balance, 'balance equals the sum of the ledger');
        assert.equal(balance, CREDITS - N * SMS_PRICE);
      } finally {
        await t.close();
      }
    } finally {
      await server.close();
    }
  });
});

eachDialect('smpp end to end: replies from handsets', (dialect) => {
  test('a long reply from a handset whose last part reads STOP stops nothing: core gets it whole, once; a STOP alone stops the number', async () => {
    const server = await new TestSmsc().start();
    try {
      const t = await startTestApp({ dialect, env: { RELAIS_SMS_TRANSPORT: 'smpp', RELAIS_SMPP_URL: server.url(), RELAIS_SMPP_RECONNECT_MIN_MS: '20', RELAIS_SMPP_RECONNECT_MAX_MS: '100' } });
      try {
        const { id: accountId } = await t.account('100');
        const to = phone(1);
        // With a sender: SMPP declares no default, so a reply to an SMS naming none is never attributed (DECISIONS.md §38).
        const { message: m } = await scheduleMessage(t.core, accountId, {
          channel: 'sms', recipients: [to], sendAt: t.clock.now() + MIN, content: { channel: 'sms', text: 'hello', sender: 'Shop', unicode: false },
        });
        t.clock.set(m.sendAt);
        await t.dispatcher.drain();
        const from = to.slice(1);
        const sender = String(server.submits[0].pdu.source_addr);
        assert.equal(sender, 'Shop');
        const head = 'Je ne veux plus de promotions, mais gardez les rappels de mes rendez-vous, ceux-la me servent. '.repeat(2).slice(0, 153);
        assert.equal(await server.moPart(from, sender, head, { reference: 3, total: 2, seq: 1 }), 0);
        assert.equal(await server.moPart(from, sender, 'STOP', { reference: 3, total: 2, seq: 2 }), 0);
        const stopList = async () => (await t.store.autocommit.listSuppressions(accountId, 'sms')).map((x) => x.address);
        assert.deepEqual(await stopList(), []);
        assert.equal(await server.mo(from, sender, 'STOP'), 0);
        assert.deepEqual(await stopList(), [to]);
        const metrics = (await t.request('GET', '/metrics')).text;
        assert.deepEqual(['other', 'stopped'].map((outcome) => sample(metrics, 'relais_inbound_total', `transport="smpp",outcome="${outcome}"`)), [1, 1]);
      } finally {
        await t.close();
      }
    } finally {
      await server.close();
    }
  });
});
