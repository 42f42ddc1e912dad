import { Type, type Static } from 'typebox';
import { SCOPES } from '../../core/scopes.js';
import { Id } from '../validation.js';

const Credits = Type.Union([Type.String({ pattern: '^\\d{1,12}(\\.\\d{1,3})?$' }), Type.Number({ minimum: 0, maximum: 999_999_999_999.999 })], { description: 'Decimal amount, at most 3 decimals' });

export const CreateAccountBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  credits: Type.Optional(Credits),
  parentId: Type.Optional(Type.Union([Id, Type.Null()])),
}, { additionalProperties: false });
export type CreateAccountBody = Static<typeof CreateAccountBody>;

export const TopupBody = Type.Object({ credits: Credits }, { additionalProperties: false });

export const CreateKeyBody = Type.Object({
  // Checked against the catalogue by core, whose error names the unknown and the allowed scopes.
  scopes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50, description: `absent: every scope; else some of ${SCOPES.join(', ')}` })),
}, { additionalProperties: false });

export const AccountId = Type.Object({ id: Id });

const At = Type.String({ format: 'date-time' });
const Amount = Type.String({ description: 'Decimal credits, 3 decimals, e.g. "100.000"' });

export const AccountView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  parentId: Type.Union([Type.Integer(), Type.Null()]),
  balance: Amount,
  currency: Type.String(),
  createdAt: At,
});

export const CreatedAccountView = Type.Intersect([AccountView, Type.Object({ apiKey: Type.String({ description: 'Shown once' }) })]);
export const AccountList = Type.Object({ items: Type.Array(AccountView) });
export const CreatedKeyView = Type.Object({
  apiKey: Type.String({ description: 'Shown once' }),
  id: Type.Integer(),
  accountId: Type.Integer(),
  scopes: Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'null: every scope' }),
});
export const ProfileView = Type.Intersect([AccountView, Type.Object({ email: Type.Union([Type.String(), Type.Null()]), subaccountsEnabled: Type.Boolean(), legalWindow: Type.Boolean() })]);
