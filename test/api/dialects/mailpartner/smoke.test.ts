import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp, type TestApp } from '../../../helpers/app.js';
import { assertLedger, HOUR, parisTimestamp, schedule, xmlOf } from '../partner/http.js';

/**
 * A walk through the Mail Partner dialect, the way a client of api.mailpartner.fr/v1 uses it:
 * a send, a scheduled send cancelled and refunded, the unsubscribe list, XML. The exhaustive
 * per-endpoint cases, and every route's scope (format.test.ts), are the other files of this folder.
 */

const MP = '/mailpartner/v1';
const FROM = { email: 'news@example.com', name: 'La Boutique' };

const get = (t: TestApp, path: string, params: Record<string, string | number>) =>
  t.request('GET', `${MP}${path}?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]))}`);
const post = (t: TestApp, path: string, body: Record<string, unknown>) => t.request('POST', `${MP}${path}`, { body });

dialectApp('Mail Partner: smoke', ({ app }) => {
  test('a send: the vendor body in, the success body out, the mail stored as core content and sent', async () => {
    const t = app();
    const a = await t.account('1', 'mp-send');
    const r = await post(t, '/send', {
      apiKey: a.apiKey, subject: 'Bonjour #FIRSTNAME#', htmlContent: '<p>Bonjour #FIRSTNAME#</p>#UNSUBSCRIBE_LINK# #READ_ONLINE#',
      params: { to: [{ email: 'Anne@Example.COM', name: 'Anne' }, { email: 'bob@example.com' }] },
      from: FROM, replyTo: { email: 'help@example.com' }, variables: { firstname: 'Zoé' }, tag: 'promo-mars',
      attachments: [{ base64Content: Buffer.from('bonjour').toString('base64'), contentType: 'text/plain', filename: 'lisez-moi' }],
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, JSON.stringify({ success: true, code: 200, messageId: r.body.messageId, nbMail: 2, cost: 0.004, currency: 'EUR' }));
    assert.match(r.body.messageId, /^\d+$/);
    const m = await t.store.autocommit.getMessage(Number(r.body.messageId));
    assert.equal(m?.tag, 'promo-mars');
    assert.deepEqual(m?.content, {
      channel: 'email', subject: 'Bonjour Zoé',
      html: '<p>Bonjour Zoé</p><a href="{{unsubscribe_url}}">Se désinscrire</a> <a href="{{view_url}}">Voir la version en ligne</a>',
      text: null, from: 'La Boutique <news@example.com>', replyTo: 'help@example.com', names: { 'Anne@example.com': 'Anne' },
      attachments: [{ filename: 'lisez-moi.txt', contentType: 'text/plain', base64: 'Ym9uam91cg==' }],
    });
    await assertLedger(t, a.id, 996);
    await t.dispatcher.drain();
    const s = await get(t, '/bulk-status', { apiKey: a.apiKey, messageId: r.body.messageId });
    assert.equal(s.status, 200, s.text);
    assert.deepEqual(Object.keys(s.body), ['success', 'code', 'messageId', 'StatutResponseList']);
    assert.deepEqual(s.body.StatutResponseList.map((x: { email: string; status: string; cost: number; stopMail: boolean }) => [x.email, x.status, x.cost, x.stopMail]),
      [['Anne@example.com', 'Delivered', 0.002, false], ['bob@example.com', 'Delivered', 0.002, false]]);
    const sent = await get(t, '/message-cancel', { apiKey: a.apiKey, messageId: r.body.messageId });
    assert.equal(sent.text, JSON.stringify({ success: false, code: 7, message: 'Vous ne pouvez pas annuler un mail déjà envoyé' }));
  });

  test('a scheduled send echoes its Paris time; cancelled, it is refunded once; /me shows the balance', async () => {
    const t = app();
    const a = await t.account('1', 'mp-cancel');
    const when = schedule(t, 3 * HOUR);
    const r = await post(t, '/send', {
      apiKey: a.apiKey, subject: 'Plus tard', htmlContent: '<p>x</p>', to: [{ email: 'c@example.com' }], from: FROM,
      scheduledDeliveryDate: when.scheduledDeliveryDate, time: String(when.time), minute: String(when.minute).padStart(2, '0'),
    });
    assert.equal(r.text, JSON.stringify({
      success: true, code: 200, messageId: r.body.messageId, nbMail: 1, cost: 0.002, currency: 'EUR', scheduledDeliveryDate: parisTimestamp(when.at),
    }));
    const me = await get(t, '/me', { apiKey: a.apiKey });
    assert.equal(me.text, JSON.stringify({ success: true, code: 200, user: { username: 'mp-cancel' }, credits: { creditMail: 499, currency: 'EUR', balance: '0.998' } }));
    const c = await get(t, '/message-cancel', { apiKey: a.apiKey, messageId: r.body.messageId });
    assert.equal(c.text, JSON.stringify({ success: true, code: 200, message: "L'envoi du mail a été annulé." }));
    const again = await t.request('DELETE', `${MP}/message-cancel/${r.body.messageId}?apiKey=${a.apiKey}`);
    assert.equal(again.status, 400);
    assert.equal(again.text, JSON.stringify({ success: false, code: 5, message: 'L’envoi du mail a déjà été annulé' }));
    await assertLedger(t, a.id, 1000);
  });

  test('the unsubscribe list: add, listed, a send to it refused with 14 and unbilled, left out of a send to others, delete', async () => {
    const t = app();
    const a = await t.account('1', 'mp-unsub');
    const add = await post(t, '/unsubscribe/add', { apiKey: a.apiKey, email: 'gone@example.com' });
    assert.equal(add.text, JSON.stringify({ success: true, code: 200, stopId: add.body.stopId }));
    assert.equal((await post(t, '/unsubscribe/add', { apiKey: a.apiKey, email: 'gone@example.com' })).text,
      JSON.stringify({ success: false, code: 3, message: 'Le mail est déjà dans la liste' }));
    const list = await get(t, '/unsubscribe/list', { apiKey: a.apiKey });
    assert.deepEqual(list.body, { success: true, code: 200, nbData: 1, data: [{ id: add.body.stopId, email: 'gone@example.com', createdAt: parisTimestamp(t.clock.now()) }] });
    const refused = await post(t, '/send', { apiKey: a.apiKey, subject: 's', htmlContent: 'h', to: [{ email: 'gone@example.com' }], from: FROM });
    assert.equal(refused.status, 400);
    assert.equal(refused.text, JSON.stringify({ success: false, code: 14, message: 'Le mail est dans la liste des désinscriptions' }));
    await assertLedger(t, a.id, 1000);
    const partly = await post(t, '/send', { apiKey: a.apiKey, subject: 's', htmlContent: 'h', to: [{ email: 'gone@example.com' }, { email: 'kept@example.com' }], from: FROM });
    assert.equal(partly.text, JSON.stringify({ success: true, code: 200, messageId: partly.body.messageId, nbMail: 1, cost: 0.002, currency: 'EUR' }));
    await assertLedger(t, a.id, 998);
    const del = await get(t, '/unsubscribe/delete', { apiKey: a.apiKey, id: add.body.stopId });
    assert.equal(del.text, JSON.stringify({ success: true, code: 200 }));
    assert.equal((await get(t, '/unsubscribe/delete', { apiKey: a.apiKey, id: add.body.stopId })).text,
      JSON.stringify({ success: false, code: 4, message: 'Le mail et invalide' }));
    assert.equal((await get(t, '/unsubscribe/list', { apiKey: a.apiKey })).body.nbData, 0);
  });

  test('XML: /me positional with the named user, an error in the vendor envelope', async () => {
    const t = app();
    const a = await t.account('2', 'mp-xml');
    const me = await get(t, '/me', { apiKey: a.apiKey, _format: 'xml' });
    assert.equal(me.status, 200);
    assert.match(me.headers.get('content-type') ?? '', /^application\/xml/);
    assert.equal(me.text, [
      "<?xml version='1.0' encoding='UTF-8'?>", '<result>', '    <entry>true</entry>', '    <entry>200</entry>',
      '    <entry>', '        <username><![CDATA[mp-xml]]></username>', '    </entry>',
      '    <entry>', '        <entry>1000</entry>', '        <entry><![CDATA[EUR]]></entry>', '        <entry><![CDATA[2.000]]></entry>', '    </entry>',
      '</result>', ''].join('\n'));
    const err = await get(t, '/message-cancel', { apiKey: a.apiKey, _format: 'xml' });
    assert.equal(err.status, 400);
    assert.equal(err.text, xmlOf({ success: false, code: 3, message: 'L’ID du message est requis' }));
  });
});
