import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import Fastify, { type FastifyInstance, type HTTPMethods } from 'fastify';
import type { VendorOverrides } from '../../../../src/api/dialects/partner/errors.js';
import type { PartnerVendor } from '../../../../src/api/dialects/partner/vendor.js';
import { SCOPES, type Scope } from '../../../../src/core/scopes.js';
import { ADMIN_TOKEN, type AppContext, type TestApp } from '../../../helpers/app.js';

/** A route a Partner plugin registers, as Fastify saw it. */
export interface RegisteredRoute {
  method: HTTPMethods;
  url: string;
  scope: Scope | null | undefined;
  errors: VendorOverrides | undefined;
}

/**
 * Every route `plugin` registers under `prefix` (one row per method; trailing-slash and HEAD
 * twins left out), read from Fastify's onRoute hook on an app that never listens: a test driven by this
 * list covers the routes a dialect adds later.
 */
export async function registeredRoutes<O extends object>(
  plugin: (app: FastifyInstance, opts: O) => Promise<void>, opts: O & { prefix: string },
): Promise<RegisteredRoute[]> {
  const app = Fastify();
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (r) => {
    if (r.url.endsWith('/')) return;
    // Fastify's automatic HEAD twin of a GET answers without a body: the GET row covers it.
    for (const method of [r.method].flat().filter((m) => m !== 'HEAD')) {
      routes.push({ method: method as HTTPMethods, url: r.url, scope: r.config?.partnerScope, errors: r.config?.partnerErrors });
    }
  });
  await app.register(plugin, opts);
  await app.ready();
  await app.close();
  return routes;
}

/**
 * The route `scope` option, checked for every route a Partner dialect registers: the ones with a
 * scope answer a request without `apiKey` with the vendor's missing-key answer and a key holding
 * every scope but theirs with their forbidden answer (the route's override, else the table's),
 * before their handler runs; the keyless ones (`scope: null`) never ask for a key.
 */
export function partnerScopeTests(
  ctx: AppContext, vendor: Pick<PartnerVendor, 'errors' | 'missingKey'>,
  routesOf: (t: TestApp) => Promise<RegisteredRoute[]>,
): void {
  let routes: RegisteredRoute[];
  before(async () => {
    routes = await routesOf(ctx.app());
  });
  const path = (r: RegisteredRoute) => r.url.replace(/:[A-Za-z]+/g, '1');

  test('every route declares its scope, null or one', () => {
    assert.ok(routes.length > 0);
    for (const r of routes) assert.notEqual(r.scope, undefined, `${r.method} ${r.url} has no scope option`);
  });

  test('without apiKey: the missing-key answer on every route with a scope, never on a keyless one', async () => {
    const t = ctx.app();
    for (const r of routes) {
      const res = await t.request(r.method, path(r));
      const missing = res.status === vendor.missingKey.status && res.text === JSON.stringify(vendor.missingKey.body);
      assert.equal(missing, Boolean(r.scope), `${r.method} ${r.url}: ${res.status} ${res.text}`);
    }
  });

  test('a key with every scope but the route\'s gets the route\'s forbidden answer', async () => {
    const t = ctx.app();
    const a = await t.account('10', `scopes-${Math.random().toString(36).slice(2, 8)}`);
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
      const answer = r.errors?.forbidden ?? vendor.errors.forbidden;
      assert.equal(res.status, answer.status, `${r.method} ${r.url}: ${res.text}`);
      assert.deepEqual(res.body, { success: false, code: answer.code, message: answer.message }, `${r.method} ${r.url}`);
    }
  });
}
