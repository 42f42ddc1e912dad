import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp, type TestApp } from '../../helpers/app.js';
import {
  assertLedger, assertProblem, assertStatus, at, balanceOf, DAY, getMessage, HOUR, iso, ledgerRows, MIN, phone, schedule, e164,
} from './support.js';

/** Status, recipient statuses and tag of each message, to prove that a cancel left them alone. */
async function snapshot(t: TestApp, key: string, ids: number[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const id of ids) {
    const d = (await t.request('GET', `/api/v1/messages/${id}`, { key })).body;
    out.push([d.id, d.status, d.updatedAt, d.cancelledAt, d.recipients.map((r: any) => [r.status, r.updatedAt])]);
  }
  return out;
}

dialectApp('native API: cancelling one message', ({ app }) => {
  for (const [label, method, path] of [['DELETE /messages/:id', 'DELETE', ''], ['POST /messages/:id/cancel', 'POST', '/cancel']] as const) {
    test(`${label}: exact refund, cancelled answer, ledger entry; a second cancel is 409 already_cancelled`, async () => {
      const t = app();
      const { id, apiKey } = await t.account('1');
      const [p1, p2] = [phone(), phone()];
      const m = await schedule(t, apiKey, { channel: 'sms', to: [p1, p2], text: 'a'.repeat(161), sendAt: at(t, HOUR) });
      assert.equal(await balanceOf(t, apiKey), '0.820');
      t.clock.advance(MIN);
      const now = t.clock.now();

      const res = await t.request(method, `/api/v1/messages/${m.id}${path}`, { key: apiKey });
      assertStatus(res, 200);
      assert.deepEqual(res.body, { id: m.id, status: 'cancelled', dryRun: false, messages: 1, recipients: 2, refund: '0.180', messageIds: [m.id] });
      assert.equal(await balanceOf(t, apiKey), '1.000');
      assert.deepEqual(await ledgerRows(t, apiKey), [
        ['refund', '0.180', '1.000', m.id, `message ${m.id} cancelled`],
        ['debit', '-0.180', '0.820', m.id, `message ${m.id} scheduled`],
        ['topup', '1.000', '1.000', null, 'opening balance'],
      ]);
      const d = await getMessage(t, apiKey, m.id);
      assert.deepEqual([d.status, d.cancelledAt, d.updatedAt], ['cancelled', iso(now), iso(now)]);
      assert.deepEqual(d.recipients.map((r: any) => [r.address, r.status, r.updatedAt]), [[e164(p1), 'cancelled', iso(now)], [e164(p2), 'cancelled', iso(now)]]);
      assert.deepEqual(d.events.map((e: any) => [e.type, e.at]), [['scheduled', iso(now - MIN)], ['cancelled', iso(now)]]);

      for (const [mm, pp] of [['DELETE', ''], ['POST', '/cancel']] as const) {
        const again = await t.request(mm, `/api/v1/messages/${m.id}${pp}`, { key: apiKey });
        assertProblem(again, 409, 'already_cancelled');
        assert.equal(again.body.messageId, m.id);
      }
      // Not sent when its time comes.
      t.clock.advance(HOUR);
      await t.dispatcher.drain();
      assert.equal((await getMessage(t, apiKey, m.id)).status, 'cancelled');
      assert.deepEqual((await t.request('GET', '/api/v1/outbox', { key: apiKey })).body.items, []);
      await assertLedger(t, id, 1000);
    });
  }

  test('e-mail and voice cancels refund their own price', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const mail = await schedule(t, apiKey, { channel: 'email', to: ['a@example.com', 'b@example.com', 'c@example.com'], from: 'shop@example.com', subject: 's', text: 't', sendAt: at(t, HOUR) });
    const call = await schedule(t, apiKey, { channel: 'voice', to: [phone()], text: 'allo', sendAt: at(t, HOUR) });
    const r1 = await t.request('DELETE', `/api/v1/messages/${mail.id}`, { key: apiKey });
    assert.deepEqual([r1.body.recipients, r1.body.refund], [3, '0.006']);
    const r2 = await t.request('POST', `/api/v1/messages/${call.id}/cancel`, { key: apiKey });
    assert.deepEqual([r2.body.recipients, r2.body.refund], [1, '0.150']);
    await assertLedger(t, id, 1000);
  });

  test('after the dispatcher sent it: 409 already_dispatched, no refund, and the outbox holds it', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const p = phone();
    const m = await schedule(t, apiKey, { channel: 'sms', to: [p], text: 'on its way', sendAt: at(t, MIN) });
    t.clock.advance(MIN);
    await t.dispatcher.drain();
    for (const [method, path] of [['DELETE', ''], ['POST', '/cancel']] as const) {
      const res = await t.request(method, `/api/v1/messages/${m.id}${path}`, { key: apiKey });
      assertProblem(res, 409, 'already_dispatched');
      assert.equal(res.body.messageId, m.id);
    }
    const bulk = await t.request('POST', '/api/v1/messages/cancel', { key: apiKey, body: { ids: [m.id] } });
    assertStatus(bulk, 200);
    assert.deepEqual(bulk.body, { dryRun: false, messages: 0, recipients: 0, refund: '0.000', messageIds: [] });
    const outbox = await t.request('GET', `/api/v1/outbox?messageId=${m.id}`, { key: apiKey });
    assert.deepEqual(outbox.body.items.map((o: any) => [o.messageId, o.to, o.text]), [[m.id, e164(p), 'on its way']]);
    assert.equal(await balanceOf(t, apiKey), '0.955');
    await assertLedger(t, id, 955);
  });

  test('native cutoff 0: the cancel wins at exactly sendAt and after it, until the dispatcher claims the message', async () => {
    const t = app();
    const { id, apiKey } = await t.account('1');
    const atTime = await schedule(t, apiKey, { channel: 'sms', to: [phone()], text: 'x', sendAt: at(t, 10 * MIN) });
    const overdue = await schedule(t, apiKey, { channel: 'sms', to: [phone()], text: 'x', sendAt: at(t, 10 * MIN) });
    const claimed = await schedule(t, apiKey, { channel: 'sms', to: [phone()], text: 'x', sendAt: at(t, 10 * MIN) });
    t.clock.advance(10 * MIN);
    const res = await t.request('DELETE', `/api/v1/messages/${atTime.id}`, { key: apiKey });
    assertStatus(res, 200);
    assert.deepEqual([res.body.messages, res.body.refund], [1, '0.045']);
    // Due for a minute, still not claimed: the cancel still wins.
    t.clock.advance(MIN);
    const late = await t.request('POST', `/api/v1/messages/${overdue.id}/cancel`, { key: apiKey });
    assertStatus(late, 200);
    assert.deepEqual([late.body.messages, late.body.refund], [1, '0.045']);

    assert.equal(await t.dispatcher.drain(), 1);
    assertProblem(await t.request('DELETE', `/api/v1/messages/${claimed.id}`, { key: apiKey }), 409, 'already_dispatched');
    assert.equal((await getMessage(t, apiKey, atTime.id)).status, 'cancelled');
    assert.equal((await getMessage(t, apiKey, overdue.id)).status, 'cancelled');
    assert.equal((await getMessage(t, apiKey, claimed.id)).status, 'sent');
    const outbox = await t.request('GET', '/api/v1/outbox', { key: apiKey });
    assert.deepEqual(outbox.body.items.map((o: any) => o.messageId), [claimed.id]);
    await assertLedger(t, id, 955);
  });

  test('unknown id, another account\'s id: 404 and the other account\'s message is untouched; bad id: 400', async () => {
    const t = app();
    const a = await t.account('1');
    const b = await t.account('1');
    const mb = await schedule(t, b.apiKey, { channel: 'sms', to: [phone()], text: 'x', sendAt: at(t, HOUR) });
    const before = await snapshot(t, b.apiKey, [mb.id]);
    for (const [method, path] of [['DELETE', ''], ['POST', '/cancel']] as const) {
      assertProblem(await t.request(method, `/api/v1/messages/${mb.id}${path}`, { key: a.apiKey }), 404, 'not_found');
      assertProblem(await t.request(method, `/api/v1/messages/999999999${path}`, { key: a.apiKey }), 404, 'not_found');
      assertProblem(await t.request(method, `/api/v1/messages/abc${path}`, { key: a.apiKey }), 400, 'invalid_request');
      assertProblem(await t.request(method, `/api/v1/messages/0${path}`, { key: a.apiKey }), 400, 'invalid_request');
    }
    assert.deepEqual(await snapshot(t, b.apiKey, [mb.id]), before);
    await assertLedger(t, a.id, 1000);
    await assertLedger(t, b.id, 955);
  });
});

