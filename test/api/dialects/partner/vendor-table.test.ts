import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { bulkStatusEndpoint } from '../../../../src/api/dialects/partner/endpoints/bulk-status.js';
import { cancelEndpoints } from '../../../../src/api/dialects/partner/endpoints/cancel.js';
import { meEndpoint } from '../../../../src/api/dialects/partner/endpoints/me.js';
import { PARTNER_SUBACCOUNT_MESSAGES, subaccountEndpoints } from '../../../../src/api/dialects/partner/endpoints/subaccounts.js';
import { suppressionListEndpoints } from '../../../../src/api/dialects/partner/endpoints/suppression-list.js';
import { partnerError, type VendorTable } from '../../../../src/api/dialects/partner/errors.js';
import { setupPartnerScope } from '../../../../src/api/dialects/partner/scope.js';
import type { PartnerEndpointOptions, PartnerVendor } from '../../../../src/api/dialects/partner/vendor.js';
import { HTTP_STATUS } from '../../../../src/api/problem.js';
import { ERROR_CODES } from '../../../../src/core/errors.js';
import { SCOPES } from '../../../../src/core/scopes.js';
import { ADMIN_TOKEN, dialectApp, ledgerInvariant } from '../../../helpers/app.js';
import { account, get, HOUR, phone, post, schedule, scheduleParams, setProfile } from '../smspartner/support.js';

/**
 * A test-only Partner dialect: the shared endpoint factories mounted with a table whose every
 * code, message, key name, status word, date format, list and domain differs from SMS Partner's.
 * It answers with its own table everywhere, so the factories hold nothing of SMS Partner's.
 */

const errors = Object.fromEntries(ERROR_CODES.map((c, i) => [c, { status: HTTP_STATUS[c], code: 900 + i, message: `fixture ${c}` }])) as VendorTable;
const expected = (c: (typeof ERROR_CODES)[number]) => ({ success: false, code: errors[c].code, message: errors[c].message });

const FIXTURE: PartnerVendor = {
  errors,
  missingKey: partnerError(400, 801, 'fixture: key missing'),
  notFound: partnerError(404, 804, 'fixture: no such path'),
  localTime: (ms) => new Date(ms).toISOString(),
  statusWord: (s) => `fixture-${s}`,
  me: (o) => ({ success: true, code: 200, owner: o.account.name, left: o.account.balance }),
  cancel: { idRequired: partnerError(400, 803, 'fixture: which message?'), cancelled: 'fixture: cancelled' },
  bulkStatus: {
    paths: ['/status', '/message-status'], idRequired: partnerError(400, 805, 'fixture: which status?'), idKey: 'id', listKey: 'rows',
    item: (s, status) => ({ to: s.recipient.address, status }),
  },
  suppressions: {
    list: 'email', path: '/unsubscribe', field: 'email', reason: 'unsubscribe',
    addressRequired: partnerError(400, 812, 'fixture: e-mail?'), addressInvalid: partnerError(400, 819, 'fixture: bad e-mail'),
    duplicate: partnerError(400, 813, 'fixture: listed already'), idRequired: partnerError(400, 823, 'fixture: which entry?'),
    idNotFound: { status: 404, code: 824, message: 'fixture: no such entry' },
  },
  subaccounts: { generatedEmailDomain: 'fixture.test', messages: { ...PARTNER_SUBACCOUNT_MESSAGES, typeRequired: 'fixture: type?' } },
};

async function fixtureRoutes(app: FastifyInstance, opts: PartnerEndpointOptions): Promise<void> {
  const route = setupPartnerScope(app, { core: opts.core, table: FIXTURE.errors, always200: false, notFound: FIXTURE.notFound, missingKey: FIXTURE.missingKey });
  meEndpoint(route, FIXTURE, opts);
  cancelEndpoints(route, FIXTURE, opts);
  bulkStatusEndpoint(route, FIXTURE, opts);
  suppressionListEndpoints(route, FIXTURE, opts);
  subaccountEndpoints(route, FIXTURE, opts);
}

