import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN_TOKEN, dialectApp, type TestApp } from '../../helpers/app.js';

const keyWith = async (t: TestApp, accountId: number, scopes: string[]): Promise<string> =>
  (await t.request('POST', `/admin/v1/accounts/${accountId}/keys`, { body: { scopes }, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).body.apiKey;

dialectApp('native API: /api/v1/users', ({ app }) => {
  test('PUT creates then updates (left out kept, null removed, attributes merged); GET answers the same view', async () => {
    const t = app();
    const a = await t.account('1');
    const created = await t.request('PUT', '/api/v1/users/user-1', { key: a.apiKey, body: { email: 'Ada@Example.com', phone: '0612345678', timeZone: 'Europe/Paris', firstName: 'Ada', attributes: { plan: 'gold', seats: 2 } } });
    assert.equal(created.status, 200, created.text);
    const at = new Date(t.clock.now()).toISOString();
    assert.deepEqual(created.body, {
      externalId: 'user-1', alias: null, email: 'Ada@example.com', phone: '+33612345678', timeZone: 'Europe/Paris', firstName: 'Ada', lastName: null,
      attributes: { plan: 'gold', seats: 2 }, createdAt: at, updatedAt: at,
    });
    t.clock.advance(60_000);
    const updated = await t.request('PUT', '/api/v1/users/user-1', { key: a.apiKey, body: { firstName: null, lastName: 'Lovelace', attributes: { plan: null, vip: true } } });
    assert.deepEqual(updated.body, { ...created.body, firstName: null, lastName: 'Lovelace', attributes: { seats: 2, vip: true }, updatedAt: new Date(t.clock.now()).toISOString() });
    assert.deepEqual((await t.request('GET', '/api/v1/users/user-1', { key: a.apiKey })).body, updated.body);
  });

  test('bad values are 400 naming the field, and write nothing; unknown fields are refused', async () => {
    const t = app();
    const a = await t.account('1');
    for (const [body, field] of [[{ email: 'nope' }, 'email'], [{ phone: '12' }, 'phone'], [{ timeZone: 'Mars/Base' }, 'timeZone'], [{ color: 'red' }, 'color']] as const) {
      const r = await t.request('PUT', '/api/v1/users/u', { key: a.apiKey, body });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.code, 'invalid_request');
      assert.equal(r.body.field, field);
    }
    assert.equal((await t.request('GET', '/api/v1/users/u', { key: a.apiKey })).status, 404);
  });

  test('GET /users pages oldest first; DELETE removes (then 404); another account sees none of them', async () => {
    const t = app();
    const a = await t.account('1');
    for (const id of ['a', 'b', 'c']) assert.equal((await t.request('PUT', `/api/v1/users/${id}`, { key: a.apiKey, body: {} })).status, 200);
    const first = await t.request('GET', '/api/v1/users?limit=2', { key: a.apiKey });
    assert.deepEqual(first.body.items.map((u: { externalId: string }) => u.externalId), ['a', 'b']);
    const rest = await t.request('GET', `/api/v1/users?limit=2&cursor=${first.body.nextCursor}`, { key: a.apiKey });
    assert.deepEqual([rest.body.items.map((u: { externalId: string }) => u.externalId), rest.body.nextCursor], [['c'], null]);
    const other = await t.account('1', 'other');
    assert.deepEqual((await t.request('GET', '/api/v1/users', { key: other.apiKey })).body, { items: [], nextCursor: null });
    assert.equal((await t.request('GET', '/api/v1/users/a', { key: other.apiKey })).status, 404);
    assert.equal((await t.request('DELETE', '/api/v1/users/a', { key: other.apiKey })).status, 404);
    assert.equal((await t.request('DELETE', '/api/v1/users/a', { key: a.apiKey })).status, 204);
    assert.equal((await t.request('GET', '/api/v1/users/a', { key: a.apiKey })).status, 404);
    assert.equal((await t.request('DELETE', '/api/v1/users/a', { key: a.apiKey })).status, 404);
  });

  test('scopes: users:read reads, users:write writes; neither implies the other', async () => {
    const t = app();
    const a = await t.account('1');
    const reader = await keyWith(t, a.id, ['users:read']);
    const writer = await keyWith(t, a.id, ['users:write']);
    assert.equal((await t.request('PUT', '/api/v1/users/u', { key: reader, body: {} })).status, 403);
    assert.equal((await t.request('PUT', '/api/v1/users/u', { key: writer, body: {} })).status, 200);
    const denied = await t.request('GET', '/api/v1/users/u', { key: writer });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.scope, 'users:read');
    assert.equal((await t.request('GET', '/api/v1/users', { key: reader })).body.items.length, 1);
    assert.equal((await t.request('DELETE', '/api/v1/users/u', { key: reader })).status, 403);
  });
});
