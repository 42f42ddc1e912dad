import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { composeCore } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { createCampaign, deleteCampaign, findCampaign, getCampaign, listCampaigns, updateCampaign } from '../../src/core/campaigns.js';
import type { Core } from '../../src/core/context.js';
import { RelaisError } from '../../src/core/errors.js';
import type { CampaignMessages } from '../../src/core/types.js';
import { FakeClock } from '../helpers/clock.js';
import { dialectSuite } from '../helpers/store.js';

const SMS: CampaignMessages = { sms: { body: 'Hi {{${first_name} | default: \'there\'}}', sender: 'ACME' } };
const EMAIL: CampaignMessages = { email: { subject: 'Hello {{${first_name}}}', body: '<p>{{api_trigger_properties.${code}}}</p>', from: 'Shop <SHOP@Example.com>' } };

async function refused(run: () => Promise<unknown>, code: string, field: string, detail?: RegExp): Promise<void> {
  await assert.rejects(run, (err: unknown) => {
    assert.ok(err instanceof RelaisError, String(err));
    assert.equal(err.code, code, err.message);
    assert.equal(err.details.field, field);
    if (detail) assert.match(err.message, detail);
    return true;
  });
}

dialectSuite('core: Braze campaigns and canvases', ({ getStore }) => {
  let core: Core;
  let clock: FakeClock;
  const account = async (name: string) => (await core.store.autocommit.createAccount({ name, parentId: null, currency: 'EUR', createdAt: clock.now() })).id;

  before(() => {
    clock = new FakeClock();
    core = composeCore(loadConfig({ RELAIS_DATABASE_URL: 'sqlite::memory:' }, { dotenv: false }), getStore(), { clock });
  });

  test('create stores a UUID v4, the name trimmed, tags deduplicated, the domain of the From lower-cased', async () => {
    const a = await account('a');
    const c = await createCampaign(core, a, 'campaign', { name: '  Spring sale ', tags: ['promo', ' promo', 'q2'], messages: { ...SMS, ...EMAIL } });
    assert.match(c.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(c, {
      id: c.id, seq: c.seq, revision: 0, accountId: a, kind: 'campaign', name: 'Spring sale', tags: ['promo', 'q2'],
      messages: { sms: SMS.sms, email: { ...EMAIL.email!, from: 'Shop <SHOP@example.com>' } }, createdAt: clock.now(), updatedAt: clock.now(),
    });
    assert.deepEqual(await getCampaign(core, a, 'campaign', c.id.toUpperCase()), c);
  });

  test('another account, the other kind or a non-UUID id is not found', async () => {
    const [a, b] = [await account('a'), await account('b')];
    const c = await createCampaign(core, a, 'canvas', { name: 'Onboarding', messages: SMS });
    assert.equal(await findCampaign(core, b, 'canvas', c.id), undefined);
    assert.equal(await findCampaign(core, a, 'campaign', c.id), undefined);
    assert.equal(await findCampaign(core, a, 'canvas', 'not-a-uuid'), undefined);
    await refused(() => getCampaign(core, b, 'canvas', c.id), 'not_found', undefined as never);
    await refused(() => updateCampaign(core, b, 'canvas', c.id, { name: 'stolen' }), 'not_found', undefined as never);
    await refused(() => deleteCampaign(core, b, 'canvas', c.id), 'not_found', undefined as never);
    assert.equal((await getCampaign(core, a, 'canvas', c.id)).name, 'Onboarding');
  });

  test('lists are newest first, a page at a time, per kind', async () => {
    const a = await account('a');
    const made = [];
    for (const name of ['one', 'two', 'three']) {
      made.push(await createCampaign(core, a, 'campaign', { name, messages: SMS }));
      clock.advance(1000);
    }
    await createCampaign(core, a, 'canvas', { name: 'canvas', messages: SMS });
    const first = await listCampaigns(core, a, 'campaign', { limit: 2 });
    assert.deepEqual(first.items.map((c) => c.name), ['three', 'two']);
    assert.ok(first.nextCursor);
    const second = await listCampaigns(core, a, 'campaign', { limit: 2, cursor: first.nextCursor });
    assert.deepEqual(second, { items: [made[0]], nextCursor: null });
    assert.deepEqual((await listCampaigns(core, a, 'canvas', { limit: 10 })).items.map((c) => c.name), ['canvas']);
    await refused(() => listCampaigns(core, a, 'campaign', { limit: 2, cursor: 'bogus' }), 'invalid_request', 'cursor');
  });

  test('update: fields given replace, a channel given replaces that channel, null removes it, the last one stays', async () => {
    const a = await account('a');
    const c = await createCampaign(core, a, 'campaign', { name: 'x', tags: ['t'], messages: SMS });
    clock.advance(5000);
    const withEmail = await updateCampaign(core, a, 'campaign', c.id, { messages: EMAIL });
    assert.deepEqual(withEmail.messages, { sms: SMS.sms, email: { ...EMAIL.email!, from: 'Shop <SHOP@example.com>' } });
    assert.deepEqual([withEmail.name, withEmail.tags, withEmail.revision, withEmail.createdAt, withEmail.updatedAt], ['x', ['t'], 1, c.createdAt, clock.now()]);
    const smsGone = await updateCampaign(core, a, 'campaign', c.id, { name: 'renamed', tags: [], messages: { sms: null } });
    assert.deepEqual([smsGone.name, smsGone.tags, Object.keys(smsGone.messages)], ['renamed', [], ['email']]);
    await refused(() => updateCampaign(core, a, 'campaign', c.id, { messages: { email: null } }), 'invalid_request', 'messages', /at least one channel/);
    await refused(() => updateCampaign(core, a, 'campaign', c.id, { messages: { sms: { body: '{% if %}' } } }), 'invalid_request', 'messages.sms.body');
    assert.deepEqual(await getCampaign(core, a, 'campaign', c.id), smsGone, 'refused updates wrote nothing');
  });

  test('concurrent updates of different channels both apply: each is computed from the revision it replaces', async () => {
    const a = await account('a');
    const c = await createCampaign(core, a, 'campaign', { name: 'x', messages: SMS });
    await Promise.all([
      updateCampaign(core, a, 'campaign', c.id, { messages: EMAIL }),
      updateCampaign(core, a, 'campaign', c.id, { messages: { sms: { body: 'new' } } }),
      updateCampaign(core, a, 'campaign', c.id, { tags: ['late'] }),
    ]);
    const final = await getCampaign(core, a, 'campaign', c.id);
    assert.deepEqual([final.revision, final.tags, final.messages.sms, final.messages.email?.subject], [3, ['late'], { body: 'new' }, 'Hello {{${first_name}}}']);
    // A stale revision matches nothing at the store.
    assert.equal(await core.store.autocommit.updateCampaign({ ...final, revision: 2, name: 'stale' }), undefined);
  });

  test('delete removes it once', async () => {
    const a = await account('a');
    const c = await createCampaign(core, a, 'canvas', { name: 'x', messages: SMS });
    await deleteCampaign(core, a, 'canvas', c.id);
    assert.equal(await findCampaign(core, a, 'canvas', c.id), undefined);
    await refused(() => deleteCampaign(core, a, 'canvas', c.id), 'not_found', undefined as never);
    await refused(() => deleteCampaign(core, a, 'canvas', 'nope'), 'not_found', undefined as never);
  });

  test('bad fields are refused naming the field, and nothing is stored', async () => {
    const a = await account('a');
    const cases: [Parameters<typeof createCampaign>[3], string, string, RegExp][] = [
      [{ name: ' ', messages: SMS }, 'invalid_request', 'name', /must not be empty/],
      [{ name: 'x'.repeat(201), messages: SMS }, 'invalid_request', 'name', /at most 200/],
      [{ name: 'a\nb', messages: SMS }, 'invalid_request', 'name', /one line/],
      [{ name: 'x', tags: Array.from({ length: 51 }, (_, i) => `t${i}`), messages: SMS }, 'invalid_request', 'tags', /at most 50/],
      [{ name: 'x', tags: [''], messages: SMS }, 'invalid_request', 'tags', /must not be empty/],
      [{ name: 'x', messages: {} }, 'invalid_request', 'messages', /at least one channel/],
      [{ name: 'x', messages: { sms: { body: '' } } }, 'invalid_request', 'messages.sms.body', /must not be empty/],
      [{ name: 'x', messages: { sms: { body: 'x'.repeat(1601) } } }, 'invalid_request', 'messages.sms.body', /at most 1600/],
      [{ name: 'x', messages: { sms: { body: '{{ ${first_name} | nope }}' } } }, 'invalid_request', 'messages.sms.body', /undefined filter: nope/],
      [{ name: 'x', messages: { sms: { body: 'x', sender: 'TOO LONG SENDER' } } }, 'invalid_sender', 'messages.sms.sender', /1-11 letters/],
      [{ name: 'x', messages: { email: { subject: '{{', body: 'b' } } }, 'invalid_request', 'messages.email.subject', /does not parse/],
      [{ name: 'x', messages: { email: { subject: 'a\r\nBcc: x@example.com', body: 'b' } } }, 'invalid_request', 'messages.email.subject', /one line/],
      [{ name: 'x', messages: { email: { subject: 's'.repeat(999), body: 'b' } } }, 'invalid_request', 'messages.email.subject', /at most 998/],
      [{ name: 'x', messages: { email: { subject: 's', body: '{% include "a" %}' } } }, 'invalid_request', 'messages.email.body', /include tag is not supported/],
      [{ name: 'x', messages: { email: { subject: 's', body: 'b', plaintext_body: '{% for %}' } } }, 'invalid_request', 'messages.email.plaintext_body', /does not parse/],
      [{ name: 'x', messages: { email: { subject: 's', body: 'b', from: 'not an address' } } }, 'invalid_request', 'messages.email.from', /e-mail address/],
      [{ name: 'x', messages: { email: { subject: 's', body: 'b', reply_to: 'A\nB <a@example.com>' } } }, 'invalid_request', 'messages.email.reply_to', /display name/],
    ];
    for (const [input, code, field, detail] of cases) await refused(() => createCampaign(core, a, 'campaign', input), code, field, detail);
    assert.deepEqual(await listCampaigns(core, a, 'campaign', { limit: 10 }), { items: [], nextCursor: null });
  });
});
