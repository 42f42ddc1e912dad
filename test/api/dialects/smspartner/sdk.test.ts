import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp, type HttpResult, type TestApp } from '../../../helpers/app.js';
import { account, assertLedger, HOUR, MIN, phone, schedule, setProfile, SP } from './support.js';

/**
 * Replays the request shapes of the vendor's SDKs (spec/sms-partner.md sources [php-sdk] and
 * [go-sdk]) byte for byte where it matters: methods, where parameters go, Content-Types, the
 * list parameter names, and the JSON types each SDK reads back.
 */

/** smspartnerapi.php: cURL POST of json_encode($fields), no Content-Type set (cURL sends form-urlencoded); GETs build the query by hand. */
const php = {
  get: (t: TestApp, path: string, query: string) => t.request('GET', `${SP}/${path}?${query}`),
  post: (t: TestApp, path: string, fields: Record<string, unknown>) =>
    t.request('POST', `${SP}/${path}`, { raw: JSON.stringify(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
};

/** SMS-API-GO v1/client.go: every request carries Content-Type application/json, GETs too (no body). */
const go = {
  get: (t: TestApp, pathAndQuery: string) => t.request('GET', `${SP}/${pathAndQuery}`, { headers: { 'content-type': 'application/json' } }),
  post: (t: TestApp, path: string, payload: Record<string, unknown>) => t.request('POST', `${SP}/${path}`, { body: payload }),
};

/** Go's json.Marshal with `omitempty`: zero values are left out. */
const omitEmpty = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0 && v !== '' && v !== undefined && v !== null));

function ok(r: HttpResult): any {
  // The Go client treats any status but 200 as an error.
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.success, true, r.text);
  return r.body;
}

