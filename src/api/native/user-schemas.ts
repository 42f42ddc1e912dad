import { Type, type Static } from 'typebox';
import { MAX_PAGE } from '../../core/queries.js';

/**
 * The native users API's schemas (/api/v1/users). Field names are the native API's camelCase;
 * `attributes` are the custom attributes, merged as POST /braze/users/track merges them.
 */
const Text = (description: string) => Type.Optional(Type.Union([Type.String({ maxLength: 255, description }), Type.Null()]));

export const UserParams = Type.Object({ externalId: Type.String({ minLength: 1, maxLength: 512 }) });

export const PutUserBody = Type.Object({
  email: Text('E-mail address; null removes it'),
  phone: Text('Phone number, E.164 or national (RELAIS_DEFAULT_REGION); stored as E.164; null removes it'),
  timeZone: Text('IANA time zone, e.g. Europe/Paris; null removes it'),
  firstName: Text('null removes it'),
  lastName: Text('null removes it'),
  attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Custom attributes, merged into the stored ones key by key; a null value removes its key' })),
}, { additionalProperties: false });
export type PutUserBody = Static<typeof PutUserBody>;

export const UserListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 100, description: 'nextCursor of the previous page' })),
}, { additionalProperties: false });

const Nullable = (description?: string) => Type.Union([Type.String(), Type.Null()], description ? { description } : {});

export const UserView = Type.Object({
  externalId: Nullable('null for a user known by its alias only'),
  alias: Type.Union([Type.Object({ name: Type.String(), label: Type.String() }), Type.Null()]),
  email: Nullable(),
  phone: Nullable('E.164'),
  timeZone: Nullable(),
  firstName: Nullable(),
  lastName: Nullable(),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const UserPage = Type.Object({ items: Type.Array(UserView), nextCursor: Nullable('Pass as `cursor` for the next page; null on the last page') });
