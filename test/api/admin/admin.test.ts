import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp } from '../../helpers/app.js';
import { ADMIN, assertLedger, assertProblem, assertStatus, at, iso, ledgerRows } from '../native/support.js';

/** The whole catalogue, native then Braze permission names (src/core/scopes.ts), as errors list it. */
const ALL_SCOPES = 'messages:read, messages:write, account:read, account:write, suppressions:write, webhooks:write, campaigns:read, campaigns:write, users:read, users:write, campaigns.trigger.schedule.create, campaigns.trigger.schedule.update, campaigns.trigger.schedule.delete, canvas.trigger.schedule.create, canvas.trigger.schedule.update, canvas.trigger.schedule.delete, messages.schedule.create, messages.schedule.update, messages.schedule.delete, messages.schedule_broadcasts, campaigns.trigger.send, messages.send, users.track'.split(', ');

const KEY = /^[0-9A-Za-z]{32,}$/;

dialectApp('admin API: ids and numbers the fuzzer sent (issue 15)', ({ app }) => {
  test('ids like 1e99, Infinity or 2^53 on /accounts/:id → 400 naming id; parentId 1e308 → 400 naming parentId; nothing created', async () => {
    const t = app();
    const before = (await t.request('GET', '/admin/v1/accounts', { headers: ADMIN })).body.items.length;
    for (const id of ['1e99', 'Infinity', '-Infinity', '9007199254740992', '9'.repeat(90)]) {
      for (const [method, path, body] of [['GET', `/admin/v1/accounts/${id}`], ['PATCH', `/admin/v1/accounts/${id}`, { subaccountsEnabled: true }],
        ['POST', `/admin/v1/accounts/${id}/topup`, { credits: '1' }], ['POST', `/admin/v1/accounts/${id}/keys`, {}]] as const) {
        const res = await t.request(method, path, { headers: ADMIN, ...(body ? { body } : {}) });
        assertProblem(res, 400, 'invalid_request', /^id must be/);
        assert.equal(res.body.field, 'id');
      }
    }
    for (const parentId of [1e308, 2 ** 53, 0, 1.5]) {
      const res = await t.request('POST', '/admin/v1/accounts', { headers: ADMIN, body: { name: 'x', credits: '1', parentId } });
      assertProblem(res, 400, 'invalid_request', /^parentId must be/);
      assert.equal(res.body.field, 'parentId');
    }
    assertProblem(await t.request('POST', '/admin/v1/accounts', { headers: ADMIN, body: { name: 'x', credits: 1e308 } }), 400, 'invalid_request', /^credits /);
    assertProblem(await t.request('GET', '/admin/v1/accounts/9007199254740991', { headers: ADMIN }), 404, 'not_found');
    assert.equal((await t.request('GET', '/admin/v1/accounts', { headers: ADMIN })).body.items.length, before);
  });
});

