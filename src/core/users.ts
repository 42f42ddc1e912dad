import { IANAZone } from 'luxon';
import { normalizeEmail, normalizePhone } from './addresses.js';
import type { Core } from './context.js';
import { RelaisError } from './errors.js';
import type { UserKey, UsersPort } from './ports.js';
import { decodeCursor, encodeCursor } from './queries.js';
import type { Page, User, UserProfile } from './types.js';
import { checkCustomAttributes } from './user-attributes.js';

/**
 * What a request says about a user's profile, as sent (core checks the types): a field left out
 * keeps its value, null removes it. `custom` is merged key by key into the stored attributes, a
 * null value removing its key: Braze's users/track semantics, which the native API shares.
 */
export interface UserUpdate {
  email?: unknown;
  phone?: unknown;
  timeZone?: unknown;
  firstName?: unknown;
  lastName?: unknown;
  custom?: Record<string, unknown>;
}

/** One user to update: `create` false leaves an unknown user unknown (Braze's `_update_existing_only`). */
export interface UserWrite {
  key: UserKey;
  create: boolean;
  update: UserUpdate;
}

const MAX_ID_LENGTH = 512;
const MAX_NAME_LENGTH = 255;

const invalid = (field: string, message: string): RelaisError => new RelaisError('invalid_request', message, { field });

/** An external id or alias as a request names it: non-empty, bounded text. */
export function checkUserKey(key: UserKey): UserKey {
  const text = (field: string, value: string, max: number) => {
    if (value.trim() === '' || value.length > max) throw invalid(field, `${field} must be 1 to ${max} characters`);
  };
  if ('externalId' in key) text('external_id', key.externalId, MAX_ID_LENGTH);
  else {
    text('alias_name', key.alias.name, MAX_NAME_LENGTH);
    text('alias_label', key.alias.label, MAX_NAME_LENGTH);
  }
  return key;
}

const EMPTY: UserProfile = { email: null, phone: null, timeZone: null, firstName: null, lastName: null, custom: {} };

/** A text field's new value: absent keeps `current`, null removes, a string is checked by `check`. */
function field(name: string, value: unknown, current: string | null, check: (s: string) => string = (s) => s): string | null {
  if (value === undefined) return current;
  if (value === null) return null;
  if (typeof value !== 'string') throw invalid(name, `${name} must be a string or null`);
  if (value.length > MAX_NAME_LENGTH) throw invalid(name, `${name} must be at most ${MAX_NAME_LENGTH} characters`);
  return check(value);
}

/** The profile after `update`, or `invalid_request` naming the first field at fault (nothing is half applied). */
export function applyUserUpdate(core: Pick<Core, 'defaultRegion'>, current: UserProfile | undefined, update: UserUpdate): UserProfile {
  const base = current ?? EMPTY;
  const email = field('email', update.email, base.email, (s) => {
    try { return normalizeEmail(s); } catch { throw invalid('email', `email "${s}" is not a valid e-mail address`); }
  });
  const phone = field('phone', update.phone, base.phone, (s) => {
    try { return normalizePhone(s, core.defaultRegion); } catch { throw invalid('phone', `phone "${s}" is not a valid phone number`); }
  });
  const timeZone = field('timeZone', update.timeZone, base.timeZone, (s) => {
    if (!IANAZone.isValidZone(s)) throw invalid('timeZone', `time zone "${s}" is not an IANA time zone`);
    return s;
  });
  const custom = { ...base.custom };
  for (const [name, value] of Object.entries(update.custom ?? {})) {
    if (value === null) delete custom[name];
    else custom[name] = value;
  }
  checkCustomAttributes(custom);
  return { email, phone, timeZone, firstName: field('firstName', update.firstName, base.firstName), lastName: field('lastName', update.lastName, base.lastName), custom };
}

/**
 * Applies one write in the caller's transaction: the user is locked, merged and written, or
 * created. Undefined when the user is unknown and `create` is false.
 */
async function writeUser(core: Core, tx: UsersPort, accountId: number, w: UserWrite, at: number): Promise<User | undefined> {
  const current = await tx.lockUser(accountId, w.key);
  if (current) return tx.updateUser(current.id, applyUserUpdate(core, current, w.update), at);
  if (!w.create) return undefined;
  const profile = applyUserUpdate(core, undefined, w.update);
  const ids = 'externalId' in w.key ? { externalId: w.key.externalId, alias: null } : { externalId: null, alias: w.key.alias };
  // Lost a race with a concurrent creation of the same user: update the one that won.
  return (await tx.insertUser({ accountId, ...ids, profile, at })) ?? writeUser(core, tx, accountId, w, at);
}

/**
 * Writes users as POST /braze/users/track does: in one transaction, each write checked on its own
 * so that one bad write does not refuse the rest. Answers the index and error of each refused one.
 */
export async function trackUsers(core: Core, accountId: number, writes: UserWrite[]): Promise<{ index: number; error: RelaisError }[]> {
  const at = core.clock.now();
  return core.store.transaction(async (tx) => {
    const refused: { index: number; error: RelaisError }[] = [];
    for (const [index, w] of writes.entries()) {
      try {
        await writeUser(core, tx, accountId, { ...w, key: checkUserKey(w.key) }, at);
      } catch (err) {
        // Only a refusal of the input is this write's alone; anything else fails the request.
        if (!(err instanceof RelaisError) || err.code !== 'invalid_request') throw err;
        refused.push({ index, error: err });
      }
    }
    return refused;
  });
}

/** Creates or updates one user by external id (PUT /api/v1/users/:externalId). */
export async function upsertUser(core: Core, accountId: number, externalId: string, update: UserUpdate): Promise<User> {
  const key = checkUserKey({ externalId });
  const at = core.clock.now();
  return (await core.store.transaction((tx) => writeUser(core, tx, accountId, { key, create: true, update }, at)))!;
}

/** The account's user with this external id, or `not_found`. */
export async function getUser(core: Core, accountId: number, externalId: string): Promise<User> {
  const [user] = await core.store.autocommit.findUsersByExternalIds(accountId, [externalId]);
  if (!user) throw new RelaisError('not_found', `user "${externalId}" does not exist`, { externalId });
  return user;
}

export async function deleteUser(core: Core, accountId: number, externalId: string): Promise<void> {
  if (!(await core.store.autocommit.deleteUser(accountId, externalId))) {
    throw new RelaisError('not_found', `user "${externalId}" does not exist`, { externalId });
  }
}

/** What a Liquid template sees of a user (core/liquid.ts): Braze's standard attribute names, and the custom ones. */
export interface UserTemplateData {
  user: { first_name: string | null; last_name: string | null; email_address: string | null; phone_number: string | null; time_zone: string | null };
  custom: Record<string, unknown>;
}

export const userTemplateData = (u: UserProfile): UserTemplateData => ({
  user: { first_name: u.firstName, last_name: u.lastName, email_address: u.email, phone_number: u.phone, time_zone: u.timeZone },
  custom: u.custom,
});

/** The account's users in the order they were created, `limit` at a time. */
export async function listUsers(core: Core, accountId: number, q: { limit: number; cursor?: string }): Promise<Page<User>> {
  const rows = await core.store.autocommit.listUsers(accountId, { limit: q.limit + 1, afterId: decodeCursor(q.cursor) });
  const items = rows.slice(0, q.limit);
  return { items, nextCursor: rows.length > q.limit ? encodeCursor(items[items.length - 1]!.id) : null };
}
