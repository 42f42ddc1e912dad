import { Type, type Static } from 'typebox';
import { SCOPES } from '../../core/scopes.js';

const Credits = Type.Union([Type.String({ pattern: '^\\d{1,12}(\\.\\d{1,3})?$' }), Type.Number({ minimum: 0 })], { description: 'Decimal amount, at most 3 decimals' });

export const CreateAccountBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  credits: Type.Optional(Credits),
  parentId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
}, { additionalProperties: false });
export type CreateAccountBody = Static<typeof CreateAccountBody>;

export const TopupBody = Type.Object({ credits: Credits }, { additionalProperties: false });

export const CreateKeyBody = Type.Object({
  // Checked against the catalogue by core, whose error names the unknown and the allowed scopes.
  scopes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50, description: `absent: every scope; else some of ${SCOPES.join(', ')}` })),
}, { additionalProperties: false });

export const AccountId = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const AccountView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  parentId: Type.Union([Type.Integer(), Type.Null()]),
  balance: Type.String(),
  currency: Type.String(),
  createdAt: Type.String(),
});
