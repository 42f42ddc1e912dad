import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simpleParser } from 'mailparser';
import { dialectApp } from '../../helpers/app.js';
import { storeMail } from '../../transports/mail-fixtures.js';
import { assertLedger, assertProblem, assertStatus, at, getMessage, iso, MIN, phone, schedule, e164 } from './support.js';

dialectApp('native API: GET /outbox and /outbox/latest', ({ app }) => {
  test('empty outbox: list is empty, latest is 404', async () => {
    const t = app();
    const { apiKey } = await t.account('1');
    const list = await t.request('GET', '/api/v1/outbox', { key: apiKey });
    assertStatus(list, 200);
    assert.deepEqual(list.body, { items: [], nextCursor: null });
    assertProblem(await t.request('GET', '/api/v1/outbox/latest', { key: apiKey }), 404, 'not_found');
  });

  test('the rendered SMS, e-mail and voice messages, newest first, with recipient and provider ids', async () => {
    const t = app();
    const { id, apiKey } = await t.account('5');
    const [p1, p2, p3] = [phone(), phone(), phone()];
    const sms = await schedule(t, apiKey, { channel: 'sms', to: [p1, p2], text: 'Héllo €', sender: 'RELAIS', sendAt: at(t, MIN) });
    const ucs = await schedule(t, apiKey, { channel: 'sms', to: [p3], text: 'ж'.repeat(71), sendAt: at(t, MIN) });
    const mail = await schedule(t, apiKey, {
      channel: 'email', to: ['Ann@Example.com'], subject: 'Your order', text: 'plain', html: '<p>rich</p>', from: 'Shop <shop@example.com>',
      replyTo: 'help@example.com', sendAt: at(t, 2 * MIN),
    });
    const call = await schedule(t, apiKey, { channel: 'voice', to: [p1], text: 'Bonjour', sender: '0612345678', sendAt: at(t, 3 * MIN) });

    t.clock.advance(MIN);
    const t1 = t.clock.now();
    await t.dispatcher.drain();
    t.clock.advance(MIN);
    const t2 = t.clock.now();
    await t.dispatcher.drain();
    t.clock.advance(MIN);
    const t3 = t.clock.now();
    await t.dispatcher.drain();

    const res = await t.request('GET', '/api/v1/outbox', { key: apiKey });
    assertStatus(res, 200);
    assert.equal(res.body.nextCursor, null);
    const items = res.body.items;
    assert.equal(items.length, 5);
    const [voice, email, ...smsItems] = items;
    assert.deepEqual(voice, {
      id: voice.id, messageId: call.id, recipientId: voice.recipientId, channel: 'voice', address: e164(p1), sentAt: iso(t3),
      to: e164(p1), from: '0612345678', text: 'Bonjour', audioUrl: null,
    });
    assert.deepEqual(email, {
      id: email.id, messageId: mail.id, recipientId: email.recipientId, channel: 'email', address: 'Ann@example.com', sentAt: iso(t2),
      to: 'Ann@example.com', from: 'Shop <shop@example.com>', replyTo: 'help@example.com', subject: 'Your order', text: 'plain', html: '<p>rich</p>',
      toName: null, unsubscribeUrl: email.unsubscribeUrl, viewUrl: email.viewUrl,
      headers: { 'Message-ID': `<${mail.id}.${email.recipientId}.${Date.parse(mail.sendAt).toString(36)}@example.com>`, 'List-Unsubscribe': email.headers['List-Unsubscribe'] },
    }, 'a list never carries a mail\'s MIME');
    // The recipient's own signed links, and the whole message the SMTP transport would have sent.
    const ref = { accountId: id, messageId: mail.id, recipientId: email.recipientId, address: 'Ann@example.com' };
    assert.deepEqual(t.core.links.verify('unsubscribe', email.unsubscribeUrl.slice(`${t.config.http.publicUrl}/u/`.length)), ref);
    assert.deepEqual(t.core.links.verify('view', email.viewUrl.slice(`${t.config.http.publicUrl}/view/`.length)), ref);
    const full = await t.request('GET', `/api/v1/outbox/${email.id}`, { key: apiKey });
    assertStatus(full, 200);
    assert.deepEqual(full.body, { ...email, mime: full.body.mime });
    const raw = await t.request('GET', `/api/v1/outbox/${email.id}/mime`, { key: apiKey });
    assertStatus(raw, 200);
    assert.equal(raw.headers.get('content-type'), 'message/rfc822');
    assert.equal(raw.text, full.body.mime);
    assert.ok(raw.text.includes('\r\n') && !/[^\r]\n/.test(raw.text), 'CRLF line ends, as on the wire');
    const parsed = await simpleParser(raw.text);
    assert.deepEqual([parsed.from?.text, (parsed.to as any).text, parsed.replyTo?.text, parsed.subject], ['"Shop" <shop@example.com>', 'Ann@example.com', 'help@example.com', 'Your order']);
    assert.deepEqual([parsed.text, parsed.html], ['plain', '<p>rich</p>']);
    assert.equal(parsed.date?.getTime(), t2 - (t2 % 1000));
    assert.equal(parsed.messageId, email.headers['Message-ID']);
    assert.deepEqual(parsed.headerLines.filter((h) => h.key.startsWith('list-')).map((h) => h.line), [
      `List-Unsubscribe: <${email.unsubscribeUrl}>, <mailto:shop@example.com?subject=unsubscribe>`, 'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    ]);
    const byTo = new Map(smsItems.map((o: any) => [o.to, o]));
    assert.deepEqual(byTo.get(e164(p1)), {
      id: (byTo.get(e164(p1)) as any).id, messageId: sms.id, recipientId: (byTo.get(e164(p1)) as any).recipientId, channel: 'sms', address: e164(p1),
      sentAt: iso(t1), to: e164(p1), from: 'RELAIS', text: 'Héllo €', encoding: 'gsm7', segments: 1,
    });
    assert.deepEqual((({ id: _a, recipientId: _b, ...o }: any) => o)(byTo.get(e164(p3))), {
      messageId: ucs.id, channel: 'sms', address: e164(p3), sentAt: iso(t1), to: e164(p3), from: null, text: 'ж'.repeat(71), encoding: 'ucs2', segments: 2,
    });
    assert.ok(byTo.has(e164(p2)));
    const ids = items.map((o: any) => o.id);
    assert.deepEqual([...ids].sort((a: number, b: number) => b - a), ids, 'newest first');

    // Each outbox entry is the recipient's provider id.
    const d = await getMessage(t, apiKey, sms.id);
    for (const r of d.recipients) {
      const o = smsItems.find((x: any) => x.recipientId === r.id);
      assert.equal(r.providerId, `outbox-${o.id}`);
    }

    const latest = await t.request('GET', '/api/v1/outbox/latest', { key: apiKey });
    assertStatus(latest, 200);
    assert.deepEqual(latest.body, voice);
    assert.deepEqual((await t.request('GET', `/api/v1/outbox/${voice.id}`, { key: apiKey })).body, voice, 'an SMS or a call in full is the listed entry');
    assertProblem(await t.request('GET', `/api/v1/outbox/${voice.id}/mime`, { key: apiKey }), 404, 'not_found', /not a mail/);

    const onlyMail = await t.request('GET', `/api/v1/outbox?messageId=${mail.id}`, { key: apiKey });
    assert.deepEqual(onlyMail.body, { items: [email], nextCursor: null });

    // Pages of two.
    const p1res = await t.request('GET', '/api/v1/outbox?limit=2', { key: apiKey });
    assert.deepEqual(p1res.body.items.map((o: any) => o.id), ids.slice(0, 2));
    const p2res = await t.request('GET', `/api/v1/outbox?limit=2&cursor=${encodeURIComponent(p1res.body.nextCursor)}`, { key: apiKey });
    assert.deepEqual(p2res.body.items.map((o: any) => o.id), ids.slice(2, 4));
    const p3res = await t.request('GET', `/api/v1/outbox?limit=2&cursor=${encodeURIComponent(p2res.body.nextCursor)}`, { key: apiKey });
    assert.deepEqual(p3res.body, { items: [items[4]], nextCursor: null });
    await assertLedger(t, id, 5000 - 90 - 90 - 2 - 150);
  });

  test('another account sees none of it', async () => {
    const t = app();
    const a = await t.account('1');
    const b = await t.account('1');
    const m = await schedule(t, a.apiKey, { channel: 'sms', to: [phone()], text: 'secret', sendAt: at(t, MIN) });
    t.clock.advance(MIN);
    await t.dispatcher.drain();
    assert.equal((await t.request('GET', '/api/v1/outbox', { key: a.apiKey })).body.items.length, 1);
    assert.deepEqual((await t.request('GET', '/api/v1/outbox', { key: b.apiKey })).body.items, []);
    assert.deepEqual((await t.request('GET', `/api/v1/outbox?messageId=${m.id}`, { key: b.apiKey })).body.items, []);
    assertProblem(await t.request('GET', '/api/v1/outbox/latest', { key: b.apiKey }), 404, 'not_found');
    const [entry] = (await t.request('GET', '/api/v1/outbox', { key: a.apiKey })).body.items;
    assertProblem(await t.request('GET', `/api/v1/outbox/${entry.id}`, { key: b.apiKey }), 404, 'not_found');
    assertProblem(await t.request('GET', `/api/v1/outbox/${entry.id + 1}`, { key: a.apiKey }), 404, 'not_found');
    assertProblem(await t.request('GET', '/api/v1/outbox/0', { key: a.apiKey }), 400, 'invalid_request');
    assertProblem(await t.request('GET', '/api/v1/outbox?messageId=abc', { key: b.apiKey }), 400, 'invalid_request');
    await assertLedger(t, a.id, 955);
    await assertLedger(t, b.id, 1000);
  });

  test('a mail with three 1 MB attachments to 20 recipients: a small list, each full MIME on read with the exact bytes and its own links', async () => {
    const t = app();
    const { id: accountId, apiKey } = await t.account('1');
    const other = await t.account('1');
    // Bytes that survive nothing but an exact copy: every value, in a different order per file.
    const files = [1, 2, 3].map((k) => Buffer.from(Array.from({ length: 1_000_000 }, (_, i) => (i * k * 7 + (i >> 8)) % 256)));
    const to = Array.from({ length: 20 }, (_, i) => `r${i}@example.com`);
    const m = await storeMail(t.core, accountId, to, {
      channel: 'email', subject: 'Catalogue', from: 'Shop <shop@example.com>', replyTo: null,
      html: '<p>Hello</p><a href="{{unsubscribe_url}}">stop</a>', text: 'Hello, stop: {{unsubscribe_url}}',
      attachments: files.map((f, k) => ({ filename: `part${k}.bin`, contentType: 'application/octet-stream', base64: f.toString('base64') })),
    }, t.clock.now() + 1000);
    t.clock.set(m.sendAt);
    assert.equal(await t.dispatcher.drain(), 1);

    const list = await t.request('GET', `/api/v1/outbox?messageId=${m.id}&limit=100`, { key: apiKey });
    assertStatus(list, 200);
    assert.equal(list.body.items.length, 20);
    assert.ok(list.text.length < 200_000, `the list is ${list.text.length} characters`);
    assert.ok(list.body.items.every((e: any) => !('mime' in e)));
    const recipients = (await getMessage(t, apiKey, m.id)).recipients;
    assert.deepEqual(recipients.map((r: any) => r.status), to.map(() => 'sent'));

    const entry = list.body.items.find((e: any) => e.to === 'r7@example.com');
    const raw = await t.request('GET', `/api/v1/outbox/${entry.id}/mime`, { key: apiKey });
    assertStatus(raw, 200);
    const p = await simpleParser(raw.text);
    assert.deepEqual(p.attachments.map((a) => [a.filename, a.contentType, a.content.equals(files[Number(a.filename!.slice(4, 5))])]), [
      ['part0.bin', 'application/octet-stream', true], ['part1.bin', 'application/octet-stream', true], ['part2.bin', 'application/octet-stream', true],
    ]);
    assert.deepEqual(t.core.links.verify('unsubscribe', entry.unsubscribeUrl.split('/u/')[1]), { accountId, messageId: m.id, recipientId: entry.recipientId, address: 'r7@example.com' });
    assert.equal(p.html, `<p>Hello</p><a href="${entry.unsubscribeUrl}">stop</a>`);
    assert.equal(p.text, `Hello, stop: ${entry.unsubscribeUrl}`);
    assert.deepEqual((p.to as any).value, [{ address: 'r7@example.com', name: '' }]);

    const latest = await t.request('GET', '/api/v1/outbox/latest', { key: apiKey });
    assertStatus(latest, 200);
    assert.deepEqual(latest.body, { ...list.body.items[0], mime: latest.body.mime }, 'the newest entry in full');
    assert.equal((await simpleParser(latest.body.mime)).attachments.length, 3);
    assertProblem(await t.request('GET', `/api/v1/outbox/${entry.id}`, { key: other.apiKey }), 404, 'not_found');
    assertProblem(await t.request('GET', `/api/v1/outbox/${entry.id}/mime`, { key: other.apiKey }), 404, 'not_found');
  });
});
