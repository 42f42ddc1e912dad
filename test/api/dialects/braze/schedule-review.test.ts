import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp, type TestApp } from '../../../helpers/app.js';
import { assertFault, AT, balance, batch, brazeAccount, bz, EMAIL, START, TOKYO_PARIS, users } from './support.js';

/** The findings of the Braze review (DECISIONS §36): each test fails without its fix. */

const SMS = { app_id: 'app', subscription_group_id: 'sg', body: 'Hi {{${first_name}}}' };

const create = (t: TestApp, key: string, extra: Record<string, unknown> = {}) =>
  bz(t, 'POST', '/messages/schedule/create', { key, body: { external_user_ids: ['ada', 'bob'], messages: { sms: SMS }, schedule: { time: '2026-06-02T08:00:00Z' }, ...extra } });
const update = (t: TestApp, key: string, body: Record<string, unknown>) => bz(t, 'POST', '/messages/schedule/update', { key, body });
const texts = async (t: TestApp, accountId: number, batchId: string) =>
  (await batch(t, accountId, batchId)).map((m) => `${m.status}:${(m.content as { text?: string; subject?: string }).text ?? (m.content as { subject: string }).subject}:${new Date(m.sendAt).toISOString()}`).sort();

dialectApp('Braze review: broadcasts', ({ app }) => {
  test('a broadcast to more users than RELAIS_BRAZE_MAX_BROADCAST is a 400, nothing written; at the cap it is sent', async () => {
    const t = app();
    const a = await brazeAccount(t);
    await users(t, a.apiKey, [1, 2, 3].map((i) => ({ external_id: `u${i}`, phone: `+3361234560${i}` })));
    const send = () => bz(t, 'POST', '/messages/send', { key: a.apiKey, body: { broadcast: true, messages: { sms: SMS } } });
    const ok = await send();
    assert.equal(ok.status, 201, ok.text);
    assert.equal((await batch(t, a.id, ok.body.dispatch_id)).length, 3);
    await users(t, a.apiKey, [{ external_id: 'u4', phone: '+33612345604' }]);
    assertFault(await send(), 400, 'Bad Request', ['broadcast: the account has more than 3 users, the most one broadcast reaches on this server']);
    assertFault(await create(t, a.apiKey, { external_user_ids: undefined, broadcast: true }), 400, 'Bad Request',
      ['broadcast: the account has more than 3 users, the most one broadcast reaches on this server']);
    assert.equal((await t.store.autocommit.listMessages({ accountId: a.id }, { limit: 10 })).length, 3);
    assert.equal(await balance(t, a.id), START - 3 * 45);
  });

  test("a broadcast leaves out a user whose message cannot be made, listed in the success's errors; named users get the 400", async () => {
    const t = app();
    const a = await brazeAccount(t);
    await users(t, a.apiKey, [{ external_id: 'ada', first_name: 'Ada', phone: '+33612345678', len: 0 }, { external_id: 'bob', first_name: 'Bob', phone: '+33612345679', len: 200 }]);
    const sms = { ...SMS, body: `${SMS.body}{% for i in (1..custom_attribute.\${len}) %}xxxxxxxxxx{% endfor %}` };
    const r = await bz(t, 'POST', '/messages/send', { key: a.apiKey, body: { broadcast: 'true', messages: { sms } } });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(Object.keys(r.body), ['dispatch_id', 'message', 'errors'], r.text);
    assert.equal(r.body.message, 'success');
    assert.deepEqual(r.body.errors, ['external_id bob skipped: text needs 14 SMS segments; the limit is 10']);
    assert.deepEqual((await texts(t, a.id, r.body.dispatch_id)), ['scheduled:Hi Ada:2026-06-01T08:00:00.000Z']);
    assertFault(await bz(t, 'POST', '/messages/send', { key: a.apiKey, body: { external_user_ids: ['ada', 'bob'], messages: { sms } } }), 400, 'Bad Request',
      ['text needs 14 SMS segments; the limit is 10']);
    assert.equal(await balance(t, a.id), START - 45);
  });
}, { env: { RELAIS_BRAZE_MAX_BROADCAST: '3' } });

