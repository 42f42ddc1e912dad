import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp } from '../../helpers/app.js';
import { ADMIN, assertLedger, assertProblem, assertStatus, at, balanceOf, HOUR, ledgerRows } from './support.js';

dialectApp('native API: Idempotency-Key', ({ app }) => {
  test('same key + same body: 200 with the same message and idempotent-replayed, no second debit', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const body = { channel: 'sms', to: ['0612345678', '0612345679'], text: 'once', sendAt: at(t, HOUR), tag: 't', metadata: { a: 1 } };
    const headers = { 'idempotency-key': 'order-17' };
    const first = await t.request('POST', '/api/v1/messages', { key: apiKey, body, headers });
    assertStatus(first, 201);
    assert.equal(first.body.idempotencyKey, 'order-17');
    assert.equal(first.headers.get('idempotent-replayed'), null);

    const again = await t.request('POST', '/api/v1/messages', { key: apiKey, body, headers });
    assertStatus(again, 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.headers.get('location'), `/api/v1/messages/${first.body.id}`);
    assert.deepEqual(again.body, first.body);

    // Still one message, one debit.
    const list = await t.request('GET', '/api/v1/messages', { key: apiKey });
    assert.deepEqual(list.body.items.map((m: any) => m.id), [first.body.id]);
    assert.equal(await balanceOf(t, apiKey), '0.910');
    assert.deepEqual((await ledgerRows(t, apiKey)).map((r) => r[0]), ['debit', 'topup']);
    await assertLedger(t, id, 910);
  });

  test('same key + different body: 409 idempotency_conflict, nothing written', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const sendAt = at(t, HOUR);
    const body = { channel: 'sms', to: ['0612345678'], text: 'v1', sendAt };
    const headers = { 'idempotency-key': 'k-conflict' };
    const first = await t.request('POST', '/api/v1/messages', { key: apiKey, body, headers });
    assertStatus(first, 201);
    for (const other of [
      { ...body, text: 'v2' },
      { ...body, to: ['0612345679'] },
      { ...body, sendAt: at(t, 2 * HOUR) },
      { ...body, tag: 'x' },
      { ...body, channel: 'voice' },
    ]) {
      assertProblem(await t.request('POST', '/api/v1/messages', { key: apiKey, body: other, headers }), 409, 'idempotency_conflict');
    }
    assert.equal((await t.request('GET', '/api/v1/messages', { key: apiKey })).body.items.length, 1);
    assert.equal(await balanceOf(t, apiKey), '0.955');
    await assertLedger(t, id, 955);
  });

  test('keys are per account; a request without a key is never deduplicated', async () => {
    const t = app();
    const a = await t.account('1');
    const b = await t.account('1');
    const body = { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: at(t, HOUR) };
    const headers = { 'idempotency-key': 'shared' };
    const ra = await t.request('POST', '/api/v1/messages', { key: a.apiKey, body, headers });
    const rb = await t.request('POST', '/api/v1/messages', { key: b.apiKey, body, headers });
    assertStatus(ra, 201);
    assertStatus(rb, 201);
    assert.notEqual(ra.body.id, rb.body.id);
    assertStatus(await t.request('POST', '/api/v1/messages', { key: a.apiKey, body }), 201);
    assertStatus(await t.request('POST', '/api/v1/messages', { key: a.apiKey, body }), 201);
    assert.equal((await t.request('GET', '/api/v1/messages', { key: a.apiKey })).body.items.length, 3);
    await assertLedger(t, a.id, 1000 - 135);
    await assertLedger(t, b.id, 1000 - 45);
  });

  test('concurrent identical requests with one key: one message, one debit, every answer names it', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const body = { channel: 'sms', to: ['0612345678'], text: 'race', sendAt: at(t, HOUR) };
    const headers = { 'idempotency-key': 'race-1' };
    const answers = await Promise.all(Array.from({ length: 8 }, () => t.request('POST', '/api/v1/messages', { key: apiKey, body, headers })));
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 200, 200, 201], answers.map((r) => r.text).join('\n'));
    const ids = new Set(answers.map((r) => r.body.id));
    assert.equal(ids.size, 1);
    for (const r of answers) assert.equal(r.headers.get('idempotent-replayed'), r.status === 200 ? 'true' : null);
    const list = await t.request('GET', '/api/v1/messages', { key: apiKey });
    assert.deepEqual(list.body.items.map((m: any) => m.id), [...ids]);
    assert.deepEqual(await ledgerRows(t, apiKey), [
      ['debit', '-0.045', '0.955', [...ids][0], `message ${[...ids][0]} scheduled`],
      ['topup', '1.000', '1.000', null, 'opening balance'],
    ]);
    await assertLedger(t, id, 955);
  });

  test('a key whose request was refused (402) is free: the retry after a topup creates the message', async () => {
    const t = app();
    const { id, apiKey } = await t.account('0.010');
    const body = { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: at(t, HOUR) };
    const headers = { 'idempotency-key': 'retry-me' };
    assertProblem(await t.request('POST', '/api/v1/messages', { key: apiKey, body, headers }), 402, 'insufficient_credits');
    assertStatus(await t.request('POST', `/admin/v1/accounts/${id}/topup`, { body: { credits: '1' }, headers: ADMIN }), 200);
    const ok = await t.request('POST', '/api/v1/messages', { key: apiKey, body, headers });
    assertStatus(ok, 201);
    assertStatus(await t.request('POST', '/api/v1/messages', { key: apiKey, body, headers }), 200);
    await assertLedger(t, id, 1010 - 45);
  });

  test('an Idempotency-Key longer than 255 characters is 400', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const body = { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: at(t, HOUR) };
    assertProblem(await t.request('POST', '/api/v1/messages', { key: apiKey, body, headers: { 'idempotency-key': 'k'.repeat(256) } }), 400, 'invalid_request');
    assertStatus(await t.request('POST', '/api/v1/messages', { key: apiKey, body, headers: { 'idempotency-key': 'k'.repeat(255) } }), 201);
    await assertLedger(t, id, 955);
  });
});
