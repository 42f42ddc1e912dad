import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp, type TestApp } from '../../helpers/app.js';
import { assertLedger, assertProblem, assertStatus, at, DAY, e164, HOUR, iso, MIN, phone, schedule } from './support.js';

/** Every page of `path` (which has a query already) with `limit`; checks the cursors. */
async function walk(t: TestApp, key: string, path: string, limit: number): Promise<number[][]> {
  const pages: number[][] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await t.request('GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { key });
    assertStatus(res, 200);
    assert.ok(res.body.items.length <= limit);
    pages.push(res.body.items.map((m: any) => m.id));
    cursor = res.body.nextCursor;
    if (cursor !== null) assert.equal(typeof cursor, 'string');
    assert.ok(pages.length < 100, 'pagination does not end');
  } while (cursor !== null);
  return pages;
}

dialectApp('native API: listing messages, filters and cursor pagination', ({ app }) => {
  test('filters: status, channel, tag, batchId, sendAtFrom (inclusive) / sendAtTo (exclusive), combined; newest first', async () => {
    const t = app();
    const { id, apiKey } = await t.account('100');
    const other = await t.account('100');
    const base = t.clock.now();
    const sent = await schedule(t, apiKey, { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: iso(base + MIN), tag: 'promo', batchId: 'b1' });
    t.clock.advance(MIN);
    await t.dispatcher.drain();
    const now = t.clock.now();
    const m1 = await schedule(t, apiKey, { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: iso(now + HOUR), tag: 'promo', batchId: 'b1' });
    const m2 = await schedule(t, apiKey, { channel: 'email', to: ['a@example.com'], from: 'shop@example.com', subject: 's', text: 'x', sendAt: iso(now + 2 * HOUR), tag: 'promo', batchId: 'b2' });
    const m3 = await schedule(t, apiKey, { channel: 'voice', to: ['0612345678'], text: 'x', sendAt: iso(now + 3 * HOUR), tag: 'news', batchId: 'b1' });
    const m4 = await schedule(t, apiKey, { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: iso(now + DAY) });
    assertStatus(await t.request('DELETE', `/api/v1/messages/${m4.id}`, { key: apiKey }), 200);
    // Another account's messages with the same tag and batch never show.
    await schedule(t, other.apiKey, { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: iso(now + HOUR), tag: 'promo', batchId: 'b1' });

    const ids = async (query: string) => {
      const res = await t.request('GET', `/api/v1/messages${query}`, { key: apiKey });
      assertStatus(res, 200);
      assert.equal(res.body.nextCursor, null);
      return res.body.items.map((m: any) => m.id);
    };
    const enc = encodeURIComponent;
    assert.deepEqual(await ids(''), [m4.id, m3.id, m2.id, m1.id, sent.id]);
    assert.deepEqual(await ids('?status=scheduled'), [m3.id, m2.id, m1.id]);
    assert.deepEqual(await ids('?status=sent'), [sent.id]);
    assert.deepEqual(await ids('?status=cancelled'), [m4.id]);
    assert.deepEqual(await ids('?status=failed'), []);
    assert.deepEqual(await ids('?channel=sms'), [m4.id, m1.id, sent.id]);
    assert.deepEqual(await ids('?channel=email'), [m2.id]);
    assert.deepEqual(await ids('?channel=voice'), [m3.id]);
    assert.deepEqual(await ids('?tag=promo'), [m2.id, m1.id, sent.id]);
    assert.deepEqual(await ids('?tag=nope'), []);
    assert.deepEqual(await ids('?batchId=b1'), [m3.id, m1.id, sent.id]);
    assert.deepEqual(await ids('?tag=promo&batchId=b1&status=scheduled'), [m1.id]);
    assert.deepEqual(await ids(`?sendAtFrom=${enc(iso(now + HOUR))}`), [m4.id, m3.id, m2.id, m1.id]);
    assert.deepEqual(await ids(`?sendAtFrom=${enc(iso(now + HOUR + 1))}`), [m4.id, m3.id, m2.id]);
    assert.deepEqual(await ids(`?sendAtTo=${enc(iso(now + 3 * HOUR))}`), [m2.id, m1.id, sent.id]);
    assert.deepEqual(await ids(`?sendAtFrom=${enc(iso(now + HOUR))}&sendAtTo=${enc(iso(now + 3 * HOUR))}`), [m2.id, m1.id]);
    // The same instants written with an offset select the same messages.
    const paris = (ms: number) => enc(new Date(ms + 2 * HOUR).toISOString().replace('Z', '+02:00'));
    assert.deepEqual(await ids(`?sendAtFrom=${paris(now + HOUR)}&sendAtTo=${paris(now + 3 * HOUR)}`), [m2.id, m1.id]);
    assert.deepEqual(await ids(`?channel=sms&sendAtFrom=${enc(iso(now + 1))}`), [m4.id, m1.id]);

    assertProblem(await t.request('GET', '/api/v1/messages?status=bogus', { key: apiKey }), 400, 'invalid_request');
    assertProblem(await t.request('GET', '/api/v1/messages?channel=fax', { key: apiKey }), 400, 'invalid_request');
    assertProblem(await t.request('GET', '/api/v1/messages?sendAtFrom=tomorrow', { key: apiKey }), 400, 'invalid_date');
    assertProblem(await t.request('GET', '/api/v1/messages?sendAtTo=2026-06-01T10:00:00', { key: apiKey }), 400, 'invalid_date');
    assertProblem(await t.request('GET', '/api/v1/messages?color=red', { key: apiKey }), 400, 'invalid_request');
    await assertLedger(t, id, 100_000 - 45 - 45 - 2 - 150);
    await assertLedger(t, other.id, 100_000 - 45);
  });

  test('limit=2 walks every page once, newest first, nextCursor null at the end; filters hold across pages', async () => {
    const t = app();
    const { id, apiKey } = await t.account('100');
    const created: number[] = [];
    for (let i = 0; i < 7; i++) {
      const m = await schedule(t, apiKey, { channel: 'sms', to: ['0612345678'], text: `m${i}`, sendAt: at(t, HOUR + i), tag: i % 2 ? 'odd' : 'even' });
      created.push(m.id);
    }
    const newest = [...created].reverse();
    const pages = await walk(t, apiKey, '/api/v1/messages', 2);
    assert.deepEqual(pages, [newest.slice(0, 2), newest.slice(2, 4), newest.slice(4, 6), newest.slice(6)]);

    // An exact multiple of the limit: no empty trailing page.
    const even = newest.filter((id) => (created.indexOf(id) % 2) === 0);
    assert.equal(even.length, 4);
    assert.deepEqual(await walk(t, apiKey, '/api/v1/messages?tag=even', 2), [even.slice(0, 2), even.slice(2)]);
    assert.deepEqual(await walk(t, apiKey, '/api/v1/messages', 7), [newest]);
    assert.deepEqual(await walk(t, apiKey, '/api/v1/messages', 500), [newest]);
    const flat = (await walk(t, apiKey, '/api/v1/messages', 3)).flat();
    assert.deepEqual(flat, newest);
    assert.equal(new Set(flat).size, 7);

    // Default page size is 50: all seven, no cursor.
    const all = await t.request('GET', '/api/v1/messages', { key: apiKey });
    assert.deepEqual(all.body.items.map((m: any) => m.id), newest);
    assert.equal(all.body.nextCursor, null);
    await assertLedger(t, id, 100_000 - 7 * 45);
  });

  test('bad cursor or limit: 400', async () => {
    const t = app();
    const { apiKey } = await t.account('1');
    for (const q of ['cursor=garbage', 'cursor=%20', `cursor=${Buffer.from('id:abc').toString('base64url')}`, `cursor=${'a'.repeat(101)}`,
      'limit=0', 'limit=501', 'limit=abc', 'limit=1.5', 'limit=-1']) {
      assertProblem(await t.request('GET', `/api/v1/messages?${q}`, { key: apiKey }), 400, 'invalid_request');
    }
    assertProblem(await t.request('GET', '/api/v1/ledger?cursor=garbage', { key: apiKey }), 400, 'invalid_request');
    assertProblem(await t.request('GET', '/api/v1/outbox?cursor=garbage', { key: apiKey }), 400, 'invalid_request');
    assertProblem(await t.request('GET', '/api/v1/ledger?limit=0', { key: apiKey }), 400, 'invalid_request');
  });

  test('a cursor of another account reveals nothing: it only bounds ids, the account filter still applies', async () => {
    const t = app();
    const a = await t.account('1');
    const b = await t.account('1');
    const ma = await schedule(t, a.apiKey, { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: at(t, HOUR) });
    await schedule(t, a.apiKey, { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: at(t, HOUR) });
    const mb = await schedule(t, b.apiKey, { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: at(t, HOUR) });
    const pageA = await t.request('GET', '/api/v1/messages?limit=1', { key: a.apiKey });
    assert.notEqual(pageA.body.nextCursor, null);
    const withA = await t.request('GET', `/api/v1/messages?cursor=${encodeURIComponent(pageA.body.nextCursor)}`, { key: b.apiKey });
    assertStatus(withA, 200);
    assert.deepEqual(withA.body.items, []);
    assert.ok(mb.id > ma.id);
  });
});

