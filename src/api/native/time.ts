import { DateTime } from 'luxon';
import { RelaisError } from '../../core/errors.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 instant with an explicit offset, as epoch ms; anything else is `invalid_date`. */
export function parseInstant(text: string, field: string): number {
  const dt = RFC3339.test(text) ? DateTime.fromISO(text, { setZone: true }) : undefined;
  if (!dt?.isValid) {
    throw new RelaisError('invalid_date', `${field} must be an RFC 3339 instant with offset, e.g. 2026-12-01T09:30:00Z`, { field });
  }
  return dt.toMillis();
}

export const parseOptionalInstant = (text: string | undefined, field: string): number | undefined =>
  text === undefined ? undefined : parseInstant(text, field);
