import assert from 'node:assert/strict';
import { test } from 'node:test';
import { smsPartnerRoutes } from '../../../../src/api/dialects/smspartner/index.js';
import { SMS_PARTNER } from '../../../../src/api/dialects/smspartner/vendor.js';
import { dialectApp, type TestApp } from '../../../helpers/app.js';
import { partnerScopeTests, registeredRoutes } from '../partner/support.js';
import { SP } from './support.js';

/** Authentication is each route's `scope` option: checked for every route the dialect registers. */

const routesOf = (t: TestApp) =>
  registeredRoutes(smsPartnerRoutes, { prefix: SP, core: t.core, timezone: 'Europe/Paris', cancelCutoffMs: 300_000, always200: false });

dialectApp('SMS Partner route scopes', (ctx) => {
  partnerScopeTests(ctx, SMS_PARTNER, routesOf);

  test('the keyless routes are the documented vendor paths Relais refuses (code 40); the served ones need a key', async () => {
    const routes = await routesOf(ctx.app());
    assert.ok(routes.length > 40, `only ${routes.length} routes seen`);
    const keyless = routes.filter((r) => r.scope === null);
    assert.ok(keyless.some((r) => r.url === `${SP}/vn/send`) && keyless.some((r) => r.url === `${SP}/lookup`));
    for (const r of keyless) {
      const res = await ctx.app().request(r.method, r.url);
      assert.equal(res.status, 403, `${r.method} ${r.url}: ${res.text}`);
      assert.deepEqual(res.body, { success: false, code: 40, message: 'L’accès à l’API est refusé' }, `${r.method} ${r.url}`);
    }
    for (const url of ['/me', '/send', '/message-cancel', '/bulk-status', '/stop-sms/add', '/subaccount/create']) {
      assert.ok(routes.some((r) => r.url === `${SP}${url}` && r.scope), `${url} needs a key`);
    }
  });
});