dialectApp('Braze review: schedule updates', ({ app }) => {
  test('an update of the messages only keeps each message\'s time: no 400 when the local time has passed everywhere, nobody cancelled in mixed zones', async () => {
    const t = app();
    const a = await brazeAccount(t);
    await users(t, a.apiKey, TOKYO_PARIS);
    const r = await create(t, a.apiKey, { external_user_ids: ['tokyo', 'paris'], schedule: { time: '2026-06-01T20:00:00', in_local_time: true } });
    assert.equal(r.status, 201, r.text);
    // 20:00 has passed in Tokyo (11:00Z), not in Paris (18:00Z); nothing was claimed yet.
    t.clock.set(AT('2026-06-01T12:00:00Z'));
    const u = await update(t, a.apiKey, { schedule_id: r.body.schedule_id, messages: { sms: { ...SMS, body: 'Yo {{${first_name}}}' } } });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.headers.get('x-relais-cancelled-recipients'), '2');
    assert.deepEqual(await texts(t, a.id, r.body.schedule_id), ['scheduled:Yo Ada:2026-06-01T18:00:00.000Z', 'scheduled:Yo Ken:2026-06-01T11:00:00.000Z']);
    // Now past in both zones.
    t.clock.set(AT('2026-06-01T18:30:00Z'));
    const again = await update(t, a.apiKey, { schedule_id: r.body.schedule_id, messages: { sms: { ...SMS, body: 'Hey {{${first_name}}}' } } });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(await texts(t, a.id, r.body.schedule_id), ['scheduled:Hey Ada:2026-06-01T18:00:00.000Z', 'scheduled:Hey Ken:2026-06-01T11:00:00.000Z']);
    assert.equal(await balance(t, a.id), START - 2 * 45);
  });

  test('two concurrent updates of different channels both keep their templates', async () => {
    const t = app();
    const a = await brazeAccount(t);
    await users(t, a.apiKey, [{ external_id: 'ada', first_name: 'Ada', phone: '+33612345678', email: 'ada@example.com' }]);
    const r = await create(t, a.apiKey, { external_user_ids: ['ada'], messages: { sms: SMS, email: EMAIL } });
    for (let round = 0; round < 3; round++) {
      const [s, e] = await Promise.all([
        update(t, a.apiKey, { schedule_id: r.body.schedule_id, messages: { sms: { ...SMS, body: `sms ${round}` } } }),
        update(t, a.apiKey, { schedule_id: r.body.schedule_id, messages: { email: { ...EMAIL, subject: `mail ${round}` } } }),
      ]);
      assert.equal(s.status, 200, s.text);
      assert.equal(e.status, 200, e.text);
      const stored = (await t.store.autocommit.findBrazeSchedule(a.id, r.body.schedule_id))!.request.templates as { sms: { body: string }; email: { subject: string } };
      assert.deepEqual([stored.sms.body, stored.email.subject], [`sms ${round}`, `mail ${round}`]);
    }
    assert.deepEqual(await texts(t, a.id, r.body.schedule_id), ['scheduled:mail 2:2026-06-02T08:00:00.000Z', 'scheduled:sms 2:2026-06-02T08:00:00.000Z']);
  });

  test('an update adding a channel the schedule lacks, or moving it past the horizon, is a 400 and changes nothing; so is a create past it with nobody resolved', async () => {
    const t = app();
    const a = await brazeAccount(t);
    await users(t, a.apiKey, [{ external_id: 'ada', first_name: 'Ada', phone: '+33612345678', email: 'ada@example.com' }]);
    const r = await create(t, a.apiKey, { external_user_ids: ['ada'] });
    assertFault(await update(t, a.apiKey, { schedule_id: r.body.schedule_id, messages: { email: EMAIL } }), 400, 'Bad Request',
      ['messages.email: this schedule has no email messages, and an update cannot add a channel']);
    assertFault(await update(t, a.apiKey, { schedule_id: r.body.schedule_id, schedule: { time: '9999-12-31T00:00:00Z' } }), 400, 'Bad Request', ['schedule.time is too far in the future']);
    const stored = (await t.store.autocommit.findBrazeSchedule(a.id, r.body.schedule_id))!;
    assert.deepEqual([stored.timing.time, Object.keys(stored.request.templates as object)], ['2026-06-02T08:00:00Z', ['sms']]);
    assert.deepEqual(await texts(t, a.id, r.body.schedule_id), ['scheduled:Hi Ada:2026-06-02T08:00:00.000Z']);
    assertFault(await create(t, a.apiKey, { external_user_ids: ['nobody'], schedule: { time: '9999-12-31T00:00:00Z' } }), 400, 'Bad Request', ['schedule.time is too far in the future']);
    assert.equal(await balance(t, a.id), START - 45);
  });
});