dialectApp('native API: a message\'s recipients and events, page by page (issue 15)', ({ app }) => {
  test('GET /messages/:id shows the count and the first 100; /messages/:id/recipients pages the rest in the given order', async () => {
    const t = app();
    const { apiKey } = await t.account('100');
    const to = Array.from({ length: 250 }, () => phone());
    const m = await schedule(t, apiKey, { channel: 'sms', to, text: 'x', sendAt: at(t, HOUR) });
    const res = await t.request('GET', `/api/v1/messages/${m.id}`, { key: apiKey });
    assertStatus(res, 200);
    assert.equal(res.body.recipientCount, 250);
    assert.deepEqual(res.body.recipients.map((r: any) => r.address), to.slice(0, 100).map(e164));
    assert.equal(typeof res.body.recipientsNextCursor, 'string');
    assert.deepEqual(res.body.events.map((e: any) => e.type), ['scheduled']);

    const seen: string[] = res.body.recipients.map((r: any) => r.address);
    const sizes: number[] = [];
    let cursor: string | null = res.body.recipientsNextCursor;
    while (cursor !== null && sizes.length < 10) {
      const next = await t.request('GET', `/api/v1/messages/${m.id}/recipients?cursor=${encodeURIComponent(cursor)}&limit=60`, { key: apiKey });
      assertStatus(next, 200);
      sizes.push(next.body.items.length);
      seen.push(...next.body.items.map((r: any) => r.address));
      cursor = next.body.nextCursor;
    }
    assert.deepEqual(sizes, [60, 60, 30]);
    assert.deepEqual(seen, to.map(e164), 'every recipient once, in the order given');

    const first = await t.request('GET', `/api/v1/messages/${m.id}/recipients`, { key: apiKey });
    assert.deepEqual([first.body.items.length, first.body.nextCursor], [100, res.body.recipientsNextCursor], 'the default page is the one the message shows');
    const all = await t.request('GET', `/api/v1/messages/${m.id}/recipients?limit=500`, { key: apiKey });
    assert.deepEqual([all.body.items.length, all.body.nextCursor], [250, null]);
    assert.deepEqual(Object.keys(all.body.items[0]).sort(), ['address', 'attempts', 'error', 'id', 'price', 'providerId', 'sentAt', 'status', 'updatedAt']);

    const small = await schedule(t, apiKey, { channel: 'sms', to: to.slice(0, 100), text: 'x', sendAt: at(t, HOUR) });
    const exact = await t.request('GET', `/api/v1/messages/${small.id}`, { key: apiKey });
    assert.deepEqual([exact.body.recipients.length, exact.body.recipientsNextCursor], [100, null]);
  });

  test('events page the same way: the first 100 with the message, the rest from /messages/:id/events, oldest first', async () => {
    const t = app();
    const { apiKey } = await t.account('100');
    const to = Array.from({ length: 150 }, () => phone());
    const m = await schedule(t, apiKey, { channel: 'sms', to, text: 'x', sendAt: at(t, MIN) });
    t.clock.advance(MIN);
    await t.dispatcher.drain();
    const d = await t.request('GET', `/api/v1/messages/${m.id}`, { key: apiKey });
    assertStatus(d, 200);
    assert.equal(d.body.status, 'sent');
    assert.equal(d.body.events.length, 100);
    assert.equal(d.body.events[0].type, 'scheduled');
    const rest = await t.request('GET', `/api/v1/messages/${m.id}/events?cursor=${encodeURIComponent(d.body.eventsNextCursor)}&limit=500`, { key: apiKey });
    assertStatus(rest, 200);
    assert.equal(rest.body.nextCursor, null);
    const all = [...d.body.events, ...rest.body.items];
    assert.equal(all.length, 151, 'scheduled, then one sent per recipient');
    assert.deepEqual(all.map((e: any) => e.id), [...all.map((e: any) => e.id)].sort((a, b) => a - b));
    assert.deepEqual(new Set(all.filter((e: any) => e.type === 'sent').map((e: any) => e.recipientId)).size, 150);
    assertProblem(await t.request('GET', `/api/v1/messages/${m.id}/events?limit=Infinity`, { key: apiKey }), 400, 'invalid_request');
  });

  test('recipients of an unknown or another account\'s message → 404; bad limit or cursor → 400', async () => {
    const t = app();
    const { apiKey } = await t.account('1');
    const other = await t.account('1');
    const m = await schedule(t, apiKey, { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: at(t, HOUR) });
    assertProblem(await t.request('GET', `/api/v1/messages/${m.id}/recipients`, { key: other.apiKey }), 404, 'not_found');
    assertProblem(await t.request('GET', '/api/v1/messages/999999/recipients', { key: apiKey }), 404, 'not_found');
    assertProblem(await t.request('GET', `/api/v1/messages/${m.id}/events`, { key: other.apiKey }), 404, 'not_found');
    for (const q of ['limit=0', 'limit=501', 'limit=Infinity', 'cursor=nope', 'extra=1']) {
      assertProblem(await t.request('GET', `/api/v1/messages/${m.id}/recipients?${q}`, { key: apiKey }), 400, 'invalid_request');
    }
  });
});
