import type { FastifyRequest } from 'fastify';
import { nulPath } from '../../../core/content.js';
import { RelaisError } from '../../../core/errors.js';
import { isObject, type BrazeBody } from './coerce.js';

/**
 * Bounds of a parsed body, far above any Braze request (users/track: 3 × 75 objects of a few
 * dozen fields), so that a body built to exhaust the stack or the CPU is refused before any
 * endpoint walks it. The size itself is bounded by the app's body limit (413).
 */
const MAX_DEPTH = 32;
const MAX_VALUES = 50_000;

const bad = (message: string): RelaisError => new RelaisError('malformed_body', message, { field: 'request' });

/** Iterative, so that the depth check itself cannot overflow the stack. */
function checkShape(root: unknown): void {
  let values = 0;
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (++values > MAX_VALUES) throw bad(`the body holds more than ${MAX_VALUES} values`);
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_DEPTH) throw bad(`the body is nested deeper than ${MAX_DEPTH} levels`);
    for (const [key, child] of Object.entries(value)) {
      // Harmless as JSON, but an object that later takes it as a key by assignment gets a new prototype.
      if (key === '__proto__') throw bad('the body must not hold a "__proto__" key');
      stack.push([child, depth + 1]);
    }
  }
  const nul = nulPath(root);
  if (nul) throw new RelaisError('invalid_request', `${nul.join('.') || 'a field name'} must not contain NUL (U+0000) characters`, { field: nul[0] ?? 'request' });
}

/**
 * The JSON object of a request (its body arrives as text: the Braze scope parses it here, so that
 * every refusal has the Braze envelope). No body is `{}`; a body needs `Content-Type:
 * application/json` (or `+json`) and must be one JSON object.
 */
export function readJsonBody(request: FastifyRequest): BrazeBody {
  const text = typeof request.body === 'string' ? request.body : '';
  if (text.trim() === '') return {};
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !type.endsWith('+json')) {
    throw new RelaisError('invalid_request', 'Content-Type must be application/json', { field: 'content-type' });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw bad('the body is not valid JSON');
  }
  if (!isObject(parsed)) throw bad('the body must be a JSON object');
  checkShape(parsed);
  return parsed;
}
