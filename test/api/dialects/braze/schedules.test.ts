import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp, type TestApp } from '../../../helpers/app.js';
import { ALL_BUT_TRACK, assertFault, AT, balance, batch, brazeAccount, bz, EMAIL, rate, START, TOKYO_PARIS, users } from './support.js';

const SMS = { app_id: 'app', subscription_group_id: 'sg', body: 'Hi {{${first_name} | default: "there"}}' };
const TOMORROW = '2026-06-02T08:00:00Z';

const create = (t: TestApp, key: string, extra: Record<string, unknown> = {}) =>
  bz(t, 'POST', '/messages/schedule/create', { key, body: { external_user_ids: ['ada', 'bob'], messages: { sms: SMS }, schedule: { time: TOMORROW }, ...extra } });
const broadcasts = (t: TestApp, key: string, end = '2026-06-10T00:00:00Z') => bz(t, 'GET', `/messages/scheduled_broadcasts?end_time=${encodeURIComponent(end)}`, { key });

dialectApp('Braze: /messages/schedule/*, scheduled_broadcasts, /messages/send', ({ app }) => {
  test('create: one message per user and channel, batch = schedule_id, total debited; listed; delete refunds each recipient once', async () => {
    const t = app();
    const a = await brazeAccount(t);
    await users(t, a.apiKey, [
      { external_id: 'ada', first_name: 'Ada', phone: '+33612345678', email: 'ada@example.com' },
      { external_id: 'bob', phone: '+33612345679' },
      { external_id: 'eve', email: 'eve@example.com' },
    ]);
    const r = await create(t, a.apiKey, { external_user_ids: ['ada', 'bob', 'eve', 'nobody'], messages: { sms: SMS, email: EMAIL } });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(Object.keys(r.body), ['dispatch_id', 'schedule_id', 'message']);
    assert.equal(r.body.message, 'success');
    assert.match(r.body.schedule_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    rate(r);
    const msgs = await batch(t, a.id, r.body.schedule_id);
    // ada: sms + email, bob: sms (no e-mail), eve: email (no phone), nobody: unknown.
    assert.deepEqual(msgs.map((m) => `${m.channel}:${m.status}:${m.sendAt === AT(TOMORROW)}`).sort(),
      ['email:scheduled:true', 'email:scheduled:true', 'sms:scheduled:true', 'sms:scheduled:true']);
    const texts = msgs.filter((m) => m.content.channel === 'sms').map((m) => (m.content as { text: string }).text).sort();
    assert.deepEqual(texts, ['Hi Ada', 'Hi there']);
    assert.equal(await balance(t, a.id), START - 2 * 45 - 2 * 2);

    const l = await broadcasts(t, a.apiKey);
    assert.equal(l.status, 200, l.text);
    assert.deepEqual(l.body, { scheduled_broadcasts: [{ name: '', id: r.body.schedule_id, type: 'Campaign', tags: [], next_send_time: '2026-06-02T10:00:00+02:00', schedule_type: 'Europe/Paris' }] });

    const d = await bz(t, 'POST', '/messages/schedule/delete', { key: a.apiKey, body: { schedule_id: r.body.schedule_id } });
    assert.equal(d.status, 200, d.text);
    assert.equal(d.text, '{"message":"success"}');
    assert.equal(d.headers.get('x-relais-cancelled-recipients'), '4');
    assert.equal(await balance(t, a.id), START);
    const again = await bz(t, 'POST', '/messages/schedule/delete', { key: a.apiKey, body: { schedule_id: r.body.schedule_id } });
    assert.equal(again.text, '{"message":"success"}');
    assert.equal(again.headers.get('x-relais-cancelled-recipients'), '0');
    assert.equal(await balance(t, a.id), START);
    assert.deepEqual((await broadcasts(t, a.apiKey)).body, { scheduled_broadcasts: [] });
  });

  test('documented errors: exact envelopes, nothing written', async () => {
    const t = app();
    const a = await brazeAccount(t);
    await users(t, a.apiKey, [{ external_id: 'ada', phone: '+33612345678' }]);
    assertFault(await create(t, a.apiKey, { external_user_ids: undefined }), 400, 'No Recipients', []);
    assertFault(await create(t, a.apiKey, { external_user_ids: Array.from({ length: 51 }, (_, i) => `u${i}`) }), 400,
      'The max number of external_ids and aliases per request was exceeded');
    assertFault(await create(t, a.apiKey, { schedule: { time: 'next tuesday' } }), 400, 'Bad Request', ['schedule.time "next tuesday" is not an ISO 8601 date and time']);
    assertFault(await create(t, a.apiKey, { schedule: undefined }), 400, 'Bad Request', ['schedule is required']);
    assertFault(await create(t, a.apiKey, { messages: { apple_push: {} } }), 400, 'Bad Request', ['messages.apple_push is not supported: Relais sends sms and email']);
    assertFault(await create(t, a.apiKey, { messages: undefined }), 400, 'No message to send', []);
    assertFault(await create(t, a.apiKey, { messages: { sms: { body: 'x', app_id: 'a' } } }), 400, 'Bad Request', ['messages.sms.subscription_group_id is required']);
    assertFault(await create(t, a.apiKey, { messages: { email: { ...EMAIL, email_template_id: 't' } } }), 400, 'Bad Request',
      ['messages.email.email_template_id: e-mail templates are not supported; give body']);
    assertFault(await create(t, a.apiKey, { campaign_id: 'c1' }), 400, 'Message Variant Unspecified', []);
    assertFault(await create(t, a.apiKey, { broadcast: 'true' }), 400, 'Bad Request', ['broadcast and a list of users are mutually exclusive']);
    assertFault(await create(t, a.apiKey, { schedule: { time: '2026-05-01T00:00:00', in_local_time: true } }), 400, 'Bad Request',
      ['schedule.time has passed in every time zone of the recipients']);
    // 10 segments of 45 each: 450 per message; 23 users would need 10.350.
    const many = Array.from({ length: 23 }, (_, i) => ({ external_id: `p${i}`, phone: `+336123456${String(i).padStart(2, '0')}` }));
    await users(t, a.apiKey, many);
    const costly = await create(t, a.apiKey, { external_user_ids: many.map((u) => u.external_id), messages: { sms: { ...SMS, body: 'x'.repeat(1530) } } });
    assertFault(costly, 402, 'Insufficient Credits', ['insufficient credit for these messages']);
    for (const body of [{ schedule_id: '00000000-0000-4000-8000-000000000000' }, {}]) {
      const d = await bz(t, 'POST', '/messages/schedule/delete', { key: a.apiKey, body });
      assertFault(d, 400, 'schedule_id' in body ? 'Invalid schedule ID' : 'Bad Request');
    }
    assert.deepEqual(await t.store.autocommit.listMessages({ accountId: a.id }, { limit: 10 }), []);
    assert.deepEqual((await broadcasts(t, a.apiKey)).body, { scheduled_broadcasts: [] });
    assert.equal(await balance(t, a.id), START);
    assertFault(await bz(t, 'GET', '/messages/scheduled_broadcasts', { key: a.apiKey }), 400, 'Bad Request', ['end_time is required: an ISO 8601 date']);
  });

  test("another account's schedule, a key without the permission, a mismatched endpoint: 400/403, and it stays scheduled", async () => {
    const t = app();
    const a = await brazeAccount(t);
    await users(t, a.apiKey, [{ external_id: 'ada', phone: '+33612345678' }]);
    const r = await create(t, a.apiKey);
    const other = await brazeAccount(t);
    assertFault(await bz(t, 'POST', '/messages/schedule/delete', { key: other.apiKey, body: { schedule_id: r.body.schedule_id } }), 400, 'Invalid schedule ID', []);
    const denied = await brazeAccount(t, ALL_BUT_TRACK.filter((p) => p !== 'messages.schedule.delete'));
    assertFault(await bz(t, 'POST', '/messages/schedule/delete', { key: denied.apiKey, body: { schedule_id: r.body.schedule_id } }), 403, 'Access Denied');
    const sameAccount = await t.request('POST', `/admin/v1/accounts/${a.id}/keys`, { body: { scopes: ['messages.schedule.create'] }, headers: { authorization: 'Bearer test-admin-token' } });
    assertFault(await bz(t, 'POST', '/messages/schedule/delete', { key: sameAccount.body.apiKey, body: { schedule_id: r.body.schedule_id } }), 403, 'Access Denied');
    assertFault(await bz(t, 'POST', '/campaigns/trigger/schedule/delete', { key: a.apiKey, body: { campaign_id: 'c', schedule_id: r.body.schedule_id } }), 400, 'Invalid schedule ID', []);
    const [m] = await batch(t, a.id, r.body.schedule_id);
    assert.equal(m!.status, 'scheduled');
    assert.equal(await balance(t, a.id), START - 45);
  });

  test('concurrent deletes of one schedule: all succeed, each recipient refunded once, the header sums to the recipients', async () => {
    const t = app();
    const a = await brazeAccount(t);
    const people = Array.from({ length: 12 }, (_, i) => ({ external_id: `u${i}`, phone: `+336123457${String(i).padStart(2, '0')}` }));
    await users(t, a.apiKey, people);
    const r = await create(t, a.apiKey, { external_user_ids: people.map((p) => p.external_id) });
    assert.equal(await balance(t, a.id), START - 12 * 45);
    const answers = await Promise.all(Array.from({ length: 8 }, () => bz(t, 'POST', '/messages/schedule/delete', { key: a.apiKey, body: { schedule_id: r.body.schedule_id } })));
    for (const d of answers) assert.equal(d.text, '{"message":"success"}');
    assert.equal(answers.reduce((n, d) => n + Number(d.headers.get('x-relais-cancelled-recipients')), 0), 12);
    assert.equal(await balance(t, a.id), START);
    assert.deepEqual((await batch(t, a.id, r.body.schedule_id)).map((m) => m.status), Array(12).fill('cancelled'));
  });

  test('in_local_time: users in three zones across DST changes (gap: shifted forward, overlap: the earlier instant); at_optimal_time: 10:00 local', async () => {
    const t = app();
    const a = await brazeAccount(t);
    await users(t, a.apiKey, [
      { external_id: 'paris', phone: '+33612345601', time_zone: 'Europe/Paris' },
      { external_id: 'ny', phone: '+33612345602', time_zone: 'America/New_York' },
      { external_id: 'tokyo', phone: '+33612345603', time_zone: 'Asia/Tokyo' },
      { external_id: 'nozone', phone: '+33612345604' },
    ]);
    const at = async (schedule: Record<string, unknown>) => {
      const r = await create(t, a.apiKey, { external_user_ids: ['paris', 'ny', 'tokyo', 'nozone'], schedule });
      assert.equal(r.status, 201, r.text);
      const msgs = await batch(t, a.id, r.body.schedule_id);
      const zoneOf = (m: { metadata: Record<string, unknown> | null }) => (m.metadata!.braze as { externalId: string }).externalId;
      return Object.fromEntries(msgs.map((m) => [zoneOf(m), new Date(m.sendAt).toISOString()]));
    };
    // 2026-10-25 02:30 happens twice in Paris (clocks go back at 03:00 CEST); New York is still on EDT.
    assert.deepEqual(await at({ time: '2026-10-25T02:30:00Z', in_local_time: 'true' }), {
      paris: '2026-10-25T00:30:00.000Z', ny: '2026-10-25T06:30:00.000Z', tokyo: '2026-10-24T17:30:00.000Z', nozone: '2026-10-25T00:30:00.000Z',
    });
    // 2027-03-28 02:30 does not exist in Paris (02:00 → 03:00): 03:30 CEST; New York is on EDT since 14 March.
    assert.deepEqual(await at({ time: '2027-03-28T02:30:00', in_local_time: true }), {
      paris: '2027-03-28T01:30:00.000Z', ny: '2027-03-28T06:30:00.000Z', tokyo: '2027-03-27T17:30:00.000Z', nozone: '2027-03-28T01:30:00.000Z',
    });
    assert.deepEqual(await at({ time: '2026-12-01T23:59:00', at_optimal_time: true }), {
      paris: '2026-12-01T09:00:00.000Z', ny: '2026-12-01T15:00:00.000Z', tokyo: '2026-12-01T01:00:00.000Z', nozone: '2026-12-01T09:00:00.000Z',
    });
    // 2026-06-01 09:30 local has passed in Paris (08:00Z = 10:00 CEST) and Tokyo, not in New York: only ny is scheduled.
    assert.deepEqual(await at({ time: '2026-06-01T09:30:00', in_local_time: true }), { ny: '2026-06-01T13:30:00.000Z' });
    const l = await broadcasts(t, a.apiKey, '2027-04-01');
    assert.deepEqual(l.body.scheduled_broadcasts.map((b: Record<string, string>) => [b.next_send_time, b.schedule_type]), [
      ['2026-06-01T09:30:00', 'local_time_zones'], ['2026-10-25T02:30:00', 'local_time_zones'], ['2026-12-01T10:00:00', 'intelligent_delivery'], ['2027-03-28T02:30:00', 'local_time_zones'],
    ]);
  });

  test('update moves the unclaimed messages only, re-renders and re-prices new content; header counts them', async () => {
    const t = app();
    const a = await brazeAccount(t);
    await users(t, a.apiKey, TOKYO_PARIS);
    const r = await create(t, a.apiKey, { external_user_ids: ['tokyo', 'paris'], schedule: { time: '2026-06-01T20:00:00', in_local_time: true } });
    t.clock.set(AT('2026-06-01T11:00:00Z'));
    await t.dispatcher.drain();
    const before = await batch(t, a.id, r.body.schedule_id);
    const sent = before.find((m) => m.status !== 'scheduled')!;
    assert.equal(sent.sendAt, AT('2026-06-01T11:00:00Z'));
    const u = await bz(t, 'POST', '/messages/schedule/update', {
      key: a.apiKey, body: { schedule_id: r.body.schedule_id, schedule: { time: '2026-06-03T09:00:00', in_local_time: true }, messages: { sms: { ...SMS, body: `{{\${first_name}}}: ${'ж'.repeat(80)}` } } },
    });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.text, '{"message":"success"}');
    assert.equal(u.headers.get('x-relais-cancelled-recipients'), '1');
    const after = await batch(t, a.id, r.body.schedule_id);
    const moved = after.find((m) => m.id !== sent.id)!;
    assert.equal(moved.sendAt, AT('2026-06-03T07:00:00Z'));
    assert.equal((moved.content as { text: string }).text, `Ada: ${'ж'.repeat(80)}`);
    assert.equal(moved.units, 2);
    assert.deepEqual(after.find((m) => m.id === sent.id), before.find((m) => m.id === sent.id));
    assert.equal(await balance(t, a.id), START - 45 - 90);
    assertFault(await bz(t, 'POST', '/messages/schedule/update', { key: a.apiKey, body: { schedule_id: r.body.schedule_id } }), 400, 'Bad Request', ['give schedule, messages or both']);
    assertFault(await bz(t, 'POST', '/messages/schedule/update', { key: a.apiKey, body: { schedule_id: 'nope', schedule: { time: TOMORROW } } }), 400, 'Invalid schedule ID', []);
  });

  test('messages/send: 201 with dispatch_id (and send_id); the rendered text reaches the outbox', async () => {
    const t = app();
    const a = await brazeAccount(t);
    await users(t, a.apiKey, [{ external_id: 'ada', first_name: 'Ada', phone: '+33612345678', email: 'ada@example.com' }]);
    const r = await bz(t, 'POST', '/messages/send', { key: a.apiKey, body: { external_user_ids: 'ada', send_id: 's1', messages: { sms: SMS, email: { ...EMAIL, preheader: 'Soon' } } } });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(Object.keys(r.body), ['dispatch_id', 'send_id', 'message']);
    assert.equal(r.body.send_id, 's1');
    await t.dispatcher.drain();
    const out = (await t.store.autocommit.listOutbox({ accountId: a.id, limit: 10 })).map((e) => [e.channel, e.address, e.rendered.text ?? e.rendered.subject]);
    assert.deepEqual(out.sort(), [['email', 'ada@example.com', 'Hello Ada'], ['sms', '+33612345678', 'Hi Ada']]);
    assert.equal(await balance(t, a.id), START - 45 - 2);
  });
});

