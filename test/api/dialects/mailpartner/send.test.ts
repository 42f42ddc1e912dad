import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp, type TestApp } from '../../../helpers/app.js';
import {
  account, assertError, assertLedger, assertXml, BAD_KEY, email, HOUR, MAIL, mailBody, NO_KEY, parisTimestamp, post, schedule, scheduleParams, send,
  sentMails, xmlError, xmlOf,
} from './support.js';

const PUBLIC_URL = 'https://relais.example.com/base';

const stored = async (t: TestApp, messageId: string) => (await t.store.autocommit.getMessage(Number(messageId)))!;
const b64 = (bytes: number) => Buffer.alloc(bytes, 0x61).toString('base64');
const TOO_BIG = 'La pièce jointe est trop volumineuse ou trop nombreuse (3 pièces jointes de 5 Mo au plus)';

dialectApp('Mail Partner: POST /v1/send', ({ app }) => {
  test('immediate send: exact answer (messageId a digit string), the debit in the ledger, sent by the dispatcher', async () => {
    const t = app();
    const a = await account(t, '10');
    const [e1, e2] = [email(), email()];
    const r = await send(t, a.apiKey, [e1, { email: e2, name: 'Jane Doe' }], { replyTo: { email: 'help@example.com', name: 'Help' } });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.match(r.body.messageId, /^[1-9]\d*$/);
    assert.equal(r.text, JSON.stringify({ success: true, code: 200, messageId: r.body.messageId, nbMail: 2, cost: 0.004, currency: 'EUR' }));
    await assertLedger(t, a.id, 10_000 - 2 * MAIL);
    await t.dispatcher.drain();
    const sent = await sentMails(t, a.apiKey, r.body.messageId);
    assert.deepEqual(sent.map((s) => [s.address, s.from, s.replyTo, s.subject, s.html]), [
      [e1, { email: 'shop@example.com', name: 'Shop' }, { email: 'help@example.com', name: 'Help' }, 'Bonjour', '<p>Bonjour</p>'],
      [e2, { email: 'shop@example.com', name: 'Shop' }, { email: 'help@example.com', name: 'Help' }, 'Bonjour', '<p>Bonjour</p>'],
    ]);
    const content = (await stored(t, r.body.messageId)).content;
    assert.equal(content.channel === 'email' && content.names?.[e2], 'Jane Doe');
  });

  test('scheduled (Paris wall time, time and minute as strings): echoes the local date, is sent at it and not before; XML answer', async () => {
    const t = app();
    const a = await account(t, '10');
    const s = schedule(t, 2 * HOUR);
    const r = await send(t, a.apiKey, [email()], {
      scheduledDeliveryDate: s.scheduledDeliveryDate, time: String(s.time), minute: String(s.minute).padStart(2, '0'), _format: 'xml',
    });
    const m = (await t.store.autocommit.listMessages({ accountId: a.id }, { limit: 1 }))[0]!;
    assert.equal(m.sendAt, s.at);
    assertXml(r, 200, xmlOf({ success: true, code: 200, messageId: String(m.id), nbMail: 1, cost: 0.002, currency: 'EUR', scheduledDeliveryDate: parisTimestamp(s.at) }));
    await t.dispatcher.drain();
    assert.deepEqual(await sentMails(t, a.apiKey, String(m.id)), []);
    t.clock.set(s.at);
    await t.dispatcher.drain();
    assert.equal((await sentMails(t, a.apiKey, String(m.id))).length, 1);
  });

  test('recipients: params.to wins over a top-level to; a top-level to alone is taken (third-party clients)', async () => {
    const t = app();
    const a = await account(t, '10');
    const [nested, top] = [email('nested'), email('top')];
    const both = await post(t, '/send', { ...mailBody(a.apiKey, [nested]), to: [{ email: top }] });
    const topOnly = await post(t, '/send', { ...mailBody(a.apiKey, []), params: undefined, to: [{ email: top }] });
    const addresses = async (id: string) => (await t.store.autocommit.getRecipients(Number(id))).map((x) => x.address);
    assert.deepEqual(await addresses(both.body.messageId), [nested]);
    assert.deepEqual(await addresses(topOnly.body.messageId), [top]);
  });

  test('sender: from, else senderEmail/senderName, else sender; each alone is taken', async () => {
    const t = app();
    const a = await account(t, '10');
    const base = { apiKey: a.apiKey, subject: 's', htmlContent: 'h', params: { to: [{ email: email() }] } };
    const forms: [Record<string, unknown>, { email: string; name: string | null }][] = [
      [{ from: { email: 'a@example.com', name: 'A' }, senderEmail: 'b@example.com', senderName: 'B', sender: { email: 'c@example.com', name: 'C' } }, { email: 'a@example.com', name: 'A' }],
      [{ senderEmail: 'b@example.com', senderName: 'B', sender: { email: 'c@example.com', name: 'C' } }, { email: 'b@example.com', name: 'B' }],
      [{ sender: { email: 'c@example.com', name: 'C' } }, { email: 'c@example.com', name: 'C' }],
      [{ from: { email: 'd@example.com' } }, { email: 'd@example.com', name: null }],
      [{ senderEmail: 'e@example.com' }, { email: 'e@example.com', name: null }],
    ];
    for (const [sender, expected] of forms) {
      const r = await post(t, '/send', { ...base, ...sender });
      assert.equal(r.status, 200, r.text);
      await t.dispatcher.drain();
      assert.deepEqual((await sentMails(t, a.apiKey, r.body.messageId))[0]!.from, expected, JSON.stringify(sender));
    }
  });

  test('no sender given: the account\'s default sender when it is an address; a non-address default and no RELAIS_MAIL_FROM is code 4', async () => {
    const t = app();
    const [withMail, withName] = [await account(t, '10'), await account(t, '10')];
    await t.store.autocommit.setDefaultSender(withMail.id, 'news@example.com');
    await t.store.autocommit.setDefaultSender(withName.id, 'RELAIS');
    const r = await send(t, withMail.apiKey, [email()], { from: undefined });
    assert.equal(r.status, 200, r.text);
    await t.dispatcher.drain();
    assert.deepEqual((await sentMails(t, withMail.apiKey, r.body.messageId))[0]!.from, { email: 'news@example.com', name: null });
    assertError(await send(t, withName.apiKey, [email()], { from: undefined }), 400, 4, 'Le sender email est requis');
    await assertLedger(t, withName.id, 10_000);
  });

  test('variables (keys upper-cased, numbers too) in subject and HTML; #UNSUBSCRIBE_LINK# and #READ_ONLINE# become each recipient\'s own signed links', async () => {
    const t = app();
    const a = await account(t, '10');
    const [e1, e2] = [email(), email()];
    const r = await send(t, a.apiKey, [e1, e2], {
      subject: 'Bonjour #FIRSTNAME#', htmlContent: '<p>#FIRSTNAME# #LASTNAME#, -#PERCENT# %</p><p>#READ_ONLINE#</p><p>#UNSUBSCRIBE_LINK#</p>',
      variables: { firstname: 'John', LastName: 'Doe', percent: 10 },
    });
    assert.equal(r.status, 200, r.text);
    await t.dispatcher.drain();
    const sent = await sentMails(t, a.apiKey, r.body.messageId);
    const links: string[] = [];
    for (const s of sent) {
      assert.equal(s.subject, 'Bonjour John');
      const m = /^<p>John Doe, -10 %<\/p><p><a href="([^"]+)">Voir la version en ligne<\/a><\/p><p><a href="([^"]+)">Se désinscrire<\/a><\/p>$/.exec(s.html);
      assert.ok(m, s.html);
      assert.ok(m[1]!.startsWith(`${PUBLIC_URL}/view/`), m[1]);
      assert.ok(m[2]!.startsWith(`${PUBLIC_URL}/u/`), m[2]);
      assert.ok(m[1]!.length > `${PUBLIC_URL}/view/`.length && m[2]!.length > `${PUBLIC_URL}/u/`.length);
      links.push(m[1]!, m[2]!);
    }
    assert.equal(new Set(links).size, 4, 'every recipient has its own links');
  });

  test('a variable\'s $ signs are text, not replacement patterns', async () => {
    const t = app();
    const a = await account(t, '10');
    const r = await send(t, a.apiKey, [email()], {
      subject: 'Prix #PRICE#', htmlContent: '<p>Prix #PRICE# fin</p>', variables: { price: "10$$ et $& et $' et $`" },
    });
    assert.equal(r.status, 200, r.text);
    const content = (await stored(t, r.body.messageId)).content;
    assert.ok(content.channel === 'email');
    assert.equal(content.subject, "Prix 10$$ et $& et $' et $`");
    assert.equal(content.html, "<p>Prix 10$$ et $& et $' et $` fin</p>");
  });

  test('attachments: up to 3, the stored filename gets the extension of its type (one it has is kept); 5 MB decoded is accepted', async () => {
    const t = app();
    const a = await account(t, '10');
    const r = await send(t, a.apiKey, [email()], {
      attachments: [
        { base64Content: b64(5 * 1024 * 1024), contentType: 'application/pdf', filename: 'facture' },
        { base64Content: b64(10), contentType: 'text/csv', filename: 'export.csv' },
        { base64Content: b64(10), contentType: 'image/png', filename: 'logo' },
      ],
    });
    assert.equal(r.status, 200, r.text.slice(0, 300));
    const content = (await stored(t, r.body.messageId)).content;
    assert.ok(content.channel === 'email');
    assert.deepEqual(content.attachments?.map((x) => [x.filename, x.contentType, Buffer.from(x.base64, 'base64').length]), [
      ['facture.pdf', 'application/pdf', 5 * 1024 * 1024], ['export.csv', 'text/csv', 10], ['logo.png', 'image/png', 10],
    ]);
  });

  test('a 6 MB attachment passes the body limit and is refused by the 5 MB rule (code 9, not a 413); nothing billed', async () => {
    const t = app();
    const a = await account(t, '10');
    const r = await send(t, a.apiKey, [email()], { attachments: [{ base64Content: b64(6 * 1024 * 1024), contentType: 'application/pdf', filename: 'big' }] });
    assertError(r, 400, 9, TOO_BIG);
    await assertLedger(t, a.id, 10_000);
  });

  test('sandbox=1: the answer of a real send with messageId "0"; nothing stored, nothing billed, nothing sent', async () => {
    const t = app();
    const a = await account(t, '10');
    const s = schedule(t, HOUR);
    const r = await send(t, a.apiKey, [email(), email()], { sandbox: 1, ...scheduleParams(s) });
    assert.equal(r.text, JSON.stringify({ success: true, code: 200, messageId: '0', nbMail: 2, cost: 0.004, currency: 'EUR', scheduledDeliveryDate: parisTimestamp(s.at) }));
    assert.deepEqual(await t.store.autocommit.listMessages({ accountId: a.id }, { limit: 5 }), []);
    await assertLedger(t, a.id, 10_000);
    // A sandbox send is still checked.
    assertError(await send(t, a.apiKey, [email()], { sandbox: 1, subject: '' }), 400, 2, 'Le contenu du mail est requis');
  });

  test('500 recipients are one mail billed 500 times; 501 is code 50', async () => {
    const t = app();
    const a = await account(t, '10');
    const many = Array.from({ length: 501 }, () => email('many'));
    assertError(await send(t, a.apiKey, many), 400, 50, 'Le nombre de mails autorisés est de 500 maxi');
    await assertLedger(t, a.id, 10_000);
    const r = await send(t, a.apiKey, many.slice(0, 500));
    assert.deepEqual([r.body.nbMail, r.body.cost], [500, 1]);
    await assertLedger(t, a.id, 10_000 - 500 * MAIL);
  });

  test('insufficient credit: code 11, HTTP 402, nothing billed; exactly enough is accepted', async () => {
    const t = app();
    const a = await account(t, '0.003');
    assertError(await send(t, a.apiKey, [email(), email()]), 402, 11, 'Crédit insuffisant');
    await assertLedger(t, a.id, 3);
    assert.equal((await send(t, a.apiKey, [email()])).body.nbMail, 1);
    await assertLedger(t, a.id, 1);
  });

  test('every recipient unsubscribed: code 14, nothing billed; some: skipped, not billed, nbMail counts the others', async () => {
    const t = app();
    const a = await account(t, '10');
    const [u1, u2, ok] = [email(), email(), email()];
    for (const e of [u1, u2]) assert.equal((await post(t, '/unsubscribe/add', { apiKey: a.apiKey, email: e })).body.success, true);
    assertError(await send(t, a.apiKey, [u1, u2]), 400, 14, 'Le mail est dans la liste des désinscriptions');
    await assertLedger(t, a.id, 10_000);
    const r = await send(t, a.apiKey, [u1, ok, u2]);
    assert.deepEqual([r.body.nbMail, r.body.cost], [1, 0.002]);
    await assertLedger(t, a.id, 10_000 - MAIL);
    await t.dispatcher.drain();
    assert.deepEqual((await sentMails(t, a.apiKey, r.body.messageId)).map((s) => s.address), [ok]);
  });

  const march = { scheduledDeliveryDate: '28/03/2027', minute: 30 };
  test('summer time: 28/03/2027 02:30 does not exist (49); 03:00 that day is 01:00 UTC', async () => {
    const t = app();
    const a = await account(t, '10');
    assertError(await send(t, a.apiKey, [email()], { ...march, time: 2 }), 400, 49, 'La date est invalide');
    const r = await send(t, a.apiKey, [email()], { ...march, time: 3, minute: 0 });
    assert.equal(r.body.scheduledDeliveryDate, '2027-03-28 03:00:00', r.text);
    assert.equal((await stored(t, r.body.messageId)).sendAt, Date.parse('2027-03-28T01:00:00Z'));
  });

  test('winter time: 25/10/2026 02:30 happens twice and is the first one, 00:30 UTC', async () => {
    const t = app();
    const a = await account(t, '10');
    const r = await send(t, a.apiKey, [email()], { scheduledDeliveryDate: '25/10/2026', time: '2', minute: '30' });
    assert.equal(r.body.scheduledDeliveryDate, '2026-10-25 02:30:00', r.text);
    assert.equal((await stored(t, r.body.messageId)).sendAt, Date.parse('2026-10-25T00:30:00Z'));
  });

  // Each case: what is changed in a valid body, then the answer. Checked in the decisions' order.
  const attachment = { base64Content: b64(3), contentType: 'text/plain', filename: 'notes' };
  const day = (t: TestApp) => schedule(t, 2 * HOUR).scheduledDeliveryDate;
  const cases: [string, (t: TestApp, key: string) => Record<string, unknown>, number, number, string][] = [
    ['no apiKey', () => ({ apiKey: undefined }), ...NO_KEY],
    ['a wrong apiKey', () => ({ apiKey: 'wrong' }), ...BAD_KEY],
    ['no recipients', () => ({ params: undefined }), 400, 22, 'La liste des destinataires est requise'],
    ['an empty recipient list', () => ({ params: { to: [] } }), 400, 22, 'La liste des destinataires est requise'],
    ['recipients not a list', () => ({ params: { to: 'a@example.com' } }), 400, 22, 'La liste des destinataires est requise'],
    ['a recipient without email', () => ({ params: { to: [{ email: email() }, { name: 'x' }] } }), 400, 18, 'L’email du destinataire est requis'],
    ['an invalid recipient', () => ({ params: { to: [{ email: 'not-an-address' }] } }), 400, 19, 'L’email du destinataire semble invalide'],
    ['a blank recipient name', () => ({ params: { to: [{ email: email(), name: '  ' }] } }), 400, 21, 'Le nom du destinataire ne peut-être vide'],
    ['the same address twice (domain case aside)', () => ({ params: { to: [{ email: 'Dup@Example.com' }, { email: 'Dup@example.com' }] } }), 400, 15, 'Le mail est déjà dans la liste d’envoi'],
    ['items checked in order: invalid before blank name', () => ({ params: { to: [{ email: 'bad' }, { email: email(), name: '' }] } }), 400, 19, 'L’email du destinataire semble invalide'],
    ['recipients before content', () => ({ params: { to: [{ email: 'bad' }] }, subject: undefined }), 400, 19, 'L’email du destinataire semble invalide'],
    ['no subject', () => ({ subject: undefined }), 400, 2, 'Le contenu du mail est requis'],
    ['a blank subject', () => ({ subject: ' ' }), 400, 2, 'Le contenu du mail est requis'],
    ['no htmlContent', () => ({ htmlContent: undefined }), 400, 2, 'Le contenu du mail est requis'],
    ['a blank htmlContent', () => ({ htmlContent: '' }), 400, 2, 'Le contenu du mail est requis'],
    ['content before sender', () => ({ subject: undefined, from: { name: 'x' } }), 400, 2, 'Le contenu du mail est requis'],
    ['a sender without email', () => ({ from: { name: 'Shop' } }), 400, 4, 'Le sender email est requis'],
    ['an invalid sender email', () => ({ from: { email: 'shop', name: 'Shop' } }), 400, 4, 'Le sender email est requis'],
    ['an invalid senderEmail', () => ({ from: undefined, senderEmail: 'nope' }), 400, 4, 'Le sender email est requis'],
    ['a blank sender name', () => ({ from: { email: 'shop@example.com', name: ' ' } }), 400, 5, 'Le sender name ne peut-être vide'],
    ['a blank senderName', () => ({ from: undefined, senderEmail: 'shop@example.com', senderName: '' }), 400, 5, 'Le sender name ne peut-être vide'],
    ['a replyTo without email', () => ({ replyTo: { name: 'Help' } }), 400, 23, 'L’email du destinataire en réponse est requis'],
    ['an invalid replyTo', () => ({ replyTo: { email: 'help' } }), 400, 24, 'L’email du destinataire en réponse semble invalide'],
    ['a blank replyTo name', () => ({ replyTo: { email: 'help@example.com', name: '' } }), 400, 25, 'Le nom du destinataire en réponse ne peut-être vide'],
    ['variables not an object', () => ({ variables: 'x' }), 400, 2, 'Le contenu du mail est requis'],
    ['9 variables', () => ({ variables: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`v${i}`, 'x'])) }), 400, 2, 'Le contenu du mail est requis'],
    ['a variable that is not text', () => ({ variables: { firstname: { a: 1 } } }), 400, 2, 'Le contenu du mail est requis'],
    ['an attachment without base64Content', () => ({ attachments: [{ ...attachment, base64Content: undefined }] }), 400, 8, 'L’URL de la pièce jointe est requise'],
    ['an attachment without filename', () => ({ attachments: [{ ...attachment, filename: undefined }] }), 400, 16, 'Le nom de la pièce jointe ne peut-être vide'],
    ['an attachment with a blank filename', () => ({ attachments: [{ ...attachment, filename: ' ' }] }), 400, 16, 'Le nom de la pièce jointe ne peut-être vide'],
    ['an attachment type off the list', () => ({ attachments: [{ ...attachment, contentType: 'application/x-msdownload' }] }), 400, 9, 'L’extension de la pièce jointe n’est pas autorisée'],
    ['4 attachments', () => ({ attachments: [attachment, attachment, attachment, attachment] }), 400, 9, TOO_BIG],
    ['5 MB and one byte', () => ({ attachments: [{ ...attachment, base64Content: b64(5 * 1024 * 1024 + 1) }] }), 400, 9, TOO_BIG],
    ['base64 that does not decode', () => ({ attachments: [{ ...attachment, base64Content: '%%%not base64%%%' }] }), 400, 9, TOO_BIG],
    ['a tag of 2 characters', () => ({ tag: 'ab' }), 400, 9, 'Le tag est invalide'],
    ['a tag of 21 characters', () => ({ tag: 'a'.repeat(21) }), 400, 9, 'Le tag est invalide'],
    ['a tag in capitals', () => ({ tag: 'Promo' }), 400, 9, 'Le tag est invalide'],
    ['a tag with a space', () => ({ tag: 'pro mo' }), 400, 9, 'Le tag est invalide'],
    ['time without a date', () => ({ time: 12, minute: 0 }), 400, 45, 'La date est requise'],
    ['minute without a date', () => ({ minute: 0 }), 400, 45, 'La date est requise'],
    ['a date not dd/mm/YYYY', () => ({ scheduledDeliveryDate: '2027-01-02', time: 12, minute: 0 }), 400, 49, 'La date est invalide'],
    ['an impossible date', () => ({ scheduledDeliveryDate: '31/02/2027', time: 12, minute: 0 }), 400, 49, 'La date est invalide'],
    ['a date without time', (t) => ({ scheduledDeliveryDate: day(t), minute: 0 }), 400, 46, 'L’heure est requise'],
    ['time 24', (t) => ({ scheduledDeliveryDate: day(t), time: 24, minute: 0 }), 400, 49, 'La date est invalide'],
    ['time not an integer', (t) => ({ scheduledDeliveryDate: day(t), time: '12h', minute: 0 }), 400, 49, 'La date est invalide'],
    ['a date without minute', (t) => ({ scheduledDeliveryDate: day(t), time: 12 }), 400, 47, 'Le chiffre des minutes est invalide'],
    ['minute 60', (t) => ({ scheduledDeliveryDate: day(t), time: 12, minute: 60 }), 400, 47, 'Le chiffre des minutes est invalide'],
    ['minute not an integer', (t) => ({ scheduledDeliveryDate: day(t), time: 12, minute: 'x' }), 400, 47, 'Le chiffre des minutes est invalide'],
    ['minute off the 5-minute grid', (t) => ({ scheduledDeliveryDate: day(t), time: 12, minute: 7 }), 400, 48, 'Les minutes doivent-être comprises entre 5 et 55 dans un intervalle de 5 minutes'],
    ['a time in the past', (t) => {
      const s = schedule(t, -2 * HOUR);
      return scheduleParams(s);
    }, 400, 49, 'La date est invalide'],
  ];
  for (const [name, change, status, code, message] of cases) {
    test(`${name}: code ${code}, JSON and XML; nothing stored or billed`, async () => {
      const t = app();
      const a = await account(t, '10');
      const body = { ...mailBody(a.apiKey, [email()]), ...change(t, a.apiKey) };
      assertError(await post(t, '/send', body), status, code, message);
      assertXml(await post(t, '/send', { ...body, _format: 'xml' }), status, xmlError(code, message));
      await assertLedger(t, a.id, 10_000);
      assert.deepEqual(await t.store.autocommit.listMessages({ accountId: a.id }, { limit: 1 }), []);
    });
  }
}, { env: { RELAIS_PUBLIC_URL: PUBLIC_URL } });

dialectApp('Mail Partner: POST /v1/send with RELAIS_MAIL_FROM', ({ app }) => {
  test('no sender and no address as the account\'s default: RELAIS_MAIL_FROM', async () => {
    const t = app();
    const a = await account(t, '10');
    await t.store.autocommit.setDefaultSender(a.id, 'RELAIS');
    const r = await send(t, a.apiKey, [email()], { from: undefined });
    assert.equal(r.status, 200, r.text);
    await t.dispatcher.drain();
    assert.deepEqual((await sentMails(t, a.apiKey, r.body.messageId))[0]!.from, { email: 'noreply@relais.example.com', name: 'Relais' });
  });
}, { env: { RELAIS_MAIL_FROM: 'Relais <noreply@relais.example.com>' } });
