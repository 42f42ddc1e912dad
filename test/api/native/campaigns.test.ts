import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp, type TestApp } from '../../helpers/app.js';
import { ADMIN, assertProblem, assertStatus, iso, SEC } from './support.js';

const SMS = { body: "Hi {{${first_name} | default: 'there'}}, use {{api_trigger_properties.${code}}}", sender: 'ACME' };
const EMAIL = { subject: 'Hello {{${first_name}}}', body: '<p>{{custom_attribute.${plan}}}</p>', plaintext_body: 'Plan: {{custom_attribute.${plan}}}', from: 'Shop <shop@example.com>', reply_to: 'help@example.com' };

async function create(t: TestApp, key: string, path: string, body: Record<string, unknown>): Promise<any> {
  const res = await t.request('POST', `/api/v1/${path}`, { key, body });
  assertStatus(res, 201);
  return res.body;
}

async function keyWith(t: TestApp, accountId: number, scopes: string[]): Promise<string> {
  const res = await t.request('POST', `/admin/v1/accounts/${accountId}/keys`, { body: { scopes }, headers: ADMIN });
  assertStatus(res, 201);
  return res.body.apiKey;
}

dialectApp('native API: Braze campaigns and canvases', ({ app }) => {
  test('POST /campaigns: 201, Location, the campaign as stored; GET answers it again', async () => {
    const t = app();
    const { apiKey } = await t.account();
    const now = t.clock.now();
    const res = await t.request('POST', '/api/v1/campaigns', { key: apiKey, body: { name: ' Spring ', tags: ['promo', 'promo'], messages: { sms: SMS, email: EMAIL } } });
    assertStatus(res, 201);
    const id = res.body.id;
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(res.headers.get('location'), `/api/v1/campaigns/${id}`);
    assert.deepEqual(res.body, { id, name: 'Spring', tags: ['promo'], messages: { sms: SMS, email: EMAIL }, createdAt: iso(now), updatedAt: iso(now) });
    const got = await t.request('GET', `/api/v1/campaigns/${id}`, { key: apiKey });
    assertStatus(got, 200);
    assert.deepEqual(got.body, res.body);
  });

  test('GET /canvases lists newest first, a page at a time; campaigns and canvases are apart', async () => {
    const t = app();
    const { apiKey } = await t.account();
    const made = [];
    for (const name of ['first', 'second', 'third']) {
      made.push(await create(t, apiKey, 'canvases', { name, messages: { sms: { body: name } } }));
      t.clock.advance(SEC);
    }
    await create(t, apiKey, 'campaigns', { name: 'a campaign', messages: { sms: { body: 'x' } } });
    const page1 = await t.request('GET', '/api/v1/canvases?limit=2', { key: apiKey });
    assertStatus(page1, 200);
    assert.deepEqual(page1.body.items, [made[2], made[1]]);
    const page2 = await t.request('GET', `/api/v1/canvases?limit=2&cursor=${page1.body.nextCursor}`, { key: apiKey });
    assert.deepEqual(page2.body, { items: [made[0]], nextCursor: null });
    assert.equal((await t.request('GET', `/api/v1/campaigns/${made[0].id}`, { key: apiKey })).status, 404, 'a canvas is no campaign');
    assertProblem(await t.request('GET', '/api/v1/canvases?cursor=nope', { key: apiKey }), 400, 'invalid_request');
  });

  test('PATCH replaces the fields given; null removes a channel; the last channel stays', async () => {
    const t = app();
    const { apiKey } = await t.account();
    const c = await create(t, apiKey, 'campaigns', { name: 'x', messages: { sms: SMS } });
    t.clock.advance(SEC);
    const res = await t.request('PATCH', `/api/v1/campaigns/${c.id}`, { key: apiKey, body: { name: 'y', tags: ['t'], messages: { email: EMAIL, sms: null } } });
    assertStatus(res, 200);
    assert.deepEqual(res.body, { ...c, name: 'y', tags: ['t'], messages: { email: EMAIL }, updatedAt: iso(t.clock.now()) });
    const last = await t.request('PATCH', `/api/v1/campaigns/${c.id}`, { key: apiKey, body: { messages: { email: null } } });
    assertProblem(last, 400, 'invalid_request', /at least one channel/);
    assert.equal(last.body.field, 'messages');
    assertProblem(await t.request('PATCH', `/api/v1/campaigns/${c.id}`, { key: apiKey, body: {} }), 400, 'invalid_request');
    assert.deepEqual((await t.request('GET', `/api/v1/campaigns/${c.id}`, { key: apiKey })).body, res.body);
  });

  test('DELETE: 204 and no body, then 404', async () => {
    const t = app();
    const { apiKey } = await t.account();
    const c = await create(t, apiKey, 'canvases', { name: 'x', messages: { sms: SMS } });
    const res = await t.request('DELETE', `/api/v1/canvases/${c.id}`, { key: apiKey });
    assertStatus(res, 204);
    assert.equal(res.text, '');
    assertProblem(await t.request('GET', `/api/v1/canvases/${c.id}`, { key: apiKey }), 404, 'not_found');
    assertProblem(await t.request('DELETE', `/api/v1/canvases/${c.id}`, { key: apiKey }), 404, 'not_found');
  });

  test('another account\'s id is 404 on every route and stays as it was', async () => {
    const t = app();
    const owner = await t.account();
    const other = await t.account();
    const c = await create(t, owner.apiKey, 'campaigns', { name: 'mine', messages: { sms: SMS } });
    assertProblem(await t.request('GET', `/api/v1/campaigns/${c.id}`, { key: other.apiKey }), 404, 'not_found', new RegExp(`campaign ${c.id} does not exist`));
    assertProblem(await t.request('PATCH', `/api/v1/campaigns/${c.id}`, { key: other.apiKey, body: { name: 'stolen' } }), 404, 'not_found');
    assertProblem(await t.request('DELETE', `/api/v1/campaigns/${c.id}`, { key: other.apiKey }), 404, 'not_found');
    assertProblem(await t.request('GET', '/api/v1/campaigns/not-a-uuid', { key: other.apiKey }), 404, 'not_found');
    assert.deepEqual((await t.request('GET', '/api/v1/campaigns', { key: other.apiKey })).body, { items: [], nextCursor: null });
    assert.deepEqual((await t.request('GET', `/api/v1/campaigns/${c.id}`, { key: owner.apiKey })).body, c);
  });

  test('a template that does not parse, or reads a file, is 400 naming the field; nothing is stored', async () => {
    const t = app();
    const { apiKey } = await t.account();
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ sms: { body: 'Hi {{${first_name}' } }, 'messages.sms.body', /^messages\.sms\.body: the template does not parse/],
      [{ sms: { body: '{{ ${first_name} | shout }}' } }, 'messages.sms.body', /undefined filter: shout/],
      [{ email: { subject: 's', body: '{% include "/etc/passwd" %}' } }, 'messages.email.body', /the include tag is not supported/],
      [{ email: { subject: '{% if %}', body: 'b' } }, 'messages.email.subject', /does not parse/],
    ];
    for (const [messages, field, detail] of cases) {
      const res = await t.request('POST', '/api/v1/campaigns', { key: apiKey, body: { name: 'x', messages } });
      assertProblem(res, 400, 'invalid_request', detail);
      assert.equal(res.body.field, field);
    }
    const sender = await t.request('POST', '/api/v1/campaigns', { key: apiKey, body: { name: 'x', messages: { sms: { body: 'x', sender: 'far too long a sender' } } } });
    assertProblem(sender, 400, 'invalid_sender');
    assert.equal(sender.body.field, 'messages.sms.sender');
    const from = await t.request('POST', '/api/v1/canvases', { key: apiKey, body: { name: 'x', messages: { email: { subject: 's', body: 'b', from: 'nobody' } } } });
    assertProblem(from, 400, 'invalid_request');
    assert.equal(from.body.field, 'messages.email.from');
    const stray = await t.request('POST', '/api/v1/campaigns', { key: apiKey, body: { name: 'x', messages: { sms: { body: 'x', text: 'y' } } } });
    assertProblem(stray, 400, 'invalid_request', /is not a known field/);
    const long = await t.request('POST', '/api/v1/campaigns', { key: apiKey, body: { name: 'x', messages: { sms: { body: 'x'.repeat(1601) } } } });
    assertProblem(long, 400, 'invalid_request');
    assert.equal(long.body.field, 'messages.sms.body');
    assertProblem(await t.request('POST', '/api/v1/campaigns', { key: apiKey, body: { name: 'x', messages: {} } }), 400, 'invalid_request', /at least one channel/);
    assert.deepEqual((await t.request('GET', '/api/v1/campaigns', { key: apiKey })).body, { items: [], nextCursor: null });
  });

  test('scopes: campaigns:read reads, campaigns:write writes, other scopes get 403; no key is 401', async () => {
    const t = app();
    const { id, apiKey } = await t.account();
    const c = await create(t, apiKey, 'campaigns', { name: 'x', messages: { sms: SMS } });
    const reader = await keyWith(t, id, ['campaigns:read']);
    const writer = await keyWith(t, id, ['campaigns:write']);
    const messages = await keyWith(t, id, ['messages:read', 'messages:write']);
    assertStatus(await t.request('GET', `/api/v1/campaigns/${c.id}`, { key: reader }), 200);
    assertStatus(await t.request('GET', '/api/v1/canvases', { key: reader }), 200);
    assertProblem(await t.request('POST', '/api/v1/campaigns', { key: reader, body: { name: 'y', messages: { sms: SMS } } }), 403, 'forbidden');
    assertProblem(await t.request('PATCH', `/api/v1/campaigns/${c.id}`, { key: reader, body: { name: 'y' } }), 403, 'forbidden');
    assertProblem(await t.request('DELETE', `/api/v1/campaigns/${c.id}`, { key: reader }), 403, 'forbidden');
    assertProblem(await t.request('GET', '/api/v1/campaigns', { key: writer }), 403, 'forbidden');
    assertProblem(await t.request('GET', `/api/v1/campaigns/${c.id}`, { key: messages }), 403, 'forbidden');
    assertProblem(await t.request('DELETE', `/api/v1/campaigns/${c.id}`, { key: messages }), 403, 'forbidden');
    assertProblem(await t.request('GET', '/api/v1/campaigns'), 401, 'unauthorized');
    assert.deepEqual((await t.request('GET', `/api/v1/campaigns/${c.id}`, { key: apiKey })).body, c, 'the refused calls changed nothing');
    assertStatus(await t.request('PATCH', `/api/v1/campaigns/${c.id}`, { key: writer, body: { name: 'y' } }), 200);
    assertStatus(await t.request('DELETE', `/api/v1/campaigns/${c.id}`, { key: writer }), 204);
  });
});