dialectApp('Braze: campaign and canvas trigger endpoints', ({ app }) => {
  const native = (t: TestApp, key: string, path: string, body: unknown) => t.request('POST', `/api/v1${path}`, { key, body });

  test('campaigns: schedule create with trigger_properties (a recipient\'s own win), listed with the name and tags; update; delete under another campaign is invalid', async () => {
    const t = app();
    const a = await brazeAccount(t);
    await users(t, a.apiKey, [{ external_id: 'ada', first_name: 'Ada', phone: '+33612345678' }, { external_id: 'bob', phone: '+33612345679' }]);
    const c = await native(t, a.apiKey, '/campaigns', { name: 'Promo', tags: ['p'], messages: { sms: { body: '{{${first_name} | default: "you"}}: {{api_trigger_properties.${code}}}' } } });
    assert.equal(c.status, 201, c.text);
    const body = { campaign_id: c.body.id, trigger_properties: { code: 'A1' }, recipients: [{ external_user_id: 'ada' }, { external_user_id: 'bob', trigger_properties: { code: 'B2' } }], schedule: { time: TOMORROW } };
    const r = await bz(t, 'POST', '/campaigns/trigger/schedule/create', { key: a.apiKey, body });
    assert.equal(r.status, 201, r.text);
    const texts = (await batch(t, a.id, r.body.schedule_id)).map((m) => (m.content as { text: string }).text).sort();
    assert.deepEqual(texts, ['Ada: A1', 'you: B2']);
    assert.deepEqual((await broadcasts(t, a.apiKey)).body.scheduled_broadcasts, [
      { name: 'Promo', id: c.body.id, type: 'Campaign', tags: ['p'], next_send_time: '2026-06-02T10:00:00+02:00', schedule_type: 'Europe/Paris' },
    ]);
    const u = await bz(t, 'POST', '/campaigns/trigger/schedule/update', { key: a.apiKey, body: { campaign_id: c.body.id, schedule_id: r.body.schedule_id, schedule: { time: '2026-06-04T08:00:00Z' } } });
    assert.equal(u.headers.get('x-relais-cancelled-recipients'), '2');
    assert.deepEqual((await batch(t, a.id, r.body.schedule_id)).map((m) => m.sendAt), [AT('2026-06-04T08:00:00Z'), AT('2026-06-04T08:00:00Z')]);
    assertFault(await bz(t, 'POST', '/campaigns/trigger/schedule/delete', { key: a.apiKey, body: { campaign_id: 'other', schedule_id: r.body.schedule_id } }), 400, 'Invalid schedule ID', []);
    assertFault(await bz(t, 'POST', '/messages/schedule/delete', { key: a.apiKey, body: { schedule_id: r.body.schedule_id } }), 400, 'Invalid schedule ID', []);
    assertFault(await bz(t, 'POST', '/campaigns/trigger/schedule/create', { key: a.apiKey, body: { ...body, campaign_id: '00000000-0000-4000-8000-000000000000' } }), 400, 'Invalid Campaign ID', []);
    const d = await bz(t, 'POST', '/campaigns/trigger/schedule/delete', { key: a.apiKey, body: { campaign_id: c.body.id, schedule_id: r.body.schedule_id } });
    assert.equal(d.headers.get('x-relais-cancelled-recipients'), '2');
    assert.equal(await balance(t, a.id), START);
  });

  test('canvases: canvas_entry_properties; Invalid Canvas ID; campaigns/trigger/send renders into the outbox', async () => {
    const t = app();
    const a = await brazeAccount(t);
    await users(t, a.apiKey, [{ external_id: 'ada', first_name: 'Ada', email: 'ada@example.com' }]);
    const cv = await native(t, a.apiKey, '/canvases', { name: 'Flow', messages: { email: { subject: 'For {{${first_name}}}', body: '<b>{{canvas_entry_properties.${step}}}</b>', from: 'a@example.com' } } });
    assert.equal(cv.status, 201, cv.text);
    const r = await bz(t, 'POST', '/canvas/trigger/schedule/create', { key: a.apiKey, body: { canvas_id: cv.body.id, canvas_entry_properties: { step: 'one' }, recipients: { external_user_id: 'ada' }, schedule: { time: TOMORROW } } });
    assert.equal(r.status, 201, r.text);
    const [m] = await batch(t, a.id, r.body.schedule_id);
    assert.deepEqual([(m!.content as { subject: string }).subject, (m!.content as { html: string }).html], ['For Ada', '<b>one</b>']);
    assertFault(await bz(t, 'POST', '/canvas/trigger/schedule/create', { key: a.apiKey, body: { canvas_id: 'nope', recipients: [{ external_user_id: 'ada' }], schedule: { time: TOMORROW } } }), 400, 'Invalid Canvas ID', []);
    const c = await native(t, a.apiKey, '/campaigns', { name: 'Now', messages: { email: { subject: 'Hey {{${first_name}}}', body: '<p>x</p>', from: 'a@example.com' } } });
    const s = await bz(t, 'POST', '/campaigns/trigger/send', { key: a.apiKey, body: { campaign_id: c.body.id, recipients: [{ external_user_id: 'ada' }] } });
    assert.equal(s.status, 201, s.text);
    assert.deepEqual(Object.keys(s.body), ['dispatch_id', 'message']);
    await t.dispatcher.drain();
    const out = await t.store.autocommit.listOutbox({ accountId: a.id, limit: 10 });
    assert.deepEqual(out.map((e) => e.rendered.subject), ['Hey Ada']);
  });
});
