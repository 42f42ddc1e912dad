import { RelaisError } from '../../../core/errors.js';

/**
 * The vendor coercions of spec/braze.md §0.3, in one place: Braze's own examples send booleans
 * as strings (`"broadcast": "false"`), one string or one object where a list is expected
 * (`"external_user_ids": "id"`, `"user_aliases": {…}`), and its clients do the same. Keys an
 * endpoint does not read are ignored.
 */

export type BrazeBody = Readonly<Record<string, unknown>>;

const bad = (field: string, message: string): RelaisError => new RelaisError('invalid_request', message, { field });

/** `true`, `false`, `"true"`, `"false"`; absent or null: undefined; anything else is refused. */
export function booleanField(body: BrazeBody, name: string): boolean | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw bad(name, `${name} must be true or false`);
}

/** A list as given, or a lone string or object as a list of one; absent or null: undefined. */
export function arrayField(body: BrazeBody, name: string): unknown[] | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v;
  if (typeof v === 'string' || typeof v === 'object') return [v];
  throw bad(name, `${name} must be a list`);
}

/** A string; absent or null: undefined; anything else is refused. */
export function stringField(body: BrazeBody, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw bad(name, `${name} must be a string`);
  return v;
}

/** A JSON object (not a list); absent or null: undefined; anything else is refused. */
export function objectField(body: BrazeBody, name: string): BrazeBody | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw bad(name, `${name} must be an object`);
  return v;
}

export const isObject = (v: unknown): v is BrazeBody => typeof v === 'object' && v !== null && !Array.isArray(v);
