import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { ADMIN_TOKEN, dialectApp, ledgerInvariant, type TestApp } from '../../../helpers/app.js';
import { waitFor } from '../../../helpers/dispatch.js';
import { account, assertError, assertLedger, assertXml, get, HOUR, parisTimestamp, phone, post, schedule, scheduleParams, SP, setProfile, xmlError, xmlOf } from './support.js';

async function parent(t: TestApp, credits = '100'): Promise<{ id: number; apiKey: string; email: string }> {
  const a = await account(t, credits);
  const email = `parent-${a.id}@example.com`;
  await setProfile(t, a.id, { email, subaccountsEnabled: true });
  return { ...a, email };
}

async function create(t: TestApp, apiKey: string, body: Record<string, unknown>) {
  const r = await post(t, '/subaccount/create', { apiKey, ...body });
  assert.equal(r.status, 200, r.text);
  return r.body as { subaccount: { email: string; token: string } };
}

async function listed(t: TestApp, apiKey: string, page?: number) {
  return (await get(t, '/subaccount/list', { apiKey, ...(page ? { page } : {}) })).body;
}

dialectApp('SMS Partner: sub-accounts (/v1/subaccount/*)', ({ app, dialect }) => {
  test('create advanced with an opening credit: two ledger entries in one transaction, documented answer', async () => {
    const t = app();
    const p = await parent(t, '100');
    const r = await post(t, '/subaccount/create', {
      apiKey: p.apiKey, type: 'advanced', parameters: { email: 'aaaa@bbb.ccc', creditToAttribute: 10, isBuyer: 0, firstname: 'prenom', lastname: 'nom' },
    });
    assert.equal(r.text, JSON.stringify({
      success: true, code: 200, subaccount: { email: 'aaaa@bbb.ccc', token: r.body.subaccount.token }, sendConfirmMailTo: 'aaaa@bbb.ccc', parent_email: p.email,
    }));
    assert.match(r.body.subaccount.token, /^[0-9a-f]{32}$/);
    const l = await listed(t, p.apiKey);
    const sub = l.data[0];
    assert.deepEqual([l.total, l.nb_per_page, l.page], [1, 20, 1]);
    assert.deepEqual(sub, {
      id: sub.id, email: 'aaaa@bbb.ccc', type: 'advanced', token: r.body.subaccount.token, apiKey: sub.apiKey,
      createdAt: parisTimestamp(t.clock.now()), credits: { balance: '10.000', currency: 'EUR' },
    });
    await assertLedger(t, p.id, 90_000);
    await assertLedger(t, sub.id, 10_000);
    // A full account: its own key works everywhere, its /me shows its own balance and names.
    const me = await get(t, '/me', { apiKey: sub.apiKey });
    assert.deepEqual([me.body.credits.balance, me.body.user.username, me.body.user.firstname, me.body.user.lastname], ['10.000', 'aaaa@bbb.ccc', 'prenom', 'nom']);
    assert.equal((await post(t, '/send', { apiKey: sub.apiKey, phoneNumbers: phone().national, message: 'x' })).body.success, true);
    await assertLedger(t, sub.id, 10_000 - 45);
    await assertLedger(t, p.id, 90_000);
  });

  test('create simple without e-mail (GET, parameters as PHP brackets): a unique address is made up; XML', async () => {
    const t = app();
    const p = await parent(t, '100');
    const r = await get(t, '/subaccount/create', { apiKey: p.apiKey, type: 'simple', 'parameters[title]': 'Shop', _format: 'xml' });
    const sub = (await listed(t, p.apiKey)).data[0];
    assert.match(sub.email, /^\d{7,}@smspartner\.fr$/);
    assertXml(r, 200, xmlOf({ success: true, code: 200, subaccount: { email: sub.email, token: sub.token }, sendConfirmMailTo: p.email, parent_email: p.email }));
    const again = await create(t, p.apiKey, { type: 'simple', parameters: '{"creditToAttribute":"2.5"}' });
    assert.notEqual(again.subaccount.email, sub.email);
    await assertLedger(t, p.id, 97_500);
  });

  test('list: 20 a page, id ascending, total over all pages; a page past the end is empty', async () => {
    const t = app();
    const p = await parent(t, '100');
    const tokens: string[] = [];
    for (let i = 0; i < 21; i++) tokens.push((await create(t, p.apiKey, { type: 'simple' })).subaccount.token);
    const p1 = await listed(t, p.apiKey);
    const p2 = await get(t, '/subaccount/list', { apiKey: p.apiKey, page: 2, _format: 'xml' });
    assert.deepEqual([p1.total, p1.data.length], [21, 20]);
    assert.deepEqual(p1.data.map((d: any) => d.token), tokens.slice(0, 20));
    const last = (await listed(t, p.apiKey, 2)).data[0];
    assertXml(p2, 200, xmlOf({ success: true, code: 200, total: 21, nb_per_page: 20, page: 2, data: [last] }));
    assert.deepEqual((await listed(t, p.apiKey, 3)).data, []);
    assert.equal((await listed(t, (await parent(t)).apiKey)).total, 0, 'only your own sub-accounts');
  });

  test('credit add and remove: both balances after, doc keys plus the Go SDK\'s total; one entry on each side', async () => {
    const t = app();
    const p = await parent(t, '100');
    const { subaccount } = await create(t, p.apiKey, { type: 'simple' });
    const sub = (await listed(t, p.apiKey)).data[0];
    const add = await post(t, '/subaccount/credit/add', { apiKey: p.apiKey, credit: '10', tokenSubaccount: subaccount.token });
    assert.equal(add.text, JSON.stringify({ success: true, code: 200, credit: 90, subaccountCredit: 10, currency: 'EUR', total: 90 }));
    const remove = await post(t, '/subaccount/credit/remove', { apiKey: p.apiKey, credit: 2.5, tokenSubaccount: subaccount.token, _format: 'xml' });
    assertXml(remove, 200, xmlOf({ success: true, code: 200, credit: 92.5, subaccountCredit: 7.5, currency: 'EUR', total: 92.5 }));
    await assertLedger(t, p.id, 92_500);
    await assertLedger(t, sub.id, 7_500);
    const entries = await t.store.autocommit.listLedger(sub.id, { limit: 10 });
    assert.deepEqual(entries.map((e) => [e.kind, e.amount, e.cause]), [['adjust', -2_500, `transfer to account ${p.id}`], ['adjust', 10_000, `transfer from account ${p.id}`]]);
  });

  test('remove: the key stops working, scheduled messages are refunded, the balance goes back, the e-mail is free', async () => {
    const t = app();
    const p = await parent(t, '100');
    await create(t, p.apiKey, { type: 'advanced', parameters: { email: 'gone@example.com', creditToAttribute: 5 } });
    const sub = (await listed(t, p.apiKey)).data[0];
    await post(t, '/send', { apiKey: sub.apiKey, phoneNumbers: phone().national, message: 'later', ...scheduleParams(schedule(t, HOUR)) });
    await assertLedger(t, sub.id, 4_955);
    const r = await t.request('DELETE', `${SP}/subaccount/remove`, { body: { apiKey: p.apiKey, token: sub.token } });
    assert.equal(r.text, JSON.stringify({ success: true, code: 200 }));
    await assertLedger(t, sub.id, 0);
    await assertLedger(t, p.id, 100_000);
    assertError(await get(t, '/me', { apiKey: sub.apiKey }), 401, 10, 'Clé API incorrecte');
    assert.equal((await listed(t, p.apiKey)).total, 0);
    assert.equal((await post(t, '/subaccount/create', { apiKey: p.apiKey, type: 'advanced', parameters: { email: 'gone@example.com' } })).body.success, true);
    assertError(await get(t, '/subaccount/remove', { apiKey: p.apiKey, token: sub.token }), 404, 404, 'Le sous-compte n’existe pas');
  });

  test('not allowed: feature off (default) or caller is a sub-account → create 2, list/remove 40, credit 4', async () => {
    const t = app();
    const off = await account(t, '10');
    const p = await parent(t);
    await create(t, p.apiKey, { type: 'simple' });
    const subKey = (await listed(t, p.apiKey)).data[0].apiKey;
    for (const key of [off.apiKey, subKey]) {
      assertError(await post(t, '/subaccount/create', { apiKey: key, type: 'simple' }), 403, 2, 'Vous n’avez pas l’authorisation');
      assertError(await get(t, '/subaccount/list', { apiKey: key }), 403, 40, 'L’accès à l’API est refusé');
      assertXml(await get(t, '/subaccount/remove', { apiKey: key, token: 'x', _format: 'xml' }), 403, xmlError(40, 'L’accès à l’API est refusé'));
      assertError(await post(t, '/subaccount/credit/add', { apiKey: key, credit: 1, tokenSubaccount: 'x' }), 403, 4, 'Vous n’avez pas l’authorisation');
      assertError(await post(t, '/subaccount/credit/remove', { apiKey: key, credit: 1, tokenSubaccount: 'x' }), 403, 4, 'Vous n’avez pas l’authorisation');
    }
  });

  test('a key with account:read only: /me works, but create, list (keys), remove and credit moves answer 403 and move nothing; account:write may', async () => {
    const t = app();
    const p = await parent(t, '100');
    const { subaccount } = await create(t, p.apiKey, { type: 'simple', parameters: { creditToAttribute: 10 } });
    const sub = (await listed(t, p.apiKey)).data[0];
    const key = async (scopes: string[]) => (await t.request('POST', `/admin/v1/accounts/${p.id}/keys`, { body: { scopes }, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).body.apiKey as string;
    const read = await key(['account:read']);
    assert.equal((await get(t, '/me', { apiKey: read })).body.credits.balance, '90.000');

    assertError(await post(t, '/subaccount/create', { apiKey: read, type: 'simple', parameters: { creditToAttribute: 5 } }), 403, 2, 'Vous n’avez pas l’authorisation');
    const list = await get(t, '/subaccount/list', { apiKey: read });
    assertError(list, 403, 40, 'L’accès à l’API est refusé');
    assert.doesNotMatch(list.text, new RegExp(sub.apiKey));
    assertError(await post(t, '/subaccount/credit/add', { apiKey: read, credit: 5, tokenSubaccount: subaccount.token }), 403, 4, 'Vous n’avez pas l’authorisation');
    assertError(await post(t, '/subaccount/credit/remove', { apiKey: read, credit: 5, tokenSubaccount: subaccount.token }), 403, 4, 'Vous n’avez pas l’authorisation');
    assertError(await get(t, '/subaccount/remove', { apiKey: read, token: subaccount.token }), 403, 40, 'L’accès à l’API est refusé');

    await assertLedger(t, p.id, 90_000);
    await assertLedger(t, sub.id, 10_000);
    assert.deepEqual((await listed(t, p.apiKey)).data.map((d: any) => d.token), [subaccount.token]);
    assert.equal((await get(t, '/me', { apiKey: sub.apiKey })).status, 200, 'the sub-account still works');

    const write = await key(['account:write']);
    assert.equal((await listed(t, write)).data[0].apiKey, sub.apiKey);
    assert.equal((await post(t, '/subaccount/credit/add', { apiKey: write, credit: 5, tokenSubaccount: subaccount.token })).body.total, 85);
    await assertLedger(t, sub.id, 15_000);
  });

  test('200 concurrent credit adds and removes between a parent and its sub-account: no 5xx, money conserved, each balance its ledger', async () => {
    const t = app();
    const p = await parent(t, '200');
    const { subaccount } = await create(t, p.apiKey, { type: 'simple', parameters: { creditToAttribute: 100 } });
    const sub = (await listed(t, p.apiKey)).data[0];
    // Opposite directions lock the two accounts in opposite orders unless locks follow one global order.
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) =>
      post(t, i % 2 ? '/subaccount/credit/add' : '/subaccount/credit/remove', { apiKey: p.apiKey, credit: 1 + (i % 3), tokenSubaccount: subaccount.token })));
    const statuses = new Map<number, number>();
    for (const r of results) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    assert.deepEqual([...statuses.keys()].filter((s) => s !== 200 && s !== 402), [], `statuses: ${JSON.stringify([...statuses])}`);
    for (const r of results) assert.equal(r.body.code, r.status === 200 ? 200 : 8, r.text);
    const a = await ledgerInvariant(t.store, p.id);
    const b = await ledgerInvariant(t.store, sub.id);
    assert.equal(a.balance, a.sum);
    assert.equal(b.balance, b.sum);
    assert.equal(a.balance + b.balance, 200_000);
  });

  test('PostgreSQL: a credit move that loses a deadlock on every attempt answers 503 code 503 with Retry-After, and moves nothing', { skip: dialect === 'sqlite' && 'one writer: no deadlock' }, async () => {
    const t = app();
    const p = await parent(t, '100');
    const { subaccount } = await create(t, p.apiKey, { type: 'simple', parameters: { creditToAttribute: 10 } });
    const sub = (await listed(t, p.apiKey)).data[0];
    // Another client holds the sub-account all along; each time the move holds the parent and
    // waits for the sub-account, it asks for the parent too: a real deadlock, which PostgreSQL
    // breaks by aborting the move (it waited first). Its savepoint then gives the parent back.
    const other = new pg.Client({ connectionString: t.config.db.url });
    await other.connect();
    try {
      await other.query('begin');
      await other.query('select 1 from accounts where id = $1 for update', [sub.id]);
      let settled = false;
      const move = post(t, '/subaccount/credit/add', { apiKey: p.apiKey, credit: 1, tokenSubaccount: subaccount.token }).finally(() => { settled = true; });
      const moveWaits = async () => (await other.query(`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'`)).rows[0].n > 0;
      let deadlocks = 0;
      for (let round = 0; round < 10; round++) {
        if (!(await waitFor('the move to wait or end', async () => (settled ? 'ended' : (await moveWaits()) ? 'waits' : undefined), 20_000) === 'waits')) break;
        await other.query('savepoint s');
        await other.query('select 1 from accounts where id = $1 for update', [p.id]);
        await other.query('rollback to savepoint s');
        deadlocks++;
      }
      const r = await move;
      assertError(r, 503, 503, 'Le service est momentanément indisponible, réessayez plus tard');
      assert.equal(r.headers.get('retry-after'), '1');
      assert.equal(deadlocks, 5, 'one deadlock per attempt');
    } finally {
      await other.query('rollback').catch(() => {});
      await other.end();
    }
    await assertLedger(t, p.id, 90_000);
    await assertLedger(t, sub.id, 10_000);
  });

  test('create errors in table order: 1, 10, 4, 5, 6, 3, 7, 8, 9 — JSON and XML, nothing written', async () => {
    const t = app();
    const p = await parent(t, '1');
    await create(t, p.apiKey, { type: 'advanced', parameters: { email: 'taken@example.com' } });
    const cases: [Record<string, unknown>, number, number, string][] = [
      [{ type: 'simple' }, 400, 1, 'La Clé API est requise'],
      [{ apiKey: 'x', type: 'simple' }, 401, 10, 'Clé API incorrecte'],
      [{ apiKey: p.apiKey }, 400, 4, 'Le type est requis (simple ou advanced)'],
      [{ apiKey: p.apiKey, type: 'premium' }, 400, 5, 'Le type de sous-compte n’existe pas (simple ou advanced)'],
      [{ apiKey: p.apiKey, type: 'advanced', parameters: {} }, 400, 6, 'L’email est requis'],
      [{ apiKey: p.apiKey, type: 'advanced', parameters: { email: 'not-an-email' } }, 400, 6, 'L’email est requis'],
      [{ apiKey: p.apiKey, type: 'advanced', parameters: { email: 'new@example.com', isBuyer: 'maybe' } }, 400, 3, 'isBuyer est requis'],
      [{ apiKey: p.apiKey, type: 'advanced', parameters: { email: 'TAKEN@example.com'.toLowerCase() } }, 409, 7, 'Un compte existe déjà avec cet email'],
      [{ apiKey: p.apiKey, type: 'simple', parameters: { creditToAttribute: -1 } }, 400, 8, 'creditToAttribute doit être supérieurr à 0'],
      [{ apiKey: p.apiKey, type: 'simple', parameters: { creditToAttribute: 'ten' } }, 400, 8, 'creditToAttribute doit être supérieurr à 0'],
      [{ apiKey: p.apiKey, type: 'simple', parameters: { creditToAttribute: 5 } }, 402, 9, 'La balance doit être supérieur à 0'],
    ];
    for (const [body, status, code, message] of cases) {
      assertError(await post(t, '/subaccount/create', body), status, code, message);
      assertXml(await post(t, '/subaccount/create', { ...body, _format: 'xml' }), status, xmlError(code, message));
    }
    assert.equal((await listed(t, p.apiKey)).total, 1);
    await assertLedger(t, p.id, 1_000);
  });

  test('credit errors in table order: 2, 3, 5, 7 (unknown or another parent\'s token), 6, 8 — JSON and XML', async () => {
    const t = app();
    const p = await parent(t, '10');
    const { subaccount } = await create(t, p.apiKey, { type: 'simple' });
    const other = await parent(t, '10');
    const { subaccount: foreign } = await create(t, other.apiKey, { type: 'simple' });
    const cases: [string, Record<string, unknown>, number, number, string][] = [
      ['add', { tokenSubaccount: subaccount.token }, 400, 2, 'Le crédit est requis'],
      ['add', { credit: 1 }, 400, 3, 'L’identifiant du sous-compte est requis'],
      ['add', { credit: 0, tokenSubaccount: subaccount.token }, 400, 5, 'Le crédit à attribuer doit être supérieur à 0'],
      ['add', { credit: 'abc', tokenSubaccount: subaccount.token }, 400, 5, 'Le crédit à attribuer doit être supérieur à 0'],
      ['add', { credit: 1, tokenSubaccount: 'nope' }, 404, 7, 'Le sous-compte n’exsite pas'],
      ['add', { credit: 1, tokenSubaccount: foreign.token }, 404, 7, 'Le sous-compte n’exsite pas'],
      ['add', { credit: 11, tokenSubaccount: subaccount.token }, 402, 8, 'Crédits insufisant'],
      ['remove', { credit: 1, tokenSubaccount: subaccount.token }, 402, 6, 'La balance doit être supérieur à 0'],
    ];
    for (const [kind, body, status, code, message] of cases) {
      assertError(await post(t, `/subaccount/credit/${kind}`, { apiKey: p.apiKey, ...body }), status, code, message);
      assertXml(await post(t, `/subaccount/credit/${kind}`, { apiKey: p.apiKey, ...body, _format: 'xml' }), status, xmlError(code, message));
    }
    await post(t, '/subaccount/credit/add', { apiKey: p.apiKey, credit: 1, tokenSubaccount: subaccount.token });
    assertError(await post(t, '/subaccount/credit/remove', { apiKey: p.apiKey, credit: 2, tokenSubaccount: subaccount.token }), 402, 8, 'Crédits insufisant');
    await assertLedger(t, p.id, 9_000);
  });

  test('a credit beyond the maximum balance (1e20, 1e308) is the validation error on credit, not a 500; nothing moves', async () => {
    // The default key of an admin-created account has every scope, whatever scope these endpoints need.
    const t = app();
    const p = await parent(t, '10');
    const { subaccount } = await create(t, p.apiKey, { type: 'simple', parameters: { creditToAttribute: 1 } });
    const sub = (await listed(t, p.apiKey)).data[0];
    const errors = [{ elementId: 'children[credit].data', message: 'La valeur est invalide' }];
    for (const [kind, credit] of [['add', 1e20], ['add', 1e308], ['remove', 1e20], ['add', 1e15]] as const) {
      const r = await post(t, `/subaccount/credit/${kind}`, { apiKey: p.apiKey, credit, tokenSubaccount: subaccount.token });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.text, JSON.stringify({ success: false, code: 9, errors, error: errors }));
    }
    const created = await post(t, '/subaccount/create', { apiKey: p.apiKey, type: 'simple', parameters: { creditToAttribute: 1e20 } });
    assert.equal(created.text, JSON.stringify({ success: false, code: 9, errors, error: errors }));
    assert.equal((await listed(t, p.apiKey)).total, 1);
    await assertLedger(t, p.id, 9_000);
    await assertLedger(t, sub.id, 1_000);
  });

  test('remove errors: 1 (key), 10, 1 (token), 404 — JSON and XML', async () => {
    const t = app();
    const p = await parent(t);
    const cases: [Record<string, unknown>, number, number, string][] = [
      [{ token: 'x' }, 400, 1, 'La Clé API est requise'],
      [{ apiKey: 'bad', token: 'x' }, 401, 10, 'Clé API incorrecte'],
      [{ apiKey: p.apiKey }, 400, 1, 'token est requis'],
      [{ apiKey: p.apiKey, token: 'x' }, 404, 404, 'Le sous-compte n’existe pas'],
    ];
    for (const [body, status, code, message] of cases) {
      assertError(await post(t, '/subaccount/remove', body), status, code, message);
      assertXml(await post(t, '/subaccount/remove', { ...body, _format: 'xml' }), status, xmlError(code, message));
    }
  });
});
