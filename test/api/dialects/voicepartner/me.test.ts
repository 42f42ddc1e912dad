import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hms } from '../../../../src/api/dialects/voicepartner/me.js';
import { ADMIN_TOKEN } from '../../../helpers/app.js';
import { errorBody, voiceApp, xmlOf } from './support.js';

const BAD_KEY = errorBody(10, 'Clé API incorrecte');

voiceApp('Voice Partner /me', (app) => {
  test('the key as a path segment: the balance as a string, `€`, the airtime and drops it buys at 0.150 a call', async () => {
    const v = app();
    const a = await v.account('19');
    const r = await v.request('GET', `/me/${a.apiKey}`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    // 19.000 / 0.150 = 126 calls, an assumed minute each: 2 h 6 min.
    assert.equal(r.text, JSON.stringify({
      success: true, credit: '19', currency: '€',
      details: { tts: { h: 2, m: 6, s: 0 }, tts_fixe: { h: 2, m: 6, s: 0 }, voice: { message: 126 } },
    }));
  });

  test('the key in the query, a trailing slash, and XML with `_format=xml`', async () => {
    const v = app();
    const a = await v.account('2.5');
    const expected = { success: true, credit: '2.5', currency: '€', details: { tts: { h: 0, m: 16, s: 0 }, tts_fixe: { h: 0, m: 16, s: 0 }, voice: { message: 16 } } };
    const q = await v.request('GET', `/me?apiKey=${a.apiKey}`);
    assert.equal(q.status, 200, q.text);
    assert.deepEqual(q.body, expected);
    assert.deepEqual((await v.request('GET', `/me/${a.apiKey}/`)).body, expected);
    const x = await v.request('GET', `/me/${a.apiKey}?_format=xml`);
    assert.equal(x.status, 200, x.text);
    assert.match(x.headers.get('content-type') ?? '', /^application\/xml/);
    assert.equal(x.text, xmlOf(expected));
  });

  test('a wrong key is 10 `Clé API incorrecte` with HTTP 401; no key or an empty segment the same, never a 500', async () => {
    const v = app();
    for (const path of ['/me/nope', '/me?apiKey=nope', '/me', '/me/', '/me/%20', '/me?apiKey=']) {
      const r = await v.request('GET', path);
      assert.equal(r.status, 401, `${path}: ${r.text}`);
      assert.equal(r.text, BAD_KEY, path);
    }
    const x = await v.request('GET', '/me/nope?_format=xml');
    assert.equal(x.status, 401);
    assert.equal(x.text, xmlOf({ success: false, code: 10, message: 'Clé API incorrecte' }));
  });

  test('the path key wins over the query\'s', async () => {
    const v = app();
    const a = await v.account('1');
    const b = await v.account('3');
    assert.equal((await v.request('GET', `/me/${b.apiKey}?apiKey=${a.apiKey}`)).body.credit, '3');
  });

  test('a key without account:read is refused; an unknown path is 404 `Ressource non trouvé.`', async () => {
    const v = app();
    const a = await v.account('1');
    const k = await v.t.request('POST', `/admin/v1/accounts/${a.id}/keys`, { body: { scopes: ['messages:write'] }, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(k.status, 201, k.text);
    const r = await v.request('GET', `/me/${k.body.apiKey}`);
    assert.equal(r.status, 403);
    assert.equal(r.text, errorBody(10, 'Action non autorisé.'));
    const n = await v.request('GET', `/nowhere/${a.apiKey}`);
    assert.equal(n.status, 404);
    assert.equal(n.text, errorBody(404, 'Ressource non trouvé.'));
  });

  test('a balance below one call buys nothing; minutes and seconds stay within 0–59', async () => {
    const v = app();
    const a = await v.account('0.1');
    assert.deepEqual((await v.request('GET', `/me/${a.apiKey}`)).body.details, { tts: { h: 0, m: 0, s: 0 }, tts_fixe: { h: 0, m: 0, s: 0 }, voice: { message: 0 } });
    assert.deepEqual(hms(3599), { h: 0, m: 59, s: 59 });
    assert.deepEqual(hms(90_066), { h: 25, m: 1, s: 6 });
  });

  test('5 requests a minute per key, then HTTP 429 `Trop de requêtes`; another key is not held back; a minute later it serves again', async () => {
    const v = app();
    const a = await v.account('1');
    const b = await v.account('1');
    for (let i = 0; i < 5; i++) assert.equal((await v.request('GET', `/me/${a.apiKey}`)).status, 200, `request ${i + 1}`);
    const r = await v.request('GET', `/me?apiKey=${a.apiKey}`);
    assert.equal(r.status, 429);
    assert.equal(r.text, errorBody(429, 'Trop de requêtes'));
    assert.equal(r.headers.get('retry-after'), '60');
    assert.equal((await v.request('GET', `/me/${b.apiKey}`)).status, 200);
    v.t.clock.advance(60_001);
    assert.equal((await v.request('GET', `/me/${a.apiKey}`)).status, 200);
  });
});