dialectApp('admin API /admin/v1', ({ app }) => {
  const accounts = async () => {
    const res = await app().request('GET', '/admin/v1/accounts', { headers: ADMIN });
    assertStatus(res, 200);
    return res.body.items as { id: number }[];
  };

  test('POST /accounts creates the account, its opening topup and a working full-scope key', async () => {
    const t = app();
    const res = await t.request('POST', '/admin/v1/accounts', { body: { name: 'acme', credits: '100.000' }, headers: ADMIN });
    assertStatus(res, 201);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const { apiKey, ...account } = res.body;
    assert.match(apiKey, KEY);
    assert.equal(typeof account.id, 'number');
    assert.deepEqual(account, {
      id: account.id, name: 'acme', parentId: null, balance: '100.000', currency: 'EUR', createdAt: iso(t.clock.now()),
    });

    const me = await t.request('GET', '/api/v1/account', { key: apiKey });
    assertStatus(me, 200);
    assert.deepEqual(me.body, account);
    assert.deepEqual(await ledgerRows(t, apiKey), [['topup', '100.000', '100.000', null, 'opening balance']]);
    await assertLedger(t, account.id, 100_000);

    const got = await t.request('GET', `/admin/v1/accounts/${account.id}`, { headers: ADMIN });
    assertStatus(got, 200);
    assert.deepEqual(got.body, account);
    assert.ok((await accounts()).some((a) => a.id === account.id));

    // The key can write: it was created with every scope.
    const sent = await t.request('POST', '/api/v1/messages', { key: apiKey, body: { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: at(t, 60_000) } });
    assertStatus(sent, 201);
  });

  test('credits: decimal strings and numbers, absent means 0; each account gets its own key', async () => {
    const t = app();
    const cases: [unknown, string][] = [['12.5', '12.500'], ['0.001', '0.001'], [7, '7.000'], [2.25, '2.250'], ['0', '0.000'], [undefined, '0.000']];
    const keys = new Set<string>();
    for (const [credits, balance] of cases) {
      const res = await t.request('POST', '/admin/v1/accounts', { body: { name: `c-${String(credits)}`, credits }, headers: ADMIN });
      assertStatus(res, 201);
      assert.equal(res.body.balance, balance, `credits ${String(credits)}`);
      keys.add(res.body.apiKey);
      await assertLedger(t, res.body.id, Number(balance.replace('.', '')));
      const rows = await ledgerRows(t, res.body.apiKey);
      assert.deepEqual(rows, balance === '0.000' ? [] : [['topup', balance, balance, null, 'opening balance']]);
    }
    assert.equal(keys.size, cases.length);
  });

  test('sub-account: parentId round-trips; an unknown parent is 404 and creates nothing', async () => {
    const t = app();
    const parent = await t.account('1');
    const res = await t.request('POST', '/admin/v1/accounts', { body: { name: 'child', credits: '2', parentId: parent.id }, headers: ADMIN });
    assertStatus(res, 201);
    assert.equal(res.body.parentId, parent.id);
    assert.equal(res.body.balance, '2.000');

    const before = (await accounts()).length;
    assertProblem(await t.request('POST', '/admin/v1/accounts', { body: { name: 'orphan', credits: '2', parentId: 999_999 }, headers: ADMIN }), 404, 'not_found');
    assert.equal((await accounts()).length, before);
  });

  test('wrong, missing or malformed admin token: 401 problem, nothing created; an API key is not an admin token', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const before = (await accounts()).length;
    const tokens: (Record<string, string> | undefined)[] = [
      undefined, { authorization: 'Bearer nope' }, { authorization: 'Bearer test-admin-token-x' }, { authorization: 'Basic dGVzdA==' },
      { authorization: `Bearer ${apiKey}` }, { authorization: 'Bearer' },
    ];
    for (const headers of tokens) {
      assertProblem(await t.request('POST', '/admin/v1/accounts', { body: { name: 'x', credits: '1' }, headers }), 401, 'unauthorized');
      assertProblem(await t.request('GET', '/admin/v1/accounts', { headers }), 401, 'unauthorized');
      assertProblem(await t.request('POST', `/admin/v1/accounts/${id}/topup`, { body: { credits: '5' }, headers }), 401, 'unauthorized');
      assertProblem(await t.request('POST', `/admin/v1/accounts/${id}/keys`, { headers }), 401, 'unauthorized');
    }
    assert.equal((await accounts()).length, before);
    await assertLedger(t, id, 1000);
  });

  test('topup answers the account with its new balance and writes a topup entry', async () => {
    const t = app();
    const { id, apiKey } = await t.account('100');
    const res = await t.request('POST', `/admin/v1/accounts/${id}/topup`, { body: { credits: '5' }, headers: ADMIN });
    assertStatus(res, 200);
    assert.deepEqual(res.body, { id, name: 'acme', parentId: null, balance: '105.000', currency: 'EUR', createdAt: iso(t.clock.now()) });
    const again = await t.request('POST', `/admin/v1/accounts/${id}/topup`, { body: { credits: 0.125 }, headers: ADMIN });
    assertStatus(again, 200);
    assert.equal(again.body.balance, '105.125');
    assert.deepEqual(await ledgerRows(t, apiKey), [
      ['topup', '0.125', '105.125', null, 'topup'],
      ['topup', '5.000', '105.000', null, 'topup'],
      ['topup', '100.000', '100.000', null, 'opening balance'],
    ]);
    await assertLedger(t, id, 105_125);
  });

  test('bad credits are 400 and change nothing: create and topup', async () => {
    const t = app();
    const { id, apiKey } = await t.account('10');
    const before = (await accounts()).length;
    for (const credits of ['abc', '1.2345', -1, '-1', 1.2345, '', '1e3', ' ', null, true, '1,5']) {
      assertProblem(await t.request('POST', '/admin/v1/accounts', { body: { name: 'bad', credits }, headers: ADMIN }), 400, 'invalid_request');
      assertProblem(await t.request('POST', `/admin/v1/accounts/${id}/topup`, { body: { credits }, headers: ADMIN }), 400, 'invalid_request');
    }
    // A zero topup moves nothing, so it is refused too.
    assertProblem(await t.request('POST', `/admin/v1/accounts/${id}/topup`, { body: { credits: '0' }, headers: ADMIN }), 400, 'invalid_request');
    assertProblem(await t.request('POST', `/admin/v1/accounts/${id}/topup`, { body: {}, headers: ADMIN }), 400, 'invalid_request');
    assertProblem(await t.request('POST', '/admin/v1/accounts', { body: { credits: '1' }, headers: ADMIN }), 400, 'invalid_request');
    assertProblem(await t.request('POST', '/admin/v1/accounts', { body: { name: '   ', credits: '1' }, headers: ADMIN }), 400, 'invalid_request');
    assertProblem(await t.request('POST', '/admin/v1/accounts', { body: { name: 'x', credits: '1', extra: 1 }, headers: ADMIN }), 400, 'invalid_request');
    assert.equal((await accounts()).length, before);
    assert.deepEqual(await ledgerRows(t, apiKey), [['topup', '10.000', '10.000', null, 'opening balance']]);
    await assertLedger(t, id, 10_000);
  });

  test('unknown account id: 404 on get, topup and keys; a non-numeric id is 400', async () => {
    const t = app();
    assertProblem(await t.request('GET', '/admin/v1/accounts/999999', { headers: ADMIN }), 404, 'not_found');
    assertProblem(await t.request('POST', '/admin/v1/accounts/999999/topup', { body: { credits: '5' }, headers: ADMIN }), 404, 'not_found');
    assertProblem(await t.request('POST', '/admin/v1/accounts/999999/keys', { headers: ADMIN }), 404, 'not_found');
    assertProblem(await t.request('POST', '/admin/v1/accounts/999999/keys', { body: { scopes: ['messages:read'] }, headers: ADMIN }), 404, 'not_found');
    assertProblem(await t.request('GET', '/admin/v1/accounts/abc', { headers: ADMIN }), 400, 'invalid_request');
    assertProblem(await t.request('POST', '/admin/v1/accounts/abc/topup', { body: { credits: '5' }, headers: ADMIN }), 400, 'invalid_request');
    assertProblem(await t.request('POST', '/admin/v1/accounts/0/keys', { headers: ADMIN }), 400, 'invalid_request');
  });

  test('POST /accounts/:id/keys: no body → every scope; {scopes} → exactly those; a read key is refused writes with 403', async () => {
    const t = app();
    const { id } = await t.account('10');

    const full = await t.request('POST', `/admin/v1/accounts/${id}/keys`, { headers: ADMIN });
    assertStatus(full, 201);
    assert.match(full.body.apiKey, KEY);
    assert.deepEqual(full.body, { apiKey: full.body.apiKey, id: full.body.id, accountId: id, scopes: null });

    const empty = await t.request('POST', `/admin/v1/accounts/${id}/keys`, { body: {}, headers: ADMIN });
    assertStatus(empty, 201);
    assert.equal(empty.body.scopes, null);

    const read = await t.request('POST', `/admin/v1/accounts/${id}/keys`, { body: { scopes: ['messages:read'] }, headers: ADMIN });
    assertStatus(read, 201);
    assert.match(read.body.apiKey, KEY);
    assert.deepEqual(read.body.scopes, ['messages:read']);
    assert.equal(new Set([full.body.apiKey, empty.body.apiKey, read.body.apiKey]).size, 3);

    // The full key writes; the read key reads the same account but may not write.
    const m = await t.request('POST', '/api/v1/messages', { key: full.body.apiKey, body: { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: at(t, 3_600_000) } });
    assertStatus(m, 201);
    const list = await t.request('GET', '/api/v1/messages', { key: read.body.apiKey });
    assertStatus(list, 200);
    assert.deepEqual(list.body.items.map((x: any) => x.id), [m.body.id]);
    assertStatus(await t.request('GET', `/api/v1/messages/${m.body.id}`, { key: read.body.apiKey }), 200);

    const k = read.body.apiKey;
    const body = { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: at(t, 3_600_000) };
    assertProblem(await t.request('POST', '/api/v1/messages', { key: k, body }), 403, 'forbidden', /messages:write/);
    assertProblem(await t.request('DELETE', `/api/v1/messages/${m.body.id}`, { key: k }), 403, 'forbidden');
    assertProblem(await t.request('POST', `/api/v1/messages/${m.body.id}/cancel`, { key: k }), 403, 'forbidden');
    assertProblem(await t.request('PATCH', `/api/v1/messages/${m.body.id}`, { key: k, body: { tag: 'x' } }), 403, 'forbidden');
    assertProblem(await t.request('POST', '/api/v1/messages/cancel', { key: k, body: { ids: [m.body.id] } }), 403, 'forbidden');
    assertProblem(await t.request('POST', '/api/v1/suppressions', { key: k, body: { channel: 'sms', address: '0612345678' } }), 403, 'forbidden', /suppressions:write/);
    assertProblem(await t.request('GET', '/api/v1/account', { key: k }), 403, 'forbidden', /account:read/);
    assertProblem(await t.request('GET', '/api/v1/ledger', { key: k }), 403, 'forbidden');

    // Nothing was written by the refused requests.
    const after = await t.request('GET', `/api/v1/messages/${m.body.id}`, { key: k });
    assert.equal(after.body.status, 'scheduled');
    assert.equal(after.body.tag, null);
    const all = await t.request('GET', '/api/v1/messages', { key: k });
    assert.equal(all.body.items.length, 1);
    await assertLedger(t, id, 10_000 - 45);

    const write = await t.request('POST', `/admin/v1/accounts/${id}/keys`, { body: { scopes: ['messages:write'] }, headers: ADMIN });
    assertStatus(write, 201);
    assertStatus(await t.request('POST', '/api/v1/messages', { key: write.body.apiKey, body }), 201);
    assertProblem(await t.request('GET', '/api/v1/messages', { key: write.body.apiKey }), 403, 'forbidden', /messages:read/);
  });

  test('POST /accounts/:id/keys: unknown scope names are refused with 400 naming them and the allowed ones; no key is made', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    for (const scopes of [['messages:raed'], ['messages:read', 'account:admin', 'Messages:Write'], ['campaigns.trigger.schedule.remove']]) {
      const r = await t.request('POST', `/admin/v1/accounts/${id}/keys`, { body: { scopes }, headers: ADMIN });
      assertProblem(r, 400, 'invalid_request', /unknown scope/);
      const unknown = scopes.filter((s) => s !== 'messages:read');
      assert.deepEqual(r.body.unknown, unknown);
      for (const s of unknown) assert.match(r.body.detail, new RegExp(`"${s}"`));
      assert.deepEqual(r.body.allowed, ALL_SCOPES);
      assert.ok(r.body.detail.endsWith(`allowed: ${ALL_SCOPES.join(', ')}`), r.body.detail);
    }
    const ok = await t.request('POST', `/admin/v1/accounts/${id}/keys`, { body: { scopes: ['account:write', 'webhooks:write', 'users.track', 'messages.schedule_broadcasts'] }, headers: ADMIN });
    assertStatus(ok, 201);
    assert.deepEqual(ok.body.scopes, ['account:write', 'webhooks:write', 'users.track', 'messages.schedule_broadcasts']);
    // Only the first key and the one valid request's key exist.
    const rows = await (t.store as any).db.selectFrom('api_keys').select('id').where('account_id', '=', id).execute();
    assert.equal(rows.length, 2);
    assertStatus(await t.request('GET', '/api/v1/account', { key: apiKey }), 200);
  });

  test('POST /accounts/:id/keys on a closed sub-account: 409 conflict, no key, the account stays closed', async () => {
    const t = app();
    const parent = await t.account('10');
    assertStatus(await t.request('PATCH', `/admin/v1/accounts/${parent.id}`, { body: { subaccountsEnabled: true }, headers: ADMIN }), 200);
    const created = await t.request('POST', '/smspartner/v1/subaccount/create', { body: { apiKey: parent.apiKey, type: 'simple' } });
    assert.equal(created.body.success, true, created.text);
    const subId = (await t.request('GET', `/smspartner/v1/subaccount/list?apiKey=${parent.apiKey}`)).body.data[0].id;
    assertStatus(await t.request('POST', `/admin/v1/accounts/${subId}/keys`, { body: { scopes: ['account:read'] }, headers: ADMIN }), 201);
    const removed = await t.request('POST', '/smspartner/v1/subaccount/remove', { body: { apiKey: parent.apiKey, token: created.body.subaccount.token } });
    assert.equal(removed.body.success, true, removed.text);

    for (const body of [undefined, { scopes: ['messages:write'] }]) {
      const r = await t.request('POST', `/admin/v1/accounts/${subId}/keys`, { body, headers: ADMIN });
      assertProblem(r, 409, 'conflict', new RegExp(`account ${subId} is closed`));
      assert.equal(r.body.apiKey, undefined);
    }
    const rows = await (t.store as any).db.selectFrom('api_keys').select('id').where('account_id', '=', subId).execute();
    assert.equal(rows.length, 0);
  });

  test('bad key bodies: 400', async () => {
    const t = app();
    const { id } = await t.account('1');
    for (const body of [{ scopes: 'messages:read' }, { scopes: [''] }, { scopes: [1] }, { other: true }]) {
      assertProblem(await t.request('POST', `/admin/v1/accounts/${id}/keys`, { body, headers: ADMIN }), 400, 'invalid_request');
    }
    assertProblem(await t.request('POST', `/admin/v1/accounts/${id}/keys`, { raw: '{', headers: { ...ADMIN, 'content-type': 'application/json' } }), 400, 'malformed_body');
  });
});

dialectApp('admin API off without RELAIS_ADMIN_TOKEN', ({ app }) => {
  test('every /admin/v1 route is 404, whatever the token', async () => {
    const t = app();
    assert.equal(t.config.http.adminToken, null);
    assertProblem(await t.request('POST', '/admin/v1/accounts', { body: { name: 'x', credits: '1' }, headers: ADMIN }), 404, 'not_found');
    assertProblem(await t.request('POST', '/admin/v1/accounts', { body: { name: 'x', credits: '1' }, headers: { authorization: 'Bearer ' } }), 404, 'not_found');
    assertProblem(await t.request('POST', '/admin/v1/accounts/1/topup', { body: { credits: '1' } }), 404, 'not_found');
  });
}, { env: { RELAIS_ADMIN_TOKEN: '' } });
