import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { listWebhooks } from '../../../../src/core/webhooks.js';
import { dialectApp } from '../../../helpers/app.js';
import { account, assertLedger, HOUR, MIN, phone, post, schedule, scheduleParams } from './support.js';

const SECRET = 'whsec-test';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on 127.0.0.1 whose answer per request is scripted by path. */
class Receiver {
  readonly received: Received[] = [];
  private server: Server | undefined;
  /** Path → statuses to answer in turn (then 200); `hang` never answers. */
  script = new Map<string, (number | 'hang')[]>();

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        this.received.push({ path: req.url ?? '', headers: req.headers, body });
        const next = this.script.get(req.url ?? '')?.shift() ?? 200;
        if (next === 'hang') return;
        res.writeHead(next).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}${path}`;
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const receiver = new Receiver();
before(() => receiver.start());
after(() => receiver.stop());

const sec = (ms: number) => String(Math.floor(ms / 1000));

dialectApp('SMS Partner: urlDlr status callbacks', ({ app, dialect }) => {
  test('each recipient\'s status change is POSTed, signed; a 500 is retried with backoff until delivered', async () => {
    const t = app();
    const a = await account(t, '10');
    const path = `/dlr-retry-${dialect}`;
    receiver.script.set(path, [500]);
    const [p1, p2] = [phone(), phone()];
    const s = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: `${p1.national},${p2.national}`, message: 'x', tag: 'promo', urlDlr: receiver.url(path) });
    await t.webhooks.drain();
    assert.equal(receiver.at(path).length, 0, 'nothing to say before the send');
    await t.dispatcher.drain();
    const sentAt = t.clock.now();
    assert.equal(await t.webhooks.drain(), 2);
    let rows = await listWebhooks(t.core, { messageId: s.body.message_id });
    assert.deepEqual(rows.map((r) => r.status).sort(), ['delivered', 'pending']);
    const failed = rows.find((r) => r.status === 'pending')!;
    assert.deepEqual([failed.attempts, failed.lastError], [1, 'HTTP 500']);
    assert.ok(failed.nextAttemptAt > t.clock.now() && failed.nextAttemptAt <= t.clock.now() + 5_000, 'first retry within the backoff base');
    assert.equal(await t.webhooks.drain(), 0, 'not before its time');
    t.clock.advance(10 * MIN);
    assert.equal(await t.webhooks.drain(), 1);
    rows = await listWebhooks(t.core, { messageId: s.body.message_id });
    assert.deepEqual(rows.map((r) => r.status), ['delivered', 'delivered']);

    const got = receiver.at(path);
    assert.equal(got.length, 3);
    const bodies = got.map((r) => Object.fromEntries(new URLSearchParams(r.body)));
    for (const p of [p1, p2]) {
      assert.ok(bodies.some((b) => JSON.stringify(b) === JSON.stringify({ message_id: String(s.body.message_id), phoneNumber: p.e164, status: 'Delivered', date: sec(sentAt), tag: 'promo', stopSms: '0' })), p.e164);
    }
    assert.equal(got[0]!.body, got[2]!.body, 'the retry sends the same body');
    for (const r of got) {
      assert.equal(r.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(r.headers['x-relais-signature'], `sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`);
      assert.equal(r.headers['x-relais-event'], 'sent');
    }
  });

  test('a cancelled recipient (STOP list) is reported Not delivered with stopSms=1; a client cancel says nothing', async () => {
    const t = app();
    const a = await account(t, '10');
    const path = `/dlr-stop-${dialect}`;
    const [stopped, other] = [phone(), phone()];
    const s = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: `${stopped.national},${other.national}`, message: 'x', urlDlr: receiver.url(path), ...scheduleParams(schedule(t, HOUR)) });
    await post(t, '/stop-sms/add', { apiKey: a.apiKey, phoneNumber: stopped.national });
    await t.webhooks.drain();
    assert.deepEqual(receiver.at(path).map((r) => Object.fromEntries(new URLSearchParams(r.body))), [
      { message_id: String(s.body.message_id), phoneNumber: stopped.e164, status: 'Not delivered', date: sec(t.clock.now()), stopSms: '1' },
    ]);
    await post(t, '/message-cancel', { apiKey: a.apiKey, messageId: s.body.message_id });
    await t.webhooks.drain();
    assert.equal(receiver.at(path).length, 1);
  });

  test('a timeout is retried; a 4xx is final; after the last attempt the delivery is given up', async () => {
    const t = app();
    const a = await account(t, '10');
    const [slow, gone, broken] = [`/dlr-slow-${dialect}`, `/dlr-gone-${dialect}`, `/dlr-broken-${dialect}`];
    receiver.script.set(slow, ['hang']);
    receiver.script.set(gone, [404]);
    receiver.script.set(broken, [503, 503, 503, 503]);
    const ids: number[] = [];
    for (const path of [slow, gone, broken]) {
      ids.push((await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'x', urlDlr: receiver.url(path) })).body.message_id);
    }
    await t.dispatcher.drain();
    await t.webhooks.drain();
    const state = async (id: number) => (await listWebhooks(t.core, { messageId: id })).map((r) => [r.status, r.attempts, r.lastError]);
    assert.deepEqual(await state(ids[0]!), [['pending', 1, 'timeout after 300 ms']]);
    assert.deepEqual(await state(ids[1]!), [['failed', 1, 'HTTP 404']]);
    assert.deepEqual(await state(ids[2]!), [['pending', 1, 'HTTP 503']]);
    for (let i = 0; i < 3; i++) {
      t.clock.advance(HOUR);
      await t.webhooks.drain();
    }
    assert.deepEqual(await state(ids[0]!), [['delivered', 2, null]]);
    assert.deepEqual(await state(ids[2]!), [['failed', 3, 'HTTP 503']], 'RELAIS_WEBHOOK_MAX_ATTEMPTS=3');
    assert.equal(receiver.at(broken).length, 3);
  });

  test('no urlDlr, no callback', async () => {
    const t = app();
    const a = await account(t, '10');
    const s = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'x' });
    await t.dispatcher.drain();
    assert.deepEqual(await listWebhooks(t.core, { messageId: s.body.message_id }), []);
  });
}, { env: { RELAIS_WEBHOOK_SECRET: SECRET, RELAIS_WEBHOOK_TIMEOUT_MS: '300', RELAIS_WEBHOOK_MAX_ATTEMPTS: '3' } });

/** Every spelling of a non-public destination that a client might try (the URL parser folds many into one). */
const PRIVATE_URLS = [
  'http://localhost/dlr', 'http://LOCALHOST./dlr', 'http://api.localhost:8080/dlr', 'http://intranet/dlr',
  'http://[::1]/dlr', 'http://0x7f000001/dlr', 'http://2130706433/dlr', 'http://127.1/dlr', 'http://0177.0.0.1/dlr', 'https://127.0.0.1:8443/dlr',
  'http://0/dlr', 'http://0.0.0.0/dlr', 'http://[::]/dlr', 'http://[::ffff:127.0.0.1]/dlr', 'http://[::ffff:7f00:1]/dlr', 'http://[64:ff9b::7f00:1]/dlr',
  'http://10.0.0.1/dlr', 'http://172.16.0.1/dlr', 'http://192.168.1.10/dlr', 'http://100.64.0.1/dlr',
  'http://169.254.169.254/latest/meta-data/', 'http://[fe80::1]/dlr', 'http://[fd00::1]/dlr', 'http://224.0.0.1/dlr', 'http://255.255.255.255/dlr',
];

dialectApp('SMS Partner: urlDlr must be a public http(s) address', ({ app }) => {
  test('loopback, private, link-local, unspecified, multicast and reserved hosts are refused in every spelling, nothing billed', async () => {
    const t = app();
    const a = await account(t, '10');
    for (const url of [...PRIVATE_URLS, 'ftp://8.8.8.8/dlr', 'javascript:alert(1)']) {
      for (const field of ['urlDlr', 'urlResponse']) {
        const r = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'x', [field]: url });
        const errors = [{ elementId: `children[${field}].data`, message: "L'url est invalide" }];
        assert.equal(r.status, 400, `${field}=${url}: ${r.text}`);
        assert.equal(r.text, JSON.stringify({ success: false, code: 9, errors, error: errors }), `${field}=${url}`);
      }
    }
    await assertLedger(t, a.id, 10_000);
  });

  test('a public address or name is accepted and stored normalised', async () => {
    const t = app();
    const a = await account(t, '10');
    for (const [url, stored] of [['http://8.8.8.8/dlr', 'http://8.8.8.8/dlr'], ['HTTPS://Hooks.Example.COM:443?id=1', 'https://hooks.example.com/?id=1'], ['http://[2001:4860:4860::8888]:8080/x', 'http://[2001:4860:4860::8888]:8080/x']]) {
      const s = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'x', urlDlr: url });
      assert.equal(s.status, 200, `${url}: ${s.text}`);
      await t.dispatcher.drain();
      assert.deepEqual((await listWebhooks(t.core, { messageId: s.body.message_id })).map((r) => r.url), [stored]);
    }
  });
}, { env: { RELAIS_ALLOW_PRIVATE_CALLBACKS: 'false' } });
