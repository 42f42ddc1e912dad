import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp, type TestApp } from '../../../helpers/app.js';
import { ALL_BUT_TRACK, assertFault, brazeAccount, bz, rate, storedUsers, track } from './support.js';

const ONE = { attributes: [{ external_id: 'u1', first_name: 'Ada' }] };
const SUCCESS = { message: 'success', attributes_processed: 1 };
const HOUR_RESET = (t: TestApp) => Math.floor(t.clock.now() / 3_600_000) * 3600 + 3600;

dialectApp('Braze frame: keys, permissions, envelopes, bodies, rate headers', ({ app }) => {
  test('no key, an unknown key, a quoted key, another scheme: 401 Unauthorized with the reason; rate headers; nothing written', async () => {
    const t = app();
    const a = await brazeAccount(t);
    const cases: [Record<string, string>, string][] = [
      [{}, 'an API key is required: Authorization: Bearer <REST API key>'],
      [{ authorization: 'Bearer not-a-key' }, 'invalid API key'],
      [{ authorization: `Bearer "${a.apiKey}"` }, 'the API key must not be quoted'],
      [{ authorization: `Basic ${a.apiKey}` }, 'the Authorization header must be "Bearer <REST API key>"'],
    ];
    for (const [headers, reason] of cases) {
      const r = await bz(t, 'POST', '/users/track', { body: ONE, headers });
      assertFault(r, 401, 'Unauthorized', [reason]);
      rate(r);
    }
    assert.deepEqual(await storedUsers(t, a.id), []);
  });

  test('legacy api_key in the body when there is no header (app_group_id ignored); the header wins over the body', async () => {
    const t = app();
    const a = await brazeAccount(t);
    const legacy = await bz(t, 'POST', '/users/track', { body: { ...ONE, api_key: a.apiKey, app_group_id: 'whatever' } });
    assert.equal(legacy.status, 201, legacy.text);
    assert.deepEqual(legacy.body, SUCCESS);
    const headerWins = await bz(t, 'POST', '/users/track', { key: a.apiKey, body: { attributes: [{ external_id: 'u2' }], api_key: 'not-a-key' } });
    assert.equal(headerWins.status, 201, headerWins.text);
    const badHeader = await bz(t, 'POST', '/users/track', { headers: { authorization: 'Bearer not-a-key' }, body: { attributes: [{ external_id: 'u3' }], api_key: a.apiKey } });
    assertFault(badHeader, 401, 'Unauthorized', ['invalid API key']);
    assert.deepEqual((await storedUsers(t, a.id)).map((u) => u.externalId), ['u1', 'u2']);
  });

  test('a key with every Braze permission but users.track: 403 Access Denied, nothing written; a users.track-only key may', async () => {
    const t = app();
    const denied = await brazeAccount(t, ALL_BUT_TRACK);
    const r = await track(t, denied.apiKey, ONE);
    assertFault(r, 403, 'Access Denied', ['this API key lacks the "users.track" scope']);
    rate(r);
    assert.deepEqual(await storedUsers(t, denied.id), []);
    const native = await brazeAccount(t, ['users:write']);
    assertFault(await track(t, native.apiKey, ONE), 403, 'Access Denied');
    const allowed = await brazeAccount(t, ['users.track']);
    assert.deepEqual((await track(t, allowed.apiKey, ONE)).body, SUCCESS);
  });

  test('a path or method Braze does not have: 404 {"message":"Not Found","errors":[]}, with rate headers, whatever the key', async () => {
    const t = app();
    const a = await brazeAccount(t);
    for (const [method, path, key] of [['GET', '/nope', a.apiKey], ['POST', '/users/nope', undefined], ['GET', '/users/track', a.apiKey], ['GET', '', 'bad']] as const) {
      const r = await bz(t, method, path, { key });
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.equal(r.text, '{"message":"Not Found","errors":[]}');
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      rate(r);
    }
  });

  test('a body that is not one JSON object, or not sent as JSON: 400 Bad Request with the reason and rate headers', async () => {
    const t = app();
    const a = await brazeAccount(t);
    const json = { 'content-type': 'application/json' };
    const cases: [string, Record<string, string>, string][] = [
      ['{"attributes": [', json, 'the body is not valid JSON'],
      ['[1, 2]', json, 'the body must be a JSON object'],
      ['"x"', json, 'the body must be a JSON object'],
      ['attributes=1', { 'content-type': 'application/x-www-form-urlencoded' }, 'Content-Type must be application/json'],
      [`{"a": ${'['.repeat(40)}${']'.repeat(40)}}`, json, 'the body is nested deeper than 32 levels'],
      ['{"attributes": [{"external_id": "u", "__proto__": {"x": 1}}]}', json, 'the body must not hold a "__proto__" key'],
      ['{"attributes": [{"external_id": "u\\u0000"}]}', json, 'attributes.0.external_id must not contain NUL (U+0000) characters'],
    ];
    for (const [raw, headers, reason] of cases) {
      const r = await bz(t, 'POST', '/users/track', { key: a.apiKey, raw, headers });
      assertFault(r, 400, 'Bad Request', [reason]);
      rate(r);
    }
    assert.deepEqual(await storedUsers(t, a.id), []);
  });

  test('an unexpected failure: 500 Internal Server Error without details', async () => {
    const t = app();
    const a = await brazeAccount(t);
    const transaction = t.store.transaction;
    t.store.transaction = async () => { throw new Error('secret detail of the failure'); };
    try {
      const r = await track(t, a.apiKey, ONE);
      assert.equal(r.status, 500);
      assert.equal(r.text, '{"message":"Internal Server Error","errors":[]}');
      rate(r);
    } finally {
      t.store.transaction = transaction;
    }
  });

  test('rate headers count down per key on successes and errors; a request without a valid key counts against its address', async () => {
    const t = app();
    const a = await brazeAccount(t);
    const b = await brazeAccount(t);
    const first = rate(await track(t, a.apiKey, ONE));
    assert.deepEqual(first, { limit: 3000, remaining: 2999, reset: Math.floor(t.clock.now() / 3000) * 3 + 3 });
    assert.equal(rate(await track(t, a.apiKey, { attributes: [{}] })).remaining, 2998);
    assert.equal(rate(await track(t, b.apiKey, ONE)).remaining, 2999);
    // Without a valid key, a call counts in its endpoint's bucket against the client's address; an unknown path in the default bucket.
    const badKey = { body: ONE, headers: { authorization: 'Bearer x' } };
    const anonymous = rate(await bz(t, 'POST', '/users/track', badKey));
    assert.equal(anonymous.limit, 3000);
    assert.equal(rate(await bz(t, 'POST', '/users/track', badKey)).remaining, anonymous.remaining - 1);
    const unknown = rate(await bz(t, 'GET', '/nope'));
    assert.deepEqual([unknown.limit, unknown.reset], [250_000, HOUR_RESET(t)]);
    assert.equal(rate(await bz(t, 'GET', '/nope/again')).remaining, unknown.remaining - 1);
  });
});

