import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { RelaisError, type ErrorCode } from '../core/errors.js';

/** HTTP status of each code on the native and admin APIs. */
export const HTTP_STATUS = {
  invalid_request: 400,
  malformed_body: 400,
  body_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  insufficient_credits: 402,
  cancel_too_late: 409,
  already_cancelled: 409,
  already_dispatched: 409,
  invalid_date: 400,
  nonexistent_local_time: 400,
  send_at_in_past: 400,
  invalid_recipient: 400,
  recipient_suppressed: 400,
  too_many_recipients: 400,
  invalid_sender: 400,
  sender_required: 400,
  message_too_long: 400,
  idempotency_conflict: 409,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
  busy: 503,
  internal: 500,
} as const satisfies Record<ErrorCode, number>;

const TITLES: Partial<Record<ErrorCode, string>> = { internal: 'Internal error' };
const title = (code: ErrorCode) => TITLES[code] ?? code.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

/**
 * Turns anything thrown while handling a request into a RelaisError: schema and body-parser
 * failures get their stable code, an unknown error becomes `internal` (logged, never shown).
 */
export function toRelaisError(err: unknown): RelaisError {
  if (err instanceof RelaisError) return err;
  if (isClientAbort(err)) return new RelaisError('malformed_body', 'the client closed the connection before the body was complete', {}, { cause: err });
  const e = err as FastifyError & { validation?: AjvIssue[]; validationContext?: string };
  if (e?.validation) return validationError(e.validationContext, e.validation);
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new RelaisError('body_too_large', 'request body is too large');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new RelaisError('malformed_body', 'request body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new RelaisError('invalid_request', 'unsupported Content-Type; send application/json');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new RelaisError('invalid_request', 'a path segment is longer than 100 characters');
    case 'FST_ERR_BAD_URL':
      return new RelaisError('invalid_request', 'the URL is not valid (bad percent-encoding)');
  }
  if (err instanceof SyntaxError || (e?.statusCode === 400 && /JSON/i.test(e.message ?? ''))) {
    return new RelaisError('malformed_body', 'request body is not valid JSON');
  }
  // The multipart plugin's limits (a file, a field, too many parts) are 413s of their own codes.
  if (e?.statusCode === 413) return new RelaisError('body_too_large', e.message);
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) return new RelaisError('invalid_request', e.message);
  return new RelaisError('internal', 'internal error', {}, { cause: err });
}

interface AjvIssue { instancePath?: string; keyword?: string; message?: string; params?: Record<string, unknown> }

/**
 * One message per field, naming it and what it accepts. A union of literals (`status`,
 * `channel`) fails once per literal plus once for the union: those become one "must be one of"
 * with the values in `allowed`.
 */
function validationError(context: string | undefined, issues: AjvIssue[]): RelaisError {
  const byField = new Map<string, AjvIssue[]>();
  for (const v of issues) {
    const field = fieldOf(context, v.instancePath, v.params);
    byField.set(field, [...(byField.get(field) ?? []), v]);
  }
  const errors = [...byField].map(([field, list]) => describeField(field, list));
  const { field, allowed } = errors[0] ?? { field: context ?? 'request' };
  return new RelaisError('invalid_request', errors.map((x) => `${x.field} ${x.message}`).join('; '), { field, ...(allowed ? { allowed } : {}), errors });
}

function describeField(field: string, list: AjvIssue[]): { field: string; message: string; allowed?: unknown[] } {
  const allowed = list.flatMap((v) => v.keyword === 'const' ? [v.params?.allowedValue] : v.keyword === 'enum' ? (v.params?.allowedValues as unknown[]) : []);
  if (allowed.length > 0) return { field, message: `must be one of ${allowed.join(', ')}`, allowed };
  const v = list.find((x) => x.keyword !== 'anyOf') ?? list[0]!;
  return { field, message: phrase(v) };
}

const A_TYPE: Record<string, string> = { integer: 'an integer', number: 'a number', string: 'a string', boolean: 'true or false', array: 'a list', object: 'an object', null: 'null' };

function phrase(v: AjvIssue): string {
  const p = v.params ?? {};
  switch (v.keyword) {
    case 'type': return `must be ${String(p.type).split(',').map((t) => A_TYPE[t] ?? t).join(' or ')}`;
    case 'required': return 'is required';
    case 'additionalProperties': return 'is not a known field';
    case 'minimum': return `must be at least ${p.limit}`;
    case 'maximum': return `must be at most ${p.limit}`;
    case 'minLength': return p.limit === 1 ? 'must not be empty' : `must be at least ${p.limit} characters long`;
    case 'maxLength': return `must be at most ${p.limit} characters long`;
    case 'minItems': return `must have at least ${p.limit} item${p.limit === 1 ? '' : 's'}`;
    case 'maxItems': return `must have at most ${p.limit} items`;
    case 'minProperties': return 'must not be empty';
    default: return v.message ?? 'is invalid';
  }
}

/** The input a problem is about: a body field by its path (`to.0`), a query or path parameter by its name. */
function fieldOf(context: string | undefined, path: string | undefined, params?: Record<string, unknown>): string {
  const extra = params?.additionalProperty ?? params?.missingProperty ?? params?.requiredProperties;
  const parts = [...(path ?? '').split('/').filter(Boolean), extra === undefined ? '' : String(extra)];
  return parts.filter(Boolean).join('.') || (context ?? 'request');
}

/** Node's error on a request whose client hung up before the body was complete. */
const isClientAbort = (err: unknown): boolean => {
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === 'ECONNRESET' && e.message === 'aborted';
};

/**
 * What a failed request leaves in the log: a server fault is an error line; a client that hung
 * up mid-body is routine on the Internet, and nobody is left to answer, so a debug line.
 */
export function logFailure(request: FastifyRequest, status: number, cause: unknown): void {
  if (isClientAbort(cause)) request.log.debug({ err: cause }, 'the client closed the connection before the body was complete');
  else if (status >= 500) request.log.error({ err: cause }, 'request failed');
}

/** `Retry-After` for an error that says when to come back (`busy`), on every API. */
export function setRetryAfter(reply: FastifyReply, err: unknown): void {
  const seconds = err instanceof RelaisError ? err.details.retryAfter : undefined;
  if (typeof seconds === 'number') reply.header('retry-after', String(seconds));
}

/** RFC 9457 problem details. */
export function sendProblem(reply: FastifyReply, request: FastifyRequest, err: RelaisError): FastifyReply {
  const status = HTTP_STATUS[err.code];
  logFailure(request, status, err.cause ?? err);
  setRetryAfter(reply, err);
  // Details extend the problem; they never replace its standard members (a message's `status`
  // in the details must not overwrite the HTTP status).
  return reply.code(status).type('application/problem+json').send({
    ...err.details,
    type: `https://relais.dev/errors/${err.code}`,
    title: title(err.code),
    status,
    detail: err.message,
    instance: request.url.split('?')[0],
    code: err.code,
  });
}
