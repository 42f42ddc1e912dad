import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Braze } from 'braze-api';
import { dialectApp, type TestApp } from '../../../helpers/app.js';
import { BZ, balance, batch, brazeAccount } from './support.js';

/**
 * The published `braze-api` client, unchanged, against a Relais server: what it sends (its
 * paths, Bearer header, JSON on a GET) and what it parses (JSON bodies; `ResponseError` with the
 * status for anything not 2xx) must work as they do against Braze.
 */

const SMS = { app_id: 'app', subscription_group_id: 'sg', body: 'Hi {{${first_name}}}' };
const EMAIL = { app_id: 'app', from: 'Relais <noreply@example.com>', subject: 'Hello {{${first_name}}}', body: '<p>Hello</p>' };
/** The test clock's day is 2026-06-01 08:00Z; these are later. */
const TOMORROW = '2026-06-02T08:00:00Z';
const LATER = '2026-06-05T08:00:00Z';
/** 10.000 credits, as brazeAccount creates them; SMS 45 per segment, e-mail 2. */
const START = 10_000;

const outbox = async (t: TestApp, accountId: number) =>
  (await t.store.autocommit.listOutbox({ accountId, limit: 10 })).map((e) => [e.channel, e.address, e.rendered.text ?? e.rendered.subject]).sort();

/** The client's rejection for a non-2xx answer: its status, message and errors as it parsed them. */
async function refusal(call: Promise<unknown>): Promise<{ status: number; message: string; errors: unknown }> {
  const e = await call.then(() => assert.fail('the call succeeded'), (err: unknown) => err as { status: number; message: string; errors: unknown });
  return { status: e.status, message: e.message, errors: e.errors };
}

/** A client for a new account with two users: Ada (sms and e-mail, in Paris) and Bob (sms, in New York). */
async function setup(t: TestApp) {
  const a = await brazeAccount(t);
  const braze = new Braze(`${t.url}${BZ}`, a.apiKey);
  const tracked = await braze.users.track({
    attributes: [
      { external_id: 'ada', email: 'ada@example.com', phone: '+33612345678', time_zone: 'Europe/Paris', first_name: 'Ada' },
      { external_id: 'bob', phone: '+33612345679', time_zone: 'America/New_York', first_name: 'Bob' },
    ],
  });
  assert.deepEqual(tracked, { message: 'success', attributes_processed: 2 });
  return { ...a, braze };
}