/**
 * Account A: four scheduled messages that selectors may pick, plus one already sent, one
 * already cancelled; account B: messages with the same tag/batch/times. Everything due later than
 * now except the sent one.
 */
async function fixture(t: TestApp) {
  const a = await t.account('10');
  const b = await t.account('10');
  const sms = (key: string, inMs: number, extra: Record<string, unknown>, to = [phone()]) =>
    schedule(t, key, { channel: 'sms', to, text: 'x', sendAt: at(t, inMs), ...extra });
  const sent = await sms(a.apiKey, MIN, { tag: 'promo', batchId: 'b1' });
  t.clock.advance(MIN);
  await t.dispatcher.drain();
  const now = t.clock.now();
  const m1 = await sms(a.apiKey, HOUR, { tag: 'promo', batchId: 'b1' }, [phone(), phone()]); // 0.090
  const m2 = await schedule(t, a.apiKey, { channel: 'email', to: ['x@example.com'], from: 'shop@example.com', subject: 's', text: 't', sendAt: at(t, 2 * HOUR), tag: 'promo', batchId: 'b2' }); // 0.002
  const m3 = await sms(a.apiKey, 3 * HOUR, { tag: 'news', batchId: 'b1' }); // 0.045
  const far = await sms(a.apiKey, 10 * DAY, { tag: 'promo' }); // 0.045
  const done = await sms(a.apiKey, HOUR, { tag: 'promo', batchId: 'b1' });
  assertStatus(await t.request('DELETE', `/api/v1/messages/${done.id}`, { key: a.apiKey }), 200);
  const b1 = await sms(b.apiKey, HOUR, { tag: 'promo', batchId: 'b1' });
  const b2 = await sms(b.apiKey, 2 * HOUR, { tag: 'promo', batchId: 'b2' });
  const aIds = [sent.id, m1.id, m2.id, m3.id, far.id, done.id];
  return { a, b, now, sent, m1, m2, m3, far, done, b1, b2, aIds, bIds: [b1.id, b2.id] };
}

