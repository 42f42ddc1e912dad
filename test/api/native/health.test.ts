import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addSuppression } from '../../../src/core/suppressions.js';
import { dialectApp, startTestApp, type TestApp } from '../../helpers/app.js';
import { ADMIN, assertLedger, assertProblem, assertStatus, at, MIN, phone, schedule } from './support.js';
import { sample } from '../../helpers/metrics.js';

dialectApp('health, readiness, metrics and API docs', ({ app, dialect }) => {
  test('GET /healthz → 200 {status:"ok"}, no key needed', async () => {
    const res = await app().request('GET', '/healthz');
    assertStatus(res, 200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  test('GET /readyz → 200 when the database answers', async () => {
    const res = await app().request('GET', '/readyz');
    assertStatus(res, 200);
    assert.deepEqual(res.body, { status: 'ready', database: dialect });
  });

  test('GET /metrics: Prometheus text with the lifecycle counters and the lateness histogram, counting what happened', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const before = (await t.request('GET', '/metrics')).text;
    const sms = await schedule(t, apiKey, { channel: 'sms', to: [phone(), phone(), phone()], text: 'x', sendAt: at(t, MIN) });
    const gone = await schedule(t, apiKey, { channel: 'sms', to: [phone(), phone()], text: 'x', sendAt: at(t, MIN) });
    assertStatus(await t.request('DELETE', `/api/v1/messages/${gone.id}`, { key: apiKey }), 200);
    const X = phone();
    await schedule(t, apiKey, { channel: 'sms', to: [X], text: 'x', sendAt: at(t, MIN) });
    // A STOP inside a vendor cutoff: too late to cancel, skipped at dispatch.
    await addSuppression(t.core, id, 'sms', X, 'STOP', { cutoffMs: 5 * MIN });
    t.clock.advance(MIN + 2500);
    await t.dispatcher.drain();
    assert.ok(sms.id);

    const res = await t.request('GET', '/metrics');
    assertStatus(res, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = res.text;
    for (const name of ['relais_messages_scheduled_total', 'relais_recipients_sent_total', 'relais_recipients_cancelled_total', 'relais_recipients_failed_total', 'relais_dispatch_lateness_seconds']) {
      assert.match(text, new RegExp(`^# TYPE ${name} (counter|histogram)$`, 'm'), name);
    }
    const delta = (name: string, labels = 'channel="sms"') => (sample(text, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    assert.equal(delta('relais_messages_scheduled_total'), 3);
    assert.equal(delta('relais_recipients_scheduled_total'), 6);
    assert.equal(delta('relais_recipients_sent_total'), 3);
    assert.equal(delta('relais_recipients_cancelled_total'), 2);
    assert.equal(delta('relais_messages_cancelled_total'), 1);
    assert.equal(delta('relais_recipients_skipped_total'), 1);
    assert.equal(delta('relais_dispatch_lateness_seconds_count'), 3);
    // Each was sent 2.5 s after its sendAt: counted in the le="2.5" bucket (inclusive), not in le="1".
    assert.equal(delta('relais_dispatch_lateness_seconds_bucket', 'le="2.5",channel="sms"'), 3);
    assert.equal(delta('relais_dispatch_lateness_seconds_bucket', 'le="1",channel="sms"'), 0);
    assert.equal(delta('relais_dispatch_lateness_seconds_sum'), 7.5);
    await assertLedger(t, id, 1000 - 3 * 45);
  });

  test('GET /docs/json: an OpenAPI document listing the native routes; /docs serves the UI', async () => {
    const t = app();
    const res = await t.request('GET', '/docs/json');
    assertStatus(res, 200);
    assert.match(res.body.openapi, /^3\./);
    assert.equal(res.body.info.title, 'Relais native API');
    const paths = res.body.paths;
    assert.deepEqual(Object.keys(paths['/api/v1/messages']).sort(), ['get', 'post']);
    assert.deepEqual(Object.keys(paths['/api/v1/messages/{id}']).sort(), ['delete', 'get', 'patch']);
    assert.ok(paths['/api/v1/messages/cancel'].post);
    assert.ok(paths['/api/v1/messages/{id}/cancel'].post);
    assert.ok(paths['/api/v1/ledger'].get);
    assert.ok(paths['/api/v1/suppressions'].post);
    assert.ok(paths['/api/v1/outbox/latest'].get);
    assert.ok(paths['/healthz'].get, 'operational routes are listed');
    const body = paths['/api/v1/messages'].post.requestBody.content['application/json'].schema;
    assert.deepEqual(body.required.sort(), ['channel', 'to']);
    assert.equal(body.additionalProperties, false);

    const ui = await fetch(`${t.url}/docs`, { redirect: 'follow' });
    assert.equal(ui.status, 200);
    assert.match(ui.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await ui.text(), /swagger/i);
  });
});

test('GET / lists where everything is, and stays out of the OpenAPI document', async () => {
  const t = await startTestApp();
  try {
    const res = await t.request('GET', '/');
    assertStatus(res, 200);
    assert.deepEqual(res.body, {
      name: 'relais', api: '/api/v1', docs: '/docs', openapi: '/docs/json', health: '/healthz', ready: '/readyz', metrics: '/metrics',
      admin: '/admin/v1', dialects: { smspartner: '/smspartner/v1', mailpartner: '/mailpartner/v1', voicepartner: '/voicepartner/v1', braze: '/braze' },
    });
    for (const link of [res.body.docs, res.body.openapi, res.body.health, res.body.ready, res.body.metrics]) {
      assert.equal((await fetch(t.url + link)).status, 200, link);
    }
    assert.equal((await t.request('GET', '/docs/json')).body.paths['/'], undefined);
  } finally {
    await t.close();
  }
});

describe('with RELAIS_METRICS_TOKEN set', () => {
  let t: TestApp;
  before(async () => { t = await startTestApp({ env: { RELAIS_METRICS_TOKEN: 'scrape-me' } }); });
  after(async () => { await t.close(); });

  test('/metrics needs it as a Bearer token: 401 problem+json without it or with another', async () => {
    assertProblem(await t.request('GET', '/metrics'), 401, 'unauthorized', /metrics token/);
    assertProblem(await t.request('GET', '/metrics', { key: 'guess' }), 401, 'unauthorized');
    assertProblem(await t.request('GET', '/metrics', { headers: ADMIN }), 401, 'unauthorized');
    const ok = await t.request('GET', '/metrics', { key: 'scrape-me' });
    assertStatus(ok, 200);
    assert.match(ok.text, /^# TYPE relais_messages_scheduled_total counter$/m);
  });

  test('/docs/json says /metrics needs it', async () => {
    const doc = (await t.request('GET', '/docs/json')).body;
    assert.deepEqual(doc.paths['/metrics'].get.security, [{ metrics: [] }]);
    assert.equal(doc.components.securitySchemes.metrics.scheme, 'bearer');
  });

  test('health and readiness stay open', async () => {
    assertStatus(await t.request('GET', '/healthz'), 200);
    assertStatus(await t.request('GET', '/readyz'), 200);
  });
});

describe('with the admin API off (no RELAIS_ADMIN_TOKEN)', () => {
  let t: TestApp;
  before(async () => { t = await startTestApp({ env: { RELAIS_ADMIN_TOKEN: '' } }); });
  after(async () => { await t.close(); });

  test('any /admin/v1 request answers a problem+json saying it is off and how to turn it on', async () => {
    for (const [method, path, body] of [['POST', '/admin/v1/accounts', { name: 'x' }], ['GET', '/admin/v1/accounts', undefined], ['POST', '/admin/v1/accounts/1/topup', { credits: '1' }]] as const) {
      const res = await t.request(method, path, { body, headers: ADMIN });
      assertProblem(res, 404, 'not_found', /admin API is off.*RELAIS_ADMIN_TOKEN/);
    }
  });

  test('/docs/json shows no admin route, tag or security scheme; GET / says the admin API is off', async () => {
    const doc = (await t.request('GET', '/docs/json')).body;
    const paths = Object.keys(doc.paths);
    assert.ok(paths.includes('/api/v1/messages'));
    assert.deepEqual(paths.filter((p) => p.startsWith('/admin')), []);
    assert.deepEqual(doc.tags.filter((tag: { name: string }) => tag.name === 'admin'), []);
    assert.equal(doc.components.securitySchemes.admin, undefined);
    assert.equal((await t.request('GET', '/')).body.admin, null);
  });
});
