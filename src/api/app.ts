import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ENV, type Config } from '../config.js';
import type { Core } from '../core/context.js';
import { RelaisError } from '../core/errors.js';
import { adminRoutes } from './admin/routes.js';
import { rewriteVendorHost } from './dialects/hosts.js';
import { answerRouterError } from './framework-errors.js';
import type { Dialect } from './dialects/dialect.js';
import { DIALECTS, PLANNED_MOUNTS } from './dialects/registry.js';
import { healthRoutes } from './health.js';
import { linksRoutes } from './links.js';
import { nativeRoutes } from './native/index.js';
import { providerCallbackRoutes } from './provider-callbacks.js';
import { swaggerOptions } from './openapi.js';
import { sendProblem, toRelaisError } from './problem.js';

export interface AppDeps {
  core: Core;
  registry: Registry;
  bodyLimit: number;
  adminToken: string | null;
  /** Bearer token `/metrics` requires; null or absent: open. */
  metricsToken?: string | null;
  logger?: Logger | false;
  /** Vendor dialect settings; absent: the documented defaults. */
  dialects?: DialectOptions;
  /** Client timeouts and the connection cap; absent: the documented defaults. */
  http?: HttpLimits;
}

/** How long a client may take, and how many may be connected at once (config.http). */
export type HttpLimits = Pick<Config['http'], 'maxConnections' | 'idleTimeoutMs' | 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs'>;

const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxConnections: Number(ENV.RELAIS_HTTP_MAX_CONNECTIONS.default),
  idleTimeoutMs: Number(ENV.RELAIS_HTTP_IDLE_TIMEOUT_MS.default),
  headersTimeoutMs: Number(ENV.RELAIS_HTTP_HEADERS_TIMEOUT_MS.default),
  requestTimeoutMs: Number(ENV.RELAIS_HTTP_REQUEST_TIMEOUT_MS.default),
  keepAliveTimeoutMs: Number(ENV.RELAIS_HTTP_KEEP_ALIVE_TIMEOUT_MS.default),
};

