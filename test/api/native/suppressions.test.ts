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

    t.clock.advance(HOUR);
    const again = await t.request('POST', '/api/v1/suppressions', { key: apiKey, body: { channel: 'sms', address: '+33 6 12 34 56 78' } });
    assertStatus(again, 200);
    assert.deepEqual(again.body, {
      channel: 'sms', address: '+33612345678', reason: 'STOP', createdAt: iso(now), added: false, cancelledRecipients: 0, refund: '0.000',
    }, 'the entry as first stored, not this request\'s time and reason');
    const list = await t.request('GET', '/api/v1/suppressions', { key: apiKey });
    assertStatus(list, 200);
    assert.deepEqual(list.body, { items: [{ channel: 'sms', address: '+33612345678', reason: 'STOP', createdAt: iso(now) }] });
    assert.deepEqual((await t.request('GET', '/api/v1/suppressions', { key: other.apiKey })).body, { items: [] });
    await assertLedger(t, id, 760);
    await assertLedger(t, other.id, 955);
  });

  test('adding an address already listed writes nothing, even with a recipient a concurrent schedule left pending', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const m = await schedule(t, apiKey, { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: at(t, HOUR) });
    // What a schedule racing the first add can leave: the entry committed, the recipient still pending
    // (the dispatcher skips and refunds it at send time).
    await t.store.transaction((tx) => tx.addSuppression({ accountId: id, channel: 'sms', address: '+33612345678', reason: null, createdAt: t.clock.now() }));
    const again = await t.request('POST', '/api/v1/suppressions', { key: apiKey, body: { channel: 'sms', address: '0612345678' } });
    assertStatus(again, 200);
    assert.deepEqual([again.body.added, again.body.cancelledRecipients, again.body.refund], [false, 0, '0.000']);
    assert.equal((await getMessage(t, apiKey, m.id)).recipients[0].status, 'pending');
    await assertLedger(t, id, 955);
  });

  test('a message to some suppressed numbers: the rest scheduled and billed, the suppressed listed in skipped and never sent', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const X = phone();
    const [Y, Z] = [phone(), phone()];
    assertStatus(await t.request('POST', '/api/v1/suppressions', { key: apiKey, body: { channel: 'sms', address: X } }), 201);
    const res = await t.request('POST', '/api/v1/messages', { key: apiKey, body: { channel: 'sms', to: [Y, X, Z, e164(X)], text: 'x', sendAt: at(t, MIN) } });
    assertStatus(res, 201);
    const m = res.body;
    assert.deepEqual(m.skipped, [{ address: e164(X), reason: 'suppressed' }]);
    assert.deepEqual([m.price, m.recipientCount], ['0.090', 2]);
    assert.equal(await balanceOf(t, apiKey), '0.910', 'only the recipients kept are billed');
    assert.deepEqual((await ledgerRows(t, apiKey))[0], ['debit', '-0.090', '0.910', m.id, `message ${m.id} scheduled`]);
    t.clock.advance(MIN);
    const sentAt = t.clock.now();
    await t.dispatcher.drain();

    const d = await getMessage(t, apiKey, m.id);
    assert.equal(d.status, 'sent');
    assert.deepEqual(d.recipients.map((r: any) => [r.address, r.status, r.sentAt]), [[e164(Y), 'sent', iso(sentAt)], [e164(Z), 'sent', iso(sentAt)]]);
    const outbox = await t.request('GET', `/api/v1/outbox?messageId=${m.id}`, { key: apiKey });
    assert.deepEqual(outbox.body.items.map((o: any) => o.to).sort(), [e164(Y), e164(Z)].sort());
    assert.equal(await balanceOf(t, apiKey), '0.910');
    await assertLedger(t, id, 910);

    const none = await schedule(t, apiKey, { channel: 'sms', to: [Y], text: 'x', sendAt: at(t, MIN) });
    assert.deepEqual(none.skipped, []);
  });

  test('every recipient suppressed: 400 recipient_suppressed up front, nothing written or billed; other channels unaffected', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const X = phone();
    assertStatus(await t.request('POST', '/api/v1/suppressions', { key: apiKey, body: { channel: 'sms', address: X } }), 201);
    assertStatus(await t.request('POST', '/api/v1/suppressions', { key: apiKey, body: { channel: 'email', address: 'bob@example.com' } }), 201);
    const ledgerBefore = await ledgerRows(t, apiKey);
    for (const body of [
      { channel: 'sms', to: [X], text: 'x', sendAt: at(t, MIN) },
      { channel: 'sms', to: [X, e164(X)], text: 'x' },
      { channel: 'email', to: ['bob@EXAMPLE.com'], subject: 's', text: 't' },
    ]) {
      const res = await t.request('POST', '/api/v1/messages', { key: apiKey, body, headers: { 'idempotency-key': `k-${body.channel}-${body.to.length}` } });
      assertProblem(res, 400, 'recipient_suppressed', /suppression list/);
    }
    assert.deepEqual((await t.request('GET', '/api/v1/messages', { key: apiKey })).body.items, []);
    assert.deepEqual(await ledgerRows(t, apiKey), ledgerBefore);
    await assertLedger(t, id, 1000);
    // The STOP list is about SMS only: a voice call to the number goes ahead.
    const voice = await schedule(t, apiKey, { channel: 'voice', to: [X], text: 'x', sendAt: at(t, MIN) });
    assert.deepEqual(voice.skipped, []);
  });

  test('e-mail list: address normalised, covers e-mail only; removing it lets later messages through', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const mail = await schedule(t, apiKey, { channel: 'email', to: ['Bob@Example.COM', 'eve@example.com'], from: 'shop@example.com', subject: 's', text: 't', sendAt: at(t, HOUR) });
    const res = await t.request('POST', '/api/v1/suppressions', { key: apiKey, body: { channel: 'email', address: 'Bob@EXAMPLE.com' } });
    assertStatus(res, 201);
    assert.deepEqual([res.body.address, res.body.cancelledRecipients, res.body.refund], ['Bob@example.com', 1, '0.002']);
    assert.deepEqual((await getMessage(t, apiKey, mail.id)).recipients.map((r: any) => r.status), ['cancelled', 'pending']);
    const list = await t.request('GET', '/api/v1/suppressions?channel=email', { key: apiKey });
    assert.deepEqual(list.body.items.map((s: any) => s.address), ['Bob@example.com']);
    assert.deepEqual((await t.request('GET', '/api/v1/suppressions?channel=sms', { key: apiKey })).body.items, []);

    assert.equal((await t.request('DELETE', `/api/v1/suppressions/email/${encodeURIComponent('Bob@example.com')}`, { key: apiKey })).status, 204);
    const later = await schedule(t, apiKey, { channel: 'email', to: ['Bob@example.com'], from: 'shop@example.com', subject: 's', text: 't', sendAt: at(t, MIN) });
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