dialectApp('SMS Partner: the vendor SDKs\' request shapes', ({ app }) => {
  test('PHP SDK: checkCredits(\'?apiKey=…\') → me??apiKey=, sendSms, statuses, STOP list, cancel', async () => {
    const t = app();
    const a = await account(t, '10');
    // The SDK appends its argument to `me?`; the example passes '?apiKey=…': GET /v1/me??apiKey=…
    assert.equal(ok(await php.get(t, 'me', `?apiKey=${a.apiKey}`)).credits.balance, '10.000');
    const [p1, p2] = [phone(), phone()];
    const s = schedule(t, 2 * HOUR);
    const sent = ok(await php.post(t, 'send', { apiKey: a.apiKey, phoneNumbers: `${p1.e164},${p2.e164}`, message: 'This is your message', sender: 'mycompany', scheduledDeliveryDate: s.scheduledDeliveryDate, time: s.time, minute: s.minute }));
    assert.ok(Number.isInteger(sent.message_id));
    ok(await php.post(t, 'bulk-send', { apiKey: a.apiKey, SMSList: [{ phoneNumber: p1.national, message: 'msg 0' }, { phoneNumber: p2.national, message: 'msg 1' }] }));
    assert.equal(ok(await php.get(t, 'message-status', `apiKey=${a.apiKey}&messageId=${sent.message_id}&phoneNumber=${encodeURIComponent(p1.e164)}`)).statut, 'Waiting');
    const multi = ok(await php.post(t, 'multi-status', { apiKey: a.apiKey, SMSStatut_List: [{ phoneNumber: p1.e164, messageId: sent.message_id }] }));
    assert.equal(multi.StatutResponse_List[0].success, true);
    ok(await php.get(t, 'bulk-status', `apiKey=${a.apiKey}&messageId=${sent.message_id}`));
    const stop = ok(await php.post(t, 'stop-sms/add', { apiKey: a.apiKey, phoneNumber: phone().national }));
    ok(await php.get(t, 'stop-sms/list', `apiKey=${a.apiKey}`));
    ok(await php.get(t, 'stop-sms/delete', `apiKey=${a.apiKey}&id=${stop.stopId}`));
    assert.equal(ok(await php.get(t, 'message-cancel', `apiKey=${a.apiKey}&messageId=${sent.message_id}`)).message, "L'envoi du SMS a été annulé.");
    await assertLedger(t, a.id, 10_000 - 90);
  });

  test('Go SDK: SendSMS (omitempty drops minute 0), SendBulkSMS, statuses (unescaped + in the query), CancelSMS, stops', async () => {
    const t = app();
    const a = await account(t, '10');
    const [p1, p2] = [phone(), phone()];
    // An on-the-hour send: Go omits `minute: 0` and `gamme: 0`.
    t.clock.set(Math.ceil(t.clock.now() / HOUR) * HOUR + 10 * MIN);
    const s = schedule(t, 2 * HOUR - 10 * MIN);
    assert.equal(s.minute, 0);
    const sms = ok(await go.post(t, 'send', omitEmpty({ apiKey: a.apiKey, phoneNumbers: p1.e164, message: 'go', gamme: 0, sender: '', scheduledDeliveryDate: s.scheduledDeliveryDate, time: s.time, minute: s.minute })));
    assert.deepEqual([typeof sms.message_id, typeof sms.nb_sms, typeof sms.cost, typeof sms.scheduledDeliveryDate], ['number', 'number', 'number', 'string']);
    assert.equal((await t.store.autocommit.getMessage(sms.message_id))!.sendAt, s.at);
    const bulk = ok(await go.post(t, 'bulk-send', omitEmpty({ apiKey: a.apiKey, SMSList: [{ phoneNumber: p1.e164, message: 'a' }, { phoneNumber: p2.e164, message: 'b' }] })));
    assert.deepEqual([typeof bulk.message_id, typeof bulk.nbSMS, typeof bulk.SMSResponse_List[0].nbSms], ['number', 'number', 'number']);
    // fmt.Sprintf("…&phoneNumber=%s", "+336…"): the + is not escaped and arrives as a space.
    const status = ok(await go.get(t, `message-status?apiKey=${a.apiKey}&messageId=${sms.message_id}&phoneNumber=${p1.e164}`));
    assert.deepEqual([typeof status.messageId, status.number], ['string', p1.e164]);
    const multi = ok(await go.post(t, 'multi-status', { apiKey: a.apiKey, SMSStatut_List: [{ phoneNumber: p1.e164, messageId: sms.message_id }] }));
    assert.equal(multi.StatutResponse_List[0].status, 'Waiting');
    assert.equal(typeof ok(await go.get(t, `bulk-status?apiKey=${a.apiKey}&messageId=${bulk.message_id}`)).message_id, 'string');
    ok(await go.post(t, 'stop-sms/add', { apiKey: a.apiKey, phoneNumber: p2.e164 }));
    const stops = ok(await go.get(t, `stop-sms/list?apiKey=${a.apiKey}`));
    assert.deepEqual([typeof stops.nbData, typeof stops.data[0].id, typeof stops.data[0].createdAt], ['number', 'number', 'string']);
    ok(await go.get(t, `stop-sms/delete?apiKey=${a.apiKey}&id=${stops.data[0].id}`));
    ok(await go.get(t, `message-cancel?apiKey=${a.apiKey}&messageId=${sms.message_id}`));
    const credits = ok(await go.get(t, `me?apiKey=${a.apiKey}`));
    assert.deepEqual([typeof credits.credits.creditSmsLowCost, typeof credits.credits.solde], ['number', 'string']);
  });

  test('Go SDK: CreateSubAccount, ListSubAccounts, AddCreditToSubAccount (credit as a string, balance read from total)', async () => {
    const t = app();
    const a = await account(t, '50');
    await setProfile(t, a.id, { email: `go-${a.id}@example.com`, subaccountsEnabled: true });
    const created = ok(await go.post(t, 'subaccount/create', { apiKey: a.apiKey, type: 'advanced', parameters: omitEmpty({ email: `sub-${a.id}@example.com`, isBuyer: 0, creditToAttribute: 0, firstname: 'A', lastname: 'B' }) }));
    const list = ok(await go.get(t, `subaccount/list?apiKey=${a.apiKey}`));
    assert.deepEqual([typeof list.total, typeof list.nb_per_page, typeof list.data[0].id, typeof list.data[0].credits.balance], ['number', 'number', 'number', 'string']);
    const add = ok(await go.post(t, 'subaccount/credit/add', { apiKey: a.apiKey, credit: '10', tokenSubaccount: created.subaccount.token }));
    assert.deepEqual([add.total, add.subaccountCredit], [40, 10]);
  });
});
