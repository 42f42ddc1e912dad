import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp, startTestApp } from '../../../helpers/app.js';
import { ScriptedTransport } from '../../../helpers/dispatch.js';
import { dialectBlocks } from '../../../helpers/store.js';
import {
  account, assertError, assertLedger, assertXml, BAD_KEY, email, get, HOUR, MAIL, NO_KEY, post, scheduled, send, setProfile, xmlError, xmlOf,
} from './support.js';

const sec = (ms: number) => String(Math.floor(ms / 1000));

dialectApp('Mail Partner: GET /v1/me', ({ app }) => {
  test('exact body and key order (spec §1); creditMail = floor(balance / 0.002)', async () => {
    const t = app();
    const a = await account(t, '10.225');
    await setProfile(t, a.id, { email: `boss-${a.id}@example.com` });
    const r = await get(t, '/me', { apiKey: a.apiKey });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(r.text, JSON.stringify({
      success: true, code: 200, user: { username: `boss-${a.id}@example.com` }, credits: { creditMail: 5112, currency: 'EUR', balance: '10.225' },
    }));
  });

  test('a send lowers both at once: 3 recipients cost 0.006', async () => {
    const t = app();
    const a = await account(t, '1');
    assert.equal((await send(t, a.apiKey, [email(), email(), email()])).body.success, true);
    const r = await get(t, '/me', { apiKey: a.apiKey });
    assert.deepEqual(r.body.credits, { creditMail: 497, currency: 'EUR', balance: '0.994' });
  });

  test('XML: the user with a named <username>, the credits positional', async () => {
    const t = app();
    const a = await account(t, '0.005');
    await setProfile(t, a.id, { email: `x-${a.id}@example.com` });
    const username = `x-${a.id}@example.com`;
    // Positional entries, but for the user's named child.
    const expected = xmlOf({ success: true, code: 200, user: { username }, credits: { creditMail: 2, currency: 'EUR', balance: '0.005' } })
      .replace(`<entry><![CDATA[${username}]]></entry>`, `<username><![CDATA[${username}]]></username>`);
    assert.match(expected, /<entry>\n {8}<username>/);
    assertXml(await get(t, '/me', { apiKey: a.apiKey, _format: 'xml' }), 200, expected);
  });

  test('errors 1 and 10, JSON and XML', async () => {
    const t = app();
    assertError(await get(t, '/me'), ...NO_KEY);
    assertError(await get(t, '/me', { apiKey: 'not-a-key' }), ...BAD_KEY);
    assertXml(await get(t, '/me', { _format: 'xml' }), NO_KEY[0], xmlError(NO_KEY[1], NO_KEY[2]));
    assertXml(await get(t, '/me', { apiKey: 'not-a-key', _format: 'xml' }), BAD_KEY[0], xmlError(BAD_KEY[1], BAD_KEY[2]));
  });
});

dialectApp('Mail Partner: GET /v1/bulk-status and /v1/message-status', ({ app }) => {
  test('every recipient: email, token (its id), Delivered, cost in euros, stopMail, date in Unix seconds; the alias answers the same', async () => {
    const t = app();
    const a = await account(t, '10');
    const [e1, e2] = [email(), email()];
    const r = await send(t, a.apiKey, [e1, e2]);
    const id: string = r.body.messageId;
    await t.dispatcher.drain();
    const sentAt = t.clock.now();
    t.clock.advance(HOUR);
    assert.equal((await post(t, '/unsubscribe/add', { apiKey: a.apiKey, email: e2 })).body.success, true);
    const recipients = await t.store.autocommit.getRecipients(Number(id));
    const expected = {
      success: true, code: 200, messageId: id, StatutResponseList: [
        { email: e1, token: String(recipients[0]!.id), status: 'Delivered', cost: MAIL / 1000, stopMail: false, date: sec(sentAt) },
        { email: e2, token: String(recipients[1]!.id), status: 'Delivered', cost: MAIL / 1000, stopMail: true, date: sec(sentAt) },
      ],
    };
    assert.equal((await get(t, '/bulk-status', { apiKey: a.apiKey, messageId: id })).text, JSON.stringify(expected));
    assert.equal((await get(t, '/message-status', { apiKey: a.apiKey, messageId: id })).text, JSON.stringify(expected));
    assertXml(await get(t, '/bulk-status', { apiKey: a.apiKey, messageId: id, _format: 'xml' }), 200, xmlOf(expected));
  });

  test('status words: Waiting while scheduled, Cancelled once cancelled', async () => {
    const t = app();
    const a = await account(t, '10');
    const m = await scheduled(t, a.apiKey, [email(), email()]);
    const words = async () => (await get(t, '/bulk-status', { apiKey: a.apiKey, messageId: m.id })).body.StatutResponseList.map((x: any) => x.status);
    assert.deepEqual(await words(), ['Waiting', 'Waiting']);
    assert.equal((await get(t, '/message-cancel', { apiKey: a.apiKey, messageId: m.id })).body.code, 200);
    assert.deepEqual(await words(), ['Cancelled', 'Cancelled']);
  });

  for (const path of ['/bulk-status', '/message-status']) {
    test(`${path} errors 1, 3, 4 (unknown, not a number, another account's) and 10, JSON and XML`, async () => {
      const t = app();
      const a = await account(t, '10');
      const other = await account(t, '10');
      const m = await scheduled(t, other.apiKey);
      const cases: [Record<string, unknown>, number, number, string][] = [
        [{ messageId: m.id }, ...NO_KEY],
        [{ apiKey: 'wrong', messageId: m.id }, ...BAD_KEY],
        [{ apiKey: a.apiKey }, 400, 3, 'L’ID du message est requis'],
        [{ apiKey: a.apiKey, messageId: '987654321' }, 404, 4, 'Message introuvable'],
        [{ apiKey: a.apiKey, messageId: 'abc' }, 404, 4, 'Message introuvable'],
        [{ apiKey: a.apiKey, messageId: m.id }, 404, 4, 'Message introuvable'],
      ];
      for (const [params, status, code, message] of cases) {
        assertError(await get(t, path, params), status, code, message);
        assertXml(await get(t, path, { ...params, _format: 'xml' }), status, xmlError(code, message));
      }
    });
  }
});

/** A transport that refuses for good every address starting with "bounce" (an SMTP 5xx). */
const bouncing = (dialect: 'sqlite' | 'postgres') => startTestApp({
  dialect, transports: (core) => ({
    email: new ScriptedTransport(core, (m) => (m.address.startsWith('bounce') ? { ok: false, retryable: false, reason: '550 no such user' } : undefined)),
  }),
});

dialectBlocks('Mail Partner: bulk-status of a recipient the transport refused', bouncing, (t) => t.close(), (_dialect, app) => {
  test('Not delivered, and refunded; the other recipient Delivered', async () => {
    const t = app();
    const a = await account(t, '10');
    const r = await send(t, a.apiKey, [email('bounce'), email()]);
    await t.dispatcher.drain();
    const list = (await get(t, '/bulk-status', { apiKey: a.apiKey, messageId: r.body.messageId })).body.StatutResponseList;
    assert.deepEqual(list.map((x: any) => x.status), ['Not delivered', 'Delivered']);
    await assertLedger(t, a.id, 10_000 - MAIL);
  });
}, 'server');
