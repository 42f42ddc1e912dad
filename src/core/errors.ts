/**
 * The catalogue of Relais error codes. Each code is a public contract: the native API
 * renders it as problem+json `code`, every dialect maps it to its vendor's code.
 * Keep docs/errors.md in step (a test checks it).
 */
export const ERROR_CODES = [
  'invalid_request',
  'malformed_body',
  'body_too_large',
  'unauthorized',
  'forbidden',
  'not_found',
  'insufficient_credits',
  'cancel_too_late',
  'already_cancelled',
  'already_dispatched',
  'invalid_date',
  'nonexistent_local_time',
  'send_at_in_past',
  'invalid_recipient',
  'recipient_suppressed',
  'too_many_recipients',
  'invalid_sender',
  'sender_required',
  'message_too_long',
  'idempotency_conflict',
  'conflict',
  'rate_limited',
  'unavailable',
  'busy',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class RelaisError extends Error {
  override readonly name = 'RelaisError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export const isRelaisError = (e: unknown): e is RelaisError => e instanceof RelaisError;
