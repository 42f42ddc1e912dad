import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cancelMessage } from '../../src/core/cancel.js';
import type { Core } from '../../src/core/context.js';
import { scheduleMessage } from '../../src/core/schedule.js';
import type { Receipt, SendResult, Transport } from '../../src/core/transport.js';
import type { Message } from '../../src/core/types.js';
import { ledgerInvariant, startTestApp, type TestApp } from '../helpers/app.js';
import { eachDialect, phone, SMS_PRICE } from '../helpers/dispatch.js';
import { EMAIL_PRICE } from './mail-fixtures.js';

/**
 * How the contract drives one transport. `create` builds it for a server; `received` reads what
 * reached its wire (the outbox's rows, a test SMTP server's mailbox…), as addresses in arrival
 * order. The optional capabilities are ways to make its provider fail or report receipts; a case
 * that needs one the harness lacks is not registered for it (it cannot pass unexercised): the
 * scripted provider of scripted.test.ts has them all and runs every case.
 */
export interface TransportHarness {
  name: string;
  create(core: Core): Transport;
  received(t: TestApp, transport: Transport): Promise<string[]>;
  /**
   * Makes the provider refuse the next sends to `address` as `results` say (retryable or not,
   * reason, code), one per send, then accept again. Returns what the transport reports for them:
   * `results` themselves, unless the provider words them its own way (an SMTP server's reply and code).
   */
  failNext?(transport: Transport, address: string, results: SendResult[]): SendResult[] | void;
  /**
   * Makes the provider report `receipt`; resolves once the transport had it recorded (acknowledged
   * it), with the receipt as the transport words it, unless it is `receipt` itself (an SMSC's
   * receipt carries a state word and an error code, not a reason nor a time).
   */
  receipt?(transport: Transport, receipt: Receipt): Promise<Receipt | void>;
  /** Settings for the server (e.g. RELAIS_<NAME>_* pointing at a test provider). */
  env?: Record<string, string>;
  /** The channel the transport carries in the cases (default sms). */
  channel?: 'sms' | 'email';
}

/** What the cases send on a channel: its i-th address, its content, its price per recipient. */
const CHANNEL_CASES = {
  sms: { address: phone, content: { channel: 'sms', text: 'contract', sender: null, unicode: false }, price: SMS_PRICE },
  email: {
    address: (i: number) => `contract.${i}@example.com`,
    content: { channel: 'email', subject: 'contract', text: 'contract', html: null, from: 'relais@example.com', replyTo: null },
    price: EMAIL_PRICE,
  },
} as const;

const MIN = 60_000;
const CREDITS = 100_000;
const CALLBACK = { url: 'http://127.0.0.1:9/receipts', format: 'smspartner' };

async function withTransport(h: TransportHarness, dialect: 'sqlite' | 'postgres', env: Record<string, string>,
  fn: (t: TestApp, transport: Transport, accountId: number) => Promise<void>): Promise<void> {
  let transport: Transport | undefined;
  const t = await startTestApp({ dialect, env: { ...h.env, ...env }, transports: (core) => ({ [h.channel ?? 'sms']: (transport = h.create(core)) }) });
  try {
    const { id } = await t.account('100');
    await fn(t, transport!, id);
  } finally {
    await t.close();
    await transport!.close();
  }
}

const scheduleOn = async (channel: 'sms' | 'email', t: TestApp, accountId: number, to: string[]): Promise<Message> => (await scheduleMessage(t.core, accountId, {
  channel, recipients: to, sendAt: t.clock.now() + MIN, content: CHANNEL_CASES[channel].content, callback: CALLBACK,
})).message;

async function assertBalance(t: TestApp, accountId: number, expected: number): Promise<void> {
  const { balance, sum } = await ledgerInvariant(t.store, accountId);
  assert.equal(sum, balance, 'balance equals the sum of the ledger');
  assert.equal(balance, expected);
}

const refunds = async (t: TestApp, accountId: number) =>
  (await t.store.autocommit.listLedger(accountId, { limit: 1000 })).filter((e) => e.kind === 'refund').map((e) => [e.messageId, e.amount, e.cause]);

