import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { authenticate } from '../../../core/accounts.js';
import type { Core } from '../../../core/context.js';
import { isRelaisError, type RelaisError } from '../../../core/errors.js';
import { logFailure, setRetryAfter, toRelaisError } from '../../problem.js';
import { fromVendorTable, PartnerError, type VendorOverrides, type VendorTable } from './errors.js';
import { queryKey, readParams, queryFormat, type Format, type Params } from './params.js';
import { renderXml } from './xml.js';

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
}

export interface PartnerContext {
  params: Params;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteOptions {
  /** Endpoint-specific answers for some codes (an unknown id is "number not found" here, not "message"). */
  errors?: VendorOverrides;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Endpoint-specific vendor answers of a Partner route (see RouteOptions.errors). */
    partnerErrors?: VendorOverrides;
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

/** Sets up an encapsulated Fastify scope (a plugin) as a Partner dialect. */
export function setupPartnerScope(app: FastifyInstance<any, any, any, any, any>, scope: PartnerScope): void {
  // A key in the query string is checked before the body is read: a client with a wrong key
  // cannot make Relais buffer (or wait for) a body up to the limit. The handler's own check
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
  app.setNotFoundHandler((request, reply) =>
    sendPartner(reply, queryFormat(request), scope.notFound.body, scope.always200 ? 200 : scope.notFound.status));
}

/** Registers a Partner endpoint at `path` and `path/`, answering what `handler` returns in the requested format. */
export function partnerRoute(
  app: FastifyInstance<any, any, any, any, any>, methods: HTTPMethods[], path: string,
  handler: (ctx: PartnerContext) => Promise<Record<string, unknown>>, opts: RouteOptions = {},
): void {
  for (const url of [path, `${path}/`]) {
    app.route({
      // Hidden unless the OpenAPI transform (api/openapi.ts) lists it under its dialect; no schemas: vendor answers are never validated.
      method: methods, url, config: { partnerErrors: opts.errors }, schema: { hide: true },
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        formats.set(request, queryFormat(request));
        const params = await readParams(request);
        formats.set(request, params.format());
        const body = await handler({ params, request, reply });
        return sendPartner(reply, params.format(), body);
      },
    });
  }
}