dialectApp('native API: bulk cancel POST /messages/cancel', ({ app }) => {
  const bulk = (t: TestApp, key: string, body: unknown) => t.request('POST', '/api/v1/messages/cancel', { key, body });

  /** Runs dryRun then the real cancel; both must give `expected`; checks who changed and the balances. */
  async function check(t: TestApp, body: Record<string, unknown>, pick: (f: Awaited<ReturnType<typeof fixture>>) => number[], expected: { messages: number; recipients: number; refund: string }) {
    const f = await fixture(t);
    const chosen = pick(f);
    const others = f.aIds.filter((id) => !chosen.includes(id));
    const before = await snapshot(t, f.a.apiKey, f.aIds);
    const beforeB = await snapshot(t, f.b.apiKey, f.bIds);
    const balance = await balanceOf(t, f.a.apiKey);
    const ledger = await ledgerRows(t, f.a.apiKey);

    const dry = await bulk(t, f.a.apiKey, { ...body, dryRun: true });
    assertStatus(dry, 200);
    assert.deepEqual(dry.body, { dryRun: true, ...expected, messageIds: [...chosen].sort((x, y) => x - y) });
    assert.deepEqual(await snapshot(t, f.a.apiKey, f.aIds), before, 'dryRun changes nothing');
    assert.equal(await balanceOf(t, f.a.apiKey), balance);
    assert.deepEqual(await ledgerRows(t, f.a.apiKey), ledger);

    const res = await bulk(t, f.a.apiKey, body);
    assertStatus(res, 200);
    assert.deepEqual(res.body, { dryRun: false, ...expected, messageIds: [...chosen].sort((x, y) => x - y) });
    for (const id of chosen) assert.equal((await getMessage(t, f.a.apiKey, id)).status, 'cancelled');
    const after = await snapshot(t, f.a.apiKey, f.aIds);
    assert.deepEqual(after.filter((s: any) => others.includes(s[0])), before.filter((s: any) => others.includes(s[0])), 'the rest of A is untouched');
    assert.deepEqual(await snapshot(t, f.b.apiKey, f.bIds), beforeB, 'account B is untouched');

    // Balance: back by exactly the refund, one refund entry per cancelled message.
    const refund = Number(expected.refund.replace('.', ''));
    assert.equal(await balanceOf(t, f.a.apiKey), ((Number(balance.replace('.', '')) + refund) / 1000).toFixed(3));
    const rows = await ledgerRows(t, f.a.apiKey);
    const fresh = rows.slice(0, rows.length - ledger.length);
    assert.deepEqual(fresh.map((r) => [r[0], r[3]]).sort(), chosen.map((id) => ['refund', id]).sort());
    await assertLedger(t, f.a.id);
    await assertLedger(t, f.b.id, 10_000 - 90);

    // Again: nothing left to cancel.
    const again = await bulk(t, f.a.apiKey, body);
    assert.deepEqual(again.body, { dryRun: false, messages: 0, recipients: 0, refund: '0.000', messageIds: [] });
    return f;
  }

  test('by tag: only A\'s scheduled messages with that tag (not sent, not already cancelled, not B\'s)', async () => {
    await check(app(), { tag: 'promo' }, (f) => [f.m1.id, f.m2.id, f.far.id], { messages: 3, recipients: 4, refund: '0.137' });
  });

  test('by batchId', async () => {
    await check(app(), { batchId: 'b1' }, (f) => [f.m1.id, f.m3.id], { messages: 2, recipients: 3, refund: '0.135' });
  });

  test('by sendAt range: sendAtFrom inclusive, sendAtTo exclusive, with an offset', async () => {
    const t = app();
    const enc = (ms: number) => new Date(ms + 2 * HOUR).toISOString().replace('Z', '+02:00');
    // The fixture moves the clock by one minute first: this is [m1.sendAt, m3.sendAt).
    const from = t.clock.now() + MIN + HOUR;
    const to = t.clock.now() + MIN + 3 * HOUR;
    await check(t, { sendAtFrom: enc(from), sendAtTo: enc(to) }, (f) => {
      assert.equal(Date.parse(f.m1.sendAt), from);
      assert.equal(Date.parse(f.m3.sendAt), to);
      return [f.m1.id, f.m2.id];
    }, { messages: 2, recipients: 3, refund: '0.092' });
  });

  test('by range and tag and channel combined', async () => {
    const t = app();
    const from = t.clock.now() + MIN;
    await check(t, { tag: 'promo', channel: 'sms', sendAtFrom: iso(from), sendAtTo: iso(from + DAY) }, (f) => [f.m1.id], { messages: 1, recipients: 2, refund: '0.090' });
  });

  test('only sendAtTo: everything of A still scheduled before it', async () => {
    const t = app();
    const to = t.clock.now() + MIN + 5 * HOUR;
    await check(t, { sendAtTo: iso(to) }, (f) => [f.m1.id, f.m2.id, f.m3.id], { messages: 3, recipients: 4, refund: '0.137' });
  });

  test('by ids: foreign, sent, already cancelled and unknown ids are ignored; dryRun first', async () => {
    const t = app();
    const f = await fixture(t);
    const ids = [f.m2.id, f.m3.id, f.sent.id, f.done.id, f.b1.id, 999_999_999];
    const before = await snapshot(t, f.a.apiKey, f.aIds);
    const beforeB = await snapshot(t, f.b.apiKey, f.bIds);
    const dry = await t.request('POST', '/api/v1/messages/cancel', { key: f.a.apiKey, body: { ids, dryRun: true } });
    assert.deepEqual(dry.body, { dryRun: true, messages: 2, recipients: 2, refund: '0.047', messageIds: [f.m2.id, f.m3.id] });
    assert.deepEqual(await snapshot(t, f.a.apiKey, f.aIds), before);
    const res = await t.request('POST', '/api/v1/messages/cancel', { key: f.a.apiKey, body: { ids } });
    assert.deepEqual(res.body, { dryRun: false, messages: 2, recipients: 2, refund: '0.047', messageIds: [f.m2.id, f.m3.id] });
    const after = await snapshot(t, f.a.apiKey, f.aIds);
    const keep = [f.sent.id, f.m1.id, f.far.id, f.done.id];
    assert.deepEqual(after.filter((s: any) => keep.includes(s[0])), before.filter((s: any) => keep.includes(s[0])));
    assert.deepEqual(await snapshot(t, f.b.apiKey, f.bIds), beforeB);
    assert.equal(await balanceOf(t, f.a.apiKey), '9.820'); // 10 - 0.045 (sent) - 0.090 (m1) - 0.045 (far)
    await assertLedger(t, f.a.id, 9_820);
    await assertLedger(t, f.b.id, 9_910);
  });

  test('no selector (nothing, only channel, only dryRun) → 400; bad selector values → 400; nothing changes', async () => {
    const t = app();
    const f = await fixture(t);
    const before = await snapshot(t, f.a.apiKey, f.aIds);
    for (const body of [{}, { channel: 'sms' }, { dryRun: true }, { dryRun: false, channel: 'email' }]) {
      assertProblem(await bulk(t, f.a.apiKey, body), 400, 'invalid_request');
    }
    assertProblem(await t.request('POST', '/api/v1/messages/cancel', { key: f.a.apiKey }), 400, 'invalid_request');
    for (const body of [{ ids: [] }, { ids: ['x'] }, { ids: [0] }, { tag: '' }, { status: 'scheduled' }, { ids: [f.m1.id], all: true }, { tag: 'promo', dryRun: 'yes' }, { channel: 'fax', tag: 'promo' }]) {
      assertProblem(await bulk(t, f.a.apiKey, body), 400, 'invalid_request');
    }
    assertProblem(await bulk(t, f.a.apiKey, { sendAtFrom: 'yesterday' }), 400, 'invalid_date');
    assertProblem(await bulk(t, f.a.apiKey, { sendAtTo: '2026-06-01T10:00:00' }), 400, 'invalid_date');
    assert.deepEqual(await snapshot(t, f.a.apiKey, f.aIds), before);
    await assertLedger(t, f.a.id, 10_000 - 45 - 90 - 2 - 45 - 45);
  });
});
