import type { HTTPMethods } from 'fastify';
import type { Scope } from '../../../core/scopes.js';
import type { AuthedContext, PartnerRouter, RouteOptions } from '../partner/scope.js';

/**
 * A route whose key is a path segment (`/me/{apiKey}`, spec §0), also served without it for the
 * query or body form (`/me?apiKey=`) the vendor's parameter tables print.
 */
export function keyed(route: PartnerRouter, methods: HTTPMethods[], path: string,
  handler: (ctx: AuthedContext) => Promise<Record<string, unknown>>, opts: RouteOptions & { scope: Scope }): void {
  route(methods, `${path}/:apiKey`, handler, { ...opts, keyParam: 'apiKey' });
  route(methods, path, handler, opts);
}