/** Registers the transport contract for `h`, on every test database. */
export function transportContract(h: TransportHarness): void {
  const { address, price } = CHANNEL_CASES[h.channel ?? 'sms'];
  const schedule = (t: TestApp, accountId: number, to: string[]) => scheduleOn(h.channel ?? 'sms', t, accountId, to);
  const failNext = (transport: Transport, to: string, results: SendResult[]): SendResult[] => h.failNext!(transport, to, results) ?? results;
  const report = async (transport: Transport, receipt: Receipt): Promise<Receipt> => (await h.receipt!(transport, receipt)) ?? receipt;
  const withCapability = (capability: 'failNext' | 'receipt') => (name: string, fn: () => Promise<void>): void => {
    if (h[capability]) test(name, fn);
  };

  eachDialect(`transport contract: ${h.name}`, (dialect) => {
    test('accepted: each recipient is sent with the provider id, once, with its sent event and callback; the price stays paid', async () => {
      await withTransport(h, dialect, {}, async (t, transport, accountId) => {
        const m = await schedule(t, accountId, [address(1), address(2)]);
        t.clock.set(m.sendAt);
        assert.equal(await t.dispatcher.drain(), 1);
        const rs = await t.store.autocommit.getRecipients(m.id);
        assert.deepEqual(rs.map((r) => [r.address, r.status, r.attempts]), [[address(1), 'sent', 1], [address(2), 'sent', 1]]);
        assert.ok(rs.every((r) => r.providerId), 'every recipient has a provider id');
        assert.equal((await t.store.autocommit.getMessage(m.id))!.status, 'sent');
        const sent = (await t.store.autocommit.getEvents(m.id)).filter((e) => e.type === 'sent');
        // A transport with receipts: the event says one will follow (what SMS Partner's urlDlr word reads).
        const awaits = transport.receipts ? { awaitsReceipt: true } : {};
        assert.deepEqual(sent.map((e) => [e.recipientId, e.data]).sort(), rs.map((r) => [r.id, { providerId: r.providerId, ...awaits }]).sort());
        assert.deepEqual((await t.store.autocommit.listWebhooks({ messageId: m.id })).map((w) => w.event), ['sent', 'sent']);
        assert.deepEqual((await h.received(t, transport)).sort(), [address(1), address(2)]);
        t.clock.advance(60 * MIN);
        assert.equal(await t.dispatcher.drain(), 0, 'nothing is sent twice');
        await assertBalance(t, accountId, CREDITS - 2 * price);
      });
    });

    withCapability('failNext')('retryable, then accepted: the recipient waits for its backoff and is sent on a later attempt', async () => {
      await withTransport(h, dialect, {}, async (t, transport, accountId) => {
        const m = await schedule(t, accountId, [address(1)]);
        const [said] = failNext(transport, address(1), [{ ok: false, retryable: true, reason: 'throttled' }]);
        t.clock.set(m.sendAt);
        assert.equal(await t.dispatcher.drain(), 1);
        let [r] = await t.store.autocommit.getRecipients(m.id);
        assert.deepEqual([r.status, r.attempts, r.error], ['pending', 1, said.ok ? null : said.reason]);
        t.clock.set((await t.store.autocommit.nextWakeAt())! + 1);
        assert.equal(await t.dispatcher.drain(), 1);
        [r] = await t.store.autocommit.getRecipients(m.id);
        assert.deepEqual([r.status, r.attempts, r.error], ['sent', 2, null]);
        assert.equal((await t.store.autocommit.getMessage(m.id))!.status, 'sent');
        assert.deepEqual(await refunds(t, accountId), []);
        await assertBalance(t, accountId, CREDITS - price);
      });
    });

    withCapability('failNext')('permanent failure: the recipient fails with its reason and is refunded exactly once', async () => {
      await withTransport(h, dialect, {}, async (t, transport, accountId) => {
        const m = await schedule(t, accountId, [address(1), address(2)]);
        const [said] = failNext(transport, address(1), [{ ok: false, retryable: false, reason: 'unknown number', providerCode: 'E1' }]);
        assert.ok(!said.ok && !said.retryable);
        t.clock.set(m.sendAt);
        assert.equal(await t.dispatcher.drain(), 1);
        const rs = await t.store.autocommit.getRecipients(m.id);
        assert.deepEqual(rs.map((r) => [r.status, r.error]), [['failed', said.reason], ['sent', null]]);
        assert.equal((await t.store.autocommit.getMessage(m.id))!.status, 'partially_failed');
        const failed = (await t.store.autocommit.getEvents(m.id)).filter((e) => e.type === 'failed');
        assert.deepEqual(failed.map((e) => [e.recipientId, e.data]), [[rs[0].id, { reason: said.reason, providerCode: said.providerCode }]]);
        t.clock.advance(60 * MIN);
        assert.equal(await t.dispatcher.drain(), 0);
        assert.deepEqual(await refunds(t, accountId), [[m.id, price, `message ${m.id}: delivery to ${address(1)} failed`]]);
        await assertBalance(t, accountId, CREDITS - price);
      });
    });

    withCapability('receipt')('receipts: a sent recipient becomes delivered or undelivered with its event and callback, once; an unknown id changes nothing', async () => {
      await withTransport(h, dialect, {}, async (t, transport, accountId) => {
        const m = await schedule(t, accountId, [address(1), address(2)]);
        t.clock.set(m.sendAt);
        await t.dispatcher.drain();
        const [a, b] = await t.store.autocommit.getRecipients(m.id);
        t.clock.advance(5000);
        const saidA = await report(transport, { providerId: a.providerId!, status: 'delivered' });
        const saidB = await report(transport, { providerId: b.providerId!, status: 'undelivered', reason: 'absent subscriber', providerCode: '27', at: m.sendAt + 3000 });
        await report(transport, { providerId: a.providerId!, status: 'undelivered' });
        await report(transport, { providerId: 'never-sent', status: 'delivered' });
        const atB = saidB.at ?? t.clock.now();
        assert.ok(saidB.reason, 'an undelivered receipt has a reason');
        const rs = await t.store.autocommit.getRecipients(m.id);
        assert.deepEqual(rs.map((r) => [r.status, r.error, r.updatedAt]), [['delivered', null, t.clock.now()], ['undelivered', saidB.reason, atB]]);
        const events = (await t.store.autocommit.getEvents(m.id)).filter((e) => e.type === 'delivered' || e.type === 'undelivered');
        assert.deepEqual(events.map((e) => [e.type, e.recipientId, e.at, e.data]), [
          ['delivered', a.id, t.clock.now(), { providerId: a.providerId, reason: null, providerCode: saidA.providerCode ?? null }],
          ['undelivered', b.id, atB, { providerId: b.providerId, reason: saidB.reason, providerCode: saidB.providerCode }],
        ]);
        assert.deepEqual((await t.store.autocommit.listWebhooks({ messageId: m.id })).map((w) => w.event).sort(), ['delivered', 'sent', 'sent', 'undelivered']);
        assert.equal((await t.store.autocommit.getMessage(m.id))!.status, 'sent', 'a receipt does not change the message');
        // The vendors charge an undelivered SMS: no refund unless RELAIS_REFUND_UNDELIVERED.
        assert.deepEqual(await refunds(t, accountId), []);
        await assertBalance(t, accountId, CREDITS - 2 * price);
      });
    });

    withCapability('receipt')('receipts: with RELAIS_REFUND_UNDELIVERED an undelivered recipient is refunded once', async () => {
      await withTransport(h, dialect, { RELAIS_REFUND_UNDELIVERED: 'true' }, async (t, transport, accountId) => {
        const m = await schedule(t, accountId, [address(1)]);
        t.clock.set(m.sendAt);
        await t.dispatcher.drain();
        const [r] = await t.store.autocommit.getRecipients(m.id);
        await report(transport, { providerId: r.providerId!, status: 'undelivered' });
        await report(transport, { providerId: r.providerId!, status: 'undelivered' });
        assert.deepEqual(await refunds(t, accountId), [[m.id, price, `message ${m.id}: undelivered`]]);
        await assertBalance(t, accountId, CREDITS);
      });
    });

    test('cancel before send: the message never reaches the transport and is refunded whole', async () => {
      await withTransport(h, dialect, {}, async (t, transport, accountId) => {
        const m = await schedule(t, accountId, [address(1), address(2)]);
        await cancelMessage(t.core, accountId, m.id);
        t.clock.set(m.sendAt);
        assert.equal(await t.dispatcher.drain(), 0);
        assert.deepEqual(await h.received(t, transport), []);
        assert.deepEqual((await t.store.autocommit.getRecipients(m.id)).map((r) => r.status), ['cancelled', 'cancelled']);
        assert.deepEqual(await refunds(t, accountId), [[m.id, 2 * price, `message ${m.id} cancelled`]]);
        await assertBalance(t, accountId, CREDITS);
      });
    });

    test('close drains in-flight sends: it resolves after them, and refuses sends after it', async () => {
      await withTransport(h, dialect, {}, async (t, transport, accountId) => {
        const m = await schedule(t, accountId, [address(1)]);
        const [r] = await t.store.autocommit.getRecipients(m.id);
        const message = { accountId, messageId: m.id, channel: m.channel, sendAt: m.sendAt, metadata: null };
        const recipient = { recipientId: r.id, address: r.address, content: m.content };
        const order: string[] = [];
        const sending = transport.send(message, [recipient], { signal: new AbortController().signal }).then((results) => {
          order.push('sent');
          return results;
        });
        await transport.close().then(() => order.push('closed'));
        assert.deepEqual(order, ['sent', 'closed']);
        const [result] = await sending;
        assert.equal(result.ok, true);
        assert.deepEqual(await h.received(t, transport), [address(1)]);
        await assert.rejects(transport.send(message, [recipient], { signal: new AbortController().signal }), /closed/);
      });
    });
  });
}
