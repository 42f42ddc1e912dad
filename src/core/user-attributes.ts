import { RelaisError } from './errors.js';

/**
 * Bounds of a user's custom attributes, after a write is merged: the profile is read whole at
 * every send to the user (Liquid), so one user must not be able to grow without end, nor hold a
 * value nested deep enough to exhaust a renderer's stack.
 */
export const CUSTOM_LIMITS = {
  /** Attributes per user. */
  keys: 250,
  /** Characters of an attribute's name. */
  nameLength: 255,
  /** Bytes of one attribute's value as JSON. */
  valueBytes: 16_384,
  /** Bytes of all of a user's custom attributes as JSON. */
  totalBytes: 65_536,
  /** Levels of objects and arrays inside one value. */
  depth: 5,
} as const;

const refuse = (field: string, message: string): RelaisError => new RelaisError('invalid_request', message, { field });

/** Levels of objects and arrays below `value`, counted only as far as `limit + 1`. */
function depthOf(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (limit < 0) return 1;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child, limit - 1));
  return deepest + 1;
}

/** Refuses custom attributes beyond CUSTOM_LIMITS, naming the attribute at fault. */
export function checkCustomAttributes(custom: Record<string, unknown>): void {
  const names = Object.keys(custom);
  if (names.length > CUSTOM_LIMITS.keys) throw refuse('custom', `a user has at most ${CUSTOM_LIMITS.keys} custom attributes`);
  for (const name of names) {
    if (name === '' || name.length > CUSTOM_LIMITS.nameLength) throw refuse(name, `a custom attribute name must be 1 to ${CUSTOM_LIMITS.nameLength} characters`);
    const value = custom[name];
    if (depthOf(value, CUSTOM_LIMITS.depth) > CUSTOM_LIMITS.depth) throw refuse(name, `custom attribute "${name}" is nested deeper than ${CUSTOM_LIMITS.depth} levels`);
    if (Buffer.byteLength(JSON.stringify(value)) > CUSTOM_LIMITS.valueBytes) throw refuse(name, `custom attribute "${name}" is larger than ${CUSTOM_LIMITS.valueBytes} bytes`);
  }
  if (Buffer.byteLength(JSON.stringify(custom)) > CUSTOM_LIMITS.totalBytes) throw refuse('custom', `a user's custom attributes take at most ${CUSTOM_LIMITS.totalBytes} bytes`);
}
