import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Core } from '../../src/core/context.js';
import { isStop } from '../../src/core/inbound.js';
import { scheduleMessage } from '../../src/core/schedule.js';
import { ledgerInvariant, startTestApp, type TestApp } from '../helpers/app.js';
import { eachDialect, phone, SMS_PRICE } from '../helpers/dispatch.js';
import { sample } from '../helpers/metrics.js';
import { ProviderDouble } from '../helpers/provider.js';

const MIN = 60_000;
const DAY = 86_400_000;

const sms = (t: TestApp, accountId: number, to: string, sender: string | null, sendAt: number) => scheduleMessage(t.core, accountId, {
  channel: 'sms', recipients: [to], sendAt, content: { channel: 'sms', text: 'promo', sender, unicode: false },
}).then((r) => r.message);

/** A provider double named `name`, which declares `defaultSender` as the sender of a message that names none (Transport.defaultSender). */
const provider = (core: Core, name = 'scripted', defaultSender?: string): ProviderDouble => Object.assign(new ProviderDouble(core), { name, defaultSender });

const stopList = async (t: TestApp, accountId: number) => (await t.store.autocommit.listSuppressions(accountId, 'sms')).map((s) => [s.address, s.reason]);

test('STOP texts: the word, STOP SMS / STOP ALL, ARRET; any case, trailing punctuation; nothing else', () => {
  for (const text of ['STOP', ' stop ', 'Stop.', 'STOP!', 'STOP SMS', 'stopsms', 'Stop all', 'ARRET', 'Arrêt']) assert.equal(isStop(text), true, text);
  for (const text of ['', 'STOPPED', 'please stop', 'STOP it', 'non stop', 'S T O P']) assert.equal(isStop(text), false, text);
});

