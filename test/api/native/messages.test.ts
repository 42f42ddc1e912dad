import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp, type TestApp } from '../../helpers/app.js';
import {
  assertLedger, assertProblem, assertStatus, at, balanceOf, DAY, getMessage, HOUR, iso, ledgerRows, MIN, phone, e164, schedule,
} from './support.js';

/** Schedules one SMS to `to` and returns [price, units, encoding of the outbox]. */
async function smsPrice(t: TestApp, key: string, text: string, extra: Record<string, unknown> = {}): Promise<[string, number]> {
  const m = await schedule(t, key, { channel: 'sms', to: [phone()], text, sendAt: at(t, HOUR), ...extra });
  return [m.price, m.units];
}

dialectApp('native API: scheduling messages', ({ app }) => {
  test('one SMS: 201, Location, the full message view, debited at once, ledger entry', async () => {
    const t = app();
    const { id: accountId, apiKey } = await t.account('100');
    const now = t.clock.now();
    const sendAt = now + 2 * HOUR;
    const res = await t.request('POST', '/api/v1/messages', {
      key: apiKey, body: { channel: 'sms', to: ['06 12 34 56 78'], text: 'Bonjour', sender: 'RELAIS', sendAt: iso(sendAt) },
    });
    assertStatus(res, 201);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(res.headers.get('idempotent-replayed'), null);
    const m = res.body;
    assert.equal(typeof m.id, 'number');
    assert.equal(res.headers.get('location'), `/api/v1/messages/${m.id}`);
    assert.deepEqual(m, {
      id: m.id, channel: 'sms', status: 'scheduled', sendAt: iso(sendAt), tag: null, batchId: null, idempotencyKey: null,
      metadata: null, content: { text: 'Bonjour', sender: 'RELAIS', unicode: false }, units: 1, price: '0.045', recipientCount: 1,
      createdAt: iso(now), updatedAt: iso(now), dispatchedAt: null, completedAt: null, cancelledAt: null, skipped: [],
    });
    assert.equal(await balanceOf(t, apiKey), '99.955');
    assert.deepEqual(await ledgerRows(t, apiKey), [
      ['debit', '-0.045', '99.955', m.id, `message ${m.id} scheduled`],
      ['topup', '100.000', '100.000', null, 'opening balance'],
    ]);

    // The Location header points at the message.
    const got = await t.request('GET', res.headers.get('location')!, { key: apiKey });
    assertStatus(got, 200);
    const { recipients, recipientsNextCursor, events, eventsNextCursor, ...view } = got.body;
    const { skipped: _skipped, ...created } = m;
    assert.deepEqual(view, created);
    assert.deepEqual([recipientsNextCursor, eventsNextCursor], [null, null]);
    assert.deepEqual(recipients, [{
      id: recipients[0].id, address: '+33612345678', status: 'pending', price: '0.045', providerId: null, error: null,
      attempts: 0, sentAt: null, updatedAt: iso(now),
    }]);
    assert.deepEqual(events, [{ id: events[0].id, type: 'scheduled', recipientId: null, at: iso(now), data: { sendAt, recipients: 1, price: 45 } }]);
    await assertLedger(t, accountId, 99_955);
  });

  test('SMS pricing by segment: GSM-7 160 → 1, 161 → 2; UCS-2 70 → 1, 71 → 2; extension characters count twice', async () => {
    const t = app();
    const { id, apiKey } = await t.account('100');
    const cases: [string, Record<string, unknown>, string, number][] = [
      ['a'.repeat(160), {}, '0.045', 1],
      ['a'.repeat(161), {}, '0.090', 2],
      ['é'.repeat(160), {}, '0.045', 1],
      ['a'.repeat(306), {}, '0.090', 2],
      ['a'.repeat(307), {}, '0.135', 3],
      ['€'.repeat(80), {}, '0.045', 1],
      ['€'.repeat(81), {}, '0.090', 2],
      ['ж'.repeat(70), {}, '0.045', 1],
      ['ж'.repeat(71), {}, '0.090', 2],
      ['ж'.repeat(134), {}, '0.090', 2],
      ['ж'.repeat(135), {}, '0.135', 3],
      ['a'.repeat(69) + 'ж', {}, '0.045', 1],
      ['a'.repeat(70) + 'ж', {}, '0.090', 2],
      ['a'.repeat(70), { unicode: true }, '0.045', 1],
      ['a'.repeat(71), { unicode: true }, '0.090', 2],
      ['a'.repeat(1530), {}, '0.450', 10],
    ];
    let spent = 0;
    for (const [text, extra, price, units] of cases) {
      assert.deepEqual(await smsPrice(t, apiKey, text, extra), [price, units], `${text.length} × ${JSON.stringify(text[0])} ${JSON.stringify(extra)}`);
      spent += units * 45;
    }
    // Beyond 10 segments: refused up front.
    assertProblem(await t.request('POST', '/api/v1/messages', { key: apiKey, body: { channel: 'sms', to: [phone()], text: 'a'.repeat(1531), sendAt: at(t, HOUR) } }), 400, 'message_too_long');
    await assertLedger(t, id, 100_000 - spent);
  });

  test('many recipients: national numbers normalised to E.164, duplicates billed once, price × recipients', async () => {
    const t = app();
    const { id, apiKey } = await t.account('10');
    const m = await schedule(t, apiKey, {
      channel: 'sms', to: ['0612345678', '+33 6 12 34 56 79', '06.12.34.56.80', '0033612345681', '+33612345678'], text: 'a'.repeat(161), sendAt: at(t, HOUR),
    });
    assert.equal(m.recipientCount, 4);
    assert.equal(m.units, 2);
    assert.equal(m.price, '0.360');
    const d = await getMessage(t, apiKey, m.id);
    assert.deepEqual(d.recipients.map((r: any) => [r.address, r.status, r.price]), [
      ['+33612345678', 'pending', '0.090'], ['+33612345679', 'pending', '0.090'], ['+33612345680', 'pending', '0.090'], ['+33612345681', 'pending', '0.090'],
    ]);
    assert.equal(await balanceOf(t, apiKey), '9.640');
    await assertLedger(t, id, 9_640);
  });

  test('e-mail (0.002) and voice (0.150): content round-trips; addresses normalised', async () => {
    const t = app();
    const { id, apiKey } = await t.account('10');
    const email = await schedule(t, apiKey, {
      channel: 'email', to: ['Alice@Example.COM', 'bob@example.org'], subject: 'Hi', text: 'plain', html: '<p>html</p>',
      from: 'Shop <shop@example.com>', replyTo: 'help@example.com', sendAt: at(t, HOUR),
    });
    assert.equal(email.channel, 'email');
    assert.equal(email.price, '0.004');
    assert.equal(email.units, 1);
    assert.deepEqual(email.content, { subject: 'Hi', text: 'plain', html: '<p>html</p>', from: 'Shop <shop@example.com>', replyTo: 'help@example.com' });
    assert.deepEqual((await getMessage(t, apiKey, email.id)).recipients.map((r: any) => [r.address, r.price]), [['Alice@example.com', '0.002'], ['bob@example.org', '0.002']]);

    const htmlOnly = await schedule(t, apiKey, { channel: 'email', to: ['c@example.com'], from: 'shop@example.com', subject: 'S', html: '<b>x</b>', sendAt: at(t, HOUR) });
    assert.deepEqual(htmlOnly.content, { subject: 'S', text: null, html: '<b>x</b>', from: 'shop@example.com', replyTo: null });

    const voice = await schedule(t, apiKey, { channel: 'voice', to: ['0612345678', '+14155550123'], text: 'Votre rendez-vous est demain', sendAt: at(t, HOUR) });
    assert.equal(voice.price, '0.300');
    // Said in French at normal speed; without espeak-ng (this app has no synthesizer), the estimated duration and no audio.
    assert.deepEqual(voice.content, { text: 'Votre rendez-vous est demain', audioUrl: null, sender: null, lang: 'fr', rate: 1, durationMs: 1429 });
    assert.deepEqual((await getMessage(t, apiKey, voice.id)).recipients.map((r: any) => r.address), ['+33612345678', '+14155550123']);
    const audio = await schedule(t, apiKey, { channel: 'voice', to: ['0612345678'], audioUrl: 'https://example.com/a.mp3', sendAt: at(t, HOUR) });
    assert.equal(audio.price, '0.150');

    assert.equal(await balanceOf(t, apiKey), '9.544');
    await assertLedger(t, id, 10_000 - 4 - 2 - 300 - 150);
  });

  test('sendAt: RFC 3339 with an offset is stored as the UTC instant; absent or within the tolerance means now', async () => {
    const t = app();
    const { id, apiKey } = await t.account('10');
    const now = t.clock.now();
    const local = new Date(now + DAY);
    // The same instant written in Paris summer time (+02:00) and in New York (-04:00).
    const pad = (n: number) => String(n).padStart(2, '0');
    const shifted = (offsetH: number) => {
      const d = new Date(local.getTime() + offsetH * HOUR);
      const sign = offsetH >= 0 ? '+' : '-';
      return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${sign}${pad(Math.abs(offsetH))}:00`;
    };
    const paris = await schedule(t, apiKey, { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: shifted(2) });
    assert.equal(paris.sendAt, iso(local.getTime() - (local.getTime() % 1000)));
    const ny = await schedule(t, apiKey, { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: shifted(-4) });
    assert.equal(ny.sendAt, paris.sendAt);
    const frac = await schedule(t, apiKey, { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: '2026-12-24T18:30:00.250+01:00' });
    assert.equal(frac.sendAt, '2026-12-24T17:30:00.250Z');

    const absent = await schedule(t, apiKey, { channel: 'sms', to: ['0612345678'], text: 'x' });
    assert.equal(absent.sendAt, iso(now));
    const skew = await schedule(t, apiKey, { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: iso(now - 30_000) });
    assert.equal(skew.sendAt, iso(now), 'a sendAt within the 60 s tolerance means now');
    assertProblem(await t.request('POST', '/api/v1/messages', { key: apiKey, body: { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: iso(now - 61_000) } }), 400, 'send_at_in_past');
    await assertLedger(t, id, 10_000 - 5 * 45);
  });

  test('tag, batchId and metadata round-trip on create, get and list', async () => {
    const t = app();
    const { id, apiKey } = await t.account('10');
    const metadata = { orderId: 'A-17', nested: { n: 1, ok: true, list: [1, 'two', null] }, unicode: 'été 👋' };
    const m = await schedule(t, apiKey, { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: at(t, HOUR), tag: 'promo-été', batchId: 'batch/2026-06', metadata });
    assert.equal(m.tag, 'promo-été');
    assert.equal(m.batchId, 'batch/2026-06');
    assert.deepEqual(m.metadata, metadata);
    const d = await getMessage(t, apiKey, m.id);
    assert.deepEqual([d.tag, d.batchId, d.metadata], ['promo-été', 'batch/2026-06', metadata]);
    const list = await t.request('GET', `/api/v1/messages?tag=${encodeURIComponent('promo-été')}`, { key: apiKey });
    assertStatus(list, 200);
    assert.deepEqual(list.body.items.map((x: any) => [x.id, x.batchId, x.metadata]), [[m.id, 'batch/2026-06', metadata]]);
    await assertLedger(t, id, 9_955);
  });

  test('insufficient credit: 402, nothing written (no message, balance and ledger unchanged); exact balance is enough', async () => {
    const t = app();
    const { id, apiKey } = await t.account('0.089');
    const body = { channel: 'sms', to: ['0612345678', '0612345679'], text: 'x', sendAt: at(t, HOUR), tag: 'poor' };
    const res = await t.request('POST', '/api/v1/messages', { key: apiKey, body });
    assertProblem(res, 402, 'insufficient_credits');
    const list = await t.request('GET', '/api/v1/messages', { key: apiKey });
    assert.deepEqual(list.body, { items: [], nextCursor: null });
    assert.equal(await balanceOf(t, apiKey), '0.089');
    assert.deepEqual(await ledgerRows(t, apiKey), [['topup', '0.089', '0.089', null, 'opening balance']]);
    await assertLedger(t, id, 89);

    // 0.045 + 0.044 left: one recipient fits, then nothing more does.
    const one = await schedule(t, apiKey, { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: at(t, HOUR) });
    assert.equal(one.price, '0.045');
    assertProblem(await t.request('POST', '/api/v1/messages', { key: apiKey, body: { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: at(t, HOUR) } }), 402, 'insufficient_credits');
    await t.request('POST', `/admin/v1/accounts/${id}/topup`, { body: { credits: '0.001' }, headers: { authorization: 'Bearer test-admin-token' } });
    const exact = await schedule(t, apiKey, { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: at(t, HOUR) });
    assert.equal(exact.price, '0.045');
    assert.equal(await balanceOf(t, apiKey), '0.000');
    const ids = (await t.request('GET', '/api/v1/messages', { key: apiKey })).body.items.map((x: any) => x.id);
    assert.deepEqual(ids, [exact.id, one.id]);
    await assertLedger(t, id, 0);
  });

  test('10 001 recipients: 400 too_many_recipients, nothing written', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1000');
    const to = Array.from({ length: 10_001 }, (_, i) => `+336${String(10_000_000 + i)}`);
    assertProblem(await t.request('POST', '/api/v1/messages', { key: apiKey, body: { channel: 'sms', to, text: 'x', sendAt: at(t, HOUR) } }), 400, 'too_many_recipients');
    assert.deepEqual((await t.request('GET', '/api/v1/messages', { key: apiKey })).body.items, []);
    await assertLedger(t, id, 1_000_000);
  });

  test('GET /messages/:id: another account\'s id is 404 exactly like an unknown id', async () => {
    const t = app();
    const a = await t.account('1');
    const b = await t.account('1');
    const m = await schedule(t, a.apiKey, { channel: 'sms', to: [phone()], text: 'x', sendAt: at(t, HOUR) });
    const foreign = await t.request('GET', `/api/v1/messages/${m.id}`, { key: b.apiKey });
    assertProblem(foreign, 404, 'not_found');
    const unknown = await t.request('GET', `/api/v1/messages/${m.id + 1_000_000}`, { key: b.apiKey });
    assertProblem(unknown, 404, 'not_found');
    assert.equal(foreign.body.detail, `message ${m.id} does not exist`);
    assert.equal(unknown.body.detail, `message ${m.id + 1_000_000} does not exist`);
    assert.deepEqual(Object.keys(foreign.body).sort(), Object.keys(unknown.body).sort());
    assert.deepEqual((await t.request('GET', '/api/v1/messages', { key: b.apiKey })).body.items, []);
    await assertLedger(t, a.id, 955);
    await assertLedger(t, b.id, 1000);
  });

  test('GET /messages/:id after dispatch: recipients sent with provider ids, events in order', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const [p1, p2] = [phone(), phone()];
    const m = await schedule(t, apiKey, { channel: 'sms', to: [p1, p2], text: 'x', sendAt: at(t, MIN) });
    t.clock.advance(MIN);
    const sentAt = t.clock.now();
    assert.ok((await t.dispatcher.drain()) >= 1);
    const d = await getMessage(t, apiKey, m.id);
    assert.equal(d.status, 'sent');
    assert.equal(d.dispatchedAt, iso(sentAt));
    assert.equal(d.completedAt, iso(sentAt));
    assert.deepEqual(d.recipients.map((r: any) => [r.address, r.status, r.attempts, r.sentAt, r.error]), [
      [e164(p1), 'sent', 1, iso(sentAt), null], [e164(p2), 'sent', 1, iso(sentAt), null],
    ]);
    for (const r of d.recipients) assert.match(r.providerId, /^outbox-\d+$/);
    assert.deepEqual(d.events.map((e: any) => [e.type, e.recipientId]), [
      ['scheduled', null], ['sent', d.recipients[0].id], ['sent', d.recipients[1].id],
    ]);
    await assertLedger(t, id, 910);
  });
});
