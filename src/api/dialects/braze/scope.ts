import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireScope } from '../../../core/accounts.js';
import type { Core } from '../../../core/context.js';
import { isRelaisError, RelaisError } from '../../../core/errors.js';
import type { Scope } from '../../../core/scopes.js';
import type { Auth } from '../../auth.js';
import { answerRouterErrors } from '../../framework-errors.js';
import { logFailure, setRetryAfter, toRelaisError } from '../../problem.js';
import type { DialectApp } from '../dialect.js';
import { bodyAuth, headerAuth } from './auth.js';
import { readJsonBody } from './body.js';
import type { BrazeBody } from './coerce.js';
import { BARE_CODES, BRAZE_ERRORS, BrazeError } from './errors.js';
import type { Bucket, BrazeLimits } from './rate.js';

/** What an endpoint's handler gets: the caller, authenticated, within its rate and allowed. */
export interface BrazeContext {
  auth: Auth;
  /** The JSON body (POST), `{}` for a GET. */
  body: BrazeBody;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** A success: 201 for a call that creates a send or schedule, 200 otherwise (spec/braze.md §0.4). */
export interface BrazeAnswer {
  status: 200 | 201;
  body: Record<string, unknown>;
}

export interface BrazeEndpoint {
  method: 'GET' | 'POST';
  /** The path as Braze has it, under the prefix (`/users/track`). */
  path: string;
  /** The Braze permission the key needs. */
  permission: Scope;
  /** The rate-limit group of the call; `bucketOf` may pick another from the body (a broadcast send). */
  bucket: Bucket;
  bucketOf?(body: BrazeBody): Bucket;
  handle(ctx: BrazeContext): Promise<BrazeAnswer>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The rate-limit group a Braze route's refusals are counted in. */
    brazeBucket?: Bucket;
  }
}

function sendEnvelope(reply: FastifyReply, status: number, body: Record<string, unknown>): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
}

/** A fatal error in Braze's envelope `{"message", "errors"}`; never problem+json, never a stack. */
function sendFault(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof BrazeError) return sendEnvelope(reply, err.status, { message: err.message, errors: err.errors });
  const relais = isRelaisError(err) ? err : toRelaisError(err);
  const fault = BRAZE_ERRORS[relais.code];
  logFailure(request, fault.status, relais.cause ?? err);
  setRetryAfter(reply, relais);
  return sendEnvelope(reply, fault.status, { message: fault.message, errors: BARE_CODES.has(relais.code) ? [] : [relais.message] });
}

const rateLimited = () => new RelaisError('rate_limited', 'rate limited');

/**
 * Sets up an encapsulated Fastify scope as the Braze API and returns how to add endpoints. Checks,
 * in this order (docs/dialects/braze.md): a path Relais does not serve (404); the Authorization
 * header's key, before the body is read (401); the body (413, 400); the legacy `api_key` of a
 * request without the header (401); the rate of the key's bucket (429); the endpoint's
 * permission (403). Every answer, errors included, is counted once and carries X-RateLimit-*;
 * a request over the limit is a 429 whatever else is wrong with it.
 */
export function setupBrazeScope(app: DialectApp, opts: { core: Core; limits: BrazeLimits }): (endpoint: BrazeEndpoint) => void {
  const { core, limits } = opts;
  app.addHook('onRequest', async (request) => {
    if (!request.is404) request.auth = await headerAuth(core, request);
  });
  app.removeAllContentTypeParsers();
  // Every body arrives as text: readJsonBody refuses what is not JSON with the Braze envelope.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.setErrorHandler((err, request, reply) => {
    const quota = limits.take(request, reply, request.routeOptions.config?.brazeBucket ?? 'schedule');
    return sendFault(request, reply, quota.allowed ? err : rateLimited());
  });
  const notFound = (request: FastifyRequest, reply: FastifyReply) => {
    const quota = limits.take(request, reply, 'schedule');
    return sendFault(request, reply, quota.allowed ? new RelaisError('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`) : rateLimited());
  };
  app.setNotFoundHandler(notFound);
  // A URL the router cannot read (a segment past 100 characters, a bad percent-encoding) names none of Braze's endpoints.
  answerRouterErrors(app, (_err, request, reply) => notFound(request, reply));
  return (endpoint) => {
    app.route({
      method: endpoint.method, url: endpoint.path, config: { brazeBucket: endpoint.bucket },
      // Hidden unless the OpenAPI transform (api/openapi.ts) lists it under its dialect; vendor answers are never validated.
      schema: { hide: true },
      handler: async (request, reply) => {
        const body = endpoint.method === 'POST' ? readJsonBody(request) : {};
        const auth = request.auth ?? (request.auth = await bodyAuth(core, body));
        if (!limits.take(request, reply, endpoint.bucketOf?.(body) ?? endpoint.bucket).allowed) throw rateLimited();
        requireScope(auth.key, endpoint.permission);
        const answer = await endpoint.handle({ auth, body, request, reply });
        return sendEnvelope(reply, answer.status, answer.body);
      },
    });
  };
}
