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
  const e = err as FastifyError & { validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[]; validationContext?: string };
  if (e?.validation) {
    const errors = e.validation.map((v) => ({
      field: fieldOf(e.validationContext, v.instancePath, v.params),
      message: v.message ?? 'is invalid',
    }));
    const first = errors[0];
    return new RelaisError('invalid_request', first ? `${first.field}: ${first.message}` : 'invalid request', { errors });
  }
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new RelaisError('body_too_large', 'request body is too large');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new RelaisError('malformed_body', 'request body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new RelaisError('invalid_request', 'unsupported Content-Type; send application/json');
  }
  if (err instanceof SyntaxError || (e?.statusCode === 400 && /JSON/i.test(e.message ?? ''))) {
    return new RelaisError('malformed_body', 'request body is not valid JSON');
  }
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) return new RelaisError('invalid_request', e.message);
  return new RelaisError('internal', 'internal error', {}, { cause: err });
}

function fieldOf(context: string | undefined, path: string | undefined, params?: Record<string, unknown>): string {
  const extra = params?.additionalProperty ?? params?.missingProperty ?? params?.requiredProperties;
  const parts = [context === 'body' ? '' : context, ...(path ?? '').split('/').filter(Boolean), extra === undefined ? '' : String(extra)];
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
