import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp, type TestApp } from '../../../helpers/app.js';
import {
  account, assertError, assertLedger, assertXml, BAD_KEY, email, get, HOUR, MAIL, MP, NO_KEY, parisTimestamp, post, recipientStatuses, scheduled, send,
  sentMails, suppressedEmails, xmlError, xmlOf,
} from './support.js';

const listed = async (t: TestApp, apiKey: string) => (await get(t, '/unsubscribe/list', { apiKey })).body;

dialectApp('Mail Partner: the unsubscribe list (/v1/unsubscribe/*, spec §5, seed 004)', ({ app }) => {
  test('add (POST and GET) → stopId; list → nbData and rows in order, local createdAt; delete → {success, code}', async () => {
    const t = app();
    const a = await account(t);
    const [e1, e2] = [email(), email()];
    const add1 = await post(t, '/unsubscribe/add', { apiKey: a.apiKey, email: e1 });
    assert.equal(add1.status, 200, add1.text);
    assert.equal(add1.text, JSON.stringify({ success: true, code: 200, stopId: add1.body.stopId }));
    assert.equal(typeof add1.body.stopId, 'number');
    t.clock.advance(1000);
    const add2 = await get(t, '/unsubscribe/add', { apiKey: a.apiKey, email: e2, _format: 'xml' });
    const rows = (await listed(t, a.apiKey)).data;
    assertXml(add2, 200, xmlOf({ success: true, code: 200, stopId: rows[1].id }));
    const expected = {
      success: true, code: 200, nbData: 2, data: [
        { id: add1.body.stopId, email: e1, createdAt: parisTimestamp(t.clock.now() - 1000) },
        { id: rows[1].id, email: e2, createdAt: parisTimestamp(t.clock.now()) },
      ],
    };
    assert.equal((await get(t, '/unsubscribe/list', { apiKey: a.apiKey })).text, JSON.stringify(expected));
    assertXml(await get(t, '/unsubscribe/list', { apiKey: a.apiKey, _format: 'xml' }), 200, xmlOf(expected));
    assert.deepEqual((await suppressedEmails(t, a.apiKey)).sort(), [e1, e2].sort());
    assert.equal((await get(t, '/unsubscribe/delete', { apiKey: a.apiKey, id: add1.body.stopId })).text, JSON.stringify({ success: true, code: 200 }));
    assertXml(await get(t, '/unsubscribe/delete', { apiKey: a.apiKey, id: rows[1].id, _format: 'xml' }), 200, xmlOf({ success: true, code: 200 }));
    assert.equal((await get(t, '/unsubscribe/list', { apiKey: a.apiKey })).text, JSON.stringify({ success: true, code: 200, nbData: 0, data: [] }));
    assert.deepEqual(await suppressedEmails(t, a.apiKey), []);
  });

  test('delete by POST (JSON body) and by DELETE with the query', async () => {
    const t = app();
    const a = await account(t);
    const [s1, s2] = [await post(t, '/unsubscribe/add', { apiKey: a.apiKey, email: email() }), await post(t, '/unsubscribe/add', { apiKey: a.apiKey, email: email() })];
    assert.equal((await post(t, '/unsubscribe/delete', { apiKey: a.apiKey, id: s1.body.stopId })).text, JSON.stringify({ success: true, code: 200 }));
    const del = await t.request('DELETE', `${MP}/unsubscribe/delete?apiKey=${a.apiKey}&id=${s2.body.stopId}`);
    assert.equal(del.text, JSON.stringify({ success: true, code: 200 }));
    assert.equal((await listed(t, a.apiKey)).nbData, 0);
  });

  test('the native API\'s e-mail suppressions and this list are one list, both ways', async () => {
    const t = app();
    const a = await account(t);
    const [viaVendor, viaNative] = [email('vendor'), email('native')];
    await post(t, '/unsubscribe/add', { apiKey: a.apiKey, email: viaVendor });
    const n = await t.request('POST', '/api/v1/suppressions', { key: a.apiKey, body: { channel: 'email', address: viaNative } });
    assert.equal(n.status, 201, n.text);
    assert.deepEqual((await suppressedEmails(t, a.apiKey)).sort(), [viaNative, viaVendor].sort());
    assert.deepEqual((await listed(t, a.apiKey)).data.map((d: any) => d.email).sort(), [viaNative, viaVendor].sort());
    // The SMS list is another list.
    assert.deepEqual((await t.request('GET', '/api/v1/suppressions?channel=sms', { key: a.apiKey })).body.items, []);
  });

  test('adding an address cancels and refunds it in mails still scheduled (bulk-status: Cancelled); later sends skip it; deleted, it is billed again', async () => {
    const t = app();
    const a = await account(t, '10');
    const [gone, kept] = [email(), email()];
    const m = await scheduled(t, a.apiKey, [gone, kept], HOUR);
    await assertLedger(t, a.id, 10_000 - 2 * MAIL);
    assert.equal((await post(t, '/unsubscribe/add', { apiKey: a.apiKey, email: gone })).body.success, true);
    await assertLedger(t, a.id, 10_000 - MAIL);
    assert.deepEqual(await recipientStatuses(t, m.id), [[gone, 'cancelled'], [kept, 'pending']]);
    const status = (await get(t, '/bulk-status', { apiKey: a.apiKey, messageId: m.id })).body.StatutResponseList;
    assert.deepEqual(status.map((s: any) => [s.email, s.status, s.stopMail]), [[gone, 'Cancelled', true], [kept, 'Waiting', false]]);
    t.clock.set(m.at);
    await t.dispatcher.drain();
    assert.deepEqual((await sentMails(t, a.apiKey, m.id)).map((s) => s.address), [kept]);
    // Only the address left on the list is skipped.
    const mixed = await send(t, a.apiKey, [gone, email()]);
    assert.deepEqual([mixed.body.nbMail, mixed.body.cost], [1, MAIL / 1000]);
    await assertLedger(t, a.id, 10_000 - 2 * MAIL);
    const id = (await listed(t, a.apiKey)).data[0].id;
    await get(t, '/unsubscribe/delete', { apiKey: a.apiKey, id });
    const again = await send(t, a.apiKey, [gone]);
    assert.deepEqual([again.body.success, again.body.nbMail], [true, 1]);
    await assertLedger(t, a.id, 10_000 - 3 * MAIL);
  });

  test('the list is per account: another account neither sees nor deletes the entry, and may still mail the address', async () => {
    const t = app();
    const [a, b] = [await account(t), await account(t)];
    const e = email();
    const add = await post(t, '/unsubscribe/add', { apiKey: a.apiKey, email: e });
    assert.equal((await listed(t, b.apiKey)).nbData, 0);
    assertError(await get(t, '/unsubscribe/delete', { apiKey: b.apiKey, id: add.body.stopId }), 404, 4, 'Le mail et invalide');
    assert.equal((await listed(t, a.apiKey)).nbData, 1);
    assert.equal((await send(t, b.apiKey, [e])).body.success, true);
  });

  test('an address is stored as core normalises it (domain lower-cased): the same address in other case is a duplicate', async () => {
    const t = app();
    const a = await account(t);
    await post(t, '/unsubscribe/add', { apiKey: a.apiKey, email: ' Jane.Doe@EXAMPLE.com ' });
    assert.deepEqual((await listed(t, a.apiKey)).data.map((d: any) => d.email), ['Jane.Doe@example.com']);
    assertError(await post(t, '/unsubscribe/add', { apiKey: a.apiKey, email: 'Jane.Doe@example.COM' }), 400, 3, 'Le mail est déjà dans la liste');
  });

  const cases: [string, string, 'GET' | 'POST', (key: string, e: string) => Record<string, unknown>, number, number, string][] = [
    ['add', '/unsubscribe/add', 'POST', (_k, e) => ({ email: e }), ...NO_KEY],
    ['add', '/unsubscribe/add', 'POST', (_k, e) => ({ apiKey: 'x', email: e }), ...BAD_KEY],
    ['add', '/unsubscribe/add', 'POST', (k) => ({ apiKey: k }), 400, 2, 'Le mail est requis'],
    ['add', '/unsubscribe/add', 'GET', (k) => ({ apiKey: k, email: '' }), 400, 2, 'Le mail est requis'],
    ['add', '/unsubscribe/add', 'POST', (k) => ({ apiKey: k, email: 'not-an-address' }), 400, 9, 'Le mail est invalide'],
    ['add', '/unsubscribe/add', 'GET', (k) => ({ apiKey: k, email: 'a@b@example.com' }), 400, 9, 'Le mail est invalide'],
    ['add', '/unsubscribe/add', 'POST', (k, e) => ({ apiKey: k, email: e }), 400, 3, 'Le mail est déjà dans la liste'],
    ['list', '/unsubscribe/list', 'GET', () => ({}), ...NO_KEY],
    ['list', '/unsubscribe/list', 'GET', () => ({ apiKey: 'x' }), ...BAD_KEY],
    ['delete', '/unsubscribe/delete', 'GET', () => ({ id: 1 }), ...NO_KEY],
    ['delete', '/unsubscribe/delete', 'GET', () => ({ apiKey: 'x', id: 1 }), ...BAD_KEY],
    ['delete', '/unsubscribe/delete', 'GET', (k) => ({ apiKey: k }), 400, 3, 'L’ID du message est requis'],
    ['delete', '/unsubscribe/delete', 'POST', (k) => ({ apiKey: k }), 400, 3, 'L’ID du message est requis'],
    ['delete', '/unsubscribe/delete', 'GET', (k) => ({ apiKey: k, id: 99_999_999 }), 404, 4, 'Le mail et invalide'],
    ['delete', '/unsubscribe/delete', 'GET', (k) => ({ apiKey: k, id: 'abc' }), 404, 4, 'Le mail et invalide'],
  ];
  for (const [name, path, method, params, status, code, message] of cases) {
    test(`${name} (${method}) error ${code}: ${message} (JSON and XML); the list is unchanged`, async () => {
      const t = app();
      const a = await account(t);
      const e = email();
      await post(t, '/unsubscribe/add', { apiKey: a.apiKey, email: e });
      const call = (extra: Record<string, unknown>) => (method === 'GET' ? get(t, path, { ...params(a.apiKey, e), ...extra }) : post(t, path, { ...params(a.apiKey, e), ...extra }));
      assertError(await call({}), status, code, message);
      assertXml(await call({ _format: 'xml' }), status, xmlError(code, message));
      assert.deepEqual((await listed(t, a.apiKey)).data.map((d: any) => d.email), [e]);
    });
  }
});