dialectApp('Braze frame: limits configured low', ({ app }) => {
  test('over the limit: 429 Rate Limited with Retry-After, exact remaining and reset; nothing written; the next window lets it through', async () => {
    const t = app();
    const a = await brazeAccount(t);
    // The fake clock starts on a whole hour: the 3-second window ends 3 s from now.
    const reset = t.clock.now() / 1000 + 3;
    assert.deepEqual(rate(await track(t, a.apiKey, ONE)), { limit: 2, remaining: 1, reset });
    assert.deepEqual(rate(await track(t, a.apiKey, { attributes: [{ external_id: 'u2' }] })), { limit: 2, remaining: 0, reset });
    const over = await track(t, a.apiKey, { attributes: [{ external_id: 'u3' }] });
    assert.equal(over.text, '{"message":"Rate Limited","errors":[]}');
    assert.equal(over.status, 429);
    assert.equal(over.headers.get('retry-after'), '3');
    assert.deepEqual(rate(over), { limit: 2, remaining: 0, reset });
    // Over the limit, a bad body is still a 429.
    assert.equal((await bz(t, 'POST', '/users/track', { key: a.apiKey, raw: '{', headers: { 'content-type': 'application/json' } })).status, 429);
    assert.deepEqual((await storedUsers(t, a.id)).map((u) => u.externalId), ['u1', 'u2']);
    t.clock.advance(3000);
    const next = await track(t, a.apiKey, { attributes: [{ external_id: 'u3' }] });
    assert.equal(next.status, 201, next.text);
    assert.deepEqual(rate(next), { limit: 2, remaining: 1, reset: reset + 3 });
    // Another key has its own count.
    const b = await brazeAccount(t);
    assert.equal(rate(await track(t, b.apiKey, ONE)).remaining, 1);
  });

  test('requests without a valid key count against their address: over the limit they are 429s, not 401s or 404s', async () => {
    const t = app();
    const statuses = [];
    for (const path of ['/nope', '/users/track', '/other', '/users/track', '/third', '/users/track', '/fourth']) {
      statuses.push((await bz(t, 'POST', path, { body: ONE, headers: { authorization: 'Bearer x' } })).status);
    }
    assert.deepEqual(statuses, [404, 401, 404, 401, 404, 429, 429]);
  });

  test('a body over the body limit: 413 in the envelope', async () => {
    const t = app();
    const a = await brazeAccount(t);
    t.clock.advance(3_600_000);
    const r = await track(t, a.apiKey, { attributes: [{ external_id: 'u', note: 'x'.repeat(4000) }] });
    assertFault(r, 413, 'Payload Too Large', ['request body is too large']);
  });
}, { env: { RELAIS_BRAZE_RATE_USERS_TRACK_PER_3S: '2', RELAIS_BRAZE_RATE_SCHEDULE_PER_HOUR: '3', RELAIS_BODY_LIMIT_BYTES: '2048' } });