dialectApp('Braze review: campaign ids and the listing', ({ app }) => {
  test('a campaign id given in upper case is stored canonical: listed with its name, deleted with either spelling', async () => {
    const t = app();
    const a = await brazeAccount(t);
    await users(t, a.apiKey, [{ external_id: 'ada', phone: '+33612345678' }]);
    const c = await t.request('POST', '/api/v1/campaigns', { key: a.apiKey, body: { name: 'Promo', tags: ['p'], messages: { sms: { body: 'Hi' } } } });
    assert.equal(c.status, 201, c.text);
    const upper = c.body.id.toUpperCase();
    const schedule = (campaign_id: string) => bz(t, 'POST', '/campaigns/trigger/schedule/create', { key: a.apiKey, body: { campaign_id, recipients: [{ external_user_id: 'ada' }], schedule: { time: '2026-06-02T08:00:00Z' } } });
    const r = await schedule(upper);
    assert.equal(r.status, 201, r.text);
    const l = await bz(t, 'GET', '/messages/scheduled_broadcasts?end_time=2026-06-10', { key: a.apiKey });
    assert.deepEqual(l.body.scheduled_broadcasts.map((b: Record<string, unknown>) => [b.name, b.id, b.tags]), [['Promo', c.body.id, ['p']]]);
    const d = await bz(t, 'POST', '/campaigns/trigger/schedule/delete', { key: a.apiKey, body: { campaign_id: c.body.id, schedule_id: r.body.schedule_id } });
    assert.equal(d.status, 200, d.text);
    assert.equal(d.headers.get('x-relais-cancelled-recipients'), '1');
    const r2 = await schedule(c.body.id);
    const d2 = await bz(t, 'POST', '/campaigns/trigger/schedule/delete', { key: a.apiKey, body: { campaign_id: upper, schedule_id: r2.body.schedule_id } });
    assert.equal(d2.headers.get('x-relais-cancelled-recipients'), '1');
    assert.equal(await balance(t, a.id), START);
  });

  test('the store lists only schedules with something to send in the window, with their campaign', async () => {
    const t = app();
    const a = await brazeAccount(t);
    await users(t, a.apiKey, [{ external_id: 'ada', phone: '+33612345678' }]);
    const sent = await create(t, a.apiKey, { external_user_ids: ['ada'], schedule: { time: '2026-06-01T09:00:00Z' } });
    const later = await create(t, a.apiKey, { external_user_ids: ['ada'], schedule: { time: '2026-06-20T09:00:00Z' } });
    const empty = await create(t, a.apiKey, { external_user_ids: ['nobody'], schedule: { time: '2026-06-03T09:00:00Z' } });
    const pending = await create(t, a.apiKey, { external_user_ids: ['ada'], schedule: { time: '2026-06-04T09:00:00Z' } });
    t.clock.set(AT('2026-06-01T10:00:00Z'));
    await t.dispatcher.drain();
    assert.equal((await batch(t, a.id, sent.body.schedule_id))[0]!.status !== 'scheduled', true);
    const listed = await t.store.autocommit.pendingBrazeSchedules(a.id, { from: AT('2026-06-01T10:00:00Z'), until: AT('2026-06-10T00:00:00Z') });
    assert.deepEqual(listed.sort((x, y) => x.nextSendAt - y.nextSendAt).map((p) => [p.schedule.scheduleId, new Date(p.nextSendAt).toISOString(), p.parent]), [
      [empty.body.schedule_id, '2026-06-03T09:00:00.000Z', null],
      [pending.body.schedule_id, '2026-06-04T09:00:00.000Z', null],
    ]);
    assert.ok(later.body.schedule_id);
  });
});
