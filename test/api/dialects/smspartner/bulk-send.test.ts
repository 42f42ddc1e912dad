import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp } from '../../../helpers/app.js';
import { account, assertError, assertLedger, assertXml, get, HOUR, phone, post, schedule, scheduleParams, xmlOf } from './support.js';

dialectApp('SMS Partner: POST /v1/bulk-send', ({ app }) => {
  test('one text per number under one message_id; nbSMS at the top, nbSms per item; each gets its own text', async () => {
    const t = app();
    const a = await account(t, '10');
    const [p1, p2] = [phone(), phone()];
    const r = await post(t, '/bulk-send', {
      apiKey: a.apiKey, sender: 'mycompany', ...scheduleParams(schedule(t, HOUR)),
      SMSList: [{ phoneNumber: p1.national, message: 'msg 0' }, { phoneNumber: p2.e164, message: 'y'.repeat(161) }],
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, JSON.stringify({
      success: true, code: 200, message_id: r.body.message_id, currency: 'EUR', cost: 0.135, nbSMS: 3,
      SMSResponse_List: [
        { success: true, code: 200, nbSms: 1, cost: 0.045, phoneNumber: p1.e164 },
        { success: true, code: 200, nbSms: 2, cost: 0.09, phoneNumber: p2.e164 },
      ],
    }));
    await assertLedger(t, a.id, 10_000 - 135);
    t.clock.advance(2 * HOUR);
    await t.dispatcher.drain();
    const sent = (await t.store.autocommit.listOutbox({ messageId: r.body.message_id, limit: 10 })).reverse();
    assert.deepEqual(sent.map((e) => [e.address, e.rendered.text, e.rendered.segments, e.rendered.from]), [
      [p1.e164, 'msg 0', 1, 'mycompany'], [p2.e164, 'y'.repeat(161), 2, 'mycompany'],
    ]);
  });

  test('cancelling the message_id cancels and refunds every item', async () => {
    const t = app();
    const a = await account(t, '10');
    const r = await post(t, '/bulk-send', {
      apiKey: a.apiKey, ...scheduleParams(schedule(t, HOUR)),
      SMSList: [{ phoneNumber: phone().national, message: 'a' }, { phoneNumber: phone().national, message: 'b' }],
    });
    const c = await get(t, '/message-cancel', { apiKey: a.apiKey, messageId: r.body.message_id });
    assert.equal(c.body.code, 200, c.text);
    await assertLedger(t, a.id, 10_000);
    assert.deepEqual((await t.store.autocommit.getRecipients(r.body.message_id)).map((x) => x.status), ['cancelled', 'cancelled']);
  });

  test('items fail on their own: 9 for a bad number or a missing text, 14 for a stopped number; the rest is sent', async () => {
    const t = app();
    const a = await account(t, '10');
    const [stopped, ok, textless] = [phone(), phone(), phone()];
    await post(t, '/stop-sms/add', { apiKey: a.apiKey, phoneNumber: stopped.national });
    const r = await post(t, '/bulk-send', {
      apiKey: a.apiKey, _format: 'xml',
      SMSList: [{ phoneNumber: '123', message: 'a' }, { phoneNumber: stopped.national, message: 'b' }, { phoneNumber: ok.national, message: 'c' }, { phoneNumber: textless.national }],
    });
    const m = (await t.store.autocommit.listMessages({ accountId: a.id }, { limit: 1 }))[0];
    assertXml(r, 200, xmlOf({
      success: true, code: 200, message_id: m.id, currency: 'EUR', cost: 0.045, nbSMS: 1,
      SMSResponse_List: [
        { success: false, code: 9, nbSms: 0, cost: 0, phoneNumber: '123' },
        { success: false, code: 14, nbSms: 0, cost: 0, phoneNumber: stopped.e164 },
        { success: true, code: 200, nbSms: 1, cost: 0.045, phoneNumber: ok.e164 },
        { success: false, code: 9, nbSms: 0, cost: 0, phoneNumber: textless.e164 },
      ],
    }));
    await assertLedger(t, a.id, 10_000 - 45);
  });

  test('55 when no item can be sent; 2 without SMSList; 50 over 500 items; 1 and 10 — JSON and XML', async () => {
    const t = app();
    const a = await account(t, '10');
    const stopped = phone();
    await post(t, '/stop-sms/add', { apiKey: a.apiKey, phoneNumber: stopped.national });
    const big = Array.from({ length: 501 }, (_, i) => ({ phoneNumber: `+3361${String(i).padStart(7, '0')}`, message: 'x' }));
    const cases: [Record<string, unknown>, number, number, string][] = [
      [{ apiKey: a.apiKey, SMSList: [{ phoneNumber: 'nope', message: 'x' }] }, 400, 55, 'Aucun numéro à envoyer'],
      [{ apiKey: a.apiKey, SMSList: [{ phoneNumber: stopped.e164, message: 'x' }] }, 400, 55, 'Aucun numéro à envoyer'],
      [{ apiKey: a.apiKey }, 400, 2, 'Le numéro de téléphone est requis'],
      [{ apiKey: a.apiKey, SMSList: big }, 400, 50, 'Le nombre de numéros autorisés est de 500 maxi'],
      [{ SMSList: [{ phoneNumber: '0612345678', message: 'x' }] }, 400, 1, 'La Clé API est requise'],
      [{ apiKey: 'wrong', SMSList: [{ phoneNumber: '0612345678', message: 'x' }] }, 401, 10, 'Clé API incorrecte'],
    ];
    for (const [body, status, code, message] of cases) {
      assertError(await post(t, '/bulk-send', body), status, code, message);
      assertXml(await post(t, '/bulk-send', { ...body, _format: 'xml' }), status, xmlOf({ success: false, code, message }));
    }
    await assertLedger(t, a.id, 10_000);
  });

  test('11: the whole batch is refused when the balance does not cover it, nothing written', async () => {
    const t = app();
    const a = await account(t, '0.05');
    const r = await post(t, '/bulk-send', { apiKey: a.apiKey, SMSList: [{ phoneNumber: phone().national, message: 'a' }, { phoneNumber: phone().national, message: 'b' }] });
    assertError(r, 402, 11, 'Manque de crédits');
    await assertLedger(t, a.id, 50);
    assert.deepEqual(await t.store.autocommit.listMessages({ accountId: a.id }, { limit: 1 }), []);
  });

  test('shared options are validated like /send (code 9 list)', async () => {
    const t = app();
    const a = await account(t, '10');
    const r = await post(t, '/bulk-send', { apiKey: a.apiKey, sender: 'x'.repeat(12), SMSList: [{ phoneNumber: phone().national, message: 'a' }] });
    const errors = [{ elementId: 'children[sender].data', message: "L'emetteur ne peut pas etre plus long que 11 caracteres" }];
    assert.equal(r.text, JSON.stringify({ success: false, code: 9, errors, error: errors }));
  });
});
