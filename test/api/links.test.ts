import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LinkRef } from '../../src/core/email-links.js';
import { scheduleMessage } from '../../src/core/schedule.js';
import { dialectApp, type HttpResult, type TestApp } from '../helpers/app.js';
import { assertLedger, assertStatus, at, balanceOf, getMessage, HOUR, iso, ledgerRows, MIN, schedule } from './native/support.js';

/** Behind a proxy that maps this URL, path prefix included, to Relais's root. */
const PUBLIC_URL = 'https://mail.example.org/relais';
const ONE_CLICK = { raw: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
const VIEW_CSP = "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; sandbox";

/** The path Relais serves a link at: the URL without its public base. */
function pathOf(url: string): string {
  assert.ok(url.startsWith(`${PUBLIC_URL}/`), url);
  return url.slice(PUBLIC_URL.length);
}

type Account = { id: number; apiKey: string };

/** A scheduled e-mail (0.002 a recipient) of the account and the reference of its recipient `address`. */
async function mailTo(t: TestApp, account: Account, to: string[], address: string, content: Record<string, unknown> = { subject: 'Promo', html: '<p>x</p>' }, inMs = HOUR): Promise<{ id: number; ref: LinkRef }> {
  const m = await schedule(t, account.apiKey, { channel: 'email', to, from: 'shop@example.com', ...content, sendAt: at(t, inMs) });
  const r = (await getMessage(t, account.apiKey, m.id)).recipients.find((x: any) => x.address === address);
  return { id: m.id, ref: { accountId: account.id, messageId: m.id, recipientId: r.id, address } };
}

async function emailList(t: TestApp, key: string): Promise<unknown[]> {
  const res = await t.request('GET', '/api/v1/suppressions?channel=email', { key });
  assertStatus(res, 200);
  return res.body.items;
}

const statuses = async (t: TestApp, key: string, id: number): Promise<[string, string, string | null][]> =>
  (await getMessage(t, key, id)).recipients.map((r: any) => [r.address, r.status, r.error]);

function assertPage(res: HttpResult, status: number, ...texts: string[]): void {
  assertStatus(res, status);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(res.headers.get('set-cookie'), null);
  for (const x of texts) assert.ok(res.text.includes(x), `${JSON.stringify(x)} in ${res.text}`);
}

const INVALID = ['Lien invalide ou expiré', 'Invalid or expired link'];

/** The token with one character of its middle changed (a base64url digit that carries 6 bits). */
function tamper(path: string): string {
  const i = path.length - 30;
  return path.slice(0, i) + (path[i] === 'A' ? 'B' : 'A') + path.slice(i + 1);
}

dialectApp('mail links: one-click unsubscribe and read online (issue 17)', ({ app }) => {
  test('GET shows the form and changes nothing; the one-click POST lists the address, cancels and refunds it in this account only; a second POST changes nothing', async () => {
    const t = app();
    const a = await t.account('1');
    const other = await t.account('1', 'other');
    const { id: m1, ref } = await mailTo(t, a, ['a@example.com', 'b@example.com'], 'a@example.com');
    const m2 = (await mailTo(t, a, ['a@example.com'], 'a@example.com', undefined, MIN)).id;
    const foreign = (await mailTo(t, other, ['a@example.com'], 'a@example.com')).id;
    assert.equal(await balanceOf(t, a.apiKey), '0.994');
    const ledgerBefore = await ledgerRows(t, a.apiKey);
    const path = pathOf(t.core.links.url('unsubscribe', ref));
    assert.match(path, /^\/u\/[\w-]+\.[\w-]{43}$/);

    const shown = await t.request('GET', path);
    assertPage(shown, 200, 'Se désinscrire de ces e-mails ?', 'Unsubscribe from these e-mails?', '<strong>a@example.com</strong>',
      '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">');
    assert.ok(shown.text.indexOf('Se désinscrire de ces e-mails ?') < shown.text.indexOf('Unsubscribe from these e-mails?'), 'French first');
    assert.equal(shown.headers.get('content-security-policy'), "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
    assertStatus(await t.request('HEAD', path), 200);
    assert.deepEqual(await emailList(t, a.apiKey), [], 'a GET (a mail scanner) unsubscribes nothing');
    assert.deepEqual(await ledgerRows(t, a.apiKey), ledgerBefore);

    // m2 is due and not yet taken by the dispatcher: an unsubscribe still stops it.
    t.clock.advance(2 * MIN);
    const now = t.clock.now();
    const done = await t.request('POST', path, ONE_CLICK);
    assertPage(done, 200, 'Vous êtes désinscrit', 'You are unsubscribed', '<strong>a@example.com</strong>');
    assert.deepEqual(await emailList(t, a.apiKey), [{ channel: 'email', address: 'a@example.com', reason: 'unsubscribe link', createdAt: iso(now) }]);
    assert.deepEqual(await statuses(t, a.apiKey, m1), [['a@example.com', 'cancelled', 'suppressed'], ['b@example.com', 'pending', null]]);
    assert.deepEqual(await statuses(t, a.apiKey, m2), [['a@example.com', 'cancelled', 'suppressed']]);
    assert.equal(await balanceOf(t, a.apiKey), '0.998');
    const refunds = (await ledgerRows(t, a.apiKey)).slice(0, 2).map((r) => [r[0], r[1], r[3], r[4]]).sort();
    assert.deepEqual(refunds, [
      ['refund', '0.002', m1, `message ${m1}: a@example.com suppressed`],
      ['refund', '0.002', m2, `message ${m2}: a@example.com suppressed`],
    ].sort());
    await assertLedger(t, a.id, 998);

    const ledgerAfter = await ledgerRows(t, a.apiKey);
    t.clock.advance(MIN);
    assertPage(await t.request('POST', path, ONE_CLICK), 200, 'Vous êtes désinscrit');
    assertPage(await t.request('POST', path), 200, 'Vous êtes désinscrit'); // the form's POST, or one with no body
    assert.deepEqual(await ledgerRows(t, a.apiKey), ledgerAfter, 'nothing more refunded');
    assert.deepEqual(await emailList(t, a.apiKey), [{ channel: 'email', address: 'a@example.com', reason: 'unsubscribe link', createdAt: iso(now) }]);

    assert.deepEqual(await emailList(t, other.apiKey), [], 'another account\'s list is not touched');
    assert.deepEqual(await statuses(t, other.apiKey, foreign), [['a@example.com', 'pending', null]]);
    await assertLedger(t, other.id, 998);
  });

  test('a tampered token, one signed for read-online, an expired one, or a body over 1 KiB: nothing changes', async () => {
    const t = app();
    const a = await t.account('1');
    const { id, ref } = await mailTo(t, a, ['a@example.com'], 'a@example.com', undefined, 100 * 24 * HOUR);
    const path = pathOf(t.core.links.url('unsubscribe', ref));
    const viewToken = pathOf(t.core.links.url('view', ref)).replace(/^\/view\//, '');
    const refused = [tamper(path), `/u/${viewToken}`, '/u/', '/u/x.y', `${path}.x`];
    for (const p of refused) {
      assertPage(await t.request('GET', p), 404, ...INVALID);
      assertPage(await t.request('POST', p, ONE_CLICK), 404, ...INVALID);
    }
    assertPage(await t.request('POST', path, { raw: `List-Unsubscribe=One-Click&${'x'.repeat(1024)}`, headers: ONE_CLICK.headers }), 413, 'Erreur 413');

    t.clock.advance(t.config.mail.linkTtlMs);
    assertPage(await t.request('GET', path), 200, 'Se désinscrire de ces e-mails ?'); // valid to its last millisecond
    t.clock.advance(1);
    assertPage(await t.request('GET', path), 404, ...INVALID);
    assertPage(await t.request('POST', path, ONE_CLICK), 404, ...INVALID);

    assert.deepEqual(await emailList(t, a.apiKey), []);
    assert.deepEqual(await statuses(t, a.apiKey, id), [['a@example.com', 'pending', null]]);
    await assertLedger(t, a.id, 998);
  });

  test('a closed account: the page answers, nothing is written', async () => {
    const t = app();
    const a = await t.account('1');
    const { id, ref } = await mailTo(t, a, ['a@example.com'], 'a@example.com');
    await t.store.autocommit.saveProfile({ accountId: a.id, closedAt: t.clock.now() });
    assertPage(await t.request('POST', pathOf(t.core.links.url('unsubscribe', ref)), ONE_CLICK), 200, 'Vous êtes désinscrit');
    assert.deepEqual(await t.store.autocommit.listSuppressions(a.id), []);
    assert.deepEqual(await statuses(t, a.apiKey, id), [['a@example.com', 'pending', null]]);
    await assertLedger(t, a.id, 998);
    const gone = { ...ref, accountId: a.id + 1000 };
    assertPage(await t.request('POST', pathOf(t.core.links.url('unsubscribe', gone)), ONE_CLICK), 200, 'Vous êtes désinscrit');
  });

  test('read online: the recipient\'s own copy, its links filled in, sandboxed; a text-only mail escaped in <pre>', async () => {
    const t = app();
    const a = await t.account('1');
    const html = '<p>Bonjour é</p><script>alert(1)</script><a href="{{unsubscribe_url}}">stop</a> <a href="{{view_url}}">web</a>';
    const { ref } = await mailTo(t, a, ['a@example.com', 'b@example.com'], 'b@example.com', { subject: 'S', html, text: 'plain' });
    const viewUrl = t.core.links.url('view', ref);
    const res = await t.request('GET', pathOf(viewUrl));
    assertStatus(res, 200);
    assert.equal(res.text, `<p>Bonjour é</p><script>alert(1)</script><a href="${t.core.links.url('unsubscribe', ref)}">stop</a> <a href="${viewUrl}">web</a>`);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('content-security-policy'), VIEW_CSP);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');

    const text = await mailTo(t, a, ['c@example.com'], 'c@example.com', { subject: 'T <1>', text: 'a < b & "c"\n{{view_url}}' });
    const page = await t.request('GET', pathOf(t.core.links.url('view', text.ref)));
    assertStatus(page, 200);
    assert.equal(page.headers.get('content-security-policy'), VIEW_CSP);
    assert.ok(page.text.includes(`<title>T &lt;1&gt;</title>`), page.text);
    assert.ok(page.text.includes(`<pre style="white-space:pre-wrap">a &lt; b &amp; &quot;c&quot;\n${t.core.links.url('view', text.ref)}</pre>`), page.text);
  });

  test('read online: a recipient with its own content (a bulk send with variables) sees its own', async () => {
    const t = app();
    const a = await t.account('1');
    const mail = (html: string) => ({ channel: 'email' as const, subject: 'S', text: null, html, from: 'shop@example.com', replyTo: null });
    const { message } = await scheduleMessage(t.core, a.id, {
      channel: 'email', recipients: ['a@example.com', 'b@example.com'], content: mail('<p>default</p>'),
      recipientContents: [mail('<p>Bonjour Ada {{view_url}}</p>'), mail('<p>Bonjour Bob</p>')], sendAt: t.clock.now() + HOUR,
    });
    const [ra, rb] = await t.store.autocommit.getRecipients(message.id);
    const ref = { accountId: a.id, messageId: message.id, recipientId: ra!.id, address: 'a@example.com' };
    const res = await t.request('GET', pathOf(t.core.links.url('view', ref)));
    assertStatus(res, 200);
    assert.equal(res.text, `<p>Bonjour Ada ${t.core.links.url('view', ref)}</p>`);
    const bob = await t.request('GET', pathOf(t.core.links.url('view', { ...ref, recipientId: rb!.id, address: 'b@example.com' })));
    assert.equal(bob.text, '<p>Bonjour Bob</p>');
  });

  test('read online: a reference that does not match its message, or a token signed for unsubscribe, is 404', async () => {
    const t = app();
    const a = await t.account('1');
    const other = await t.account('1', 'other');
    const mine = await mailTo(t, a, ['a@example.com', 'b@example.com'], 'a@example.com');
    const theirs = await mailTo(t, other, ['a@example.com'], 'a@example.com');
    const sms = await schedule(t, a.apiKey, { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: at(t, HOUR) });
    const smsRecipient = (await getMessage(t, a.apiKey, sms.id)).recipients[0];
    const forged: LinkRef[] = [
      { ...theirs.ref, accountId: a.id }, // another account's message
      { ...mine.ref, recipientId: theirs.ref.recipientId }, // a recipient of another message
      { ...mine.ref, recipientId: mine.ref.recipientId + 1 }, // b's id with a's address
      { ...mine.ref, address: 'b@example.com' },
      { ...mine.ref, messageId: 999_999 },
      { accountId: a.id, messageId: sms.id, recipientId: smsRecipient.id, address: smsRecipient.address }, // not an e-mail
    ];
    for (const ref of forged) assertPage(await t.request('GET', pathOf(t.core.links.url('view', ref))), 404, ...INVALID);
    const unsubscribeToken = pathOf(t.core.links.url('unsubscribe', mine.ref)).replace(/^\/u\//, '');
    assertPage(await t.request('GET', `/view/${unsubscribeToken}`), 404, ...INVALID);
    assertPage(await t.request('GET', tamper(pathOf(t.core.links.url('view', mine.ref)))), 404, ...INVALID);
    assertStatus(await t.request('GET', pathOf(t.core.links.url('view', mine.ref))), 200);
  });

  test('the OpenAPI document lists the links under their tag, without a key', async () => {
    const t = app();
    const doc = (await t.request('GET', '/docs/json')).body;
    assert.deepEqual(Object.keys(doc.paths).filter((p) => /^\/(u|view)\//.test(p)), ['/u/{token}', '/view/{token}']);
    const ops = [doc.paths['/u/{token}'].get, doc.paths['/u/{token}'].post, doc.paths['/view/{token}'].get];
    for (const op of ops) {
      assert.deepEqual([op.tags, op.security, op.parameters.map((p: any) => [p.in, p.name])], [['links'], [], [['path', 'token']]]);
      assert.ok(op.responses['200'].content['text/html'] && op.responses['404'].content['text/html']);
    }
    assert.ok(doc.tags.some((x: any) => x.name === 'links'));
  });
}, { env: { RELAIS_PUBLIC_URL: PUBLIC_URL } });
