import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp, type TestApp } from '../../../helpers/app.js';
import { account, assertError, assertXml, get, HOUR, phone, post, rawHttp, schedule, scheduleParams, SP, xmlError, xmlOf } from './support.js';

const sec = (ms: number) => String(Math.floor(ms / 1000));

async function sendNow(t: TestApp, apiKey: string, numbers: string[], extra: Record<string, unknown> = {}): Promise<number> {
  const r = await post(t, '/send', { apiKey, phoneNumbers: numbers.join(','), message: 'x', ...extra });
  assert.equal(r.body.success, true, r.text);
  return r.body.message_id;
}

dialectApp('SMS Partner: status endpoints', ({ app }) => {
  test('message-status: Waiting before the send, Delivered after; French key statut, string messageId', async () => {
    const t = app();
    const a = await account(t, '10');
    const p = phone();
    const id = await sendNow(t, a.apiKey, [p.national]);
    const before = await get(t, '/message-status', { apiKey: a.apiKey, messageId: id, phoneNumber: p.national });
    assert.equal(before.text, JSON.stringify({ success: true, code: 200, number: p.e164, messageId: String(id), stopSms: false, date: '', statut: 'Waiting', cost: 0.045, countryCode: 'FR', currency: 'EUR' }));
    await t.dispatcher.drain();
    const after = await get(t, '/message-status', { apiKey: a.apiKey, messageId: id, phoneNumber: p.e164, _format: 'xml' });
    assertXml(after, 200, xmlOf({ success: true, code: 200, number: p.e164, messageId: String(id), stopSms: false, date: sec(t.clock.now()), statut: 'Delivered', cost: 0.045, countryCode: 'FR', currency: 'EUR' }));
  });

  test('message-status: a cancelled recipient is Not delivered; stopSms follows the STOP list', async () => {
    const t = app();
    const a = await account(t, '10');
    const p = phone();
    const r = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: p.national, message: 'x', ...scheduleParams(schedule(t, HOUR)) });
    await post(t, '/stop-sms/add', { apiKey: a.apiKey, phoneNumber: p.national });
    const s = await get(t, '/message-status', { apiKey: a.apiKey, messageId: r.body.message_id, phoneNumber: p.national });
    assert.deepEqual([s.body.statut, s.body.stopSms, s.body.date], ['Not delivered', true, sec(t.clock.now())]);
  });

  for (const format of ['json', 'xml'] as const) {
    test(`message-status errors in ${format}: 1, 10, 2, 3, 4 (unknown message, unknown number, another account)`, async () => {
      const t = app();
      const a = await account(t, '10');
      const other = await account(t, '10');
      const p = phone();
      const id = await sendNow(t, a.apiKey, [p.national]);
      const f = format === 'xml' ? { _format: 'xml' } : {};
      const cases: [Record<string, unknown>, number, number, string][] = [
        [{ messageId: id, phoneNumber: p.national }, 400, 1, 'La Clé API est requise'],
        [{ apiKey: 'x', messageId: id, phoneNumber: p.national }, 401, 10, 'Clé API incorrecte'],
        [{ apiKey: a.apiKey, messageId: id }, 400, 2, 'Le numéro de téléphone est requis'],
        [{ apiKey: a.apiKey, phoneNumber: p.national }, 400, 3, 'L’ID du message est requis'],
        [{ apiKey: a.apiKey, messageId: 99_999_999, phoneNumber: p.national }, 404, 4, 'Message introuvable'],
        [{ apiKey: a.apiKey, messageId: id, phoneNumber: phone().national }, 404, 4, 'Message introuvable'],
        [{ apiKey: other.apiKey, messageId: id, phoneNumber: p.national }, 404, 4, 'Message introuvable'],
      ];
      for (const [params, status, code, message] of cases) {
        const r = await get(t, '/message-status', { ...params, ...f });
        if (format === 'json') assertError(r, status, code, message);
        else assertXml(r, status, xmlError(code, message));
      }
    });
  }

  test('multi-status: POST with SMSStatut_List, integer messageId, per-item "Numéro introuvable"', async () => {
    const t = app();
    const a = await account(t, '10');
    const [p1, p2] = [phone(), phone()];
    const id = await sendNow(t, a.apiKey, [p1.national, p2.national]);
    await t.dispatcher.drain();
    const r = await post(t, '/multi-status', { apiKey: a.apiKey, SMSStatut_List: [{ phoneNumber: p1.e164, messageId: id }, { phoneNumber: p2.e164, messageId: 1_000_000 }] });
    assert.equal(r.text, JSON.stringify({
      success: true, code: 200, StatutResponse_List: [
        { success: true, code: 200, phoneNumber: p1.e164, messageId: id, status: 'Delivered', date: sec(t.clock.now()), stopSms: '0', isSpam: '0' },
        { success: false, code: 4, phoneNumber: p2.e164, messageId: 1_000_000, status: 'Numéro introuvable' },
      ],
    }));
  });

  test('multi-status: the FR table\'s SMSStatus_List, a GET with a JSON body, and XML', async () => {
    const t = app();
    const a = await account(t, '10');
    const p = phone();
    const id = await sendNow(t, a.apiKey, [p.national]);
    const r1 = await post(t, '/multi-status', { apiKey: a.apiKey, SMSStatus_List: [{ phoneNumber: p.national, messageId: String(id) }], _format: 'xml' });
    assertXml(r1, 200, xmlOf({ success: true, code: 200, StatutResponse_List: [{ success: true, code: 200, phoneNumber: p.e164, messageId: id, status: 'Waiting', date: '', stopSms: '0', isSpam: '0' }] }));
    const body = JSON.stringify({ apiKey: a.apiKey, SMSStatut_List: [{ phoneNumber: p.e164, messageId: id }] });
    const viaGet = await rawHttp(t, 'GET', `${SP}/multi-status`, { headers: { 'content-type': 'application/json' }, body });
    assert.equal(viaGet.body.StatutResponse_List[0].status, 'Waiting', viaGet.text);
  });

  test('multi-status errors: 1, 10, 5 (empty list), 6 (bad item), 50 (over 500), JSON and XML', async () => {
    const t = app();
    const a = await account(t, '10');
    const cases: [Record<string, unknown>, number, number, string][] = [
      [{ SMSStatut_List: [{ phoneNumber: '0612345678', messageId: 1 }] }, 400, 1, 'La Clé API est requise'],
      [{ apiKey: 'x', SMSStatut_List: [{ phoneNumber: '0612345678', messageId: 1 }] }, 401, 10, 'Clé API incorrecte'],
      [{ apiKey: a.apiKey, SMSStatut_List: [] }, 400, 5, 'La liste des numéros est vide'],
      [{ apiKey: a.apiKey, SMSStatut_List: [{ phoneNumber: '0612345678' }] }, 400, 6, 'Le format n’est pas correct'],
      [{ apiKey: a.apiKey, SMSStatut_List: Array.from({ length: 501 }, () => ({ phoneNumber: '0612345678', messageId: 1 })) }, 400, 50, 'Le nombre de numéros autorisés est de 500 maxi'],
    ];
    for (const [body, status, code, message] of cases) {
      assertError(await post(t, '/multi-status', body), status, code, message);
      assertXml(await post(t, '/multi-status', { ...body, _format: 'xml' }), status, xmlError(code, message));
    }
  });

  test('bulk-status: every number of the message, message_id as a string, stopSMS boolean', async () => {
    const t = app();
    const a = await account(t, '10');
    const [p1, p2] = [phone(), phone()];
    const id = await sendNow(t, a.apiKey, [p1.national, p2.national]);
    await post(t, '/stop-sms/add', { apiKey: a.apiKey, phoneNumber: p2.national });
    await t.dispatcher.drain();
    const expected = {
      success: true, code: 200, message_id: String(id), StatutResponse_List: [
        { phoneNumber: p1.e164, status: 'Delivered', stopSMS: false, date: sec(t.clock.now()) },
        { phoneNumber: p2.e164, status: 'Not delivered', stopSMS: true, date: sec(t.clock.now()) },
      ],
    };
    assert.equal((await get(t, '/bulk-status', { apiKey: a.apiKey, messageId: id })).text, JSON.stringify(expected));
    assertXml(await get(t, '/bulk-status', { apiKey: a.apiKey, messageId: id, _format: 'xml' }), 200, xmlOf(expected));
    assertError(await get(t, '/bulk-status', { apiKey: a.apiKey }), 400, 3, 'L’ID du message est requis');
    assertError(await get(t, '/bulk-status', { apiKey: a.apiKey, messageId: id + 1000 }), 404, 4, 'Message introuvable');
    assertError(await get(t, '/bulk-status', { messageId: id }), 400, 1, 'La Clé API est requise');
    assertXml(await get(t, '/bulk-status', { apiKey: 'x', messageId: id, _format: 'xml' }), 401, xmlError(10, 'Clé API incorrecte'));
  });

  test('bulk-status-by-tag: all numbers of all messages with the tag, 500 a page', async () => {
    const t = app();
    const a = await account(t, '100');
    const many = Array.from({ length: 500 }, (_, i) => `+3362${String(i).padStart(7, '0')}`);
    const last = phone();
    await sendNow(t, a.apiKey, many, { tag: 'promo' });
    await sendNow(t, a.apiKey, [last.national], { tag: 'promo', ...scheduleParams(schedule(t, HOUR)) });
    await sendNow(t, a.apiKey, [phone().national], { tag: 'other' });
    const p1 = await get(t, '/bulk-status-by-tag', { apiKey: a.apiKey, tag: 'promo' });
    assert.deepEqual([p1.body.currentPage, p1.body.total, p1.body.StatutResponse_List.length], [1, 501, 500]);
    assert.deepEqual(p1.body.StatutResponse_List[0], { phoneNumber: many[0], status: 'Waiting', stopSMS: false, date: '' });
    const p2 = await get(t, '/bulk-status-by-tag', { apiKey: a.apiKey, tag: 'promo', page: 2, _format: 'xml' });
    assertXml(p2, 200, xmlOf({ success: true, code: 200, currentPage: 2, total: 501, StatutResponse_List: [{ phoneNumber: last.e164, status: 'Waiting', stopSMS: false, date: '' }] }));
    assertError(await get(t, '/bulk-status-by-tag', { apiKey: a.apiKey }), 400, 3, 'L’ID du message est requis');
    assertError(await get(t, '/bulk-status-by-tag', { apiKey: a.apiKey, tag: 'none' }), 404, 4, 'Message introuvable');
    assertXml(await get(t, '/bulk-status-by-tag', { tag: 'promo', _format: 'xml' }), 400, xmlError(1, 'La Clé API est requise'));
    assertError(await get(t, '/bulk-status-by-tag', { apiKey: 'x', tag: 'promo' }), 401, 10, 'Clé API incorrecte');
  });
});