dialectApp('Braze: the braze-api npm client against Relais', ({ app }) => {
  test('users.track (bulk header too), messages.schedule.create/update/delete and scheduled_broadcasts: moved, cancelled and refunded', async () => {
    const t = app();
    const { id, braze } = await setup(t);
    assert.deepEqual(await braze.users.track({ attributes: [{ external_id: 'bob', first_name: 'Robert' }] }, true), { message: 'success', attributes_processed: 1 });

    const created = await braze.messages.schedule.create({ external_user_ids: ['ada', 'bob'], messages: { sms: SMS, email: EMAIL }, schedule: { time: TOMORROW } });
    assert.deepEqual(Object.keys(created), ['dispatch_id', 'schedule_id', 'message']);
    assert.equal(created.message, 'success');
    const scheduleId = created.schedule_id;
    const msgs = await batch(t, id, scheduleId);
    assert.deepEqual(msgs.map((m) => `${m.channel}:${m.status}:${new Date(m.sendAt).toISOString()}`).sort(), [
      'email:scheduled:2026-06-02T08:00:00.000Z', 'sms:scheduled:2026-06-02T08:00:00.000Z', 'sms:scheduled:2026-06-02T08:00:00.000Z',
    ]);
    assert.deepEqual(msgs.filter((m) => m.channel === 'sms').map((m) => (m.content as { text: string }).text).sort(), ['Hi Ada', 'Hi Robert']);
    assert.equal(await balance(t, id), START - 2 * 45 - 2);

    const listed = await braze.messages.scheduled_broadcasts({ end_time: '2026-06-10T00:00:00Z' });
    assert.deepEqual(listed, {
      scheduled_broadcasts: [{ name: '', id: scheduleId, type: 'Campaign', tags: [], next_send_time: '2026-06-02T10:00:00+02:00', schedule_type: 'Europe/Paris' }],
    });

    // in_local_time: each user at 09:00 in their own zone.
    assert.deepEqual(await braze.messages.schedule.update({ schedule_id: scheduleId, schedule: { time: '2026-06-05T09:00:00', in_local_time: true } }), { message: 'success' });
    const moved = await batch(t, id, scheduleId);
    const at = (m: (typeof moved)[number]) => `${(m.metadata!.braze as { externalId: string }).externalId}:${m.channel}:${new Date(m.sendAt).toISOString()}`;
    assert.deepEqual(moved.map(at).sort(), ['ada:email:2026-06-05T07:00:00.000Z', 'ada:sms:2026-06-05T07:00:00.000Z', 'bob:sms:2026-06-05T13:00:00.000Z']);
    assert.equal(await balance(t, id), START - 2 * 45 - 2);

    assert.deepEqual(await braze.messages.schedule.delete({ schedule_id: scheduleId }), { message: 'success' });
    assert.deepEqual((await batch(t, id, scheduleId)).map((m) => m.status), ['cancelled', 'cancelled', 'cancelled']);
    assert.equal(await balance(t, id), START);
    assert.deepEqual(await braze.messages.scheduled_broadcasts({ end_time: '2026-06-10T00:00:00Z' }), { scheduled_broadcasts: [] });
  });

  test('the client sees Relais refusals as Braze ones: ResponseError with status, message and errors; nothing written', async () => {
    const t = app();
    const { id, braze } = await setup(t);
    assert.deepEqual(await refusal(braze.messages.schedule.delete({ schedule_id: '00000000-0000-4000-8000-000000000000' })),
      { status: 400, message: 'Invalid schedule ID', errors: [] });
    assert.deepEqual(await refusal(braze.messages.schedule.create({ external_user_ids: ['ada'], messages: { sms: SMS }, schedule: { time: 'next tuesday' } })),
      { status: 400, message: 'Bad Request', errors: ['schedule.time "next tuesday" is not an ISO 8601 date and time'] });
    const stranger = await refusal(new Braze(`${t.url}${BZ}`, 'not-a-key').messages.send({ external_user_ids: ['ada'], messages: { sms: SMS } }));
    assert.deepEqual(stranger, { status: 401, message: 'Unauthorized', errors: ['invalid API key'] });
    const trackOnly = await brazeAccount(t, ['users.track']);
    assert.deepEqual(await refusal(new Braze(`${t.url}${BZ}`, trackOnly.apiKey).messages.scheduled_broadcasts({ end_time: LATER })),
      { status: 403, message: 'Access Denied', errors: ['this API key lacks the "messages.schedule_broadcasts" scope'] });
    assert.deepEqual(await t.store.autocommit.listMessages({ accountId: id }, { limit: 10 }), []);
    assert.equal(await balance(t, id), START);
  });

  test('a native campaign: campaigns.trigger.schedule.create/update/delete and campaigns.trigger.send; messages.send reaches the outbox', async () => {
    const t = app();
    const { id, apiKey, braze } = await setup(t);
    const c = await t.request('POST', '/api/v1/campaigns', { key: apiKey, body: { name: 'Promo', tags: ['p'], messages: { sms: { body: '{{${first_name}}}: {{api_trigger_properties.${code}}}' } } } });
    assert.equal(c.status, 201, c.text);
    const campaignId = c.body.id as string;

    const created = await braze.campaigns.trigger.schedule.create({
      campaign_id: campaignId, trigger_properties: { code: 'A1' }, schedule: { time: TOMORROW },
      recipients: [{ external_user_id: 'ada' }, { external_user_id: 'bob', trigger_properties: { code: 'B2' } }],
    });
    assert.deepEqual(Object.keys(created), ['dispatch_id', 'schedule_id', 'message']);
    assert.deepEqual((await batch(t, id, created.schedule_id)).map((m) => (m.content as { text: string }).text).sort(), ['Ada: A1', 'Bob: B2']);
    assert.deepEqual((await braze.messages.scheduled_broadcasts({ end_time: LATER })).scheduled_broadcasts.map((b) => [b.name, b.id, b.tags]), [['Promo', campaignId, ['p']]]);
    assert.equal(await balance(t, id), START - 2 * 45);

    assert.deepEqual(await braze.campaigns.trigger.schedule.update({ campaign_id: campaignId, schedule_id: created.schedule_id, schedule: { time: LATER } }), { message: 'success' });
    assert.deepEqual((await batch(t, id, created.schedule_id)).map((m) => new Date(m.sendAt).toISOString()), Array(2).fill(new Date(LATER).toISOString()));
    assert.deepEqual(await braze.campaigns.trigger.schedule.delete({ campaign_id: campaignId, schedule_id: created.schedule_id }), { message: 'success' });
    assert.deepEqual((await batch(t, id, created.schedule_id)).map((m) => m.status), ['cancelled', 'cancelled']);
    assert.equal(await balance(t, id), START);

    const sent = await braze.campaigns.trigger.send({ campaign_id: campaignId, trigger_properties: { code: 'NOW' }, recipients: [{ external_user_id: 'bob' }] });
    assert.deepEqual(Object.keys(sent), ['dispatch_id', 'message']);
    const direct = await braze.messages.send({ external_user_ids: ['ada'], send_id: 's1', messages: { email: EMAIL } });
    assert.deepEqual(Object.keys(direct), ['dispatch_id', 'send_id', 'message']);
    assert.equal((direct as { send_id?: string }).send_id, 's1');
    await t.dispatcher.drain();
    assert.deepEqual(await outbox(t, id), [['email', 'ada@example.com', 'Hello Ada'], ['sms', '+33612345679', 'Bob: NOW']]);
    assert.equal(await balance(t, id), START - 45 - 2);
  });
});
