import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Registry } from 'prom-client';
import { Type } from 'typebox';
import type { Core } from '../core/context.js';
import { RelaisError } from '../core/errors.js';
import { requireToken } from './auth.js';
import { json, problems } from './openapi.js';

const operations = { tags: ['operations'], security: [] };

/** Liveness, readiness (the database answers) and Prometheus metrics, behind `metricsToken` when there is one. */
export const healthRoutes: FastifyPluginAsyncTypebox<{ core: Core; registry: Registry; metricsToken: string | null }> = async (app, { core, registry, metricsToken }) => {
  app.get('/healthz', {
    schema: { ...operations, summary: 'Liveness: the process answers', response: { 200: json('Alive', Type.Object({ status: Type.Literal('ok') })) } },
  }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', {
    schema: {
      ...operations, summary: 'Readiness: the database answers',
      response: { 200: json('Ready', Type.Object({ status: Type.Literal('ready'), database: Type.String() })), ...problems(503) },
    },
  }, async () => {
    try {
      await core.store.ping();
    } catch (err) {
      throw new RelaisError('unavailable', 'the database does not answer', {}, { cause: err });
    }
    return { status: 'ready', database: core.store.kind };
  });

  app.get('/metrics', {
    schema: {
      ...operations, summary: 'Prometheus metrics', security: metricsToken ? [{ metrics: [] }] : [],
      response: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: Type.String() } } }, ...(metricsToken ? problems(401) : {}) },
    },
    ...(metricsToken ? { onRequest: requireToken(metricsToken, 'metrics') } : {}),
  }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
};
