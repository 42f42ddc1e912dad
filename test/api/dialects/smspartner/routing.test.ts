import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp } from '../../../helpers/app.js';
import { account, assertError, assertXml, rawHttp, SP, xmlError } from './support.js';

const UNSUPPORTED: [string, string][] = [
  ['POST', '/vn/send'], ['POST', '/sondage/to/send'], ['POST', '/group/add'], ['POST', '/contact/add'], ['DELETE', '/groupe/delete'],
  ['POST', '/contact/update'], ['POST', '/contact/delete'], ['GET', '/group/list'], ['GET', '/contact/detail'], ['POST', '/vn/callforward'],
  // The Go SDK's VerifyNumber and VerifyNumberFormat.
  ['POST', '/hlr/notify'], ['POST', '/lookup'],
];

dialectApp('SMS Partner: mounting, unsupported paths, HTTP statuses', ({ app }) => {
  test('documented but unsupported endpoints answer code 40 (JSON and XML)', async () => {
    const t = app();
    for (const [method, path] of UNSUPPORTED) {
      assertError(await t.request(method, `${SP}${path}`), 403, 40, 'L’accès à l’API est refusé');
      assertXml(await t.request(method, `${SP}${path}?_format=xml`), 403, xmlError(40, 'L’accès à l’API est refusé'));
    }
  });

  test('an unknown path under the prefix answers in the vendor envelope; /v1 without the vendor host is not the dialect', async () => {
    const t = app();
    assertError(await t.request('GET', `${SP}/nothing-here`), 404, 404, 'Ressource introuvable');
    const a = await account(t);
    const plain = await rawHttp(t, 'GET', `/v1/me?apiKey=${a.apiKey}`, { headers: { host: 'api.smspartner.fr' } });
    assert.equal(plain.status, 404);
    assert.match(plain.headers.get('content-type') ?? '', /problem\+json/, 'RELAIS_HOST_DIALECTS is off by default');
  });

  test('the native API keeps its own parsing and errors next to the dialect', async () => {
    const t = app();
    const r = await t.request('POST', '/api/v1/messages', { raw: '{"x":', headers: { 'content-type': 'application/json', authorization: 'Bearer nope' } });
    assert.match(r.headers.get('content-type') ?? '', /problem\+json/);
  });
});

dialectApp('SMS Partner: Host routing (RELAIS_HOST_DIALECTS=true)', ({ app }) => {
  test('Host api.smspartner.fr serves the dialect at /v1; other hosts do not', async () => {
    const t = app();
    const a = await account(t, '2');
    const viaHost = await rawHttp(t, 'GET', `/v1/me?apiKey=${a.apiKey}`, { headers: { host: 'api.smspartner.fr' } });
    assert.equal(viaHost.body.credits.balance, '2.000', viaHost.text);
    const withPort = await rawHttp(t, 'GET', `/v1/me/?apiKey=${a.apiKey}`, { headers: { host: 'API.SMSPARTNER.FR:443' } });
    assert.equal(withPort.body.success, true);
    assert.equal((await t.request('GET', `/v1/me?apiKey=${a.apiKey}`)).status, 404);
    assert.equal((await rawHttp(t, 'GET', `${SP}/me?apiKey=${a.apiKey}`, { headers: { host: 'api.smspartner.fr' } })).status, 200, 'the prefix still works');
    assert.equal((await rawHttp(t, 'GET', '/healthz', { headers: { host: 'api.smspartner.fr' } })).status, 200);
  });
}, { env: { RELAIS_HOST_DIALECTS: 'true' } });

dialectApp('SMS Partner: RELAIS_SMSPARTNER_ALWAYS_200=true', ({ app }) => {
  test('errors keep their body and answer HTTP 200', async () => {
    const t = app();
    const r = await t.request('GET', `${SP}/me?apiKey=wrong`);
    assert.equal(r.status, 200);
    assert.equal(r.text, JSON.stringify({ success: false, code: 10, message: 'Clé API incorrecte' }));
    const xml = await t.request('GET', `${SP}/message-cancel?_format=xml`);
    assertXml(xml, 200, xmlError(1, 'La Clé API est requise'));
  });
}, { env: { RELAIS_SMSPARTNER_ALWAYS_200: 'true' } });