export interface DialectOptions {
  /** Route vendor Host headers (api.smspartner.fr …) to their dialect without the prefix. */
  hostDialects: boolean;
  /** Zone of the vendors' local dates. */
  timezone: string;
  /** The vendors' cancel cutoff. */
  cancelCutoffMs: number;
  /** Each dialect's switches by dialect name (config.dialects); a switch absent here is off. */
  switches: Readonly<Record<string, Readonly<Record<string, boolean>>>>;
  /** Each dialect's whole-number settings by dialect name (config.dialectSettings); absent: the ENV table's default. */
  settings?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export const DEFAULT_DIALECT_OPTIONS: DialectOptions = { hostDialects: false, timezone: 'Europe/Paris', cancelCutoffMs: 300_000, switches: {} };

export type App = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>;

/** The HTTP application; it never listens (main.ts and tests do). */
export async function buildApp(deps: AppDeps): Promise<App> {
  const dialects = deps.dialects ?? DEFAULT_DIALECT_OPTIONS;
  const app = bareApp({
    ...(dialects.hostDialects ? { rewriteUrl: rewriteVendorHost } : {}),
    loggerInstance: deps.logger || undefined,
    bodyLimit: deps.bodyLimit,
  }, deps.http);

  await app.register(swagger, swaggerOptions({ admin: Boolean(deps.adminToken), metricsToken: Boolean(deps.metricsToken) }));
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/', { schema: { hide: true } }, async () => index(Boolean(deps.adminToken)));
  await app.register(healthRoutes, { core: deps.core, registry: deps.registry, metricsToken: deps.metricsToken ?? null });
  await app.register(nativeRoutes, { prefix: '/api/v1', core: deps.core });
  // At the root: RELAIS_PUBLIC_URL, path prefix included, is what a proxy maps to it.
  await app.register(linksRoutes, { core: deps.core });
  await app.register(providerCallbackRoutes, { core: deps.core });
  await app.register(deps.adminToken ? adminRoutes : adminOff, { prefix: ADMIN_PREFIX, core: deps.core, token: deps.adminToken ?? '' });
  // Each dialect is an encapsulated plugin with its own body parsing and error envelope.
  const context = { core: deps.core, timezone: dialects.timezone, cancelCutoffMs: dialects.cancelCutoffMs };
  for (const dialect of DIALECTS) {
    await dialect.mount(app, context, dialects.switches[dialect.name] ?? {}, { ...defaultSettings(dialect), ...dialects.settings?.[dialect.name] });
  }
  for (const prefix of PLANNED_MOUNTS) await app.register(notBuiltYet, { prefix });
  return app;
}

/** What a worker-role process serves when RELAIS_WORKER_PORT is set: liveness, readiness, metrics. */
export async function buildHealthApp(deps: Pick<AppDeps, 'core' | 'registry' | 'logger' | 'metricsToken' | 'http'>): Promise<App> {
  const app = bareApp({ loggerInstance: deps.logger || undefined }, deps.http);
  await app.register(healthRoutes, { core: deps.core, registry: deps.registry, metricsToken: deps.metricsToken ?? null });
  return app;
}

/** Fastify with the validation, logging, client limits and problem+json error answers every Relais app shares. */
function bareApp(options: Pick<FastifyServerOptions, 'rewriteUrl' | 'loggerInstance' | 'bodyLimit'>, limits = DEFAULT_HTTP_LIMITS): App {
  // Node refuses a headers timeout longer than the request timeout; the request one bounds both anyway.
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  const app = Fastify({
    ...options,
    // Unknown fields are refused, not silently dropped: a typo in `sendAt` must not mean "now".
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    // One log line per request costs more than the request on the hot path; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // A client that sends nothing, or a body a byte at a time, must not hold a socket forever.
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Node checks the header and request deadlines only every connectionsCheckingInterval (30 s
    // by default): at most a second late here, and never later than the shortest deadline.
    http: { headersTimeout, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, headersTimeout) },
    // A URL the router refuses (an over-long id, bad percent-encoding) is answered like any bad
    // request, in the envelope of the API it was meant for.
    frameworkErrors: (err, request, reply) => answerRouterError(request.server.server, toRelaisError(err), request, reply),
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Connections beyond the cap are closed on arrival: the ones already open keep being served.
  app.server.maxConnections = limits.maxConnections;
  app.decorateRequest('auth', null);
  acceptEmptyJson(app);
  app.setErrorHandler((err, request, reply) => sendProblem(reply, request, toRelaisError(err)));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, new RelaisError('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`)));
  return app;
}

/**
 * `Content-Type: application/json` with no body (what many clients send on a DELETE or a
 * bodiless POST) is no body, not malformed JSON. Any other text goes through Fastify's own
 * parser, which keeps its prototype-poisoning checks.
 */
function acceptEmptyJson(app: App): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    body === '' ? done(null, undefined) : parse(request, body as string, done));
}

/** A dialect's settings at the defaults of their variables, for an app built without config (tests). */
const defaultSettings = (dialect: Dialect): Record<string, number> =>
  Object.fromEntries(Object.entries(dialect.settings ?? {}).map(([name, variable]) => [name, Number(ENV[variable]!.default)]));

const ADMIN_PREFIX = '/admin/v1';
const DIALECT_PREFIXES = Object.fromEntries(DIALECTS.map((d) => [d.name, d.prefix]));

/** `GET /`: where everything is, for a newcomer's first request. Relative links: the host may be a proxy's. */
function index(admin: boolean): Record<string, unknown> {
  return {
    name: 'relais',
    api: '/api/v1',
    docs: '/docs',
    openapi: '/docs/json',
    health: '/healthz',
    ready: '/readyz',
    metrics: '/metrics',
    admin: admin ? ADMIN_PREFIX : null,
    dialects: DIALECT_PREFIXES,
  };
}

/** With no admin token, `/admin/v1/*` says why it is not there instead of a bare 404. */
const adminOff = async (scope: FastifyInstance) => {
  scope.setNotFoundHandler((request, reply) => sendProblem(reply, request, new RelaisError('not_found',
    'the admin API is off: set RELAIS_ADMIN_TOKEN to turn it on')));
};

/**
 * A vendor client pointed at a dialect that does not exist yet gets a plain 404, not a native
 * problem+json body that could pass for a vendor answer (the conformance checks rely on it).
 */
const notBuiltYet = async (scope: FastifyInstance) => {
  scope.setNotFoundHandler((_request, reply) => reply.code(404).type('text/plain; charset=utf-8').send('Not Found: this dialect is not available yet\n'));
};
