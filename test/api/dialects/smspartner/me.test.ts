import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp } from '../../../helpers/app.js';
import { account, assertError, assertXml, get, HOUR, phone, post, schedule, scheduleParams, setProfile, SP, xmlError } from './support.js';

dialectApp('SMS Partner: GET /v1/me', ({ app }) => {
  test('answers the union of both documented credit shapes, in the documented order', async () => {
    const t = app();
    const a = await account(t, '10.225');
    const r = await get(t, '/me', { apiKey: a.apiKey });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    // 10.225 EUR buys 227 segments at 0.045.
    assert.equal(r.text, JSON.stringify({
      success: true, code: 200,
      user: { username: r.body.user.username, firstname: '', lastname: '', id: a.id },
      credits: { creditSms: 227, creditSmsECO: 227, creditHlr: 0, toSend: 0, balance: '10.225', currency: 'EUR', solde: '10.225', creditSmsLowCost: 227 },
    }));
  });

  test('username is the login e-mail the operator set; toSend counts segments still to send', async () => {
    const t = app();
    const a = await account(t, '10');
    await setProfile(t, a.id, { email: `boss-${a.id}@example.com` });
    const [p1, p2] = [phone(), phone()];
    const s = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: `${p1.national},${p2.national}`, message: 'x'.repeat(161), ...scheduleParams(schedule(t, HOUR)) });
    assert.equal(s.body.nb_sms, 4, s.text);
    const r = await get(t, '/me', { apiKey: a.apiKey });
    assert.equal(r.body.user.username, `boss-${a.id}@example.com`);
    assert.equal(r.body.credits.toSend, 4);
    assert.equal(r.body.credits.balance, '9.820');
  });

  test('XML: positional entries, the user with named children, strings in CDATA', async () => {
    const t = app();
    const a = await account(t, '1');
    await setProfile(t, a.id, { email: `x-${a.id}@example.com` });
    const r = await get(t, '/me', { apiKey: a.apiKey, _format: 'xml' });
    assertXml(r, 200, [
      "<?xml version='1.0' encoding='UTF-8'?>",
      '<result>',
      '    <entry>true</entry>',
      '    <entry>200</entry>',
      '    <entry>',
      `        <username><![CDATA[x-${a.id}@example.com]]></username>`,
      '        <firstname><![CDATA[]]></firstname>',
      '        <lastname><![CDATA[]]></lastname>',
      `        <id>${a.id}</id>`,
      '    </entry>',
      '    <entry>',
      '        <entry>22</entry>',
      '        <entry>22</entry>',
      '        <entry>0</entry>',
      '        <entry>0</entry>',
      '        <entry><![CDATA[1.000]]></entry>',
      '        <entry><![CDATA[EUR]]></entry>',
      '        <entry><![CDATA[1.000]]></entry>',
      '        <entry>22</entry>',
      '    </entry>',
      '</result>',
      '',
    ].join('\n'));
  });

  for (const format of ['json', 'xml'] as const) {
    test(`errors in ${format}: 1 without a key, 10 with a wrong one`, async () => {
      const t = app();
      const extra = format === 'xml' ? { _format: 'xml' } : {};
      const none = await get(t, '/me', extra);
      const wrong = await get(t, '/me', { apiKey: 'not-a-key', ...extra });
      if (format === 'json') {
        assertError(none, 400, 1, 'La Clé API est requise');
        assertError(wrong, 401, 10, 'Clé API incorrecte');
      } else {
        assertXml(none, 400, xmlError(1, 'La Clé API est requise'));
        assertXml(wrong, 401, xmlError(10, 'Clé API incorrecte'));
      }
    });
  }

  test('a key without the account:read scope is refused with code 40', async () => {
    const t = app();
    const a = await account(t);
    const k = await t.request('POST', `/admin/v1/accounts/${a.id}/keys`, { body: { scopes: ['messages:write'] }, headers: { authorization: 'Bearer test-admin-token' } });
    const r = await t.request('GET', `${SP}/me?apiKey=${k.body.apiKey}`);
    assertError(r, 403, 40, 'L’accès à l’API est refusé');
  });
});
