import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';
import { Type, type TSchema } from 'typebox';
import { DIALECTS } from './dialects/registry.js';
import { documentedLinkRoute } from './links.js';

/**
 * What /docs/json says beyond the routes' own schemas: the security schemes, the shared
 * problem+json answer, and the vendor dialects' endpoints under their own tags.
 */

/** RFC 9457 problem details as the native and admin APIs answer them (handlers add members such as `field`). */
export const Problem = Type.Object({
  type: Type.String({ description: 'https://relais.dev/errors/<code>' }),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  instance: Type.String(),
  code: Type.String({ description: 'Stable Relais error code (docs/errors.md)' }),
  field: Type.Optional(Type.String({ description: 'The input the problem is about' })),
  allowed: Type.Optional(Type.Array(Type.Unknown(), { description: 'The values the field accepts' })),
  errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String(), allowed: Type.Optional(Type.Array(Type.Unknown())) }))),
}, { additionalProperties: true });

const PROBLEM_TITLES: Record<number, string> = {
  400: 'Invalid input', 401: 'Missing or invalid key', 402: 'Insufficient credit', 403: 'The key lacks the scope',
  404: 'No such resource', 409: 'Conflict with the current state', 413: 'Body too large', 429: 'Too many requests', 503: 'Database unavailable',
};

/** Documented error answers: one problem+json response per status the route can give. */
export function problems(...statuses: number[]): Record<number, { description: string; content: { 'application/problem+json': { schema: TSchema } } }> {
  return Object.fromEntries(statuses.map((s) => [s, { description: PROBLEM_TITLES[s] ?? 'Problem', content: { 'application/problem+json': { schema: Problem } } }]));
}

/** A success answer with its JSON schema. */
export const json = (description: string, schema: TSchema) => ({ description, content: { 'application/json': { schema } } });

/** Either form of the native API key. */
const NATIVE_SECURITY: Record<string, string[]>[] = [{ bearer: [] }, { apiKeyHeader: [] }];
export const ADMIN_SECURITY: Record<string, string[]>[] = [{ admin: [] }];

/**
 * Response schemas document the answers; they do not filter them. Fastify's default serializer
 * drops every property a schema does not list, which would silently cut a field that a view
 * gained but its documentation did not. The answers stay exactly what the handlers build.
 */
export const documentationOnlySerializer: FastifySerializerCompiler<unknown> = () => (data) => JSON.stringify(data);

const VENDOR_ANSWER = {
  200: json('The vendor answer: `success`, `code` and the endpoint\'s fields (XML with `_format=xml`); errors carry the vendor code', Type.Object({}, { additionalProperties: true })),
};

/**
 * Vendor routes have no request or response schemas (their parsing is the vendor's, lenient, and
 * their answers are never validated): the document lists each one under its dialect's tag, with
 * a summary, once (not its trailing-slash twin). Paths without a summary are the vendor's that
 * Relais does not serve (they answer "access refused"): not listed. The links' wildcard routes
 * are listed with their `{token}`.
 */
const transform: NonNullable<FastifyDynamicSwaggerOptions['transform']> = ({ schema, url }) => {
  const link = documentedLinkRoute(url);
  if (link) return { schema: { ...schema, params: link.params }, url: link.url };
  const dialect = DIALECTS.find((d) => url.startsWith(`${d.prefix}/`));
  if (!dialect) return { schema, url };
  const { docs } = dialect;
  const summary = docs.summaries[url.slice(dialect.prefix.length)];
  if (!summary) return { schema: { ...schema, hide: true }, url };
  const security = Object.keys(docs.securitySchemes).map((name) => ({ [name]: [] }));
  return {
    schema: { ...schema, hide: false, tags: [docs.tag], summary, security, response: VENDOR_ANSWER },
    url,
  };
};

/** The @fastify/swagger options of the app: the admin API and the metrics token appear only when on. */
export const swaggerOptions = (on: { admin: boolean; metricsToken: boolean }): FastifyDynamicSwaggerOptions => ({
  openapi: {
    info: { title: 'Relais native API', version: '1', description: 'Scheduled SMS, e-mail and voice with race-free cancellation. See docs/API.md.' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API key: `Authorization: Bearer <key>`' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'API key in the `X-Api-Key` header' },
        ...(on.admin ? { admin: { type: 'http', scheme: 'bearer', description: 'RELAIS_ADMIN_TOKEN: `Authorization: Bearer <token>`' } } : {}),
        ...(on.metricsToken ? { metrics: { type: 'http', scheme: 'bearer', description: 'RELAIS_METRICS_TOKEN: `Authorization: Bearer <token>` on `/metrics`' } } : {}),
        ...Object.assign({}, ...DIALECTS.map((d) => d.docs.securitySchemes)),
      },
    },
    security: NATIVE_SECURITY,
    tags: [
      { name: 'messages', description: 'Schedule, list, edit and cancel messages' },
      { name: 'account', description: 'Balance and ledger' },
      { name: 'suppressions', description: 'SMS STOP and e-mail unsubscribe lists' },
      { name: 'outbox', description: 'What the outbox transport "sent"' },
      { name: 'campaigns', description: 'Braze campaigns and canvases: Liquid content per channel, named by their UUID in Braze calls' },
      { name: 'users', description: 'The audience Braze schedules resolve external ids to: addresses, time zone, attributes' },
      ...(on.admin ? [{ name: 'admin', description: 'Operator API, on when RELAIS_ADMIN_TOKEN is set' }] : []),
      { name: 'operations', description: 'Liveness, readiness and metrics' },
      { name: 'transports', description: 'Where the providers of HTTP transports report delivery and fetch the audio of calls: public, signed URLs at the root of RELAIS_PUBLIC_URL' },
      { name: 'links', description: 'The unsubscribe and read-online links of the mails Relais sends: public, signed, served at the root of RELAIS_PUBLIC_URL' },
      ...DIALECTS.map(({ docs }) => ({ name: docs.tag, description: docs.description })),
    ],
  },
  transform,
});
