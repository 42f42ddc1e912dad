import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp } from '../../../helpers/app.js';
import { account, assertError, assertLedger, assertXml, get, HOUR, parisTimestamp, phone, post, schedule, scheduleParams, xmlError, xmlOf } from './support.js';

dialectApp('SMS Partner: STOP list (/v1/stop-sms/*)', ({ app }) => {
  test('add → stopId; list → nbData and rows in order; delete → {success, code}; gone from the list', async () => {
    const t = app();
    const a = await account(t);
    const [p1, p2] = [phone(), phone()];
    const add1 = await post(t, '/stop-sms/add', { apiKey: a.apiKey, phoneNumber: p1.national });
    assert.equal(add1.text, JSON.stringify({ success: true, code: 200, stopId: add1.body.stopId }));
    assert.equal(typeof add1.body.stopId, 'number');
    t.clock.advance(1000);
    const add2 = await post(t, '/stop-sms/add', { apiKey: a.apiKey, phoneNumber: p2.e164, _format: 'xml' });
    const rows = (await get(t, '/stop-sms/list', { apiKey: a.apiKey })).body.data;
    assertXml(add2, 200, xmlOf({ success: true, code: 200, stopId: rows[1].id }));
    const expected = {
      success: true, code: 200, nbData: 2, data: [
        { id: add1.body.stopId, phoneNumber: p1.e164, createdAt: parisTimestamp(t.clock.now() - 1000) },
        { id: rows[1].id, phoneNumber: p2.e164, createdAt: parisTimestamp(t.clock.now()) },
      ],
    };
    assert.equal((await get(t, '/stop-sms/list', { apiKey: a.apiKey })).text, JSON.stringify(expected));
    assertXml(await get(t, '/stop-sms/list', { apiKey: a.apiKey, _format: 'xml' }), 200, xmlOf(expected));
    assert.equal((await get(t, '/stop-sms/delete', { apiKey: a.apiKey, id: add1.body.stopId })).text, JSON.stringify({ success: true, code: 200 }));
    assertXml(await get(t, '/stop-sms/delete', { apiKey: a.apiKey, id: rows[1].id, _format: 'xml' }), 200, xmlOf({ success: true, code: 200 }));
    assert.equal((await get(t, '/stop-sms/list', { apiKey: a.apiKey })).text, JSON.stringify({ success: true, code: 200, nbData: 0, data: [] }));
  });

  test('adding a number cancels and refunds it in messages already scheduled; later sends skip it', async () => {
    const t = app();
    const a = await account(t, '10');
    const [stopped, kept] = [phone(), phone()];
    const s = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: `${stopped.national},${kept.national}`, message: 'x', ...scheduleParams(schedule(t, HOUR)) });
    await assertLedger(t, a.id, 10_000 - 90);
    await post(t, '/stop-sms/add', { apiKey: a.apiKey, phoneNumber: stopped.e164 });
    await assertLedger(t, a.id, 10_000 - 45);
    assert.deepEqual((await t.store.autocommit.getRecipients(s.body.message_id)).map((r) => [r.address, r.status]), [[stopped.e164, 'cancelled'], [kept.e164, 'pending']]);
    t.clock.advance(2 * HOUR);
    await t.dispatcher.drain();
    assert.deepEqual((await t.store.autocommit.listOutbox({ messageId: s.body.message_id, limit: 5 })).map((e) => e.address), [kept.e164]);
    // Deleted from the list: sendable again.
    const id = (await get(t, '/stop-sms/list', { apiKey: a.apiKey })).body.data[0].id;
    await get(t, '/stop-sms/delete', { apiKey: a.apiKey, id });
    assert.equal((await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: stopped.national, message: 'x' })).body.success, true);
  });

  test('the list is per account', async () => {
    const t = app();
    const [a, b] = [await account(t), await account(t)];
    const p = phone();
    const add = await post(t, '/stop-sms/add', { apiKey: a.apiKey, phoneNumber: p.national });
    assert.equal((await get(t, '/stop-sms/list', { apiKey: b.apiKey })).body.nbData, 0);
    assertError(await get(t, '/stop-sms/delete', { apiKey: b.apiKey, id: add.body.stopId }), 404, 4, 'L’ID du numéro introuvable');
    assert.equal((await post(t, '/send', { apiKey: b.apiKey, phoneNumbers: p.national, message: 'x' })).body.success, true);
  });

  const cases: [string, string, 'GET' | 'POST', (key: string, p: string) => Record<string, unknown>, number, number, string][] = [
    ['add', '/stop-sms/add', 'POST', (_k, p) => ({ phoneNumber: p }), 400, 1, 'La Clé API est requise'],
    ['add', '/stop-sms/add', 'POST', (_k, p) => ({ apiKey: 'x', phoneNumber: p }), 401, 10, 'Clé API incorrecte'],
    ['add', '/stop-sms/add', 'POST', (k) => ({ apiKey: k }), 400, 2, 'Le numéro de téléphone est requis'],
    ['add', '/stop-sms/add', 'POST', (k) => ({ apiKey: k, phoneNumber: '12345' }), 400, 9, 'Le numéro de téléphone est invalide'],
    ['add', '/stop-sms/add', 'POST', (k, p) => ({ apiKey: k, phoneNumber: p }), 400, 15, 'Le numéro est déjà présent dans la liste'],
    ['list', '/stop-sms/list', 'GET', () => ({}), 400, 1, 'La Clé API est requise'],
    ['list', '/stop-sms/list', 'GET', () => ({ apiKey: 'x' }), 401, 10, 'Clé API incorrecte'],
    ['delete', '/stop-sms/delete', 'GET', () => ({ id: 1 }), 400, 1, 'La Clé API est requise'],
    ['delete', '/stop-sms/delete', 'GET', () => ({ apiKey: 'x', id: 1 }), 401, 10, 'Clé API incorrecte'],
    ['delete', '/stop-sms/delete', 'GET', (k) => ({ apiKey: k }), 400, 3, 'L’ID du numéro est requis'],
    ['delete', '/stop-sms/delete', 'GET', (k) => ({ apiKey: k, id: 99_999_999 }), 404, 4, 'L’ID du numéro introuvable'],
  ];
  for (const [name, path, method, params, status, code, message] of cases) {
    test(`${name} error ${code}: ${message} (JSON and XML)`, async () => {
      const t = app();
      const a = await account(t);
      const p = phone().national;
      await post(t, '/stop-sms/add', { apiKey: a.apiKey, phoneNumber: p });
      const call = (extra: Record<string, unknown>) => (method === 'GET' ? get(t, path, { ...params(a.apiKey, p), ...extra }) : post(t, path, { ...params(a.apiKey, p), ...extra }));
      assertError(await call({}), status, code, message);
      assertXml(await call({ _format: 'xml' }), status, xmlError(code, message));
      assert.equal((await get(t, '/stop-sms/list', { apiKey: a.apiKey })).body.nbData, 1);
    });
  }
});
