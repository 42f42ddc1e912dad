import { RelaisError, type ErrorCode } from '../../../core/errors.js';

/** One `{elementId, message}` item of a Partner validation error. */
export interface FieldError {
  elementId: string;
  message: string;
}

/**
 * How a dialect answers one Relais error code. With `elementId`, the error is about one field
 * and is answered as a validation list (`errors`/`error`) instead of a `message`.
 */
export interface VendorError {
  status: number;
  /** A number on SMS and Mail Partner; Voice Partner's send errors are symbols (`PHONE_NUMBER_REQUIRED`). */
  code: VendorCode;
  message: string | ((e: RelaisError) => string);
  elementId?: string | ((e: RelaisError) => string);
}

export type VendorCode = number | string;

export type VendorTable = Record<ErrorCode, VendorError>;
export type VendorOverrides = Partial<Record<ErrorCode, VendorError>>;

/** An answer in the vendor's error envelope, ready to send. */
export class PartnerError extends Error {
  override readonly name = 'PartnerError';
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    /** The XML variant when it differs from the JSON body (a validation list is rendered once). */
    readonly xmlBody?: Record<string, unknown>,
  ) {
    super(typeof body.message === 'string' ? body.message : `vendor code ${String(body.code)}`);
  }
}

/**
 * The HTTP status of a Partner body code (spec/sms-partner.md §0.6, which Mail Partner shares):
 * the vendors document body codes only; these statuses are Relais's.
 */
export function partnerHttpStatus(code: number): number {
  if (code === 4) return 404;
  if (code === 10) return 401;
  if (code === 11) return 402;
  if ([20, 30, 40, 96].includes(code)) return 403;
  if (code === 409 || code === 413 || code === 429) return code;
  if (code >= 500) return code === 503 ? 503 : 500;
  return 400;
}

export const partnerError = (status: number, code: VendorCode, message: string): PartnerError =>
  new PartnerError(status, { success: false, code, message });

/**
 * The validation envelope. Sources disagree on the list's key (`errors` in the send page,
 * `error` in bulk-send and the Go SDK): JSON carries both with the same content.
 */
export const validationError = (status: number, code: VendorCode, errors: FieldError[]): PartnerError =>
  new PartnerError(status, { success: false, code, errors, error: errors }, { success: false, code, errors });

export function fromVendorTable(err: RelaisError, entry: VendorError): PartnerError {
  const message = typeof entry.message === 'function' ? entry.message(err) : entry.message;
  if (entry.elementId === undefined) return partnerError(entry.status, entry.code, message);
  const elementId = typeof entry.elementId === 'function' ? entry.elementId(err) : entry.elementId;
  return validationError(entry.status, entry.code, [{ elementId, message }]);
}
