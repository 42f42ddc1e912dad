import { RelaisError } from '../core/errors.js';
import { busyError, isConflict } from './retry.js';

const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'SQLITE_BUSY', 'SQLITE_LOCKED']);
// PostgreSQL: class 08 (connection exception), 57P01-03 (shutdown / starting up), 53300 (too many connections).
const PG_CODES = /^(08...|57P0[123]|53300)$/;
// 55000 "database … is not currently accepting connections" (ALLOW_CONNECTIONS false, as during
// maintenance) only by its message: the code alone also means unrelated state errors. So is a
// prepared statement's plan gone stale after a migration elsewhere (0A000; open.ts re-plans it).
const MESSAGES = /cached plan must not change result type|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|database system is (starting up|shutting down)|is not currently accepting connections/i;

/** True when the database could not be reached or is restarting: the request may succeed later. */
export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  if (!e) return false;
  if (typeof e.code === 'string' && (NODE_CODES.has(e.code) || PG_CODES.test(e.code))) return true;
  return typeof e.message === 'string' && MESSAGES.test(e.message);
}

/** Re-throws a lost-database error as `unavailable` (HTTP 503) so that no caller shows a 500. */
export function translate(err: unknown): never {
  // A statement outside a transaction that lost a deadlock: not retried here (a method may have
  // run several statements, some committed), but a 503 the client may retry, not a 500.
  if (isConflict(err)) throw busyError(err);
  if (isUnavailable(err)) throw new RelaisError('unavailable', 'the database is unavailable; retry later', {}, { cause: err });
  throw err;
}

/** Wraps every method of a query object so that its failures go through `translate`. */
export function guarded<T extends object>(queries: T): T {
  const out = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(queries)) {
    out[name] = (...args: unknown[]) => (fn as (...a: unknown[]) => Promise<unknown>)(...args).catch(translate);
  }
  return out as T;
}
