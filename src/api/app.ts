import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Core } from '../core/context.js';
import { RelaisError } from '../core/errors.js';
import { adminRoutes } from './admin/routes.js';
import { rewriteVendorHost } from './dialects/hosts.js';
import { smsPartnerRoutes } from './dialects/smspartner/index.js';
import { healthRoutes } from './health.js';
import { nativeRoutes } from './native/index.js';
import { swaggerOptions } from './openapi.js';
import { sendProblem, toRelaisError } from './problem.js';

export interface AppDeps {
  core: Core;
  registry: Registry;
  bodyLimit: number;
  adminToken: string | null;
  logger?: Logger | false;
  /** Vendor dialect settings; absent: the documented defaults. */
  dialects?: DialectOptions;
}

export interface DialectOptions {
  /** Route vendor Host headers (api.smspartner.fr …) to their dialect without the prefix. */
  hostDialects: boolean;
  /** Zone of the vendors' local dates. */
  timezone: string;
  /** The vendors' cancel cutoff. */
  cancelCutoffMs: number;
  smspartner: { always200: boolean };
}

export const DEFAULT_DIALECT_OPTIONS: DialectOptions = { hostDialects: false, timezone: 'Europe/Paris', cancelCutoffMs: 300_000, smspartner: { always200: false } };

export type App = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>;

/** The HTTP application; it never listens (main.ts and tests do). */
export async function buildApp(deps: AppDeps): Promise<App> {
  const dialects = deps.dialects ?? DEFAULT_DIALECT_OPTIONS;
  const app = bareApp({
    ...(dialects.hostDialects ? { rewriteUrl: rewriteVendorHost } : {}),
    loggerInstance: deps.logger || undefined,
    bodyLimit: deps.bodyLimit,
  });

  await app.register(swagger, swaggerOptions);
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes, { core: deps.core, registry: deps.registry });
  await app.register(nativeRoutes, { prefix: '/api/v1', core: deps.core });
  if (deps.adminToken) await app.register(adminRoutes, { prefix: '/admin/v1', core: deps.core, token: deps.adminToken });
  // Each dialect is an encapsulated plugin with its own body parsing and error envelope.
  await app.register(smsPartnerRoutes, {
    prefix: '/smspartner/v1', core: deps.core, timezone: dialects.timezone, cancelCutoffMs: dialects.cancelCutoffMs,
    always200: dialects.smspartner.always200,
  });
  for (const prefix of PLANNED_DIALECTS) await app.register(notBuiltYet, { prefix });
  return app;
}

/** What a worker-role process serves when RELAIS_WORKER_PORT is set: liveness, readiness, metrics. */
export async function buildHealthApp(deps: Pick<AppDeps, 'core' | 'registry' | 'logger'>): Promise<App> {
  const app = bareApp({ loggerInstance: deps.logger || undefined });
  await app.register(healthRoutes, { core: deps.core, registry: deps.registry });
  return app;
}

/** Fastify with the validation, logging and problem+json error answers every Relais app shares. */
function bareApp(options: Pick<FastifyServerOptions, 'rewriteUrl' | 'loggerInstance' | 'bodyLimit'>): App {
  const app = Fastify({
    ...options,
    // Unknown fields are refused, not silently dropped: a typo in `sendAt` must not mean "now".
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    // One log line per request costs more than the request on the hot path; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorateRequest('auth', null);
  app.setErrorHandler((err, request, reply) => sendProblem(reply, request, toRelaisError(err)));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, new RelaisError('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`)));
  return app;
}

/** Mount points of the dialects still to come (DESIGN.md); remove one when it is built. */
const PLANNED_DIALECTS = ['/mailpartner', '/voicepartner', '/braze'];

/**
 * A vendor client pointed at a dialect that does not exist yet gets a plain 404, not a native
 * problem+json body that could pass for a vendor answer (the conformance checks rely on it).
 */
const notBuiltYet = async (scope: FastifyInstance) => {
  scope.setNotFoundHandler((_request, reply) => reply.code(404).type('text/plain; charset=utf-8').send('Not Found: this dialect is not available yet\n'));
};
