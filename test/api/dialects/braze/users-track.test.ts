import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RelaisError } from '../../../../src/core/errors.js';
import { getUser, userTemplateData } from '../../../../src/core/users.js';
import { dialectApp } from '../../../helpers/app.js';
import { assertFault, brazeAccount, storedUsers, track } from './support.js';

const NOTHING_VALID = "Valid data must be provided in the 'attributes', 'events', or 'purchases' fields.";
const IDENTIFIER = "'external_id' or 'user_alias' is required";

dialectApp('Braze: POST /users/track', ({ app }) => {
  test('creates users with their standard and custom attributes; 201 with attributes_processed; the profile as Liquid reads it', async () => {
    const t = app();
    const a = await brazeAccount(t);
    const r = await track(t, a.apiKey, {
      attributes: [
        { external_id: 'u1', email: ' ada@Example.COM', phone: '06 12 34 56 78', time_zone: 'America/New_York', first_name: 'Ada', last_name: 'Lovelace', plan: 'gold', dob: '1815-12-10', visits: 3 },
        { external_id: 'u2', phone: '+1 212 555 0123' },
      ],
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.text, '{"message":"success","attributes_processed":2}');
    await assert.rejects(getUser(t.core, a.id, 'unknown'), (err: unknown) => err instanceof RelaisError && err.code === 'not_found');
    assert.deepEqual(userTemplateData(await getUser(t.core, a.id, 'u1')), {
      user: { first_name: 'Ada', last_name: 'Lovelace', email_address: 'ada@example.com', phone_number: '+33612345678', time_zone: 'America/New_York' },
      custom: { plan: 'gold', dob: '1815-12-10', visits: 3 },
    });
    assert.equal((await getUser(t.core, a.id, 'u2')).phone, '+12125550123');
  });

  test('upsert: a missing field keeps its value, null removes it, custom attributes are merged key by key', async () => {
    const t = app();
    const a = await brazeAccount(t);
    await track(t, a.apiKey, { attributes: [{ external_id: 'u', email: 'a@example.com', first_name: 'Ada', time_zone: 'Europe/Paris', plan: 'gold', seats: 2, tags: ['x'] }] });
    const created = (await storedUsers(t, a.id))[0]!;
    t.clock.advance(1000);
    const r = await track(t, a.apiKey, { attributes: [{ external_id: 'u', first_name: null, last_name: 'Byron', plan: null, seats: 3, nested: { a: { b: 1 } } }] });
    assert.deepEqual(r.body, { message: 'success', attributes_processed: 1 });
    const [u] = await storedUsers(t, a.id);
    assert.deepEqual(u, {
      ...created, firstName: null, lastName: 'Byron', custom: { seats: 3, tags: ['x'], nested: { a: { b: 1 } } }, updatedAt: created.createdAt + 1000,
    });
  });

  test('one bad object does not refuse the others: minor errors {type, input_array, index}, in order; the bad ones write nothing', async () => {
    const t = app();
    const a = await brazeAccount(t);
    const r = await track(t, a.apiKey, {
      attributes: [
        { external_id: 'ok1', first_name: 'A' },
        { first_name: 'no id' },
        { external_id: 'bad-mail', email: 'not-an-address' },
        { external_id: 'bad-phone', phone: '12' },
        { external_id: 'bad-zone', time_zone: 'Mars/Olympus' },
        { external_id: 'bad-name', first_name: 42 },
        'just a string',
        { external_id: 'deep', x: { a: { b: { c: { d: { e: { f: 1 } } } } } } },
        { external_id: 'ok2', _update_existing_only: 'false' },
      ],
    });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.body, {
      message: 'success',
      attributes_processed: 2,
      errors: [
        { type: IDENTIFIER, input_array: 'attributes', index: 1 },
        { type: "The value provided for the 'email' field is not a valid email.", input_array: 'attributes', index: 2 },
        { type: "The value provided for the 'phone' field is not a valid phone number.", input_array: 'attributes', index: 3 },
        { type: "The value provided for the 'time_zone' field is not a valid time zone.", input_array: 'attributes', index: 4 },
        { type: 'firstName must be a string or null', input_array: 'attributes', index: 5 },
        { type: IDENTIFIER, input_array: 'attributes', index: 6 },
        { type: 'custom attribute "x" is nested deeper than 5 levels', input_array: 'attributes', index: 7 },
      ],
    });
    assert.deepEqual((await storedUsers(t, a.id)).map((u) => u.externalId), ['ok1', 'ok2']);
  });

  test('nothing valid at all: fatal 400 with the minor errors, nothing written; an empty body too', async () => {
    const t = app();
    const a = await brazeAccount(t);
    const r = await track(t, a.apiKey, { attributes: [{ external_id: 'x', email: 'nope' }], events: [{ name: 'no id', time: '2026-01-01T00:00:00Z' }] });
    assertFault(r, 400, NOTHING_VALID, [
      { type: "The value provided for the 'email' field is not a valid email.", input_array: 'attributes', index: 0 },
      { type: IDENTIFIER, input_array: 'events', index: 0 },
    ]);
    assertFault(await track(t, a.apiKey, {}), 400, NOTHING_VALID, []);
    assert.deepEqual(await storedUsers(t, a.id), []);
  });

  test('coercions: one object for a list, "true"/"false" flags; at most 75 objects per array (fatal 400, nothing written)', async () => {
    const t = app();
    const a = await brazeAccount(t);
    const one = await track(t, a.apiKey, { attributes: { external_id: 'solo', first_name: 'S' } });
    assert.deepEqual(one.body, { message: 'success', attributes_processed: 1 });
    const many = Array.from({ length: 76 }, (_, i) => ({ external_id: `m${i}` }));
    assertFault(await track(t, a.apiKey, { attributes: many }), 400, 'Bad Request', ['attributes holds more than 75 objects']);
    assert.deepEqual(await track(t, a.apiKey, { attributes: many.slice(0, 75) }).then((r) => r.body), { message: 'success', attributes_processed: 75 });
    assert.equal((await storedUsers(t, a.id)).length, 76);
  });

  test('aliases: an alias-only user is created only with _update_existing_only false, then updated by its alias', async () => {
    const t = app();
    const a = await brazeAccount(t);
    const alias = { alias_name: 'device-1', alias_label: 'device' };
    assert.deepEqual((await track(t, a.apiKey, { attributes: [{ user_alias: alias, email: 'd@example.com' }] })).body, { message: 'success', attributes_processed: 1 });
    assert.deepEqual(await storedUsers(t, a.id), [], 'update-only by default for an alias: nothing created');
    await track(t, a.apiKey, { attributes: [{ user_alias: alias, _update_existing_only: false, email: 'd@example.com' }] });
    await track(t, a.apiKey, { attributes: [{ user_alias: alias, first_name: 'Dee' }, { external_id: 'known', _update_existing_only: true }] });
    const users = await storedUsers(t, a.id);
    assert.deepEqual(users.map((u) => [u.externalId, u.alias, u.email, u.firstName]), [[null, { name: 'device-1', label: 'device' }, 'd@example.com', 'Dee']]);
    const other = await brazeAccount(t);
    assert.equal(await t.core.store.autocommit.findUserByAlias(other.id, { name: 'device-1', label: 'device' }), undefined, 'aliases are per account');
  });

  test('events and purchases are checked and counted, not stored', async () => {
    const t = app();
    const a = await brazeAccount(t);
    const r = await track(t, a.apiKey, {
      events: [{ external_id: 'u', name: 'rented', time: '2026-06-01T08:00:00Z' }, { external_id: 'u', time: '2026-06-01T08:00:00Z' }],
      purchases: [
        { external_id: 'u', product_id: 'p', currency: 'EUR', price: 12.5, time: '2026-06-01T08:00:00Z' },
        { user_alias: { alias_name: 'n', alias_label: 'l' }, product_id: 'p', currency: 'EUR', price: '12', time: '2026-06-01T08:00:00Z' },
      ],
    });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.body, {
      message: 'success', events_processed: 1, purchases_processed: 1,
      errors: [{ type: "'name' is required", input_array: 'events', index: 1 }, { type: "'price' is not valid", input_array: 'purchases', index: 1 }],
    });
    assert.deepEqual(await storedUsers(t, a.id), []);
  });

  test('custom attributes are bounded per user after the merge: the 251st is refused, the user keeps its 250', async () => {
    const t = app();
    const a = await brazeAccount(t);
    const attrs = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`k${i}`, i]));
    assert.equal((await track(t, a.apiKey, { attributes: [{ external_id: 'u', ...attrs }] })).status, 201);
    const r = await track(t, a.apiKey, { attributes: [{ external_id: 'u', extra: 1 }] });
    assertFault(r, 400, NOTHING_VALID, [{ type: 'a user has at most 250 custom attributes', input_array: 'attributes', index: 0 }]);
    assert.equal(Object.keys((await storedUsers(t, a.id))[0]!.custom).length, 250);
  });
});
