import type { BrazeAudience, BrazeRecipient } from '../../../core/braze-audience.js';
import { RelaisError } from '../../../core/errors.js';
import type { UserKey } from '../../../core/ports.js';
import { checkUserKey } from '../../../core/users.js';
import { arrayField, booleanField, isObject, objectField, type BrazeBody } from './coerce.js';
import { BrazeError } from './errors.js';

/** Users one Braze call may name (external ids, aliases and recipients together). */
export const MAX_TARGETS = 50;

const badRequest = (reason: string) => new BrazeError(400, 'Bad Request', [reason]);

function aliasKey(v: unknown, field: string): UserKey {
  if (!isObject(v) || typeof v.alias_name !== 'string' || typeof v.alias_label !== 'string') throw badRequest(`${field} must be {"alias_name", "alias_label"}`);
  return { alias: { name: v.alias_name, label: v.alias_label } };
}

/** A `recipients` item: exactly one of external_user_id or user_alias (an `email` recipient is not supported), and its own properties. */
function recipient(item: unknown, index: number, propertiesKey: string): BrazeRecipient {
  const field = `recipients.${index}`;
  if (!isObject(item)) throw badRequest(`${field} must be an object`);
  const named = ['external_user_id', 'user_alias', 'email'].filter((k) => item[k] !== undefined && item[k] !== null);
  if (named.length !== 1) throw badRequest(`${field} needs exactly one of external_user_id, user_alias or email`);
  if (named[0] === 'email') throw badRequest(`${field}: email recipients are not supported; use external_user_id or user_alias`);
  let key: UserKey;
  if (named[0] === 'external_user_id') {
    if (typeof item.external_user_id !== 'string') throw badRequest(`${field}.external_user_id must be a string`);
    key = { externalId: item.external_user_id };
  } else key = aliasKey(item.user_alias, `${field}.user_alias`);
  const properties = objectField(item, propertiesKey);
  return { key, ...(properties && { properties: { ...properties } }) };
}

function checked(key: UserKey): UserKey {
  try {
    return checkUserKey(key);
  } catch (err) {
    throw err instanceof RelaisError ? badRequest(err.message) : err;
  }
}

/**
 * The audience of a Braze call (spec/braze.md §0.9, §7): `external_user_ids`, `user_aliases`,
 * `recipients` (with their own `propertiesKey`) or `broadcast: true`; at most 50 users named;
 * nobody named and no broadcast is Braze's `No Recipients`. Segments and connected audiences are
 * not supported (400).
 */
export function readAudience(body: BrazeBody, opts: { propertiesKey: string; recipients: boolean; ids: boolean; maxBroadcast: number }): BrazeAudience {
  for (const unsupported of ['segment_id', 'audience']) {
    if (body[unsupported] !== undefined && body[unsupported] !== null) throw badRequest(`${unsupported} is not supported: name the users, or broadcast`);
  }
  const recipients: BrazeRecipient[] = [];
  if (opts.ids) {
    for (const [i, id] of (arrayField(body, 'external_user_ids') ?? []).entries()) {
      if (typeof id !== 'string') throw badRequest(`external_user_ids.${i} must be a string`);
      recipients.push({ key: { externalId: id } });
    }
    for (const [i, alias] of (arrayField(body, 'user_aliases') ?? []).entries()) recipients.push({ key: aliasKey(alias, `user_aliases.${i}`) });
  }
  if (opts.recipients) recipients.push(...(arrayField(body, 'recipients') ?? []).map((r, i) => recipient(r, i, opts.propertiesKey)));
  const broadcast = booleanField(body, 'broadcast') ?? false;
  if (broadcast && recipients.length) throw badRequest('broadcast and a list of users are mutually exclusive');
  if (!broadcast && recipients.length === 0) throw new BrazeError(400, 'No Recipients');
  if (recipients.length > MAX_TARGETS) throw new RelaisError('too_many_recipients', `at most ${MAX_TARGETS} users per request`);
  return { recipients: recipients.map((r) => ({ ...r, key: checked(r.key) })), broadcast, maxBroadcast: opts.maxBroadcast };
}
