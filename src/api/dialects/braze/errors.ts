import type { ErrorCode } from '../../../core/errors.js';
import { scheduleRefusals } from '../dialect.js';

/** A Braze fatal error: the HTTP status and the `message` of the envelope (spec/braze.md §0.5). */
export interface BrazeFault {
  status: number;
  message: string;
}

const BAD_REQUEST: BrazeFault = { status: 400, message: 'Bad Request' };
const UNAVAILABLE: BrazeFault = { status: 503, message: 'Service Unavailable' };

/**
 * Every core code as Braze answers it. Braze has no credits, sender ids or cancel cutoff: what
 * only Relais refuses is a `Bad Request` whose `errors` say why (the answer's reason is kept).
 */
export const BRAZE_ERRORS = {
  invalid_request: BAD_REQUEST,
  malformed_body: BAD_REQUEST,
  body_too_large: { status: 413, message: 'Payload Too Large' },
  unauthorized: { status: 401, message: 'Unauthorized' },
  forbidden: { status: 403, message: 'Access Denied' },
  not_found: { status: 404, message: 'Not Found' },
  insufficient_credits: { status: 402, message: 'Insufficient Credits' },
  ...scheduleRefusals(BAD_REQUEST),
  invalid_recipient: BAD_REQUEST,
  recipient_suppressed: BAD_REQUEST,
  too_many_recipients: { status: 400, message: 'The max number of external_ids and aliases per request was exceeded' },
  invalid_sender: BAD_REQUEST,
  sender_required: BAD_REQUEST,
  message_too_long: BAD_REQUEST,
  idempotency_conflict: BAD_REQUEST,
  conflict: BAD_REQUEST,
  rate_limited: { status: 429, message: 'Rate Limited' },
  unavailable: UNAVAILABLE,
  busy: UNAVAILABLE,
  internal: { status: 500, message: 'Internal Server Error' },
} as const satisfies Record<ErrorCode, BrazeFault>;

/**
 * Codes whose envelope carries no reason in `errors`: a path, a limit or a fault of the server is
 * the whole story, and an internal error's text must never reach the client.
 */
export const BARE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['not_found', 'rate_limited', 'unavailable', 'busy', 'internal']);

/**
 * An answer an endpoint chooses itself, beyond the table: its own `message` (`Invalid schedule
 * ID`, users/track's "Valid data must be provided…") and `errors` (strings or objects).
 */
export class BrazeError extends Error {
  override readonly name = 'BrazeError';
  constructor(readonly status: number, message: string, readonly errors: unknown[] = []) {
    super(message);
  }
}
