import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Registry } from 'prom-client';
import type { Core } from '../core/context.js';
import { RelaisError } from '../core/errors.js';
import { requireToken } from './auth.js';

/** Liveness, readiness (the database answers) and Prometheus metrics, behind `metricsToken` when there is one. */
export const healthRoutes: FastifyPluginAsyncTypebox<{ core: Core; registry: Registry; metricsToken: string | null }> = async (app, { core, registry, metricsToken }) => {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true } }, async () => {
    try {
      await core.store.ping();
    } catch (err) {
      throw new RelaisError('unavailable', 'the database does not answer', {}, { cause: err });
    }
    return { status: 'ready', database: core.store.kind };
  });

  app.get('/metrics', { schema: { hide: true }, ...(metricsToken ? { onRequest: requireToken(metricsToken, 'metrics') } : {}) }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
};
