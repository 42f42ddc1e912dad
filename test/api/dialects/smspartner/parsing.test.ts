import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp } from '../../../helpers/app.js';
import { account, assertError, assertXml, HOUR, phone, postRaw, schedule, SP, xmlError, xmlOf } from './support.js';

const FORM = 'application/x-www-form-urlencoded';

dialectApp('SMS Partner: request parsing as real clients send it', ({ app }) => {
  test('a JSON body under a form Content-Type (the PHP SDK), or with no Content-Type at all', async () => {
    const t = app();
    const a = await account(t, '10');
    const body = JSON.stringify({ apiKey: a.apiKey, phoneNumbers: phone().national, message: 'php' });
    assert.equal((await postRaw(t, '/send', body, FORM)).body.success, true);
    assert.equal((await postRaw(t, '/send', body, 'text/plain')).body.success, true);
    const noType = await fetch(`${t.url}${SP}/send`, { method: 'POST', body: new TextEncoder().encode(body) });
    assert.equal(((await noType.json()) as { success: boolean }).success, true);
  });

  test('a form body, with PHP bracket keys for lists (SMSList[0][phoneNumber]=…)', async () => {
    const t = app();
    const a = await account(t, '10');
    const [p1, p2] = [phone(), phone()];
    const single = await postRaw(t, '/send', `apiKey=${a.apiKey}&phoneNumbers=${encodeURIComponent(p1.e164)}&message=${encodeURIComponent('form é')}&isUnicode=1`, FORM);
    assert.equal(single.body.nb_sms, 1, single.text);
    const bulk = await postRaw(t, '/bulk-send', [
      `apiKey=${a.apiKey}`, `SMSList%5B0%5D%5BphoneNumber%5D=${p1.national}`, 'SMSList%5B0%5D%5Bmessage%5D=one',
      `SMSList[1][phoneNumber]=${p2.national}`, 'SMSList[1][message]=two',
    ].join('&'), FORM);
    assert.deepEqual(bulk.body.SMSResponse_List.map((x: any) => x.phoneNumber), [p1.e164, p2.e164]);
  });

  test('an XML body (<anyRoot><param>…</param></anyRoot>, lists as <entry> children)', async () => {
    const t = app();
    const a = await account(t, '10');
    const [p1, p2] = [phone(), phone()];
    const one = await postRaw(t, '/send', `<?xml version="1.0"?><request><apiKey>${a.apiKey}</apiKey><phoneNumbers>${p1.national}</phoneNumbers><message>xml &amp; co</message><_format>xml</_format></request>`, 'application/xml');
    const id = (await t.store.autocommit.listMessages({ accountId: a.id }, { limit: 1 }))[0].id;
    assertXml(one, 200, xmlOf({ success: true, code: 200, message_id: id, nb_sms: 1, cost: 0.045, currency: 'EUR' }));
    await t.dispatcher.drain();
    assert.equal((await t.store.autocommit.listOutbox({ messageId: id, limit: 1 }))[0].rendered.text, 'xml & co');
    const bulk = await postRaw(t, '/bulk-send', `<r><apiKey>${a.apiKey}</apiKey><SMSList><entry><phoneNumber>${p1.national}</phoneNumber><message>a</message></entry><entry><phoneNumber>${p2.national}</phoneNumber><message>b</message></entry></SMSList></r>`, 'text/xml');
    assert.equal(bulk.body.nbSMS, 2, bulk.text);
    assertError(await postRaw(t, '/send', '<request><apiKey>x</apiKey>', 'application/xml'), 400, 90, 'Le JSON est malformé: erreur de syntaxe');
  });

  test('apiKey in the query string of a POST; the body wins when both carry a parameter', async () => {
    const t = app();
    const a = await account(t, '10');
    const r = await t.request('POST', `${SP}/send?apiKey=${a.apiKey}&message=from-query`, { body: { phoneNumbers: phone().national, message: 'from-body' } });
    assert.equal(r.body.success, true, r.text);
    await t.dispatcher.drain();
    assert.equal((await t.store.autocommit.listOutbox({ messageId: r.body.message_id, limit: 1 }))[0].rendered.text, 'from-body');
  });

  test('leading ? in query keys (PHP example: me??apiKey=…), trailing slash, _format in any case', async () => {
    const t = app();
    const a = await account(t, '1');
    assert.equal((await t.request('GET', `${SP}/me??apiKey=${a.apiKey}`)).body.success, true);
    assert.equal((await t.request('GET', `${SP}/me/?apiKey=${a.apiKey}`)).body.success, true);
    assert.equal((await t.request('POST', `${SP}/send/`, { body: { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'x' } })).body.success, true);
    const xml = await t.request('GET', `${SP}/me?apiKey=${a.apiKey}&_format=XML`);
    assert.match(xml.headers.get('content-type') ?? '', /^application\/xml/);
  });

  test('numbers and flags as strings or numbers', async () => {
    const t = app();
    const a = await account(t, '10');
    const s = schedule(t, 3 * HOUR);
    const asStrings = await t.request('POST', `${SP}/send`, { body: { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'x'.repeat(71), scheduledDeliveryDate: s.scheduledDeliveryDate, time: String(s.time), minute: String(s.minute).padStart(2, '0'), isUnicode: 'true', gamme: '1' } });
    assert.deepEqual([asStrings.body.nb_sms, asStrings.body.scheduledDeliveryDate !== undefined], [2, true]);
    const asNumbers = await t.request('POST', `${SP}/send`, { body: { apiKey: a.apiKey, phoneNumbers: Number(phone().e164.slice(1)), message: 'x'.repeat(71), isUnicode: true } });
    assert.equal(asNumbers.body.nb_sms, 2, asNumbers.text);
    const off = await t.request('POST', `${SP}/send`, { body: { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'x'.repeat(71), isUnicode: 0 } });
    assert.equal(off.body.nb_sms, 1);
  });

  test('code 90 for malformed JSON whatever the Content-Type; in XML when the query asks for it', async () => {
    const t = app();
    for (const type of ['application/json', FORM, 'text/plain']) {
      assertError(await postRaw(t, '/send', '{"apiKey": "k",', type), 400, 90, 'Le JSON est malformé: erreur de syntaxe');
    }
    assertXml(await postRaw(t, '/stop-sms/add?_format=xml', '[1, 2', 'application/json'), 400, xmlError(90, 'Le JSON est malformé: erreur de syntaxe'));
    assertError(await postRaw(t, '/send', '[1, 2]', 'application/json'), 400, 90, 'Le JSON est malformé: erreur de syntaxe');
  });
});
