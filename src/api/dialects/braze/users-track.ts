import type { Core } from '../../../core/context.js';
import type { RelaisError } from '../../../core/errors.js';
import type { UserKey } from '../../../core/ports.js';
import { trackUsers, type UserUpdate, type UserWrite } from '../../../core/users.js';
import { arrayField, booleanField, isObject, type BrazeBody } from './coerce.js';
import { BrazeError } from './errors.js';
import type { BrazeContext, BrazeEndpoint } from './scope.js';

/** Objects per array and request (Braze's batching limit for each of attributes, events, purchases). */
const MAX_OBJECTS = 75;
const ARRAYS = ['attributes', 'events', 'purchases'] as const;
type InputArray = (typeof ARRAYS)[number];

/** A minor error of users/track: one object refused, the others processed (Braze's shape). */
interface MinorError { type: string; input_array: InputArray; index: number }

const IDENTIFIER_REQUIRED = "'external_id' or 'user_alias' is required";

/** Braze's standard attributes that Relais keeps in columns, by their Braze name; every other key is a custom attribute. */
const STANDARD = { email: 'email', phone: 'phone', time_zone: 'timeZone', first_name: 'firstName', last_name: 'lastName' } as const;
/** Keys of an attributes object that name the user or steer the write: never attributes. */
const CONTROL_KEYS = new Set(['external_id', 'user_alias', 'braze_id', '_update_existing_only']);

/** Braze's wording for a refused standard field, by core's field name. */
const FIELD_ERRORS: Readonly<Record<string, string>> = {
  email: "The value provided for the 'email' field is not a valid email.",
  phone: "The value provided for the 'phone' field is not a valid phone number.",
  timeZone: "The value provided for the 'time_zone' field is not a valid time zone.",
};

class Refused extends Error {}

/** The user an object names: its `external_id`, else its `user_alias` (an alias beside an external id is not read, as in Braze). */
function userKey(item: BrazeBody): UserKey {
  if (typeof item.external_id === 'string') return { externalId: item.external_id };
  const alias = item.user_alias;
  if (item.external_id === undefined && isObject(alias) && typeof alias.alias_name === 'string' && typeof alias.alias_label === 'string') {
    return { alias: { name: alias.alias_name, label: alias.alias_label } };
  }
  throw new Refused(IDENTIFIER_REQUIRED);
}

/** An attributes object as a write: an unknown user is created unless `_update_existing_only` (default: true for an alias, as in Braze). */
function toWrite(item: unknown): UserWrite {
  if (!isObject(item)) throw new Refused(IDENTIFIER_REQUIRED);
  const key = userKey(item);
  let existingOnly: boolean | undefined;
  try {
    existingOnly = booleanField(item, '_update_existing_only');
  } catch {
    throw new Refused("'_update_existing_only' is not valid");
  }
  const update: UserUpdate & { custom: Record<string, unknown> } = { custom: {} };
  for (const [name, value] of Object.entries(item)) {
    if (CONTROL_KEYS.has(name)) continue;
    if (Object.hasOwn(STANDARD, name)) update[STANDARD[name as keyof typeof STANDARD]] = value;
    else update.custom[name] = value;
  }
  return { key, create: !(existingOnly ?? !('externalId' in key)), update };
}

/** Events and purchases are checked as Braze checks them, then counted: Relais keeps no event history. */
const REQUIRED: Record<'events' | 'purchases', [string, (v: unknown) => boolean][]> = {
  events: [['name', (v) => typeof v === 'string' && v !== ''], ['time', (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v))]],
  purchases: [
    ['product_id', (v) => typeof v === 'string' && v !== ''], ['currency', (v) => typeof v === 'string' && /^[A-Za-z]{3}$/.test(v)],
    ['price', (v) => typeof v === 'number' && Number.isFinite(v)], ['time', (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v))],
  ],
};

function checkRecord(array: 'events' | 'purchases', item: unknown): void {
  if (!isObject(item)) throw new Refused(IDENTIFIER_REQUIRED);
  userKey(item);
  for (const [name, ok] of REQUIRED[array]) {
    if (item[name] === undefined) throw new Refused(`'${name}' is required`);
    if (!ok(item[name])) throw new Refused(`'${name}' is not valid`);
  }
}

const minorOf = (err: RelaisError): string => FIELD_ERRORS[String(err.details.field)] ?? err.message;

/**
 * POST /users/track: attributes create or update users (core/users.ts), each object on its own;
 * events and purchases are checked and counted. Braze's answers: 201 with `<array>_processed`
 * for each array given and the minor errors; a fatal 400 when no object at all was valid.
 */
async function track(core: Core, { auth, body }: BrazeContext) {
  const arrays = Object.fromEntries(ARRAYS.map((name) => [name, arrayField(body, name)])) as Record<InputArray, unknown[] | undefined>;
  for (const name of ARRAYS) {
    if ((arrays[name]?.length ?? 0) > MAX_OBJECTS) throw new BrazeError(400, 'Bad Request', [`${name} holds more than ${MAX_OBJECTS} objects`]);
  }
  const errors: MinorError[] = [];
  const refuse = (input_array: InputArray, index: number, type: string) => errors.push({ type, input_array, index });
  const writes: { index: number; write: UserWrite }[] = [];
  for (const [index, item] of (arrays.attributes ?? []).entries()) {
    try {
      writes.push({ index, write: toWrite(item) });
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      refuse('attributes', index, err.message);
    }
  }
  const counts: Partial<Record<InputArray, number>> = {};
  for (const name of ['events', 'purchases'] as const) {
    if (!arrays[name]) continue;
    counts[name] = 0;
    for (const [index, item] of arrays[name].entries()) {
      try {
        checkRecord(name, item);
        counts[name]++;
      } catch (err) {
        if (!(err instanceof Refused)) throw err;
        refuse(name, index, err.message);
      }
    }
  }
  const written = writes.length ? await trackUsers(core, auth.account.id, writes.map((w) => w.write)) : [];
  for (const { index, error } of written) refuse('attributes', writes[index]!.index, minorOf(error));
  if (arrays.attributes) counts.attributes = writes.length - written.length;
  errors.sort((a, b) => ARRAYS.indexOf(a.input_array) - ARRAYS.indexOf(b.input_array) || a.index - b.index);
  if (!Object.values(counts).some((n) => n > 0)) {
    throw new BrazeError(400, "Valid data must be provided in the 'attributes', 'events', or 'purchases' fields.", errors);
  }
  return {
    status: 201 as const,
    body: {
      message: 'success',
      ...Object.fromEntries(ARRAYS.filter((name) => counts[name] !== undefined).map((name) => [`${name}_processed`, counts[name]])),
      ...(errors.length ? { errors } : {}),
    },
  };
}

export const usersTrackEndpoint = (core: Core): BrazeEndpoint => ({
  method: 'POST', path: '/users/track', permission: 'users.track', bucket: 'usersTrack', handle: (ctx) => track(core, ctx),
});
