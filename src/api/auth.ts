import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { authenticate, requireScope } from '../core/accounts.js';
import type { Core } from '../core/context.js';
import { RelaisError } from '../core/errors.js';
import type { Scope } from '../core/scopes.js';
import type { Account, ApiKey } from '../core/types.js';

export interface Auth {
  account: Account;
  key: ApiKey;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: Auth | null;
  }
}

/** `Authorization: Bearer <key>` or `X-Api-Key: <key>`. */
export function bearerOrApiKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m ? m[1] : undefined;
  }
  const key = request.headers['x-api-key'];
  return typeof key === 'string' ? key : undefined;
}

/**
 * An onRequest hook that authenticates the native API key and checks the route's scope: a
 * wrong key is refused before its body is read.
 */
export const requireKey = (core: Core, scope: Scope) => async (request: FastifyRequest): Promise<void> => {
  const auth = await authenticate(core, bearerOrApiKey(request));
  requireScope(auth.key, scope);
  request.auth = auth;
};

/** The authenticated caller; only for routes behind `requireKey`. */
export function authOf(request: FastifyRequest): Auth {
  if (!request.auth) throw new RelaisError('unauthorized', 'an API key is required');
  return request.auth;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** An onRequest hook requiring `token` as the Bearer; compared in constant time, so it cannot be guessed a byte at a time. */
export const requireToken = (token: string, what: string) => async (request: FastifyRequest): Promise<void> => {
  const given = bearerOrApiKey(request);
  if (!given || !timingSafeEqual(digest(given), digest(token))) throw new RelaisError('unauthorized', `invalid ${what} token`);
};

export const requireAdmin = (token: string) => requireToken(token, 'admin');
