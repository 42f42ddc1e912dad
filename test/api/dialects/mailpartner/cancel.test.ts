import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp, type TestApp } from '../../../helpers/app.js';
import {
  account, assertError, assertLedger, assertXml, BAD_KEY, email, get, MAIL, MIN, MP, NO_KEY, post, scheduled, send, sentMails, xmlError, xmlOf,
} from './support.js';

/** Seed 002: a proper object, the straight apostrophe in the success message. */
const CANCELLED = { success: true, code: 200, message: "L'envoi du mail a été annulé." };
const ALREADY_CANCELLED = [400, 5, 'L’envoi du mail a déjà été annulé'] as const;
const TOO_LATE = [400, 6, 'Vous ne pouvez pas annuler l’envoi d’un mail moins de 5 minutes avant son envoi'] as const;
const ALREADY_SENT = [400, 7, 'Vous ne pouvez pas annuler un mail déjà envoyé'] as const;

const cancel = (t: TestApp, apiKey: string, messageId: string, extra: Record<string, unknown> = {}) =>
  get(t, '/message-cancel', { apiKey, messageId, ...extra });

dialectApp('Mail Partner: /v1/message-cancel', ({ app }) => {
  test('GET cancels the whole mail and refunds every recipient at once (seed 002 body); nothing is sent', async () => {
    const t = app();
    const a = await account(t, '10');
    const m = await scheduled(t, a.apiKey, [email(), email(), email()]);
    await assertLedger(t, a.id, 10_000 - 3 * MAIL);
    const r = await cancel(t, a.apiKey, m.id);
    assert.equal(r.status, 200);
    assert.equal(r.text, JSON.stringify(CANCELLED));
    await assertLedger(t, a.id, 10_000);
    assert.deepEqual((await t.store.autocommit.getRecipients(Number(m.id))).map((x) => x.status), ['cancelled', 'cancelled', 'cancelled']);
    t.clock.set(m.at);
    await t.dispatcher.drain();
    assert.deepEqual(await sentMails(t, a.apiKey, m.id), []);
  });

  test('XML success: exactly the seed\'s three entries', async () => {
    const t = app();
    const a = await account(t, '10');
    const m = await scheduled(t, a.apiKey);
    assertXml(await cancel(t, a.apiKey, m.id, { _format: 'xml' }), 200, xmlOf(CANCELLED));
  });

  test('POST with a JSON body, and DELETE /message-cancel/{id}?apiKey=', async () => {
    const t = app();
    const a = await account(t, '10');
    const [m1, m2] = [await scheduled(t, a.apiKey), await scheduled(t, a.apiKey)];
    assert.equal((await post(t, '/message-cancel', { apiKey: a.apiKey, messageId: m1.id })).text, JSON.stringify(CANCELLED));
    assert.equal((await t.request('DELETE', `${MP}/message-cancel/${m2.id}?apiKey=${a.apiKey}`)).text, JSON.stringify(CANCELLED));
    await assertLedger(t, a.id, 10_000);
  });

  test('10 concurrent cancels: one success, nine code 5, refunded exactly once', async () => {
    const t = app();
    const a = await account(t, '10');
    const m = await scheduled(t, a.apiKey, [email(), email()]);
    const answers = await Promise.all(Array.from({ length: 10 }, () => cancel(t, a.apiKey, m.id)));
    assert.deepEqual(answers.map((r) => r.body.code).sort((x, y) => x - y), [5, 5, 5, 5, 5, 5, 5, 5, 5, 200]);
    for (const r of answers.filter((x) => x.body.code === 5)) assertError(r, ...ALREADY_CANCELLED);
    await assertLedger(t, a.id, 10_000);
  });

  test('error 5: a second cancel, JSON and XML; nothing more refunded', async () => {
    const t = app();
    const a = await account(t, '10');
    const m = await scheduled(t, a.apiKey);
    await cancel(t, a.apiKey, m.id);
    assertError(await cancel(t, a.apiKey, m.id), ...ALREADY_CANCELLED);
    assertXml(await cancel(t, a.apiKey, m.id, { _format: 'xml' }), ALREADY_CANCELLED[0], xmlError(ALREADY_CANCELLED[1], ALREADY_CANCELLED[2]));
    await assertLedger(t, a.id, 10_000);
  });

  test('error 6: exactly 5:00 before the send is still cancellable, 4:59.999 is refused and the mail goes', async () => {
    const t = app();
    const a = await account(t, '10');
    const [m1, m2] = [await scheduled(t, a.apiKey), await scheduled(t, a.apiKey)];
    t.clock.set(m1.at - 5 * MIN);
    assert.equal((await cancel(t, a.apiKey, m1.id)).text, JSON.stringify(CANCELLED));
    t.clock.set(m2.at - 5 * MIN + 1);
    assertError(await cancel(t, a.apiKey, m2.id), ...TOO_LATE);
    assertXml(await cancel(t, a.apiKey, m2.id, { _format: 'xml' }), TOO_LATE[0], xmlError(TOO_LATE[1], TOO_LATE[2]));
    await assertLedger(t, a.id, 10_000 - MAIL);
    t.clock.set(m2.at);
    await t.dispatcher.drain();
    assert.equal((await sentMails(t, a.apiKey, m2.id)).length, 1, 'a refused cancel leaves the send alone');
  });

  test('error 7: an immediate mail, before and after the dispatcher sent it, and a scheduled one once sent; still billed', async () => {
    const t = app();
    const a = await account(t, '10');
    const now = await send(t, a.apiKey, [email()]);
    assertError(await cancel(t, a.apiKey, now.body.messageId), ...ALREADY_SENT);
    await t.dispatcher.drain();
    assertError(await cancel(t, a.apiKey, now.body.messageId), ...ALREADY_SENT);
    const later = await scheduled(t, a.apiKey);
    t.clock.set(later.at);
    await t.dispatcher.drain();
    assertXml(await cancel(t, a.apiKey, later.id, { _format: 'xml' }), ALREADY_SENT[0], xmlError(ALREADY_SENT[1], ALREADY_SENT[2]));
    await assertLedger(t, a.id, 10_000 - 2 * MAIL);
  });

  const errors: [string, (key: string, id: string) => Record<string, unknown>, number, number, string][] = [
    ['1: no apiKey', (_k, id) => ({ messageId: id }), ...NO_KEY],
    ['10: wrong apiKey', (_k, id) => ({ apiKey: 'wrong', messageId: id }), ...BAD_KEY],
    ['3: no messageId', (k) => ({ apiKey: k }), 400, 3, 'L’ID du message est requis'],
    ['4: unknown messageId', (k) => ({ apiKey: k, messageId: '987654321' }), 404, 4, 'Message introuvable'],
    ['4: a messageId that is not a number', (k) => ({ apiKey: k, messageId: 'abc' }), 404, 4, 'Message introuvable'],
    ["4: another account's mail", (k, id) => ({ apiKey: k, messageId: id }), 404, 4, 'Message introuvable'],
  ];
  for (const [name, params, status, code, message] of errors) {
    test(`error ${name}, JSON and XML; the mail is untouched`, async () => {
      const t = app();
      const owner = await account(t, '10');
      const m = await scheduled(t, owner.apiKey);
      const caller = await account(t, '10');
      assertError(await get(t, '/message-cancel', params(caller.apiKey, m.id)), status, code, message);
      assertXml(await get(t, '/message-cancel', { ...params(caller.apiKey, m.id), _format: 'xml' }), status, xmlError(code, message));
      assert.equal((await t.store.autocommit.getMessage(Number(m.id)))!.status, 'scheduled');
      await assertLedger(t, owner.id, 10_000 - MAIL);
    });
  }
});

dialectApp('Mail Partner: the cancel cutoff is RELAIS_CANCEL_CUTOFF_SECONDS', ({ app }) => {
  test('with 60 s, a cancel 2 minutes before succeeds and one 59 s before is code 6', async () => {
    const t = app();
    const a = await account(t, '10');
    const [m1, m2] = [await scheduled(t, a.apiKey), await scheduled(t, a.apiKey)];
    t.clock.set(m1.at - 2 * MIN);
    assert.equal((await cancel(t, a.apiKey, m1.id)).body.code, 200);
    t.clock.set(m2.at - 59_000);
    assertError(await cancel(t, a.apiKey, m2.id), ...TOO_LATE);
  });
}, { env: { RELAIS_CANCEL_CUTOFF_SECONDS: '60' } });
