import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp, type TestApp } from '../../helpers/app.js';
import { assertLedger, assertProblem, at, HOUR, ledgerRows, schedule } from './support.js';

/** A mail cannot leave without a From: the account's e-mail default sender, else RELAIS_MAIL_FROM, else refused. */

const mail = (t: TestApp) => ({ channel: 'email', to: ['a@example.com'], subject: 's', text: 't', sendAt: at(t, HOUR) });

dialectApp('native API: the From of a mail that names none (RELAIS_MAIL_FROM unset)', ({ app }) => {
  test('no default sender: 400 sender_required, nothing written', async () => {
    const t = app();
    const a = await t.account('1');
    assertProblem(await t.request('POST', '/api/v1/messages', { key: a.apiKey, body: mail(t) }), 400, 'sender_required');
    assert.deepEqual((await t.request('GET', '/api/v1/messages', { key: a.apiKey })).body.items, []);
    assert.deepEqual((await ledgerRows(t, a.apiKey)).map((r) => r[0]), ['topup']);
    await assertLedger(t, a.id, 1000);
  });

  test('an SMS sender id as default sender is no From; an address (with its name) is', async () => {
    const t = app();
    const a = await t.account('1');
    await t.store.autocommit.setDefaultSender(a.id, 'ACME');
    assertProblem(await t.request('POST', '/api/v1/messages', { key: a.apiKey, body: mail(t) }), 400, 'sender_required');
    await t.store.autocommit.setDefaultSender(a.id, 'Acme Shop <News@Example.COM>');
    assert.equal((await schedule(t, a.apiKey, mail(t))).content.from, 'Acme Shop <News@example.com>');
    assert.equal((await schedule(t, a.apiKey, { ...mail(t), from: 'own@example.com' })).content.from, 'own@example.com');
  });
});

dialectApp('native API: the From of a mail that names none (RELAIS_MAIL_FROM set)', ({ app }) => {
  test('RELAIS_MAIL_FROM when the account has no e-mail default sender; the account\'s address first', async () => {
    const t = app();
    const a = await t.account('1');
    assert.equal((await schedule(t, a.apiKey, mail(t))).content.from, 'Relais <noreply@example.com>');
    await t.store.autocommit.setDefaultSender(a.id, 'ACME');
    assert.equal((await schedule(t, a.apiKey, mail(t))).content.from, 'Relais <noreply@example.com>');
    await t.store.autocommit.setDefaultSender(a.id, 'shop@example.com');
    assert.equal((await schedule(t, a.apiKey, mail(t))).content.from, 'shop@example.com');
  });
}, { env: { RELAIS_MAIL_FROM: 'Relais <noreply@example.com>' } });
