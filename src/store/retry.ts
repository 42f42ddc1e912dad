import { setTimeout as sleep } from 'node:timers/promises';
import { RelaisError } from '../core/errors.js';

// PostgreSQL: 40P01 deadlock_detected, 40001 serialization_failure. Either way the transaction
// was rolled back whole, so running it again is safe.
const CONFLICTS = new Set(['40P01', '40001']);

export const isConflict = (err: unknown): boolean => CONFLICTS.has(String((err as { code?: unknown } | undefined)?.code));

/** What a client is told when the retries are exhausted; `retryAfter` becomes the Retry-After header. */
export const busyError = (cause: unknown): RelaisError =>
  new RelaisError('busy', 'concurrent requests kept conflicting on the same data; retry later', { retryAfter: 1 }, { cause });

const ATTEMPTS = 5;

/**
 * Runs a transaction again when PostgreSQL aborted it for a deadlock or a serialization failure,
 * after a random pause (full jitter, growing): the contenders of a deadlock would otherwise
 * meet again at once. Exhausted: `busy` (503).
 */
export async function retryConflicts<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!isConflict(err)) throw err;
      if (attempt === ATTEMPTS) throw busyError(err);
      await sleep(Math.random() * Math.min(250, 10 * 2 ** attempt));
    }
  }
}
