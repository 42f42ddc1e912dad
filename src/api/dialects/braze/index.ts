import type { DialectApp, DialectContext } from '../dialect.js';
import { BrazeLimits, type BrazeRates } from './rate.js';
import { setupBrazeScope } from './scope.js';
import { usersTrackEndpoint } from './users-track.js';

/**
 * The Braze dialect (spec/braze.md): code written for a Braze REST endpoint works unchanged
 * against this prefix. Its frame (scope.ts) gives every answer Braze's envelope and rate headers;
 * each endpoint is one module translating to core.
 */
export async function brazeRoutes(app: DialectApp, opts: DialectContext & BrazeRates): Promise<void> {
  const route = setupBrazeScope(app, { core: opts.core, limits: new BrazeLimits(opts, opts.core.clock) });
  route(usersTrackEndpoint(opts.core));
}
