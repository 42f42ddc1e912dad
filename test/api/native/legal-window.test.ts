import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quoteMessage } from '../../../src/core/sandbox.js';
import { dialectApp, type TestApp } from '../../helpers/app.js';
import { ADMIN, assertProblem, assertStatus, getMessage, phone, schedule } from './support.js';

// Each test starts on Monday 1 June 2026, 10:00 in Paris (CEST, +02:00). 7 June is a Sunday;
// Monday 8 June is no holiday (Whit Monday 2026 is 25 May), so its 08:00 CEST is 06:00Z.
const MONDAY_1 = Date.parse('2026-06-01T10:00:00+02:00');
const SUNDAY_NOON = '2026-06-07T12:00:00+02:00';
const MONDAY_8 = '2026-06-08T06:00:00.000Z';
const mail = (sendAt?: string) => ({ channel: 'email', to: ['client@example.com'], from: 'shop@example.com', subject: 'Soldes', text: 'x', ...(sendAt ? { sendAt } : {}) });

async function setLegalWindow(t: TestApp, id: number, on: boolean): Promise<void> {
  const r = await t.request('PATCH', `/admin/v1/accounts/${id}`, { body: { legalWindow: on }, headers: ADMIN });
  assertStatus(r, 200);
  assert.equal(r.body.legalWindow, on);
}

