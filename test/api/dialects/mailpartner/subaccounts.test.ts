import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp, type TestApp } from '../../../helpers/app.js';
import {
  account, assertError, assertLedger, assertXml, BAD_KEY, email, get, MAIL, MP, NO_KEY, parisTimestamp, post, scheduled, setProfile, xmlError, xmlOf,
} from './support.js';

async function parent(t: TestApp, credits = '100'): Promise<{ id: number; apiKey: string; email: string }> {
  const a = await account(t, credits);
  const mail = `parent-${a.id}@example.com`;
  await setProfile(t, a.id, { email: mail, subaccountsEnabled: true });
  return { ...a, email: mail };
}

async function listed(t: TestApp, apiKey: string) {
  return (await get(t, '/subaccount/list', { apiKey })).body;
}

/** A sub-account made through the Mail base, with what the list shows of it. */
async function subaccount(t: TestApp, parentKey: string, parameters: Record<string, unknown> = {}) {
  const r = await post(t, '/subaccount/create', { apiKey: parentKey, type: 'simple', parameters });
  assert.equal(r.status, 200, r.text);
  const row = (await listed(t, parentKey)).data.find((d: any) => d.token === r.body.subaccount.token);
  return row as { id: number; email: string; token: string; apiKey: string };
}

dialectApp('Mail Partner: sub-accounts (/v1/subaccount/*, spec §7)', ({ app }) => {
  test('create simple by POST without an e-mail: a unique <digits>@mailpartner.fr; the documented answer; the list', async () => {
    const t = app();
    const p = await parent(t, '100');
    const r = await post(t, '/subaccount/create', { apiKey: p.apiKey, type: 'simple' });
    const sub = (await listed(t, p.apiKey)).data[0];
    assert.match(sub.email, /^\d{7,}@mailpartner\.fr$/);
    assert.equal(r.text, JSON.stringify({
      success: true, code: 200, subaccount: { email: sub.email, token: sub.token }, sendConfirmMailTo: p.email, parent_email: p.email,
    }));
    assert.deepEqual(sub, {
      id: sub.id, email: sub.email, type: 'simple', token: sub.token, apiKey: sub.apiKey, createdAt: parisTimestamp(t.clock.now()), credits: { balance: '0.000', currency: 'EUR' },
    });
    const again = await post(t, '/subaccount/create', { apiKey: p.apiKey, type: 'simple', _format: 'xml' });
    const second = (await listed(t, p.apiKey)).data[1];
    assert.notEqual(second.email, sub.email);
    assertXml(again, 200, xmlOf({ success: true, code: 200, subaccount: { email: second.email, token: second.token }, sendConfirmMailTo: p.email, parent_email: p.email }));
    assertXml(await get(t, '/subaccount/list', { apiKey: p.apiKey, _format: 'xml' }), 200, xmlOf(await listed(t, p.apiKey)));
  });

  test('advanced with an opening credit: the sub-account\'s own /me (balance, creditMail) and its mails billed to it', async () => {
    const t = app();
    const p = await parent(t, '100');
    const r = await post(t, '/subaccount/create', { apiKey: p.apiKey, type: 'advanced', parameters: { email: 'shop@example.com', creditToAttribute: 10 } });
    assert.equal(r.body.subaccount.email, 'shop@example.com', r.text);
    const sub = (await listed(t, p.apiKey)).data[0];
    await assertLedger(t, p.id, 90_000);
    const me = await get(t, '/me', { apiKey: sub.apiKey });
    assert.equal(me.text, JSON.stringify({ success: true, code: 200, user: { username: 'shop@example.com' }, credits: { creditMail: 5000, currency: 'EUR', balance: '10.000' } }));
    await scheduled(t, sub.apiKey, [email(), email()]);
    await assertLedger(t, sub.id, 10_000 - 2 * MAIL);
    await assertLedger(t, p.id, 90_000);
  });

  test('credit add and remove: both balances after; 8 is the Mail spelling "Crédits insuffisant"', async () => {
    const t = app();
    const p = await parent(t, '10');
    const sub = await subaccount(t, p.apiKey);
    const add = await post(t, '/subaccount/credit/add', { apiKey: p.apiKey, credit: '4', tokenSubaccount: sub.token });
    assert.equal(add.text, JSON.stringify({ success: true, code: 200, credit: 6, subaccountCredit: 4, currency: 'EUR', total: 6 }));
    const remove = await post(t, '/subaccount/credit/remove', { apiKey: p.apiKey, credit: 1.5, tokenSubaccount: sub.token, _format: 'xml' });
    assertXml(remove, 200, xmlOf({ success: true, code: 200, credit: 7.5, subaccountCredit: 2.5, currency: 'EUR', total: 7.5 }));
    assertError(await post(t, '/subaccount/credit/add', { apiKey: p.apiKey, credit: 8, tokenSubaccount: sub.token }), 402, 8, 'Crédits insuffisant');
    assertXml(await post(t, '/subaccount/credit/remove', { apiKey: p.apiKey, credit: 3, tokenSubaccount: sub.token, _format: 'xml' }), 402, xmlError(8, 'Crédits insuffisant'));
    await assertLedger(t, p.id, 7_500);
    await assertLedger(t, sub.id, 2_500);
  });

  test('credit errors 1, 10, 2, 3, 5, 7 with the Mail strings', async () => {
    const t = app();
    const p = await parent(t, '10');
    const sub = await subaccount(t, p.apiKey);
    const cases: [Record<string, unknown>, number, number, string][] = [
      [{ apiKey: undefined, credit: 1, tokenSubaccount: sub.token }, ...NO_KEY],
      [{ apiKey: 'x', credit: 1, tokenSubaccount: sub.token }, ...BAD_KEY],
      [{ tokenSubaccount: sub.token }, 400, 2, 'Le crédit est requis'],
      [{ credit: 1 }, 400, 3, 'L’identifiant du sous-compte est requis'],
      [{ credit: 0, tokenSubaccount: sub.token }, 400, 5, 'Le crédit à attribuer doit être supérieur à 0'],
      [{ credit: 1, tokenSubaccount: 'nope' }, 404, 7, 'Le sous-compte n’exsite pas'],
    ];
    for (const [body, status, code, message] of cases) {
      assertError(await post(t, '/subaccount/credit/add', { apiKey: p.apiKey, ...body }), status, code, message);
      assertXml(await post(t, '/subaccount/credit/add', { apiKey: p.apiKey, ...body, _format: 'xml' }), status, xmlError(code, message));
    }
    await assertLedger(t, p.id, 10_000);
  });

  test('remove (DELETE on the Mail base): the key stops working, its scheduled mail is refunded and the balance goes back', async () => {
    const t = app();
    const p = await parent(t, '100');
    const sub = await subaccount(t, p.apiKey, { creditToAttribute: 5 });
    await scheduled(t, sub.apiKey);
    await assertLedger(t, sub.id, 5_000 - MAIL);
    const r = await t.request('DELETE', `${MP}/subaccount/remove`, { body: { apiKey: p.apiKey, token: sub.token, _format: 'xml' } });
    assertXml(r, 200, xmlOf({ success: true, code: 200 }));
    await assertLedger(t, sub.id, 0);
    await assertLedger(t, p.id, 100_000);
    assertError(await get(t, '/me', { apiKey: sub.apiKey }), ...BAD_KEY);
    assert.equal((await listed(t, p.apiKey)).total, 0);
  });

  test('a sub-account\'s key sees only its own mails and its own unsubscribe list (code 4 for the parent\'s mail), and the parent not its', async () => {
    const t = app();
    const p = await parent(t, '100');
    const sub = await subaccount(t, p.apiKey, { creditToAttribute: 5 });
    const parentMail = await scheduled(t, p.apiKey);
    const subMail = await scheduled(t, sub.apiKey);
    for (const [key, id] of [[sub.apiKey, parentMail.id], [p.apiKey, subMail.id]] as const) {
      assertError(await get(t, '/message-cancel', { apiKey: key, messageId: id }), 404, 4, 'Message introuvable');
      assertError(await get(t, '/bulk-status', { apiKey: key, messageId: id }), 404, 4, 'Message introuvable');
    }
    await post(t, '/unsubscribe/add', { apiKey: p.apiKey, email: 'parent-list@example.com' });
    const own = await post(t, '/unsubscribe/add', { apiKey: sub.apiKey, email: 'sub-list@example.com' });
    assert.deepEqual((await get(t, '/unsubscribe/list', { apiKey: sub.apiKey })).body.data.map((d: any) => d.email), ['sub-list@example.com']);
    assert.deepEqual((await get(t, '/unsubscribe/list', { apiKey: p.apiKey })).body.data.map((d: any) => d.email), ['parent-list@example.com']);
    assertError(await get(t, '/unsubscribe/delete', { apiKey: p.apiKey, id: own.body.stopId }), 404, 4, 'Le mail et invalide');
    await assertLedger(t, p.id, 95_000 - MAIL);
    await assertLedger(t, sub.id, 5_000 - MAIL);
  });
});
