import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp } from '../../helpers/app.js';
import {
  assertLedger, assertProblem, assertStatus, at, balanceOf, getMessage, HOUR, iso, ledgerRows, MIN, phone, schedule, e164,
} from './support.js';

dialectApp('native API: suppressions (STOP and unsubscribe lists)', ({ app }) => {
  test('adding 0612345678 cancels and refunds it in scheduled messages; a second add is 200 added:false', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const other = await t.account('1');
    const X = '0612345678';
    const Y = phone();
    const m1 = await schedule(t, apiKey, { channel: 'sms', to: [X, Y], text: 'a'.repeat(161), sendAt: at(t, HOUR) }); // 2 × 0.090
    const m2 = await schedule(t, apiKey, { channel: 'sms', to: ['+33612345678'], text: 'x', sendAt: at(t, 2 * HOUR) }); // 0.045
    const voice = await schedule(t, apiKey, { channel: 'voice', to: [X], text: 'x', sendAt: at(t, HOUR) }); // 0.150, not on the SMS list
    const foreign = await schedule(t, other.apiKey, { channel: 'sms', to: [X], text: 'x', sendAt: at(t, HOUR) });
    assert.equal(await balanceOf(t, apiKey), '0.625');
    t.clock.advance(MIN);
    const now = t.clock.now();

    const res = await t.request('POST', '/api/v1/suppressions', { key: apiKey, body: { channel: 'sms', address: X, reason: 'STOP' } });
    assertStatus(res, 201);
    assert.deepEqual(res.body, {
      channel: 'sms', address: '+33612345678', reason: 'STOP', createdAt: iso(now), added: true, cancelledRecipients: 2, refund: '0.135',
    });
    assert.equal(await balanceOf(t, apiKey), '0.760');
    const d1 = await getMessage(t, apiKey, m1.id);
    assert.equal(d1.status, 'scheduled');
    assert.deepEqual(d1.recipients.map((r: any) => [r.address, r.status, r.error]), [['+33612345678', 'cancelled', 'suppressed'], [e164(Y), 'pending', null]]);
    assert.deepEqual(d1.events.map((e: any) => [e.type, e.recipientId, e.data]), [
      ['scheduled', null, d1.events[0].data], ['cancelled', d1.recipients[0].id, { reason: 'suppressed' }],
    ]);
    assert.equal((await getMessage(t, apiKey, m2.id)).recipients[0].status, 'cancelled');
    assert.equal((await getMessage(t, apiKey, voice.id)).recipients[0].status, 'pending');
    assert.equal((await getMessage(t, other.apiKey, foreign.id)).recipients[0].status, 'pending');
    const rows = await ledgerRows(t, apiKey);
    assert.deepEqual(rows.slice(0, 2).map((r) => [r[0], r[1], r[3], r[4]]).sort(), [
      ['refund', '0.045', m2.id, `message ${m2.id}: +33612345678 suppressed`],
      ['refund', '0.090', m1.id, `message ${m1.id}: +33612345678 suppressed`],
    ].sort());

    const again = await t.request('POST', '/api/v1/suppressions', { key: apiKey, body: { channel: 'sms', address: '+33 6 12 34 56 78' } });
    assertStatus(again, 200);
    assert.deepEqual(again.body, {
      channel: 'sms', address: '+33612345678', reason: null, createdAt: iso(now), added: false, cancelledRecipients: 0, refund: '0.000',
    });
    const list = await t.request('GET', '/api/v1/suppressions', { key: apiKey });
    assertStatus(list, 200);
    assert.deepEqual(list.body, { items: [{ channel: 'sms', address: '+33612345678', reason: 'STOP', createdAt: iso(now) }] });
    assert.deepEqual((await t.request('GET', '/api/v1/suppressions', { key: other.apiKey })).body, { items: [] });
    await assertLedger(t, id, 760);
    await assertLedger(t, other.id, 955);
  });

  test('a later message to a suppressed number: skipped at dispatch and refunded, absent from the outbox, the others sent', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const X = phone();
    const [Y, Z] = [phone(), phone()];
    assertStatus(await t.request('POST', '/api/v1/suppressions', { key: apiKey, body: { channel: 'sms', address: X } }), 201);
    const m = await schedule(t, apiKey, { channel: 'sms', to: [Y, X, Z], text: 'x', sendAt: at(t, MIN) });
    assert.equal(m.price, '0.135');
    assert.equal(await balanceOf(t, apiKey), '0.865', 'scheduling still debits the full price');
    t.clock.advance(MIN);
    const sentAt = t.clock.now();
    await t.dispatcher.drain();

    const d = await getMessage(t, apiKey, m.id);
    assert.equal(d.status, 'sent', 'a skipped recipient is not a delivery failure');
    assert.deepEqual(d.recipients.map((r: any) => [r.address, r.status, r.error, r.sentAt]), [
      [e164(Y), 'sent', null, iso(sentAt)], [e164(X), 'skipped', 'suppressed', null], [e164(Z), 'sent', null, iso(sentAt)],
    ]);
    assert.deepEqual(d.events.map((e: any) => [e.type, e.recipientId]), [
      ['scheduled', null], ['skipped', d.recipients[1].id], ['sent', d.recipients[0].id], ['sent', d.recipients[2].id],
    ]);
    const outbox = await t.request('GET', `/api/v1/outbox?messageId=${m.id}`, { key: apiKey });
    assert.deepEqual(outbox.body.items.map((o: any) => o.to).sort(), [e164(Y), e164(Z)].sort());
    assert.equal(await balanceOf(t, apiKey), '0.910');
    assert.deepEqual((await ledgerRows(t, apiKey))[0], ['refund', '0.045', '0.910', m.id, `message ${m.id}: suppressed recipients skipped`]);
    await assertLedger(t, id, 910);
  });

  test('every recipient suppressed: the message fails, fully refunded, nothing in the outbox', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const X = phone();
    assertStatus(await t.request('POST', '/api/v1/suppressions', { key: apiKey, body: { channel: 'sms', address: X } }), 201);
    const m = await schedule(t, apiKey, { channel: 'sms', to: [X], text: 'x', sendAt: at(t, MIN) });
    t.clock.advance(MIN);
    await t.dispatcher.drain();
    const d = await getMessage(t, apiKey, m.id);
    assert.deepEqual([d.status, d.recipients[0].status], ['failed', 'skipped']);
    assert.deepEqual((await t.request('GET', `/api/v1/outbox?messageId=${m.id}`, { key: apiKey })).body.items, []);
    await assertLedger(t, id, 1000);
  });

  test('e-mail list: address normalised, covers e-mail only; removing it lets later messages through', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const mail = await schedule(t, apiKey, { channel: 'email', to: ['Bob@Example.COM', 'eve@example.com'], subject: 's', text: 't', sendAt: at(t, HOUR) });
    const res = await t.request('POST', '/api/v1/suppressions', { key: apiKey, body: { channel: 'email', address: 'Bob@EXAMPLE.com' } });
    assertStatus(res, 201);
    assert.deepEqual([res.body.address, res.body.cancelledRecipients, res.body.refund], ['Bob@example.com', 1, '0.002']);
    assert.deepEqual((await getMessage(t, apiKey, mail.id)).recipients.map((r: any) => r.status), ['cancelled', 'pending']);
    const list = await t.request('GET', '/api/v1/suppressions?channel=email', { key: apiKey });
    assert.deepEqual(list.body.items.map((s: any) => s.address), ['Bob@example.com']);
    assert.deepEqual((await t.request('GET', '/api/v1/suppressions?channel=sms', { key: apiKey })).body.items, []);

    assert.equal((await t.request('DELETE', `/api/v1/suppressions/email/${encodeURIComponent('Bob@example.com')}`, { key: apiKey })).status, 204);
    const later = await schedule(t, apiKey, { channel: 'email', to: ['Bob@example.com'], subject: 's', text: 't', sendAt: at(t, MIN) });
    t.clock.advance(MIN);
    await t.dispatcher.drain();
    assert.equal((await getMessage(t, apiKey, later.id)).recipients[0].status, 'sent');
    await assertLedger(t, id, 1000 - 2 - 2);
  });

  test('DELETE /suppressions/sms/%2B33612345678 → 204, then 404; national form works too', async () => {
    const t = app();
    const { apiKey } = await t.account('1');
    assertStatus(await t.request('POST', '/api/v1/suppressions', { key: apiKey, body: { channel: 'sms', address: '0612345678' } }), 201);
    const del = await t.request('DELETE', '/api/v1/suppressions/sms/%2B33612345678', { key: apiKey });
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assertProblem(await t.request('DELETE', '/api/v1/suppressions/sms/%2B33612345678', { key: apiKey }), 404, 'not_found');
    assert.deepEqual((await t.request('GET', '/api/v1/suppressions', { key: apiKey })).body.items, []);

    assertStatus(await t.request('POST', '/api/v1/suppressions', { key: apiKey, body: { channel: 'sms', address: '+33612345678' } }), 201);
    assert.equal((await t.request('DELETE', '/api/v1/suppressions/sms/0612345678', { key: apiKey })).status, 204);
    // The e-mail list does not hold phone numbers; another account's entry is not ours to delete.
    const other = await t.account('1');
    assertStatus(await t.request('POST', '/api/v1/suppressions', { key: other.apiKey, body: { channel: 'sms', address: '0612345678' } }), 201);
    assertProblem(await t.request('DELETE', '/api/v1/suppressions/sms/0612345678', { key: apiKey }), 404, 'not_found');
    assert.equal((await t.request('GET', '/api/v1/suppressions', { key: other.apiKey })).body.items.length, 1);
  });

  test('bad suppressions: invalid phone or e-mail, unknown channel, unknown field → 400, nothing stored', async () => {
    const t = app();
    const { apiKey } = await t.account('1');
    const post = (body: unknown) => t.request('POST', '/api/v1/suppressions', { key: apiKey, body });
    assertProblem(await post({ channel: 'sms', address: '12345' }), 400, 'invalid_recipient');
    assertProblem(await post({ channel: 'email', address: 'not-an-email' }), 400, 'invalid_recipient');
    assertProblem(await post({ channel: 'email', address: '0612345678' }), 400, 'invalid_recipient');
    assertProblem(await post({ channel: 'voice', address: '0612345678' }), 400, 'invalid_request');
    assertProblem(await post({ channel: 'sms' }), 400, 'invalid_request');
    assertProblem(await post({ channel: 'sms', address: '0612345678', extra: 1 }), 400, 'invalid_request');
    assertProblem(await post({ channel: 'sms', address: 612345678 }), 400, 'invalid_request');
    assertProblem(await t.request('DELETE', '/api/v1/suppressions/fax/0612345678', { key: apiKey }), 400, 'invalid_request');
    assertProblem(await t.request('DELETE', '/api/v1/suppressions/sms/12345', { key: apiKey }), 400, 'invalid_recipient');
    assertProblem(await t.request('GET', '/api/v1/suppressions?channel=voice', { key: apiKey }), 400, 'invalid_request');
    assert.deepEqual((await t.request('GET', '/api/v1/suppressions', { key: apiKey })).body.items, []);
  });
});
