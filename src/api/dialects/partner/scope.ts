import type { FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { authenticate } from '../../../core/accounts.js';
import type { Core } from '../../../core/context.js';
import { isRelaisError, type RelaisError } from '../../../core/errors.js';
import type { Scope } from '../../../core/scopes.js';
import type { Auth } from '../../auth.js';
import { answerRouterErrors } from '../../framework-errors.js';
import { logFailure, setRetryAfter, toRelaisError } from '../../problem.js';
import { partnerAuth } from './auth.js';
import { fromVendorTable, PartnerError, type VendorOverrides, type VendorTable } from './errors.js';
import { queryKey, readParams, queryFormat, type Format, type Params } from './params.js';
import { renderXml } from './xml.js';
import type { DialectApp } from '../dialect.js';

/**
 * The frame every Partner dialect (SMS, Mail, Voice Partner) runs in: lenient body parsing,
 * `_format`, the vendor envelope for every answer and every error, trailing slashes.
 */

export interface PartnerScope {
  core: Core;
  table: VendorTable;
  /** Errors are answered with HTTP 200 (clients that only read the body). */
  always200: boolean;
  /** The answer for a path the dialect does not serve. */
  notFound: PartnerError;
  /**
   * The answer to a request without `apiKey` on a route that needs one; null: the wrong key's
   * (`unauthorized`, so a route's override of it covers a missing key too: Voice Partner's cancel).
   */
  missingKey: PartnerError | null;
}

export interface PartnerContext {
  params: Params;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** What the handler of a route with a `scope` gets: the caller, already authenticated and allowed. */
export interface AuthedContext extends PartnerContext {
  auth: Auth;
}

export interface RouteOptions {
  /** Endpoint-specific answers for some codes (an unknown id is "number not found" here, not "message"). */
  errors?: VendorOverrides;
  /** Largest body this route takes, when it differs from the app's (Mail Partner's attachments). */
  bodyLimit?: number;
  /**
   * The path parameter that carries the key (Voice Partner's `/me/:apiKey`); it wins over
   * `apiKey` in the body or query. An empty segment is no key: the missing-key answer.
   */
  keyParam?: string;
}

type Handler<C> = (ctx: C) => Promise<Record<string, unknown>>;

/**
 * Registers a Partner endpoint at `path` and `path/`, answering what the handler returns in the
 * requested format. `scope` is what the key must allow: the frame answers a missing key, a wrong
 * one and one without the scope before the handler runs. `scope: null` says that the route reads
 * no key (the vendor paths Relais refuses to everyone).
 */
export interface PartnerRouter {
  (methods: HTTPMethods[], path: string, handler: Handler<AuthedContext>, opts: RouteOptions & { scope: Scope }): void;
  (methods: HTTPMethods[], path: string, handler: Handler<PartnerContext>, opts: RouteOptions & { scope: null }): void;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Endpoint-specific vendor answers of a Partner route (see RouteOptions.errors). */
    partnerErrors?: VendorOverrides;
    /** The scope a Partner route's key must have; null: the route reads no key. */
    partnerScope?: Scope | null;
  }
}

// The format an answer goes out in, known before the body is read so that even a malformed
// body gets its error in XML when the query asked for XML.
const formats = new WeakMap<FastifyRequest, Format>();

export function sendPartner(reply: FastifyReply, format: Format, body: Record<string, unknown>, status = 200, xmlBody?: Record<string, unknown>): FastifyReply {
  reply.code(status);
  return format === 'xml'
    ? reply.type('application/xml; charset=utf-8').send(renderXml(xmlBody ?? body))
    : reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
}

function toPartnerError(err: unknown, request: FastifyRequest, scope: PartnerScope): PartnerError {
  if (err instanceof PartnerError) return err;
  const relais = isRelaisError(err) ? err : toRelaisError(err);
  const overrides = request.routeOptions.config?.partnerErrors;
  return fromVendorTable(relais, overrides?.[relais.code] ?? scope.table[relais.code]);
}

const pathParam = (request: FastifyRequest, name: string): string | undefined => {
  const value = (request.params as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
};

/** Sets up an encapsulated Fastify scope (a plugin) as a Partner dialect; routes are added through the router it returns. */
export function setupPartnerScope(app: DialectApp, scope: PartnerScope): PartnerRouter {
  // A key in the query string is checked before the body is read: a client with a wrong key
  // cannot make Relais buffer (or wait for) a body up to the limit. The route's own check
  // (partnerAuth) still applies the scope, and reuses this one when the body names no other key.
  app.addHook('onRequest', async (request) => {
    const key = queryKey(request);
    if (key) request.auth = await authenticate(scope.core, key);
  });
  app.removeAllContentTypeParsers();
  // Every body arrives as text; readParams decides what it is (see Params).
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.setErrorHandler((err, request, reply) => {
    const e = toPartnerError(err, request, scope);
    logFailure(request, e.status, (err as RelaisError).cause ?? err);
    setRetryAfter(reply, err);
    return sendPartner(reply, formats.get(request) ?? queryFormat(request), e.body, scope.always200 ? 200 : e.status, e.xmlBody);
  });
  const notFound = (request: FastifyRequest, reply: FastifyReply): FastifyReply =>
    sendPartner(reply, queryFormat(request), scope.notFound.body, scope.always200 ? 200 : scope.notFound.status);
  app.setNotFoundHandler(notFound);
  // A URL the router cannot read (a segment past 100 characters, a bad percent-encoding) names no resource of the vendor's.
  answerRouterErrors(app, (_err, request, reply) => notFound(request, reply));
  return ((methods: HTTPMethods[], path: string, handler: Handler<AuthedContext>, opts: RouteOptions & { scope: Scope | null }) => {
    for (const url of [path, `${path}/`]) {
      app.route({
        // Hidden unless the OpenAPI transform (api/openapi.ts) lists it under its dialect; no schemas: vendor answers are never validated.
        method: methods, url, config: { partnerErrors: opts.errors, partnerScope: opts.scope }, schema: { hide: true },
        ...(opts.bodyLimit !== undefined ? { bodyLimit: opts.bodyLimit } : {}),
        handler: async (request: FastifyRequest, reply: FastifyReply) => {
          formats.set(request, queryFormat(request));
          const params = await readParams(request, opts.keyParam === undefined ? undefined : pathParam(request, opts.keyParam));
          formats.set(request, params.format());
          const ctx: PartnerContext = { params, request, reply };
          // Only a route with a scope has an `auth` (the overloads of PartnerRouter hold each handler to its kind).
          if (opts.scope !== null) (ctx as AuthedContext).auth = await partnerAuth(scope.core, params, scope.missingKey, opts.scope);
          const body = await handler(ctx as AuthedContext);
          return sendPartner(reply, params.format(), body);
        },
      });
    }
  }) as PartnerRouter;
}
