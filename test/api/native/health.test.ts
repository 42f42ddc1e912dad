import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addSuppression } from '../../../src/core/suppressions.js';
import { dialectApp } from '../../helpers/app.js';
import { assertLedger, assertStatus, at, MIN, phone, schedule } from './support.js';

/** The value of one Prometheus sample (`name{labels} value`), or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

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
