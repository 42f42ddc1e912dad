import { RelaisError } from '../../../../core/errors.js';

/**
 * A message id parameter (`toInt`'s reading): `missing` when absent; one that no message can have
 * is not found, as an unknown one is (the vendor table's not-found answer).
 */
export function messageId(value: number | undefined, missing: Error): number {
  if (value === undefined) throw missing;
  if (!Number.isSafeInteger(value) || value <= 0) throw new RelaisError('not_found', 'no such message');
  return value;
}
