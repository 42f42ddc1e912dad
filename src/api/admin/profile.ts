import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { getAccount } from '../../core/accounts.js';
import type { Core } from '../../core/context.js';
import { updateProfile } from '../../core/subaccounts.js';
import { profileView } from '../../views/account.js';
import { ADMIN_SECURITY, json, problems } from '../openapi.js';
import { AccountId, ProfileView } from './schemas.js';

const ProfileBody = Type.Object({
  email: Type.Optional(Type.Union([Type.String({ minLength: 3, maxLength: 254 }), Type.Null()])),
  subaccountsEnabled: Type.Optional(Type.Boolean()),
  legalWindow: Type.Optional(Type.Boolean({ description: 'E-mail due from 20:00 to 08:00 (Europe/Paris), on a Sunday or a French public holiday waits until 08:00 of the next working day' })),
}, { additionalProperties: false });

/**
 * Operator settings of an account that vendor APIs show but cannot change: the login e-mail
 * (SMS Partner's `/me` username, sub-account `parent_email`), whether the account may manage
 * sub-accounts (off by default, as the vendor enables it on request) and whether its e-mail
 * keeps to the legal sending window (off by default, Mail Partner §0).
 */
export const adminProfileRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  app.patch('/accounts/:id', {
    schema: {
      tags: ['admin'], security: ADMIN_SECURITY, summary: 'Set the operator settings: login e-mail, sub-accounts allowed, legal sending window (an empty body reads them)', params: AccountId, body: ProfileBody,
      response: { 200: json('The account with its settings', ProfileView), ...problems(400, 401, 404, 409, 413, 503) },
    },
  }, async (request) => {
    const profile = await updateProfile(core, request.params.id, request.body);
    return profileView(await getAccount(core, request.params.id), profile);
  });
};
