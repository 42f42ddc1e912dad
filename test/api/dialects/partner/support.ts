import Fastify, { type FastifyInstance, type HTTPMethods } from 'fastify';
import type { VendorOverrides } from '../../../../src/api/dialects/partner/errors.js';
import type { Scope } from '../../../../src/core/scopes.js';

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
