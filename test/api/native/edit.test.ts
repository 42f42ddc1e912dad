import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp } from '../../helpers/app.js';
import {
  assertLedger, assertProblem, assertStatus, at, balanceOf, getMessage, HOUR, iso, ledgerRows, MIN, phone, schedule,
} from './support.js';

dialectApp('native API: PATCH /messages/:id (reschedule and edit)', ({ app }) => {
  test('reschedule: sendAt with an offset moves the message; it is sent at the new time, not the old one', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const now = t.clock.now();
    const { skipped: _skipped, ...m } = await schedule(t, apiKey, { channel: 'sms', to: [phone()], text: 'x', sendAt: iso(now + 10 * MIN) });
    t.clock.advance(MIN);
    const newAt = now + 2 * HOUR;
    const paris = new Date(newAt + 2 * HOUR).toISOString().replace('.000Z', '+02:00');
    const res = await t.request('PATCH', `/api/v1/messages/${m.id}`, { key: apiKey, body: { sendAt: paris } });
    assertStatus(res, 200);
    assert.deepEqual(res.body, { ...m, sendAt: iso(newAt), updatedAt: iso(now + MIN) });

    t.clock.set(now + 10 * MIN);
    await t.dispatcher.drain();
    assert.equal((await getMessage(t, apiKey, m.id)).status, 'scheduled');
    t.clock.set(newAt);
    await t.dispatcher.drain();
    const d = await getMessage(t, apiKey, m.id);
    assert.equal(d.status, 'sent');
    assert.deepEqual(d.events.map((e: any) => [e.type, e.at]), [
      ['scheduled', iso(now)], ['rescheduled', iso(now + MIN)], ['sent', iso(newAt)],
    ]);
    assert.deepEqual(d.events[1].data, { sendAt: newAt });
    // A reschedule costs nothing.
    assert.deepEqual((await ledgerRows(t, apiKey)).map((r) => r[1]), ['-0.045', '1.000']);
    await assertLedger(t, id, 955);
  });

  test('text that changes the segment count debits, then refunds, the difference; the ledger shows both', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const m = await schedule(t, apiKey, { channel: 'sms', to: [phone(), phone(), phone()], text: 'short', sendAt: at(t, HOUR) });
    assert.equal(m.price, '0.135');

    const longer = await t.request('PATCH', `/api/v1/messages/${m.id}`, { key: apiKey, body: { text: 'a'.repeat(161) } });
    assertStatus(longer, 200);
    assert.equal(longer.body.units, 2);
    assert.equal(longer.body.price, '0.270');
    assert.deepEqual(longer.body.content, { text: 'a'.repeat(161), sender: null, unicode: false });
    assert.equal(await balanceOf(t, apiKey), '0.730');
    assert.deepEqual((await getMessage(t, apiKey, m.id)).recipients.map((r: any) => r.price), ['0.090', '0.090', '0.090']);

    // Same segment count: no ledger entry.
    const same = await t.request('PATCH', `/api/v1/messages/${m.id}`, { key: apiKey, body: { text: 'b'.repeat(200) } });
    assertStatus(same, 200);
    assert.equal(same.body.price, '0.270');

    const shorter = await t.request('PATCH', `/api/v1/messages/${m.id}`, { key: apiKey, body: { text: 'ok' } });
    assertStatus(shorter, 200);
    assert.equal(shorter.body.units, 1);
    assert.equal(shorter.body.price, '0.135');
    assert.equal(await balanceOf(t, apiKey), '0.865');
    assert.deepEqual(await ledgerRows(t, apiKey), [
      ['refund', '0.135', '0.865', m.id, `message ${m.id} edited`],
      ['debit', '-0.135', '0.730', m.id, `message ${m.id} edited`],
      ['debit', '-0.135', '0.865', m.id, `message ${m.id} scheduled`],
      ['topup', '1.000', '1.000', null, 'opening balance'],
    ]);
    const d = await getMessage(t, apiKey, m.id);
    assert.deepEqual(d.events.map((e: any) => e.type), ['scheduled', 'edited', 'edited', 'edited']);
    assert.deepEqual(d.recipients.map((r: any) => r.price), ['0.045', '0.045', '0.045']);

    // A non-GSM character switches to UCS-2 pricing (71 → 2 segments).
    const ucs2 = await t.request('PATCH', `/api/v1/messages/${m.id}`, { key: apiKey, body: { text: 'ж'.repeat(71) } });
    assertStatus(ucs2, 200);
    assert.equal(ucs2.body.price, '0.270');
    await assertLedger(t, id, 730);
  });

  test('an edit that costs more than the balance: 402, nothing changes', async () => {
    const t = app();
    const { id, apiKey } = await t.account('0.100');
    const m = await schedule(t, apiKey, { channel: 'sms', to: [phone(), phone()], text: 'short', sendAt: at(t, HOUR) });
    assertProblem(await t.request('PATCH', `/api/v1/messages/${m.id}`, { key: apiKey, body: { text: 'a'.repeat(161), tag: 'new' } }), 402, 'insufficient_credits');
    const d = await getMessage(t, apiKey, m.id);
    assert.deepEqual([d.content.text, d.tag, d.price, d.units, d.updatedAt], ['short', null, '0.090', 1, m.updatedAt]);
    assert.deepEqual(d.events.map((e: any) => e.type), ['scheduled']);
    assert.equal(await balanceOf(t, apiKey), '0.010');
    await assertLedger(t, id, 10);
  });

  test('tag, batchId, metadata: set, replace and clear with null; e-mail subject/html edits cost nothing', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const m = await schedule(t, apiKey, { channel: 'sms', to: [phone()], text: 'x', sendAt: at(t, HOUR), tag: 'a', batchId: 'b', metadata: { k: 1 } });
    const set = await t.request('PATCH', `/api/v1/messages/${m.id}`, { key: apiKey, body: { tag: 'a2', batchId: 'b2', metadata: { k: 2, deep: { x: [1] } } } });
    assertStatus(set, 200);
    assert.deepEqual([set.body.tag, set.body.batchId, set.body.metadata, set.body.sendAt], ['a2', 'b2', { k: 2, deep: { x: [1] } }, m.sendAt]);
    const cleared = await t.request('PATCH', `/api/v1/messages/${m.id}`, { key: apiKey, body: { tag: null, batchId: null, metadata: null } });
    assertStatus(cleared, 200);
    assert.deepEqual([cleared.body.tag, cleared.body.batchId, cleared.body.metadata], [null, null, null]);
    const list = await t.request('GET', '/api/v1/messages?tag=a2', { key: apiKey });
    assert.deepEqual(list.body.items, []);

    const mail = await schedule(t, apiKey, { channel: 'email', to: ['a@example.com'], from: 'shop@example.com', subject: 'S1', text: 't', sendAt: at(t, HOUR) });
    const edited = await t.request('PATCH', `/api/v1/messages/${mail.id}`, { key: apiKey, body: { subject: 'S2', html: '<p>h</p>' } });
    assertStatus(edited, 200);
    assert.deepEqual(edited.body.content, { subject: 'S2', text: 't', html: '<p>h</p>', from: 'shop@example.com', replyTo: null });
    assert.equal(edited.body.price, '0.002');
    assert.deepEqual((await ledgerRows(t, apiKey)).map((r) => r[0]), ['debit', 'debit', 'topup']);
    await assertLedger(t, id, 1000 - 45 - 2);
  });

  test('after dispatch: 409 already_dispatched; after cancel: 409 already_cancelled; nothing changes', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const sent = await schedule(t, apiKey, { channel: 'sms', to: [phone()], text: 'x', sendAt: at(t, MIN) });
    const cancelled = await schedule(t, apiKey, { channel: 'sms', to: [phone()], text: 'x', sendAt: at(t, HOUR) });
    assertStatus(await t.request('DELETE', `/api/v1/messages/${cancelled.id}`, { key: apiKey }), 200);
    t.clock.advance(MIN);
    await t.dispatcher.drain();
    assert.equal((await getMessage(t, apiKey, sent.id)).status, 'sent');

    for (const body of [{ sendAt: at(t, HOUR) }, { text: 'a'.repeat(200) }, { tag: 'late' }]) {
      assertProblem(await t.request('PATCH', `/api/v1/messages/${sent.id}`, { key: apiKey, body }), 409, 'already_dispatched');
      assertProblem(await t.request('PATCH', `/api/v1/messages/${cancelled.id}`, { key: apiKey, body }), 409, 'already_cancelled');
    }
    assert.equal((await getMessage(t, apiKey, sent.id)).tag, null);
    assert.equal((await getMessage(t, apiKey, cancelled.id)).tag, null);
    await assertLedger(t, id, 955);
  });

  test('a message due but not yet claimed can still be edited (native: until the claim); once claimed, 409', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const m = await schedule(t, apiKey, { channel: 'sms', to: [phone()], text: 'x', sendAt: at(t, MIN) });
    t.clock.advance(MIN);
    assertStatus(await t.request('PATCH', `/api/v1/messages/${m.id}`, { key: apiKey, body: { tag: 'at-time' } }), 200);
    t.clock.advance(MIN);
    const late = await t.request('PATCH', `/api/v1/messages/${m.id}`, { key: apiKey, body: { tag: 'overdue' } });
    assertStatus(late, 200);
    assert.deepEqual([late.body.tag, late.body.sendAt, late.body.status], ['overdue', m.sendAt, 'scheduled']);
    await t.dispatcher.drain();
    assertProblem(await t.request('PATCH', `/api/v1/messages/${m.id}`, { key: apiKey, body: { tag: 'too late' } }), 409, 'already_dispatched');
    const d = await getMessage(t, apiKey, m.id);
    assert.deepEqual([d.status, d.tag], ['sent', 'overdue']);
    await assertLedger(t, id, 955);
  });

  test('bad edits: sendAt in the past, empty or missing body, unknown field, other channel\'s fields, bad types → 400; unknown or foreign id → 404', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const other = await t.account('1');
    const m = await schedule(t, apiKey, { channel: 'sms', to: [phone()], text: 'x', sendAt: at(t, HOUR) });
    const patch = (body: unknown, key = apiKey, mid = m.id) => t.request('PATCH', `/api/v1/messages/${mid}`, { key, body });

    assertProblem(await patch({ sendAt: at(t, -HOUR) }), 400, 'send_at_in_past');
    assertProblem(await patch({ sendAt: '2026-06-01 10:00' }), 400, 'invalid_date');
    assertProblem(await patch({ sendAt: '2026-06-01T10:00:00' }), 400, 'invalid_date');
    assertProblem(await patch({}), 400, 'invalid_request');
    assertProblem(await t.request('PATCH', `/api/v1/messages/${m.id}`, { key: apiKey }), 400, 'invalid_request');
    assertProblem(await patch({ status: 'sent' }), 400, 'invalid_request');
    assertProblem(await patch({ channel: 'email' }), 400, 'invalid_request');
    assertProblem(await patch({ text: '' }), 400, 'invalid_request');
    assertProblem(await patch({ subject: 'not for sms' }), 400, 'invalid_request');
    assertProblem(await patch({ html: '<p>not for sms</p>' }), 400, 'invalid_request');
    assertProblem(await patch({ tag: 5 }), 400, 'invalid_request');
    assertProblem(await patch({ metadata: 'x' }), 400, 'invalid_request');
    assertProblem(await patch({ text: 'a'.repeat(1531) }), 400, 'message_too_long');
    assertProblem(await patch({ sender: 'this sender is far too long' }), 400, 'invalid_sender');
    assertProblem(await patch({ tag: 'x' }, other.apiKey), 404, 'not_found');
    assertProblem(await patch({ tag: 'x' }, apiKey, 999_999_999), 404, 'not_found');
    assertProblem(await t.request('PATCH', '/api/v1/messages/abc', { key: apiKey, body: { tag: 'x' } }), 400, 'invalid_request');

    const d = await getMessage(t, apiKey, m.id);
    assert.deepEqual([d.sendAt, d.tag, d.content, d.updatedAt], [m.sendAt, null, { text: 'x', sender: null, unicode: false }, m.updatedAt]);
    assert.deepEqual(d.events.map((e: any) => e.type), ['scheduled']);
    await assertLedger(t, id, 955);
  });

  test('an edit prices only the recipients still pending (one was suppressed)', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const [p1, p2, p3] = [phone(), phone(), phone()];
    const m = await schedule(t, apiKey, { channel: 'sms', to: [p1, p2, p3], text: 'x', sendAt: at(t, HOUR) });
    const s = await t.request('POST', '/api/v1/suppressions', { key: apiKey, body: { channel: 'sms', address: p2 } });
    assertStatus(s, 201);
    assert.equal(s.body.refund, '0.045');
    const res = await t.request('PATCH', `/api/v1/messages/${m.id}`, { key: apiKey, body: { text: 'a'.repeat(161) } });
    assertStatus(res, 200);
    assert.equal(await balanceOf(t, apiKey), '0.820'); // 1 - 0.135 + 0.045 - 2 × 0.045
    assert.deepEqual((await getMessage(t, apiKey, m.id)).recipients.map((r: any) => [r.status, r.price]), [
      ['pending', '0.090'], ['cancelled', '0.045'], ['pending', '0.090'],
    ]);
    await assertLedger(t, id, 820);
  });
});
