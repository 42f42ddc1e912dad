import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { smsPartnerRoutes } from '../../../../src/api/dialects/smspartner/index.js';
import { SMS_PARTNER } from '../../../../src/api/dialects/smspartner/vendor.js';
import { SCOPES } from '../../../../src/core/scopes.js';
import { ADMIN_TOKEN, dialectApp } from '../../../helpers/app.js';
import { registeredRoutes, type RegisteredRoute } from '../partner/support.js';
import { account, SP } from './support.js';

/** Authentication is each route's `scope` option: checked here for every route the dialect registers. */

dialectApp('SMS Partner route scopes', ({ app }) => {
  let routes: RegisteredRoute[];
  before(async () => {
    const t = app();
    routes = await registeredRoutes(smsPartnerRoutes, { prefix: SP, core: t.core, timezone: 'Europe/Paris', cancelCutoffMs: 300_000, always200: false });
  });

  const path = (r: RegisteredRoute) => r.url.replace(':messageId', '1');

  test('every route declares its scope, and the ones without one are the refused vendor paths', () => {
    assert.ok(routes.length > 40, `only ${routes.length} routes seen`);
    for (const r of routes) assert.notEqual(r.scope, undefined, `${r.method} ${r.url} has no scope option`);
    const keyless = new Set(routes.filter((r) => r.scope === null).map((r) => r.url));
    assert.ok(keyless.has(`${SP}/vn/send`) && keyless.has(`${SP}/lookup`));
    for (const url of ['/me', '/send', '/message-cancel', '/bulk-status', '/stop-sms/add', '/subaccount/create']) {
      assert.ok(routes.some((r) => r.url === `${SP}${url}` && r.scope), `${url} needs a key`);
    }
  });

  test('without apiKey, every route with a scope answers code 1; the keyless ones answer their own refusal', async () => {
    const t = app();
    for (const r of routes) {
      const res = await t.request(r.method, path(r));
      if (r.scope) {
        assert.equal(res.status, 400, `${r.method} ${r.url}: ${res.text}`);
        assert.equal(res.text, JSON.stringify(SMS_PARTNER.missingKey.body), `${r.method} ${r.url}`);
      } else {
        assert.equal(res.status, 403, `${r.method} ${r.url}: ${res.text}`);
        assert.deepEqual(res.body, { success: false, code: 40, message: 'L’accès à l’API est refusé' }, `${r.method} ${r.url}`);
      }
    }
  });

  test('a key with every scope but the route\'s gets the route\'s forbidden answer, never the handler\'s', async () => {
    const t = app();
    const a = await account(t, '10');
    const keyWithout = new Map<string, string>();
    for (const scope of SCOPES) {
      const k = await t.request('POST', `/admin/v1/accounts/${a.id}/keys`, {
        body: { scopes: SCOPES.filter((s) => s !== scope) }, headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      assert.equal(k.status, 201, k.text);
      keyWithout.set(scope, k.body.apiKey);
    }
    for (const r of routes.filter((x) => x.scope)) {
      const res = await t.request(r.method, `${path(r)}?apiKey=${keyWithout.get(r.scope!)}`);
      const answer = r.errors?.forbidden ?? SMS_PARTNER.errors.forbidden;
      assert.equal(res.status, answer.status, `${r.method} ${r.url}: ${res.text}`);
      assert.deepEqual(res.body, { success: false, code: answer.code, message: answer.message }, `${r.method} ${r.url}`);
    }
  });
});
