import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp } from '../../helpers/app.js';
import { ADMIN, assertLedger, assertProblem, assertStatus, at, HOUR, iso, MIN, phone, schedule } from './support.js';

dialectApp('native API: GET /ledger and GET /account', ({ app }) => {
  test('every balance change is an entry, newest first, with kind, amount, balanceAfter, message and cause', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const t0 = t.clock.now();
    const m1 = await schedule(t, apiKey, { channel: 'sms', to: [phone(), phone()], text: 'x', sendAt: at(t, HOUR) }); // -0.090
    t.clock.advance(MIN);
    const m2 = await schedule(t, apiKey, { channel: 'voice', to: [phone()], text: 'x', sendAt: at(t, HOUR) }); // -0.150
    t.clock.advance(MIN);
    assertStatus(await t.request('DELETE', `/api/v1/messages/${m1.id}`, { key: apiKey }), 200); // +0.090
    assertStatus(await t.request('POST', `/admin/v1/accounts/${id}/topup`, { body: { credits: '2.5' }, headers: ADMIN }), 200); // +2.500
    const m3 = await schedule(t, apiKey, { channel: 'sms', to: [phone()], text: 'x', sendAt: at(t, HOUR) }); // -0.045
    assertStatus(await t.request('PATCH', `/api/v1/messages/${m3.id}`, { key: apiKey, body: { text: 'a'.repeat(200) } }), 200); // -0.045

    const res = await t.request('GET', '/api/v1/ledger', { key: apiKey });
    assertStatus(res, 200);
    assert.equal(res.body.balance, '3.260');
    assert.equal(res.body.currency, 'EUR');
    assert.equal(res.body.nextCursor, null);
    const t2 = iso(t0 + 2 * MIN);
    assert.deepEqual(res.body.items.map(({ id: _id, ...e }: any) => e), [
      { kind: 'debit', amount: '-0.045', balanceAfter: '3.260', messageId: m3.id, cause: `message ${m3.id} edited`, createdAt: t2 },
      { kind: 'debit', amount: '-0.045', balanceAfter: '3.305', messageId: m3.id, cause: `message ${m3.id} scheduled`, createdAt: t2 },
      { kind: 'topup', amount: '2.500', balanceAfter: '3.350', messageId: null, cause: 'topup', createdAt: t2 },
      { kind: 'refund', amount: '0.090', balanceAfter: '0.850', messageId: m1.id, cause: `message ${m1.id} cancelled`, createdAt: t2 },
      { kind: 'debit', amount: '-0.150', balanceAfter: '0.760', messageId: m2.id, cause: `message ${m2.id} scheduled`, createdAt: iso(t0 + MIN) },
      { kind: 'debit', amount: '-0.090', balanceAfter: '0.910', messageId: m1.id, cause: `message ${m1.id} scheduled`, createdAt: iso(t0) },
      { kind: 'topup', amount: '1.000', balanceAfter: '1.000', messageId: null, cause: 'opening balance', createdAt: iso(t0) },
    ]);
    const ids = res.body.items.map((e: any) => e.id);
    assert.deepEqual([...ids].sort((a: number, b: number) => b - a), ids);

    // Pages of two walk the same entries, once each.
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = await t.request('GET', `/api/v1/ledger?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { key: apiKey });
      assertStatus(page, 200);
      assert.equal(page.body.balance, '3.260');
      seen.push(...page.body.items.map((e: any) => e.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    assert.equal(pages, 4);
    assert.deepEqual(seen, ids);

    const account = await t.request('GET', '/api/v1/account', { key: apiKey });
    assert.deepEqual(account.body, { id, name: 'acme', parentId: null, balance: '3.260', currency: 'EUR', createdAt: iso(t0) });
    await assertLedger(t, id, 3_260);
  });

  test('a refused request leaves no ledger trace; another account\'s ledger is separate', async () => {
    const t = app();
    const a = await t.account('0.050');
    const b = await t.account('5');
    assertProblem(await t.request('POST', '/api/v1/messages', { key: a.apiKey, body: { channel: 'voice', to: [phone()], text: 'x', sendAt: at(t, HOUR) } }), 402, 'insufficient_credits');
    assertProblem(await t.request('POST', '/api/v1/messages', { key: a.apiKey, body: { channel: 'sms', to: ['123'], text: 'x', sendAt: at(t, HOUR) } }), 400, 'invalid_recipient');
    await schedule(t, b.apiKey, { channel: 'sms', to: [phone()], text: 'x', sendAt: at(t, HOUR) });
    const la = await t.request('GET', '/api/v1/ledger', { key: a.apiKey });
    assert.deepEqual(la.body.items.map((e: any) => [e.kind, e.amount]), [['topup', '0.050']]);
    const lb = await t.request('GET', '/api/v1/ledger', { key: b.apiKey });
    assert.deepEqual(lb.body.items.map((e: any) => [e.kind, e.amount]), [['debit', '-0.045'], ['topup', '5.000']]);
    await assertLedger(t, a.id, 50);
    await assertLedger(t, b.id, 4_955);
  });
});