dialectApp('Partner endpoint factories under another vendor\'s table', ({ app }) => {
  let fixture: FastifyInstance;
  let base: string;
  before(async () => {
    fixture = Fastify();
    fixture.decorateRequest('auth', null);
    await fixture.register(fixtureRoutes, { prefix: '/fixture/v1', core: app().core, timezone: 'Europe/Paris', cancelCutoffMs: 300_000 });
    await fixture.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(fixture.server.address() as AddressInfo).port}/fixture/v1`;
  });
  after(() => fixture.close());

  const call = async (path: string, params: Record<string, string | number> = {}) => {
    const q = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
    const res = await fetch(`${base}${path}?${q}`, { signal: AbortSignal.timeout(30_000) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  test('missing, wrong and under-scoped keys and unknown paths get the table\'s answers', async () => {
    const t = app();
    const a = await account(t, '10');
    assert.deepEqual(await call('/me'), { status: 400, body: FIXTURE.missingKey.body });
    assert.deepEqual(await call('/me', { apiKey: 'nope' }), { status: 401, body: expected('unauthorized') });
    assert.deepEqual(await call('/nowhere', { apiKey: a.apiKey }), { status: 404, body: FIXTURE.notFound.body });
    const k = await t.request('POST', `/admin/v1/accounts/${a.id}/keys`, {
      body: { scopes: SCOPES.filter((s) => s !== 'account:read') }, headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    assert.deepEqual(await call('/me', { apiKey: k.body.apiKey }), { status: 403, body: expected('forbidden') });
    assert.deepEqual(await call('/me', { apiKey: a.apiKey }), { status: 200, body: { success: true, code: 200, owner: (await t.store.autocommit.getAccount(a.id))!.name, left: 10_000 } });
  });

  test('cancel and status: the table\'s messages, keys, status words and codes; the refund is core\'s', async () => {
    const t = app();
    const a = await account(t, '10');
    const p = phone();
    const sent = await post(t, '/send', { apiKey: a.apiKey, phoneNumbers: p.national, message: 'hello', ...scheduleParams(schedule(t, 2 * HOUR)) });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const id = sent.body.message_id as number;
    const before = (await ledgerInvariant(t.store, a.id)).balance;

    assert.deepEqual(await call('/status', { apiKey: a.apiKey, messageId: id }), { status: 200, body: { success: true, code: 200, id: String(id), rows: [{ to: p.e164, status: 'fixture-pending' }] } });
    assert.deepEqual(await call('/message-status', { apiKey: a.apiKey }), { status: 400, body: FIXTURE.bulkStatus.idRequired.body });
    assert.deepEqual(await call('/message-cancel', { apiKey: a.apiKey }), { status: 400, body: FIXTURE.cancel.idRequired.body });
    assert.deepEqual(await call('/message-cancel', { apiKey: a.apiKey, messageId: 'x' }), { status: 404, body: expected('not_found') });
    assert.deepEqual(await call('/message-cancel', { apiKey: a.apiKey, messageId: id }), { status: 200, body: { success: true, code: 200, message: 'fixture: cancelled' } });
    assert.deepEqual(await call('/message-cancel', { apiKey: a.apiKey, messageId: id }), { status: errors.already_cancelled.status, body: expected('already_cancelled') });
    assert.deepEqual((await call('/message-status', { apiKey: a.apiKey, messageId: id })).body.rows, [{ to: p.e164, status: 'fixture-cancelled' }]);
    const after = await ledgerInvariant(t.store, a.id);
    assert.equal(after.balance, after.sum);
    assert.ok(after.balance > before, 'the cancel refunded the message');
    assert.equal(after.balance, 10_000);
  });

  test('the suppression endpoints manage the table\'s list under its names, and leave the SMS STOP list alone', async () => {
    const t = app();
    const a = await account(t, '10');
    const added = await call('/unsubscribe/add', { apiKey: a.apiKey, email: 'Someone@Example.COM' });
    assert.deepEqual(added, { status: 200, body: { success: true, code: 200, stopId: added.body.stopId } });
    assert.equal(typeof added.body.stopId, 'number');
    const listed = await call('/unsubscribe/list', { apiKey: a.apiKey });
    const rows = listed.body.data as { createdAt: string }[];
    assert.deepEqual(listed.body, { success: true, code: 200, nbData: 1, data: [{ id: added.body.stopId, email: 'Someone@example.com', createdAt: rows[0]!.createdAt }] });
    assert.equal(rows[0]!.createdAt, new Date(t.clock.now()).toISOString());
    assert.deepEqual(await call('/unsubscribe/add', { apiKey: a.apiKey, email: 'Someone@EXAMPLE.com' }), { status: 400, body: FIXTURE.suppressions.duplicate.body });
    assert.deepEqual(await call('/unsubscribe/add', { apiKey: a.apiKey, email: 'not-an-address' }), { status: 400, body: FIXTURE.suppressions.addressInvalid.body });
    assert.deepEqual(await call('/unsubscribe/add', { apiKey: a.apiKey }), { status: 400, body: FIXTURE.suppressions.addressRequired.body });
    assert.deepEqual(await call('/unsubscribe/delete', { apiKey: a.apiKey }), { status: 400, body: FIXTURE.suppressions.idRequired.body });
    assert.deepEqual(await call('/unsubscribe/delete', { apiKey: a.apiKey, id: 999_999_999 }), { status: 404, body: { success: false, code: 824, message: 'fixture: no such entry' } });
    assert.equal((await get(t, '/stop-sms/list', { apiKey: a.apiKey })).body.nbData, 0, 'the e-mail list is not the STOP list');
    assert.deepEqual(await call('/unsubscribe/delete', { apiKey: a.apiKey, id: added.body.stopId as number }), { status: 200, body: { success: true, code: 200 } });
    assert.equal((await call('/unsubscribe/list', { apiKey: a.apiKey })).body.nbData, 0);
  });

  test('sub-accounts: the table\'s generated e-mail domain and words', async () => {
    const t = app();
    const a = await account(t, '10');
    await setProfile(t, a.id, { email: `parent-${a.id}@example.com`, subaccountsEnabled: true });
    const created = await call('/subaccount/create', { apiKey: a.apiKey, type: 'simple' });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.match((created.body.subaccount as { email: string }).email, /^\d{7,}@fixture\.test$/);
    assert.deepEqual(await call('/subaccount/create', { apiKey: a.apiKey }), { status: 400, body: { success: false, code: 4, message: 'fixture: type?' } });
  });
});