dialectApp('legal sending window (per-account flag, e-mail only)', ({ app: server }) => {
  // One server per block: a test that moves its clock must not move the next one's.
  const app = (): TestApp => {
    const t = server();
    t.clock.set(MONDAY_1);
    return t;
  };

  test('the admin API sets and shows the flag: off by default, only the fields given change, a sub-account has its own', async () => {
    const t = app();
    const { id } = await t.account('1');
    const read = await t.request('PATCH', `/admin/v1/accounts/${id}`, { body: {}, headers: ADMIN });
    assertStatus(read, 200);
    assert.deepEqual([read.body.id, read.body.subaccountsEnabled, read.body.legalWindow], [id, false, false]);
    const on = await t.request('PATCH', `/admin/v1/accounts/${id}`, { body: { legalWindow: true, subaccountsEnabled: true }, headers: ADMIN });
    assert.deepEqual([on.body.subaccountsEnabled, on.body.legalWindow], [true, true]);
    const other = await t.request('PATCH', `/admin/v1/accounts/${id}`, { body: { subaccountsEnabled: false }, headers: ADMIN });
    assert.deepEqual([other.body.subaccountsEnabled, other.body.legalWindow], [false, true]);

    const sub = await t.request('POST', '/admin/v1/accounts', { body: { name: 'child', parentId: id }, headers: ADMIN });
    assertStatus(sub, 201);
    assert.equal((await t.request('PATCH', `/admin/v1/accounts/${sub.body.id}`, { body: {}, headers: ADMIN })).body.legalWindow, false);

    assertProblem(await t.request('PATCH', `/admin/v1/accounts/${id}`, { body: { legalWindow: 'on' }, headers: ADMIN }), 400, 'invalid_request');
    assert.equal((await t.request('PATCH', `/admin/v1/accounts/${id}`, { body: {}, headers: ADMIN })).body.legalWindow, true, 'a refused patch changes nothing');
    await setLegalWindow(t, id, false);
  });

  test('flag on: an e-mail for Sunday noon is stored for Monday 08:00 and leaves then; an SMS at the same time is not moved', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    await setLegalWindow(t, id, true);
    const m = await schedule(t, apiKey, mail(SUNDAY_NOON));
    assert.equal(m.sendAt, MONDAY_8);
    const detail = await getMessage(t, apiKey, m.id);
    assert.equal(detail.sendAt, MONDAY_8);
    assert.equal(detail.events[0].data.sendAt, Date.parse(MONDAY_8));
    const s = await schedule(t, apiKey, { channel: 'sms', to: [phone()], text: 'x', sendAt: SUNDAY_NOON });
    assert.equal((await getMessage(t, apiKey, s.id)).sendAt, '2026-06-07T10:00:00.000Z');

    t.clock.set(Date.parse(SUNDAY_NOON));
    await t.dispatcher.drain();
    assert.deepEqual([(await getMessage(t, apiKey, m.id)).status, (await getMessage(t, apiKey, s.id)).status], ['scheduled', 'sent']);
    t.clock.set(Date.parse(MONDAY_8));
    await t.dispatcher.drain();
    assert.equal((await getMessage(t, apiKey, m.id)).status, 'sent');
  });

  test('flag on: an e-mail sent now on a Sunday waits for Monday 08:00; one inside the window keeps its instant', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    await setLegalWindow(t, id, true);
    const tuesday = '2026-06-02T19:59:00+02:00';
    assert.equal((await schedule(t, apiKey, mail(tuesday))).sendAt, '2026-06-02T17:59:00.000Z');
    t.clock.set(Date.parse(SUNDAY_NOON));
    assert.equal((await schedule(t, apiKey, mail())).sendAt, MONDAY_8);
  });

  test('flag off (the default, or turned off again): an e-mail for Sunday noon keeps its instant', async () => {
    const t = app();
    const a = await t.account('1');
    assert.equal((await schedule(t, a.apiKey, mail(SUNDAY_NOON))).sendAt, '2026-06-07T10:00:00.000Z');
    await setLegalWindow(t, a.id, true);
    await setLegalWindow(t, a.id, false);
    assert.equal((await schedule(t, a.apiKey, mail(SUNDAY_NOON))).sendAt, '2026-06-07T10:00:00.000Z');
  });

  test('flag on: rescheduling an e-mail to Saturday 21:00 stores Monday 08:00; an SMS is moved where asked', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    await setLegalWindow(t, id, true);
    const m = await schedule(t, apiKey, mail('2026-06-03T10:00:00+02:00'));
    assert.equal(m.sendAt, '2026-06-03T08:00:00.000Z');
    const moved = await t.request('PATCH', `/api/v1/messages/${m.id}`, { key: apiKey, body: { sendAt: '2026-06-06T21:00:00+02:00' } });
    assertStatus(moved, 200);
    assert.equal(moved.body.sendAt, MONDAY_8);
    const events = (await getMessage(t, apiKey, m.id)).events;
    assert.deepEqual([events.at(-1).type, events.at(-1).data], ['rescheduled', { sendAt: Date.parse(MONDAY_8) }]);
    // An edit without a new instant leaves the stored one alone.
    assert.equal((await t.request('PATCH', `/api/v1/messages/${m.id}`, { key: apiKey, body: { tag: 'promo' } })).body.sendAt, MONDAY_8);

    const s = await schedule(t, apiKey, { channel: 'sms', to: [phone()], text: 'x', sendAt: '2026-06-03T10:00:00+02:00' });
    const smsMoved = await t.request('PATCH', `/api/v1/messages/${s.id}`, { key: apiKey, body: { sendAt: '2026-06-06T21:00:00+02:00' } });
    assert.equal(smsMoved.body.sendAt, '2026-06-06T19:00:00.000Z');
  });

  test('the sandbox quote reports the moved instant too', async () => {
    const t = app();
    const { id } = await t.account('1');
    const input = { channel: 'email' as const, recipients: ['client@example.com'], content: { channel: 'email' as const, subject: 's', text: 'x', html: null, from: 'shop@example.com', replyTo: null }, sendAt: Date.parse(SUNDAY_NOON) };
    assert.equal((await quoteMessage(t.core, id, input)).sendAt, Date.parse(SUNDAY_NOON));
    await setLegalWindow(t, id, true);
    assert.equal((await quoteMessage(t.core, id, input)).sendAt, Date.parse(MONDAY_8));
  });
});
