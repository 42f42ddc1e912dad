import type { FastifyRequest } from 'fastify';
import { authenticate } from '../../../core/accounts.js';
import type { Core } from '../../../core/context.js';
import { RelaisError } from '../../../core/errors.js';
import type { Auth } from '../../auth.js';
import type { BrazeBody } from './coerce.js';

/**
 * The key of `Authorization: Bearer <key>`. Braze refuses a quoted key (`Bearer "abc"`, a common
 * mistake of clients that paste it from JSON), and so does Relais, saying why.
 */
export function bearerKey(header: string): string {
  const m = /^Bearer +(\S+) *$/i.exec(header);
  if (!m) throw new RelaisError('unauthorized', 'the Authorization header must be "Bearer <REST API key>"');
  if (/^["']/.test(m[1]!)) throw new RelaisError('unauthorized', 'the API key must not be quoted');
  return m[1]!;
}

/** The header's key, checked before the body is read: a wrong key never makes Relais wait for a body. */
export async function headerAuth(core: Core, request: FastifyRequest): Promise<Auth | null> {
  const header = request.headers.authorization;
  return header === undefined ? null : authenticate(core, bearerKey(header));
}

/**
 * Pre-2020 Appboy clients put `api_key` (and `app_group_id`, which Relais ignores) in the JSON
 * body; read only when the request has no Authorization header: the header always wins.
 */
export async function bodyAuth(core: Core, body: BrazeBody): Promise<Auth> {
  const key = body.api_key;
  if (typeof key !== 'string' || key === '') throw new RelaisError('unauthorized', 'an API key is required: Authorization: Bearer <REST API key>');
  return authenticate(core, key);
}
