import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp, type TestApp } from '../../../helpers/app.js';
import {
  account, assertError, assertLedger, assertXml, get, HOUR, MIN, parisTimestamp, phone, post, postRaw, schedule, scheduleParams, xmlOf,
} from './support.js';

async function outboxTexts(t: TestApp, messageId: number): Promise<string[]> {
  return (await t.store.autocommit.listOutbox({ messageId, limit: 100 })).reverse().map((e) => String(e.rendered.text));
}

dialectApp('SMS Partner: POST /v1/send', ({ app }) => {
  test('immediate send: exact answer, integer message_id, debit in the ledger, sent by the dispatcher', async () => {
    const t = app();
    const a = await account(t, '10');
    const p = phone();
    const r = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: p.national, message: 'Bonjour', sender: 'Relais' });
    assert.equal(r.status, 200, r.text);
    assert.equal(typeof r.body.message_id, 'number');
    assert.equal(r.text, JSON.stringify({ success: true, code: 200, message_id: r.body.message_id, nb_sms: 1, cost: 0.045, currency: 'EUR' }));
    await assertLedger(t, a.id, 9_955);
    await t.dispatcher.drain();
    assert.deepEqual(await outboxTexts(t, r.body.message_id), ['Bonjour']);
    const [entry] = await t.store.autocommit.listOutbox({ messageId: r.body.message_id, limit: 1 });
    assert.equal(entry.address, p.e164);
    assert.equal(entry.rendered.from, 'Relais');
  });

  test('scheduled send (Europe/Paris wall time): echoes the date, is not sent before it, XML answer', async () => {
    const t = app();
    const a = await account(t, '10');
    const s = schedule(t, 2 * HOUR);
    const r = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'Plus tard', ...scheduleParams(s), _format: 'xml' });
    const m = (await t.store.autocommit.listMessages({ accountId: a.id }, { limit: 1 }))[0];
    assert.equal(m.sendAt, s.at);
    assertXml(r, 200, xmlOf({ success: true, code: 200, message_id: m.id, nb_sms: 1, cost: 0.045, currency: 'EUR', scheduledDeliveryDate: parisTimestamp(s.at) }));
    await t.dispatcher.drain();
    assert.deepEqual(await outboxTexts(t, m.id), []);
    t.clock.set(s.at);
    await t.dispatcher.drain();
    assert.deepEqual(await outboxTexts(t, m.id), ['Plus tard']);
  });

  test('several numbers, national and international, E.164 inside; nb_sms and cost are per segment and recipient', async () => {
    const t = app();
    const a = await account(t, '10');
    const [p1, p2] = [phone(), phone()];
    const r = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: `${p1.national}, ${p2.e164},+212620123456`, message: 'é'.repeat(161) });
    assert.deepEqual([r.body.nb_sms, r.body.cost], [6, 0.27]);
    const recipients = await t.store.autocommit.getRecipients(r.body.message_id);
    assert.deepEqual(recipients.map((x) => x.address), [p1.e164, p2.e164, '+212620123456']);
    await assertLedger(t, a.id, 10_000 - 270);
  });

  test('GSM-7 vs Unicode: extension characters count double, :br: is two characters, one non-GSM character or isUnicode means 70/67', async () => {
    const t = app();
    const a = await account(t, '10');
    const nb = async (message: string, extra: Record<string, unknown> = {}) =>
      (await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, message, ...extra })).body.nb_sms;
    assert.equal(await nb('a'.repeat(160)), 1);
    assert.equal(await nb('a'.repeat(159) + '€'), 2, '€ is ESC + e: 161 septets');
    assert.equal(await nb('a'.repeat(159) + ':euro:'), 2, ':euro: is €');
    assert.equal(await nb('a'.repeat(158) + ':br:'), 1, ':br: is CR LF: 160 septets');
    assert.equal(await nb('a'.repeat(159) + ':br:'), 2);
    assert.equal(await nb('a'.repeat(70) + 'ê'), 2, 'ê is not GSM-7: UCS-2, 67 per part');
    assert.equal(await nb('a'.repeat(70), { isUnicode: 1 }), 1);
    assert.equal(await nb('a'.repeat(71), { isUnicode: '1' }), 2);
    assert.equal(await nb('🙂'.repeat(35)), 1, 'an emoji is two UTF-16 units');
  });

  test('isStopSms appends the STOP mention on Premium (and bills it); Low Cost sends the text as is', async () => {
    const t = app();
    const a = await account(t, '10');
    const premium = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'Promo:br:-10%', isStopSms: 1 });
    const eco = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'Promo', isStopSms: '1', gamme: 2 });
    await t.dispatcher.drain();
    assert.deepEqual(await outboxTexts(t, premium.body.message_id), ['Promo\r\n-10%\r\nSTOP au 36180']);
    assert.deepEqual(await outboxTexts(t, eco.body.message_id), ['Promo']);
  });

  test('sandbox: validated and priced, nothing stored, sent or billed', async () => {
    const t = app();
    const a = await account(t, '10');
    const r = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: `${phone().national},${phone().national}`, message: 'x'.repeat(200), sandbox: 1 });
    assert.equal(r.text, JSON.stringify({ success: true, code: 200, message_id: 0, nb_sms: 4, cost: 0.18, currency: 'EUR' }));
    assert.deepEqual(await t.store.autocommit.listMessages({ accountId: a.id }, { limit: 10 }), []);
    await assertLedger(t, a.id, 10_000);
    const bad = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: '123', message: 'x', sandbox: 1 });
    assert.equal(bad.body.code, 9, 'the sandbox validates like a real send');
  });

  test('daylight saving: a skipped local time is the date error, a repeated one is its earlier instant', async () => {
    const t = app();
    const a = await account(t, '10');
    const gap = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'x', scheduledDeliveryDate: '28/03/2027', time: 2, minute: 30 });
    assert.equal(gap.text, JSON.stringify({ success: false, code: 9, errors: [{ elementId: 'children[scheduledDeliveryDate].data', message: 'La date est invalide' }], error: [{ elementId: 'children[scheduledDeliveryDate].data', message: 'La date est invalide' }] }));
    const fold = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'x', scheduledDeliveryDate: '25/10/2026', time: '2', minute: '30' });
    assert.equal(fold.status, 200, fold.text);
    assert.equal((await t.store.autocommit.getMessage(fold.body.message_id))!.sendAt, Date.UTC(2026, 9, 25, 0, 30), '02:30 CEST, not CET');
    assert.equal(fold.body.scheduledDeliveryDate, '2026-10-25 02:30:00');
  });

  test('a past date is reported with the client\'s own date, hour and minute; nothing is billed', async () => {
    const t = app();
    const a = await account(t, '10');
    const r = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'x', scheduledDeliveryDate: '21/11/2014', time: 9, minute: 0 });
    const errors = [{ elementId: 'children[scheduledDeliveryDate].data', message: 'La date (21/11/2014 à 9:0) est anterieure a la date actuelle.' }];
    assert.equal(r.status, 400);
    assert.equal(r.text, JSON.stringify({ success: false, code: 9, errors, error: errors }));
    await assertLedger(t, a.id, 10_000);
  });

  test('the validation list names every bad field (code 9, "errors" and "error"); XML renders it once', async () => {
    const t = app();
    const a = await account(t, '10');
    const body = { apiKey: a.apiKey, phoneNumbers: '922264,0612', sender: 'TwelveLetters', scheduledDeliveryDate: '21/11/2030', urlDlr: 'ftp://x' };
    const errors = [
      { elementId: 'children[message].data', message: 'Le message est requis' },
      { elementId: 'children[phoneNumbers].data', message: "Ce numero de telephone n'est pas valide (922264)" },
      { elementId: 'children[phoneNumbers].data', message: "Ce numero de telephone n'est pas valide (0612)" },
      { elementId: 'children[sender].data', message: "L'emetteur ne peut pas etre plus long que 11 caracteres" },
      { elementId: 'children[minute].data', message: 'La minute est requise' },
      { elementId: 'children[time].data', message: "L'heure est requise" },
      { elementId: 'children[urlDlr].data', message: "L'url est invalide" },
    ];
    const r = await post(t, '/send', body);
    assert.equal(r.status, 400);
    assert.equal(r.text, JSON.stringify({ success: false, code: 9, errors, error: errors }));
    assertXml(await post(t, '/send', { ...body, _format: 'xml' }), 400, xmlOf({ success: false, code: 9, errors }));
  });

  test('several errors come in the order of the Go SDK\'s send_sms_error.json, past date included; the body is the fixture\'s', async () => {
    const t = app();
    const a = await account(t, '10');
    // smspartnerfr/SMS-API-GO v1/testdata/send_sms_error.json, its list exactly.
    const fixture = [
      { elementId: 'children[message].data', message: 'Le message est requis' },
      { elementId: 'children[phoneNumbers].data', message: "Ce numero de telephone n'est pas valide (922264)" },
      { elementId: 'children[sender].data', message: "L'emetteur ne peut pas etre plus long que 11 caracteres" },
      { elementId: 'children[scheduledDeliveryDate].data', message: 'La date (21/11/2014 \u00e0 :) est anterieure a la date actuelle.' },
      { elementId: 'children[minute].data', message: 'La minute est requise' },
      { elementId: 'children[time].data', message: "L'heure est requise" },
    ];
    const r = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: '922264', sender: 'TwelveLetters', scheduledDeliveryDate: '21/11/2014' });
    assert.equal(r.status, 400);
    assert.deepEqual(r.body.error, fixture);
    assert.equal(r.text, JSON.stringify({ success: false, code: 9, errors: fixture, error: fixture }));
    // A date in the past with only the hour missing still says so, before the hour's error.
    const hourOnly = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'x', scheduledDeliveryDate: '21/11/2014', minute: 5 });
    assert.deepEqual(hourOnly.body.error, [
      { elementId: 'children[scheduledDeliveryDate].data', message: 'La date (21/11/2014 à :5) est anterieure a la date actuelle.' },
      { elementId: 'children[time].data', message: "L'heure est requise" },
    ]);
    await assertLedger(t, a.id, 10_000);
  });

  test('U+0000 in message or sender is the validation error for that field (code 9), not a 500; nothing billed', async () => {
    const t = app();
    const a = await account(t, '10');
    for (const [field, extra] of [['message', { message: 'a\u0000b' }], ['sender', { message: 'x', sender: 'ab\u0000cd' }], ['tag', { message: 'x', tag: '\u0000' }]] as const) {
      const errors = [{ elementId: `children[${field}].data`, message: 'La valeur est invalide' }];
      const json = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, ...extra });
      assert.equal(json.status, 400, json.text);
      assert.equal(json.text, JSON.stringify({ success: false, code: 9, errors, error: errors }));
      const form = await postRaw(t, '/send', new URLSearchParams({ apiKey: a.apiKey, phoneNumbers: phone().national, ...extra }).toString(), 'application/x-www-form-urlencoded');
      assert.equal(form.text, json.text);
      const query = await get(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, ...extra });
      assert.equal(query.text, json.text);
    }
    await assertLedger(t, a.id, 10_000);
    assert.deepEqual(await t.store.autocommit.listMessages({ accountId: a.id }, { limit: 1 }), []);
  });

  const many = Array.from({ length: 501 }, (_, i) => `+3361${String(i).padStart(7, '0')}`).join(',');
  const cases: [string, (key: string) => Record<string, unknown>, number, number, string][] = [
    ['1: no apiKey', () => ({ phoneNumbers: '0612345678', message: 'x' }), 400, 1, 'La Clé API est requise'],
    ['10: wrong apiKey', () => ({ apiKey: 'nope', phoneNumbers: '0612345678', message: 'x' }), 401, 10, 'Clé API incorrecte'],
    ['2: no phoneNumbers', (k) => ({ apiKey: k, message: 'x' }), 400, 2, 'Le numéro de téléphone est requis'],
    ['50: more than 500 numbers', (k) => ({ apiKey: k, phoneNumbers: many, message: 'x' }), 400, 50, 'Le nombre de numéros autorisés est de 500 maxi'],
    ['42: Low Cost longer than 160', (k) => ({ apiKey: k, phoneNumbers: '0612345678', message: 'x'.repeat(161), gamme: 2 }), 400, 42, 'Le nombre de caractères pour un sms Low Cost est 160 caractères'],
    ['44: sender too short', (k) => ({ apiKey: k, phoneNumbers: '0612345678', message: 'x', sender: 'ab' }), 400, 44, 'L’émetteur est invalide'],
    ['44: sender with special characters', (k) => ({ apiKey: k, phoneNumbers: '0612345678', message: 'x', sender: 'a*b!c' }), 400, 44, 'L’émetteur est invalide'],
    ['47: minute out of range', (k) => ({ apiKey: k, phoneNumbers: '0612345678', message: 'x', scheduledDeliveryDate: '21/11/2030', time: 9, minute: 60 }), 400, 47, 'Le chiffre des minutes est invalide'],
    ['48: minute off the 5-minute grid', (k) => ({ apiKey: k, phoneNumbers: '0612345678', message: 'x', scheduledDeliveryDate: '21/11/2030', time: 9, minute: 7 }), 400, 48, 'Les minutes doivent-être comprise entre 5 et 55 dans un interval de 5 minutes'],
    ['52: more than 10 segments', (k) => ({ apiKey: k, phoneNumbers: '0612345678', message: 'x'.repeat(1531) }), 400, 52, 'Le nombre de SMS concaténés ne peut excéder 10 SMS'],
    ['11: not enough credit', (k) => ({ apiKey: k, phoneNumbers: '0612345678', message: 'x'.repeat(1530) }), 402, 11, 'Manque de crédits'],
  ];
  for (const [name, body, status, code, message] of cases) {
    test(`error ${name}, JSON and XML; nothing billed`, async () => {
      const t = app();
      const a = await account(t, '0.4');
      assertError(await post(t, '/send', body(a.apiKey)), status, code, message);
      assertXml(await post(t, '/send', { ...body(a.apiKey), _format: 'xml' }), status, xmlOf({ success: false, code, message }));
      await assertLedger(t, a.id, 400);
      assert.deepEqual(await t.store.autocommit.listMessages({ accountId: a.id }, { limit: 1 }), []);
    });
  }

  test('error 90: malformed JSON, in XML too when the query asks for it', async () => {
    const t = app();
    assertError(await postRaw(t, '/send', '{"apiKey": "k", "message": "unterminated', 'application/json'), 400, 90, 'Le JSON est malformé: erreur de syntaxe');
    assertXml(await postRaw(t, '/send?_format=xml', '{"apiKey": ', 'application/json'), 400, xmlOf({ success: false, code: 90, message: 'Le JSON est malformé: erreur de syntaxe' }));
  });

  test('error 14: every number is on the STOP list; the others of a send go out, billed without the stopped one', async () => {
    const t = app();
    const a = await account(t, '10');
    const [stopped, other] = [phone(), phone()];
    assert.equal((await post(t, '/stop-sms/add', { apiKey: a.apiKey, phoneNumber: stopped.national })).body.success, true);
    assertError(await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: stopped.e164, message: 'x' }), 400, 14, 'Le numéro est dans la liste des STOP SMS');
    const r = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: `${stopped.national},${other.national}`, message: 'x' });
    assert.deepEqual([r.body.nb_sms, r.body.cost], [1, 0.045]);
    assert.deepEqual((await t.store.autocommit.getRecipients(r.body.message_id)).map((x) => x.address), [other.e164]);
    await assertLedger(t, a.id, 10_000 - 45);
  });

  test('the cutoff does not apply to sending: a send due in 2 minutes is accepted', async () => {
    const t = app();
    const a = await account(t, '10');
    // Three minutes past a grid instant: the next one is two minutes away.
    t.clock.set(Math.ceil(t.clock.now() / (5 * MIN)) * 5 * MIN + 3 * MIN);
    const s = schedule(t, 0);
    assert.equal(s.at - t.clock.now(), 2 * MIN);
    const r = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'soon', ...scheduleParams(s) });
    assert.equal(r.body.success, true, r.text);
  });

  test('GET with query parameters works too (status endpoints style)', async () => {
    const t = app();
    const a = await account(t, '10');
    const r = await get(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'via GET' });
    assert.equal(r.body.success, true, r.text);
  });
});
