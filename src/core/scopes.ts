import { RelaisError } from './errors.js';

/**
 * The closed catalogue of API key scopes, by family. A dialect that brings its own permission
 * names (Braze) adds a family here; everything else (validation, the admin API's and the CLI's
 * messages, docs/API.md) follows from this list.
 */
const SCOPE_FAMILIES = {
  native: [
    'messages:read',
    'messages:write',
    'account:read',
    // Moves money between accounts or reveals other keys (SMS Partner sub-accounts).
    'account:write',
    'suppressions:write',
    'webhooks:write',
    // Braze campaigns and canvases, defined through the native API (core/campaigns.ts).
    'campaigns:read',
    'campaigns:write',
    // The audience Braze schedules resolve external ids to (core/users.ts).
    'users:read',
    'users:write',
  ],
  // Braze's own permission names (spec/braze.md §0.2), one per endpoint, so that a key made for a
  // Braze client carries exactly what its Braze key did.
  braze: [
    'campaigns.trigger.schedule.create',
    'campaigns.trigger.schedule.update',
    'campaigns.trigger.schedule.delete',
    'canvas.trigger.schedule.create',
    'canvas.trigger.schedule.update',
    'canvas.trigger.schedule.delete',
    'messages.schedule.create',
    'messages.schedule.update',
    'messages.schedule.delete',
    'messages.schedule_broadcasts',
    'campaigns.trigger.send',
    'messages.send',
    'users.track',
  ],
} as const;

export type Scope = (typeof SCOPE_FAMILIES)[keyof typeof SCOPE_FAMILIES][number];

export const SCOPES: readonly Scope[] = Object.values(SCOPE_FAMILIES).flat();

const known = new Set<string>(SCOPES);

/** The scopes as given, or `invalid_request` naming every unknown one and the allowed ones. */
export function checkScopes(scopes: readonly string[]): Scope[] {
  const unknown = [...new Set(scopes.filter((s) => !known.has(s)))];
  if (unknown.length > 0) {
    throw new RelaisError('invalid_request', `unknown scope${unknown.length > 1 ? 's' : ''} ${unknown.map((s) => `"${s}"`).join(', ')}; allowed: ${SCOPES.join(', ')}`, {
      field: 'scopes', unknown, allowed: SCOPES,
    });
  }
  return [...new Set(scopes)] as Scope[];
}
