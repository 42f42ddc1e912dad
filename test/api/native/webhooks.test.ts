import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { sql } from 'kysely';
import type { KyselyStore } from '../../../src/store/kysely-store.js';
import { dialectApp, type TestApp } from '../../helpers/app.js';
import { waitFor } from '../../helpers/dispatch.js';
import { assertProblem, assertStatus, at, HOUR, MIN, phone, schedule } from './support.js';

/** One request a receiver got, its signature checked the way docs/API.md tells receivers to. */
interface Heard {
  id: string;
  path: string;
  type: string;
  body: any;
  signatureOk: boolean;
}

/** Standard Webhooks verification, written from the spec rather than from Relais's code. */
function verifies(secret: string, req: IncomingMessage, body: string): boolean {
  const id = String(req.headers['webhook-id']);
  const timestamp = String(req.headers['webhook-timestamp']);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return String(req.headers['webhook-signature']).split(' ').some((s) => s === `v1,${expected}`) && /^\d{10}$/.test(timestamp);
}

/**
 * A receiver on 127.0.0.1: `answer` decides, per request (how many times its webhook-id came
 * before, its path), what to do with it: a status, or 'hang' (never answered until `release`).
 * Signatures are checked with the secret of the endpoint subscribed last.
 */
async function receiver(answer: (seen: number, path: string) => number | 'hang') {
  const heard: Heard[] = [];
  const hanging: ServerResponse[] = [];
  let secret = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const body = JSON.parse(text);
      const id = String(req.headers['webhook-id']);
      const seen = heard.filter((h) => h.id === id).length;
      const path = String(req.url);
      heard.push({ id, path, type: body.type, body, signatureOk: verifies(secret, req, text) });
      const a = answer(seen, path);
      if (a === 'hang') hanging.push(res);
      else res.writeHead(a).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    heard,
    hanging,
    setSecret(s: string) {
      secret = s;
    },
    release() {
      for (const res of hanging.splice(0)) res.writeHead(200).end();
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

type Receiver = Awaited<ReturnType<typeof receiver>>;

async function subscribe(t: TestApp, key: string, r: Receiver, events: string[], path = '/hooks'): Promise<any> {
  const res = await t.request('POST', '/api/v1/webhooks', { key, body: { url: r.origin + path, events, description: 'test' } });
  assertStatus(res, 201);
  r.setSecret(res.body.secret);
  return res.body;
}

/** Sends what is due, then delivers webhooks, moving the clock past every backoff until nothing is pending (bounded). */
async function deliverAll(t: TestApp): Promise<void> {
  await t.dispatcher.drain();
  for (let round = 0; round < 40; round++) {
    await t.webhooks.drain();
    const pending = (await t.store.autocommit.listWebhooks({})).filter((d) => d.status === 'pending');
    if (pending.length === 0) return;
    t.clock.advance(2 * HOUR);
  }
  throw new Error('deliveries still pending after 40 rounds');
}

dialectApp('Native status webhooks', ({ app }) => {
  test('endpoints: created with a secret shown once, listed and read without it, per account, scope webhooks:write, bounded input', async () => {
    const t = app();
    const a = await t.account('100');
    const b = await t.account('100', 'other');
    const created = await t.request('POST', '/api/v1/webhooks', { key: a.apiKey, body: { url: 'https://hooks.example.com/relais', events: ['sent', 'failed', 'sent'] } });
    assertStatus(created, 201);
    assert.match(created.body.secret, /^whsec_[A-Za-z0-9+/]{32}$/);
    const { secret, ...view } = created.body;
    assert.deepEqual(view, { id: view.id, url: 'https://hooks.example.com/relais', events: ['sent', 'failed'], description: null, createdAt: new Date(t.clock.now()).toISOString() });
    assert.equal(created.headers.get('location'), `/api/v1/webhooks/${view.id}`);

    assert.deepEqual((await t.request('GET', '/api/v1/webhooks', { key: a.apiKey })).body, { items: [view], nextCursor: null });
    assert.deepEqual((await t.request('GET', `/api/v1/webhooks/${view.id}`, { key: a.apiKey })).body, view);
    assert.deepEqual((await t.request('GET', '/api/v1/webhooks', { key: b.apiKey })).body, { items: [], nextCursor: null });
    assertProblem(await t.request('GET', `/api/v1/webhooks/${view.id}`, { key: b.apiKey }), 404, 'not_found');
    assertProblem(await t.request('GET', `/api/v1/webhooks/${view.id}/deliveries`, { key: b.apiKey }), 404, 'not_found');
    assertProblem(await t.request('DELETE', `/api/v1/webhooks/${view.id}`, { key: b.apiKey }), 404, 'not_found');

    const keyRes = await t.request('POST', `/admin/v1/accounts/${a.id}/keys`, { body: { scopes: ['messages:read'] }, headers: { authorization: 'Bearer test-admin-token' } });
    assertStatus(keyRes, 201);
    assertProblem(await t.request('GET', '/api/v1/webhooks', { key: keyRes.body.apiKey }), 403, 'forbidden');
    assertProblem(await t.request('POST', '/api/v1/webhooks', { key: keyRes.body.apiKey, body: { url: 'https://x.example.com/', events: ['sent'] } }), 403, 'forbidden');

    for (const body of [
      { url: 'https://x.example.com/', events: [] },
      { url: 'https://x.example.com/', events: ['opened'] },
      { url: 'ftp://x.example.com/', events: ['sent'] },
      { url: `https://x.example.com/${'a'.repeat(2000)}`, events: ['sent'] },
      { url: 'https://x.example.com/', events: ['sent'], description: 'd'.repeat(201) },
      { url: 'https://x.example.com/', events: ['sent'], extra: 1 },
    ]) assertProblem(await t.request('POST', '/api/v1/webhooks', { key: a.apiKey, body }), 400, 'invalid_request');

    for (let i = 1; i < 20; i++) assertStatus(await t.request('POST', '/api/v1/webhooks', { key: a.apiKey, body: { url: `https://x.example.com/${i}`, events: ['sent'] } }), 201);
    assertProblem(await t.request('POST', '/api/v1/webhooks', { key: a.apiKey, body: { url: 'https://x.example.com/21', events: ['sent'] } }), 409, 'conflict', /at most 20/);
    const firstPage = await t.request('GET', '/api/v1/webhooks?limit=15', { key: a.apiKey });
    const second = await t.request('GET', `/api/v1/webhooks?limit=15&cursor=${firstPage.body.nextCursor}`, { key: a.apiKey });
    assert.deepEqual([firstPage.body.items.length, second.body.items.length, second.body.nextCursor], [15, 5, null]);

    assertStatus(await t.request('DELETE', `/api/v1/webhooks/${view.id}`, { key: a.apiKey }), 204);
    assertProblem(await t.request('GET', `/api/v1/webhooks/${view.id}`, { key: a.apiKey }), 404, 'not_found');
  });

  test('every subscribed event reaches the receiver signed, exactly once per webhook-id after a 500 and a timeout; the attempts are listed', async () => {
    const t = app();
    const a = await t.account('100');
    const other = await t.account('100', 'other');
    // First attempt of every delivery: 500; second: no answer before RELAIS_WEBHOOK_TIMEOUT_MS; third: 204.
    const r = await receiver((seen) => (seen === 0 ? 500 : seen === 1 ? 'hang' : 204));
    try {
      const endpoint = await subscribe(t, a.apiKey, r, ['scheduled', 'sent', 'cancelled']);
      const to = [phone(), phone()];
      const sent = await schedule(t, a.apiKey, { channel: 'sms', to, text: 'hi', sendAt: at(t, MIN), tag: 'promo' });
      const cancelled = await schedule(t, a.apiKey, { channel: 'sms', to: [phone()], text: 'later', sendAt: at(t, 3 * HOUR) });
      assertStatus(await t.request('DELETE', `/api/v1/messages/${cancelled.id}`, { key: a.apiKey }), 200);
      // Another account's message: nothing for this endpoint.
      await schedule(t, other.apiKey, { channel: 'sms', to: [phone()], text: 'x', sendAt: at(t, MIN) });
      t.clock.advance(MIN);
      await deliverAll(t);

      assert.ok(r.heard.every((h) => h.signatureOk), 'every request verifies');
      const unique = new Map(r.heard.map((h) => [h.id, h.body]));
      assert.equal(r.heard.length, unique.size * 3, 'three attempts each');
      const byOrder = (x: unknown[], y: unknown[]) => String(x).localeCompare(String(y));
      const events = [...unique.values()].map((b) => [b.type, b.data.messageId, b.data.recipientId === null, b.data.status]).sort(byOrder);
      assert.deepEqual(events, [
        ['cancelled', cancelled.id, true, 'cancelled'],
        ['scheduled', cancelled.id, true, 'scheduled'],
        ['scheduled', sent.id, true, 'scheduled'],
        ['sent', sent.id, false, 'sent'],
        ['sent', sent.id, false, 'sent'],
      ].sort(byOrder));
      const sentBodies = [...unique.values()].filter((b) => b.type === 'sent');
      assert.deepEqual(sentBodies.map((b) => b.data.address).sort(), to.map((p) => `+33${p.slice(1)}`).sort());
      for (const b of sentBodies) {
        assert.equal(b.data.channel, 'sms');
        assert.equal(b.data.tag, 'promo');
        assert.equal(typeof b.data.recipientId, 'number');
        assert.equal(typeof b.data.providerId, 'string');
        assert.equal(b.data.awaitsReceipt, false, 'the outbox reports no receipts');
      }
      const scheduled = [...unique.values()].find((b) => b.type === 'scheduled' && b.data.messageId === sent.id);
      assert.equal(scheduled.data.recipients, 2);

      const deliveries = await t.request('GET', `/api/v1/webhooks/${endpoint.id}/deliveries?limit=3`, { key: a.apiKey });
      assertStatus(deliveries, 200);
      assert.equal(deliveries.body.items.length, 3);
      for (const d of deliveries.body.items) {
        assert.ok(unique.has(d.id), `${d.id} is a webhook-id the receiver got`);
        assert.equal(d.status, 'delivered');
        assert.equal(d.nextAttemptAt, null);
        assert.deepEqual(d.attempts.map((x: any) => x.httpStatus), [500, null, 204]);
        assert.deepEqual(d.attempts.map((x: any) => x.error), ['HTTP 500', `timeout after ${t.config.webhooks.timeoutMs} ms`, null]);
      }
      const rest = await t.request('GET', `/api/v1/webhooks/${endpoint.id}/deliveries?cursor=${deliveries.body.nextCursor}`, { key: a.apiKey });
      assert.deepEqual([rest.body.items.length, rest.body.nextCursor], [2, null]);
    } finally {
      r.release();
      await r.close();
    }
  });

  test('a delivery is retried for 24 hours, then failed; deleting an endpoint stops its pending deliveries', async () => {
    const t = app();
    const a = await t.account('100');
    const down = await receiver(() => 503);
    const deleted = await receiver(() => 503);
    try {
      await subscribe(t, a.apiKey, down, ['scheduled']);
      const gone = await subscribe(t, a.apiKey, deleted, ['scheduled']);
      await schedule(t, a.apiKey, { channel: 'sms', to: [phone()], text: 'x', sendAt: at(t, HOUR) });
      const start = t.clock.now();
      await t.webhooks.drain();
      assert.deepEqual([down.heard.length, deleted.heard.length], [1, 1]);
      assertStatus(await t.request('DELETE', `/api/v1/webhooks/${gone.id}`, { key: a.apiKey }), 204);
      await deliverAll(t);
      assert.equal(deleted.heard.length, 1, 'nothing after the delete');
      const [d] = await t.store.autocommit.listWebhooks({ accountId: a.id });
      assert.equal(d!.status, 'failed');
      assert.ok(down.heard.length > 8, `${down.heard.length} attempts: more than the old default of 8`);
      const last = (await t.store.autocommit.listEndpointDeliveries(d!.endpointId!, { limit: 1 }))[0]!.attemptLog.at(-1)!;
      assert.ok(last.at <= start + 24 * HOUR && last.at > start + 20 * HOUR, 'the last attempt falls within the 24 h window, near its end');
    } finally {
      await down.close();
      await deleted.close();
    }
  });

  test('a delivery that outlived its endpoint (deleted while the event was enqueued) fails at its first attempt', async () => {
    const t = app();
    const a = await t.account('100');
    const r = await receiver(() => 200);
    try {
      const endpoint = await subscribe(t, a.apiKey, r, ['scheduled']);
      await schedule(t, a.apiKey, { channel: 'sms', to: [phone()], text: 'x', sendAt: at(t, HOUR) });
      // What a concurrent enqueue leaves on PostgreSQL: the endpoint gone, its delivery still there.
      await sql`delete from webhook_endpoints where id = ${endpoint.id}`.execute((t.store as KyselyStore).db);
      assert.equal(await t.webhooks.drain(), 1);
      const [d] = await t.store.autocommit.listWebhooks({ accountId: a.id });
      assert.deepEqual([d!.status, d!.attempts, d!.lastError], ['failed', 1, `webhook endpoint ${endpoint.id} no longer exists`]);
      assert.equal(r.heard.length, 0);
    } finally {
      await r.close();
    }
  });

  // One host for both: a receiver service shared by its customers (Zapier-like), one path each.
  for (const shared of [false, true]) {
    test(`a hanging endpoint of one account does not delay another account's deliveries${shared ? ' on the same host' : ''}`, async () => {
      const t = app();
      const slow = await t.account('100', 'slow');
      const fast = await t.account('100', 'fast');
      const hang = await receiver((_seen, path) => (path === '/fast' ? 200 : 'hang'));
      const ok = shared ? hang : await receiver(() => 200);
      try {
        await subscribe(t, slow.apiKey, hang, ['sent'], '/slow');
        await subscribe(t, fast.apiKey, ok, ['sent'], '/fast');
        const heardBy = (path: string) => hang.heard.concat(shared ? [] : ok.heard).filter((h) => h.path === path).length;
        // More of the slow account's deliveries than a claim takes, and older than the fast one's.
        await schedule(t, slow.apiKey, { channel: 'sms', to: Array.from({ length: 60 }, () => phone()), text: 'x', sendAt: at(t, MIN) });
        t.clock.advance(MIN);
        await t.dispatcher.drain();
        await schedule(t, fast.apiKey, { channel: 'sms', to: [phone()], text: 'y', sendAt: at(t, 0) });
        await t.dispatcher.drain();
        const draining = t.webhooks.drain();
        await waitFor('the fast account\'s delivery', async () => (heardBy('/fast') === 1 ? true : undefined), 10_000);
        const [fastDelivery] = await t.store.autocommit.listWebhooks({ accountId: fast.id });
        await waitFor('its record', async () => ((await t.store.autocommit.listWebhooks({ accountId: fast.id }))[0]?.status === 'delivered' ? true : undefined), 10_000);
        assert.equal(fastDelivery!.event, 'sent');
        const slowHeard = heardBy('/slow');
        assert.ok(slowHeard <= t.config.webhooks.destinationConcurrency, `${slowHeard} requests to the slow endpoint: it holds only its per-destination slots`);
        assert.equal(slowHeard, hang.hanging.length, 'none of its requests was answered yet');
        const finish = setInterval(() => hang.release(), 20);
        await draining;
        clearInterval(finish);
      } finally {
        hang.release();
        await hang.close();
        if (!shared) await ok.close();
      }
    });
  }
}, { env: { RELAIS_WEBHOOK_TIMEOUT_MS: '300' } });

dialectApp('Native status webhooks without RELAIS_ALLOW_PRIVATE_CALLBACKS', ({ app }) => {
  test('a loopback, private or local URL is refused naming the rule', async () => {
    const t = app();
    const a = await t.account('100');
    for (const url of ['http://127.0.0.1:8080/x', 'http://10.0.0.8/x', 'http://localhost/x', 'http://[::1]/x', 'http://169.254.169.254/latest']) {
      assertProblem(await t.request('POST', '/api/v1/webhooks', { key: a.apiKey, body: { url, events: ['sent'] } }), 400, 'invalid_request', /url must point at a public address/);
    }
    assert.deepEqual((await t.request('GET', '/api/v1/webhooks', { key: a.apiKey })).body.items, []);
  });
}, { env: { RELAIS_ALLOW_PRIVATE_CALLBACKS: 'false' } });
