import { authenticate, requireScope } from '../../../core/accounts.js';
import type { Core } from '../../../core/context.js';
import { RelaisError } from '../../../core/errors.js';
import type { Scope } from '../../../core/scopes.js';
import type { Auth } from '../../auth.js';
import type { PartnerError } from './errors.js';
import type { Params } from './params.js';

/**
 * The Partner APIs carry the key as the `apiKey` parameter. A missing key has its own vendor
 * answer (`missing`; none: the wrong key's); a wrong one goes through the dialect's table as
 * `unauthorized`, a key without the endpoint's scope as `forbidden`. The Partner frame
 * (scope.ts) calls it for every route that declares a scope.
 */
export async function partnerAuth(core: Core, params: Params, missing: PartnerError | null, scope: Scope): Promise<Auth> {
  const key = params.apiKey();
  if (!key) throw missing ?? new RelaisError('unauthorized', 'no API key');
  const auth = params.knownAuth() ?? (await authenticate(core, key));
  requireScope(auth.key, scope);
  return auth;
}
