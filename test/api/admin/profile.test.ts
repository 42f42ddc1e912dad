import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN_TOKEN, dialectApp } from '../../helpers/app.js';

const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };

dialectApp('admin API: PATCH /admin/v1/accounts/:id (login e-mail, sub-accounts)', ({ app }) => {
  test('sets the e-mail and the sub-account switch; only the fields given change', async () => {
    const t = app();
    const { id } = await t.account('1', 'profiled');
    const r = await t.request('PATCH', `/admin/v1/accounts/${id}`, { body: { email: 'Boss@Example.COM', subaccountsEnabled: true }, headers: ADMIN });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.body.id, r.body.name, r.body.balance, r.body.email, r.body.subaccountsEnabled], [id, 'profiled', '1.000', 'Boss@example.com', true]);
    const off = await t.request('PATCH', `/admin/v1/accounts/${id}`, { body: { subaccountsEnabled: false }, headers: ADMIN });
    assert.deepEqual([off.body.email, off.body.subaccountsEnabled], ['Boss@example.com', false]);
    const cleared = await t.request('PATCH', `/admin/v1/accounts/${id}`, { body: { email: null }, headers: ADMIN });
    assert.equal(cleared.body.email, null);
  });

  test('an e-mail is unique across accounts (409 conflict); bad input is 400; unknown account 404; token required', async () => {
    const t = app();
    const [a, b] = [await t.account('1', 'a'), await t.account('1', 'b')];
    await t.request('PATCH', `/admin/v1/accounts/${a.id}`, { body: { email: `one-${a.id}@example.com` }, headers: ADMIN });
    const taken = await t.request('PATCH', `/admin/v1/accounts/${b.id}`, { body: { email: `one-${a.id}@example.com` }, headers: ADMIN });
    assert.deepEqual([taken.status, taken.body.code], [409, 'conflict']);
    const same = await t.request('PATCH', `/admin/v1/accounts/${a.id}`, { body: { email: `one-${a.id}@example.com` }, headers: ADMIN });
    assert.equal(same.status, 200, 'its own e-mail again is fine');
    assert.equal((await t.request('PATCH', `/admin/v1/accounts/${a.id}`, { body: { email: 'not-an-email' }, headers: ADMIN })).status, 400);
    assert.equal((await t.request('PATCH', `/admin/v1/accounts/${a.id}`, { body: { colour: 'red' }, headers: ADMIN })).status, 400);
    assert.equal((await t.request('PATCH', '/admin/v1/accounts/999999', { body: { subaccountsEnabled: true }, headers: ADMIN })).status, 404);
    assert.equal((await t.request('PATCH', `/admin/v1/accounts/${a.id}`, { body: { subaccountsEnabled: true } })).status, 401);
  });
});
