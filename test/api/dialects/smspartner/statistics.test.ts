import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp } from '../../../helpers/app.js';
import { account, assertError, assertXml, get, MIN, phone, post, xmlError, xmlOf } from './support.js';

const PATH = '/statistics/cost-resume';
const monthStart = (y: number, m: number) => Math.floor(Date.UTC(y, m - 1, 1) / 1000) - (m >= 4 && m <= 10 ? 7200 : 3600);

dialectApp('SMS Partner: GET /v1/statistics/cost-resume', ({ app }) => {
  test('net spend per Paris month from the ledger: sends, minus refunds booked in the month', async () => {
    const t = app();
    const a = await account(t, '10');
    t.clock.set(Date.UTC(2026, 3, 10, 10));
    await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'one' });
    await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'y'.repeat(161) });
    t.clock.set(Date.UTC(2026, 4, 15, 10));
    const later = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'x', scheduledDeliveryDate: '20/06/2026', time: 9, minute: 0 });
    await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'kept', scheduledDeliveryDate: '20/06/2026', time: 9, minute: 0 });
    await get(t, '/message-cancel', { apiKey: a.apiKey, messageId: later.body.message_id });
    // The last minute of May in Paris is still May.
    t.clock.set(Date.UTC(2026, 4, 31, 21, 59));
    await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: phone().national, message: 'late may' });
    t.clock.set(Date.UTC(2026, 6, 3, 8));
    const r = await get(t, PATH, { apiKey: a.apiKey, interval: 'custom', from: '01-04-2026', to: '30/06/2026' });
    const expected = {
      success: true,
      datas: [
        { month: 'april', year: '2026', m: '04', date: monthStart(2026, 4), type: 'month', cost: '0.135', nb_send: '3' },
        { month: 'may', year: '2026', m: '05', date: monthStart(2026, 5), type: 'month', cost: '0.090', nb_send: '2' },
        { month: 'june', year: '2026', m: '06', date: monthStart(2026, 6), type: 'month', cost: '0.000', nb_send: '0' },
      ],
    };
    assert.equal(r.text, JSON.stringify(expected));
    assert.equal(r.body.code, undefined, 'the documented success has no code');
    assertXml(await get(t, PATH, { apiKey: a.apiKey, interval: 'custom', from: '01-04-2026', to: '30-06-2026', _format: 'xml' }), 200, xmlOf(expected));
    const last = await get(t, PATH, { apiKey: a.apiKey, interval: 'last_month' });
    assert.deepEqual(last.body.datas, [expected.datas[2]]);
  });

  test('last_twelve_months: the twelve months before the current one, idle months included', async () => {
    const t = app();
    const a = await account(t, '10');
    t.clock.set(Date.UTC(2026, 6, 3, 8));
    const r = await get(t, PATH, { apiKey: a.apiKey, interval: 'last_twelve_months' });
    assert.deepEqual(r.body.datas.map((d: any) => `${d.year}-${d.m}`), ['2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06']);
    assert.equal(r.body.datas[3].date, monthStart(2025, 10));
    assert.equal(r.body.datas[4].date, monthStart(2025, 11), 'November starts in winter time');
  });

  test('5 requests a minute per account, then 429; the next minute it answers again', async () => {
    const t = app();
    const [a, b] = [await account(t), await account(t)];
    for (let i = 0; i < 5; i++) assert.equal((await get(t, PATH, { apiKey: a.apiKey, interval: 'last_month' })).status, 200);
    assertError(await get(t, PATH, { apiKey: a.apiKey, interval: 'last_month' }), 429, 429, 'Trop de requêtes, réessayez dans une minute');
    assertXml(await get(t, PATH, { apiKey: a.apiKey, interval: 'last_month', _format: 'xml' }), 429, xmlError(429, 'Trop de requêtes, réessayez dans une minute'));
    assert.equal((await get(t, PATH, { apiKey: b.apiKey, interval: 'last_month' })).status, 200, 'per account');
    t.clock.advance(MIN);
    assert.equal((await get(t, PATH, { apiKey: a.apiKey, interval: 'last_month' })).status, 200);
  });

  test('errors: 1, 10, and code 9 for an unknown interval or a bad custom date, JSON and XML', async () => {
    const t = app();
    const a = await account(t);
    assertError(await get(t, PATH, { interval: 'last_month' }), 400, 1, 'La Clé API est requise');
    assertXml(await get(t, PATH, { apiKey: 'x', interval: 'last_month', _format: 'xml' }), 401, xmlError(10, 'Clé API incorrecte'));
    const list = (name: string, message: string) => [{ elementId: `children[${name}].data`, message }];
    const bad = await get(t, PATH, { apiKey: a.apiKey, interval: 'weekly' });
    assert.equal(bad.text, JSON.stringify({ success: false, code: 9, errors: list('interval', 'La valeur est invalide'), error: list('interval', 'La valeur est invalide') }));
    const date = await get(t, PATH, { apiKey: a.apiKey, interval: 'custom', from: '31-02-2026', to: '01-03-2026', _format: 'xml' });
    assertXml(date, 400, xmlOf({ success: false, code: 9, errors: list('from', 'La date est invalide') }));
    const reversed = await get(t, PATH, { apiKey: a.apiKey, interval: 'custom', from: '01-03-2026', to: '01-02-2026' });
    assert.equal(reversed.body.code, 9);
  });
});
