import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';
import { Type, type TSchema } from 'typebox';

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

interface DialectDoc {
  prefix: string;
  tag: string;
  description: string;
  security: Record<string, string[]>[];
  /** Summary of each endpoint, by its path under the prefix. */
  summaries: Record<string, string>;
}

const SMS_PARTNER: DialectDoc = {
  prefix: '/smspartner/v1',
  tag: 'SMS Partner',
  description: 'Drop-in api.smspartner.fr/v1: vendor request and answer formats (JSON or XML with `_format`), vendor error codes. See docs/dialects/smspartner.md.',
  security: [{ smsPartnerKey: [] }],
  summaries: {
    '/me': 'Account, credits and balance',
    '/send': 'Send or schedule an SMS to 1..500 numbers',
    '/bulk-send': 'Send or schedule one text per number',
    '/message-cancel': 'Cancel a scheduled message',
    '/message-cancel/:messageId': 'Cancel a scheduled message by id',
    '/message-status': 'Status of one recipient of a message',
    '/multi-status': 'Status of several (message, number) pairs',
    '/bulk-status': 'Status of every recipient of a message',
    '/bulk-status-by-tag': 'Status of every recipient of the messages with a tag',
    '/statistics/cost-resume': 'Cost summary over an interval',
    '/stop-sms/list': 'The STOP list',
    '/stop-sms/add': 'Add a number to the STOP list',
    '/stop-sms/delete': 'Remove a number from the STOP list',
    '/subaccount/create': 'Create a sub-account',
    '/subaccount/list': 'List the sub-accounts',
    '/subaccount/remove': 'Close a sub-account',
    '/subaccount/credit/add': 'Move credit to a sub-account',
    '/subaccount/credit/remove': 'Take credit back from a sub-account',
  },
};

const DIALECTS = [SMS_PARTNER];

const VENDOR_ANSWER = {
  200: json('The vendor answer: `success`, `code` and the endpoint\'s fields (XML with `_format=xml`); errors carry the vendor code', Type.Object({}, { additionalProperties: true })),
};

/**
 * Vendor routes have no request or response schemas (their parsing is the vendor's, lenient, and
 * their answers are never validated): the document lists each one under its dialect's tag, with
 * a summary, once (not its trailing-slash twin). Paths without a summary are the vendor's that
 * Relais does not serve (they answer "access refused"): not listed.
 */
const transform: NonNullable<FastifyDynamicSwaggerOptions['transform']> = ({ schema, url }) => {
  const dialect = DIALECTS.find((d) => url.startsWith(`${d.prefix}/`));
  if (!dialect) return { schema, url };
  const summary = dialect.summaries[url.slice(dialect.prefix.length)];
  if (!summary) return { schema: { ...schema, hide: true }, url };
  return {
    schema: { ...schema, hide: false, tags: [dialect.tag], summary, security: dialect.security, response: VENDOR_ANSWER },
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
        smsPartnerKey: { type: 'apiKey', in: 'query', name: 'apiKey', description: 'SMS Partner: the API key in `apiKey` (query, form or JSON body)' },
      },
    },
    security: NATIVE_SECURITY,
    tags: [
      { name: 'messages', description: 'Schedule, list, edit and cancel messages' },
      { name: 'account', description: 'Balance and ledger' },
      { name: 'suppressions', description: 'SMS STOP and e-mail unsubscribe lists' },
      { name: 'outbox', description: 'What the outbox transport "sent"' },
      ...(on.admin ? [{ name: 'admin', description: 'Operator API, on when RELAIS_ADMIN_TOKEN is set' }] : []),
      { name: 'operations', description: 'Liveness, readiness and metrics' },
      ...DIALECTS.map((d) => ({ name: d.tag, description: d.description })),
    ],
  },
  transform,
});
