import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp, type TestApp } from '../../../helpers/app.js';
import { account, assertError, assertLedger, assertXml, get, HOUR, MIN, phone, post, schedule, scheduleParams, SP, xmlError, xmlOf } from './support.js';

const CANCELLED = { success: true, code: 200, message: "L'envoi du SMS a été annulé." };

async function scheduled(t: TestApp, apiKey: string, inMs = HOUR, numbers = 1): Promise<{ id: number; at: number }> {
  const s = schedule(t, inMs);
  const r = await post(t, '/send', { apiKey, phoneNumbers: Array.from({ length: numbers }, () => phone().national).join(','), message: 'x', ...scheduleParams(s) });
  assert.equal(r.body.success, true, r.text);
  return { id: r.body.message_id, at: s.at };
}

dialectApp('SMS Partner: /v1/message-cancel', ({ app }) => {
  test('GET cancels the whole message and refunds it at once (seed 001 body); it is never sent', async () => {
    const t = app();
    const a = await account(t, '10');
    const m = await scheduled(t, a.apiKey, HOUR, 3);
    await assertLedger(t, a.id, 10_000 - 135);
    const r = await get(t, '/message-cancel', { apiKey: a.apiKey, messageId: m.id });
    assert.equal(r.status, 200);
    assert.equal(r.text, JSON.stringify(CANCELLED));
    await assertLedger(t, a.id, 10_000);
    assert.deepEqual((await t.store.autocommit.getRecipients(m.id)).map((x) => x.status), ['cancelled', 'cancelled', 'cancelled']);
    t.clock.set(m.at);
    await t.dispatcher.drain();
    assert.deepEqual(await t.store.autocommit.listOutbox({ messageId: m.id, limit: 5 }), []);
  });

  test('XML success, exactly the seed\'s entries (one declaration)', async () => {
    const t = app();
    const a = await account(t, '10');
    const m = await scheduled(t, a.apiKey);
    assertXml(await get(t, '/message-cancel', { apiKey: a.apiKey, messageId: m.id, _format: 'xml' }), 200, xmlOf(CANCELLED));
  });

  test('POST with a JSON body, and DELETE /message-cancel/{id}?apiKey= (third-party client)', async () => {
    const t = app();
    const a = await account(t, '10');
    const [m1, m2] = [await scheduled(t, a.apiKey), await scheduled(t, a.apiKey)];
    assert.equal((await post(t, '/message-cancel', { apiKey: a.apiKey, messageId: String(m1.id) })).text, JSON.stringify(CANCELLED));
    assert.equal((await t.request('DELETE', `${SP}/message-cancel/${m2.id}?apiKey=${a.apiKey}`)).text, JSON.stringify(CANCELLED));
    await assertLedger(t, a.id, 10_000);
  });

  test('the 5-minute cutoff: exactly 5:00 before is still cancellable, 4:59.999 is code 6', async () => {
    const t = app();
    const a = await account(t, '10');
    const [m1, m2] = [await scheduled(t, a.apiKey), await scheduled(t, a.apiKey)];
    t.clock.set(m1.at - 5 * MIN);
    assert.equal((await get(t, '/message-cancel', { apiKey: a.apiKey, messageId: m1.id })).body.code, 200);
    t.clock.set(m2.at - 5 * MIN + 1);
    const late = await get(t, '/message-cancel', { apiKey: a.apiKey, messageId: m2.id });
    assertError(late, 400, 6, "Il n'est pas possible d'annuler l'envoi d'un SMS si celui-ci doit être envoyé dans moins de 5 minutes.");
    await assertLedger(t, a.id, 10_000 - 45);
    t.clock.set(m2.at);
    await t.dispatcher.drain();
    assert.equal((await t.store.autocommit.listOutbox({ messageId: m2.id, limit: 5 })).length, 1, 'a refused cancel leaves the send alone');
  });

  test('an immediate (already sent) message is refused with code 6, and stays billed', async () => {
    const t = app();
    const a = await account(t, '10');
    const r = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'now' });
    await t.dispatcher.drain();
    const c = await get(t, '/message-cancel', { apiKey: a.apiKey, messageId: r.body.message_id, _format: 'xml' });
    assertXml(c, 400, xmlError(6, "Il n'est pas possible d'annuler l'envoi d'un SMS si celui-ci doit être envoyé dans moins de 5 minutes."));
    await assertLedger(t, a.id, 10_000 - 45);
  });

  const errors: [string, (t: TestApp, key: string, other: number) => Record<string, unknown>, number, number, string][] = [
    ['1: no apiKey', (_t, _k, id) => ({ messageId: id }), 400, 1, 'La Clé API est requise'],
    ['10: wrong apiKey', (_t, _k, id) => ({ apiKey: 'wrong', messageId: id }), 401, 10, 'Clé API incorrecte'],
    ['3: no messageId', (_t, k) => ({ apiKey: k }), 400, 3, "L'ID du message est requis"],
    ['4: unknown messageId', (_t, k) => ({ apiKey: k, messageId: 987654321 }), 404, 4, 'Message introuvable'],
    ['4: messageId that is not a number', (_t, k) => ({ apiKey: k, messageId: 'abc' }), 404, 4, 'Message introuvable'],
    ["4: another account's message", (_t, k, id) => ({ apiKey: k, messageId: id }), 404, 4, 'Message introuvable'],
  ];
  for (const [name, params, status, code, message] of errors) {
    test(`error ${name}, JSON and XML; the message is untouched`, async () => {
      const t = app();
      const owner = await account(t, '10');
      const m = await scheduled(t, owner.apiKey);
      const caller = await account(t, '10');
      assertError(await get(t, '/message-cancel', params(t, caller.apiKey, m.id)), status, code, message);
      assertXml(await get(t, '/message-cancel', { ...params(t, caller.apiKey, m.id), _format: 'xml' }), status, xmlError(code, message));
      assert.equal((await t.store.autocommit.getMessage(m.id))!.status, 'scheduled');
      await assertLedger(t, owner.id, 10_000 - 45);
    });
  }

  test('error 5: a second cancel says already cancelled and refunds nothing more, JSON and XML', async () => {
    const t = app();
    const a = await account(t, '10');
    const m = await scheduled(t, a.apiKey);
    await get(t, '/message-cancel', { apiKey: a.apiKey, messageId: m.id });
    assertError(await get(t, '/message-cancel', { apiKey: a.apiKey, messageId: m.id }), 400, 5, "L'envoi du SMS a déjà été annulé");
    assertXml(await get(t, '/message-cancel', { apiKey: a.apiKey, messageId: m.id, _format: 'xml' }), 400, xmlError(5, "L'envoi du SMS a déjà été annulé"));
    await assertLedger(t, a.id, 10_000);
  });

  test('any message of the account can be cancelled here, an e-mail too, answered with Mail Partner\'s words (seed 002 samples call this host)', async () => {
    const t = app();
    const a = await account(t, '10');
    const mail = await t.request('POST', '/api/v1/messages', {
      key: a.apiKey, body: { channel: 'email', to: ['x@example.com'], from: 'shop@example.com', subject: 's', text: 't', sendAt: new Date(t.clock.now() + HOUR).toISOString() },
    });
    assert.equal(mail.status, 201, mail.text);
    assert.equal((await get(t, '/message-cancel', { apiKey: a.apiKey, messageId: mail.body.id })).text,
      JSON.stringify({ success: true, code: 200, message: "L'envoi du mail a été annulé." }));
    assertError(await get(t, '/message-cancel', { apiKey: a.apiKey, messageId: mail.body.id }), 400, 5, 'L’envoi du mail a déjà été annulé');
    await assertLedger(t, a.id, 10_000);
    // An SMS keeps SMS Partner's words.
    const m = await scheduled(t, a.apiKey);
    assert.equal((await get(t, '/message-cancel', { apiKey: a.apiKey, messageId: m.id })).text, JSON.stringify(CANCELLED));
    assertError(await get(t, '/message-cancel', { apiKey: a.apiKey, messageId: m.id }), 400, 5, "L'envoi du SMS a déjà été annulé");
  });
});

dialectApp('SMS Partner: the cancel cutoff is RELAIS_CANCEL_CUTOFF_SECONDS', ({ app }) => {
  test('with 60 s, a cancel 2 minutes before succeeds and one 59 s before is code 6', async () => {
    const t = app();
    const a = await account(t, '10');
    const [m1, m2] = [await scheduled(t, a.apiKey), await scheduled(t, a.apiKey)];
    t.clock.set(m1.at - 2 * MIN);
    assert.equal((await get(t, '/message-cancel', { apiKey: a.apiKey, messageId: m1.id })).body.code, 200);
    t.clock.set(m2.at - 59_000);
    assert.equal((await get(t, '/message-cancel', { apiKey: a.apiKey, messageId: m2.id })).body.code, 6);
  });
}, { env: { RELAIS_CANCEL_CUTOFF_SECONDS: '60' } });