eachDialect('mobile-originated STOP', (dialect) => {
  test('a STOP goes to the one account that sent to the number with that sender: its STOP list, its scheduled SMS cancelled and refunded; otherwise counted only', async () => {
    let mo: ProviderDouble | undefined;
    // It declares its default number: a send naming no sender went out with it.
    const t = await startTestApp({ dialect, transports: (core) => ({ sms: (mo = provider(core, 'scripted', '+33600000000')) }) });
    try {
      const a = (await t.account('100', 'a')).id;
      const b = (await t.account('100', 'b')).id;
      const now = t.clock.now();
      const old = await sms(t, a, phone(5), 'ACME', now + MIN);
      t.clock.set(now + MIN);
      await t.dispatcher.drain();
      t.clock.set(now + 32 * DAY);
      const start = t.clock.now();
      for (const m of [await sms(t, a, phone(1), 'ACME', start + MIN), await sms(t, b, phone(1), 'Shop', start + MIN),
        await sms(t, a, phone(2), null, start + MIN), await sms(t, b, phone(2), null, start + MIN)]) assert.ok(m.id);
      t.clock.set(start + MIN);
      await t.dispatcher.drain();
      const later = await sms(t, a, phone(1), 'ACME', start + DAY);
      assert.ok(old.id);

      await mo!.receive({ from: phone(1), to: 'acme', text: 'Stop.' });
      assert.deepEqual(await stopList(t, a), [[phone(1), 'STOP by SMS']]);
      assert.deepEqual(await stopList(t, b), []);
      assert.deepEqual((await t.store.autocommit.getRecipients(later.id)).map((r) => r.status), ['cancelled']);
      const refunds = (await t.store.autocommit.listLedger(a, { limit: 100 })).filter((e) => e.kind === 'refund').map((e) => [e.messageId, e.amount]);
      assert.deepEqual(refunds, [[later.id, SMS_PRICE]]);
      const { balance, sum } = await ledgerInvariant(t.store, a);
      assert.deepEqual([balance, sum], [100_000 - 3 * SMS_PRICE, 100_000 - 3 * SMS_PRICE]);

      await mo!.receive({ from: phone(1).replace('+33', '0'), to: 'Shop', text: 'STOP SMS' });
      assert.deepEqual(await stopList(t, b), [[phone(1), 'STOP by SMS']]);
      // Both sent to phone(2) from the provider's default number: which one it answers is unknown.
      await mo!.receive({ from: phone(2), to: '+33600000000', text: 'STOP' });
      // Sent to phone(5) 32 days ago: outside the window.
      await mo!.receive({ from: phone(5), to: 'ACME', text: 'STOP' });
      // Nor does a provider's `at` ten days back (not believed: past the 7 days a receipt's may be) reach it.
      await mo!.receive({ from: phone(5), to: 'ACME', text: 'STOP', at: t.clock.now() - 10 * DAY });
      await mo!.receive({ from: phone(3), to: 'ACME', text: 'STOP' });
      await mo!.receive({ from: 'not a number', to: 'ACME', text: 'STOP' });
      await mo!.receive({ from: phone(1), to: 'ACME', text: 'Hello' });
      assert.deepEqual(await stopList(t, a), [[phone(1), 'STOP by SMS']]);
      assert.deepEqual(await stopList(t, b), [[phone(1), 'STOP by SMS']]);

      const text = (await t.request('GET', '/metrics')).text;
      const count = (outcome: string) => sample(text, 'relais_inbound_total', `transport="scripted",outcome="${outcome}"`);
      assert.deepEqual(['stopped', 'ambiguous', 'unattributed', 'other'].map(count), [2, 1, 4, 1]);
    } finally {
      await t.close();
    }
  });

  const inboundCount = async (t: TestApp, transport: string, outcome: string) =>
    sample((await t.request('GET', '/metrics')).text, 'relais_inbound_total', `transport="${transport}",outcome="${outcome}"`);

  test('a send naming no sender through a provider that declares no default is never attributed: B does not get the STOP meant for A, whose send left the window', async () => {
    let mo: ProviderDouble | undefined;
    const t = await startTestApp({ dialect, transports: (core) => ({ sms: (mo = provider(core)) }) });
    try {
      const a = (await t.account('100', 'a')).id;
      const b = (await t.account('100', 'b')).id;
      assert.ok(await sms(t, a, phone(1), 'ACME', t.clock.now() + MIN));
      t.clock.advance(MIN);
      await t.dispatcher.drain();
      t.clock.advance(31 * DAY);
      assert.ok(await sms(t, b, phone(1), null, t.clock.now() + MIN));
      t.clock.advance(MIN);
      await t.dispatcher.drain();

      await mo!.receive({ from: phone(1), to: 'ACME', text: 'STOP' });
      assert.deepEqual([await stopList(t, a), await stopList(t, b)], [[], []]);
      assert.equal(await inboundCount(t, 'scripted', 'unattributed'), 1);
    } finally {
      await t.close();
    }
  });

  test('a STOP answers the sender the SMS went out with, recorded then: account defaults changed since do not move it', async () => {
    let mo: ProviderDouble | undefined;
    const t = await startTestApp({ dialect, transports: (core) => ({ sms: (mo = provider(core, 'scripted', '+33600000000')) }) });
    try {
      const a = await t.account('100', 'a');
      const b = (await t.account('100', 'b')).id;
      await t.store.autocommit.setDefaultSender(a.id, 'OLD');
      await t.store.autocommit.setDefaultSender(b, 'BEE');
      // The native API sends with the account's default sender of the moment; B's SMS names none
      // and goes out with the provider's declared default number.
      const sent = await t.request('POST', '/api/v1/messages', { key: a.apiKey, body: { channel: 'sms', to: [phone(1)], text: 'promo' } });
      assert.equal(sent.status, 201, sent.text);
      assert.ok(await sms(t, b, phone(2), null, t.clock.now()));
      await t.dispatcher.drain();
      await t.store.autocommit.setDefaultSender(a.id, 'NEW');
      await t.store.autocommit.setDefaultSender(b, 'BEE2');

      await mo!.receive({ from: phone(1), to: 'NEW', text: 'STOP' });
      await mo!.receive({ from: phone(2), to: 'BEE2', text: 'STOP' });
      assert.deepEqual([await stopList(t, a.id), await stopList(t, b)], [[], []]);
      await mo!.receive({ from: phone(1), to: 'old', text: 'STOP' });
      await mo!.receive({ from: phone(2), to: '+33600000000', text: 'STOP' });
      assert.deepEqual([await stopList(t, a.id), await stopList(t, b)], [[[phone(1), 'STOP by SMS']], [[phone(2), 'STOP by SMS']]]);
    } finally {
      await t.close();
    }
  });

  test('a STOP through one transport does not match the SMS another transport sent', async () => {
    let x: ProviderDouble | undefined;
    let y: ProviderDouble | undefined;
    const t = await startTestApp({ dialect, transports: (core) => ({ sms: (x = provider(core, 'x')), voice: (y = provider(core, 'y')) }) });
    try {
      const a = (await t.account('100', 'a')).id;
      assert.ok(await sms(t, a, phone(1), 'ACME', t.clock.now()));
      await t.dispatcher.drain();

      await y!.receive({ from: phone(1), to: 'ACME', text: 'STOP' });
      assert.deepEqual(await stopList(t, a), []);
      assert.equal(await inboundCount(t, 'y', 'unattributed'), 1);
      await x!.receive({ from: phone(1), to: 'ACME', text: 'STOP' });
      assert.deepEqual(await stopList(t, a), [[phone(1), 'STOP by SMS']]);
    } finally {
      await t.close();
    }
  });
});
