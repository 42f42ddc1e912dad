import type { DialectApp, DialectContext } from '../dialect.js';
import { BrazeLimits, type BrazeRates } from './rate.js';
import { messagesEndpoints } from './messages.js';
import { scheduledBroadcastsEndpoint } from './scheduled-broadcasts.js';
import { setupBrazeScope } from './scope.js';
import { triggerEndpoints } from './triggers.js';
import { usersTrackEndpoint } from './users-track.js';

/**
 * The Braze dialect (spec/braze.md): code written for a Braze REST endpoint works unchanged
 * against this prefix. Its frame (scope.ts) gives every answer Braze's envelope and rate headers;
 * each endpoint is one module translating to core.
 */
export async function brazeRoutes(app: DialectApp, opts: DialectContext & BrazeRates & { maxBroadcast: number }): Promise<void> {
  const route = setupBrazeScope(app, { core: opts.core, limits: new BrazeLimits(opts, opts.core.clock) });
  route(usersTrackEndpoint(opts.core));
  for (const endpoint of messagesEndpoints(opts.core, opts.timezone, opts.maxBroadcast)) route(endpoint);
  route(scheduledBroadcastsEndpoint(opts.core, opts.timezone));
  for (const endpoint of triggerEndpoints(opts.core, opts.timezone, opts.maxBroadcast)) route(endpoint);
}
