import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createAccount, createApiKey, getAccount, topUp } from '../../core/accounts.js';
import type { Core } from '../../core/context.js';
import { parseCredits } from '../../core/money.js';
import { requireAdmin } from '../auth.js';
import { adminProfileRoutes } from './profile.js';
import { strictBodyValidator } from '../validation.js';
import { accountView } from '../../views/account.js';
import { AccountId, CreateAccountBody, CreateKeyBody, TopupBody } from './schemas.js';

/** The admin contract of DESIGN.md; outside tests rely on it exactly. */
export const adminRoutes: FastifyPluginAsyncTypebox<{ core: Core; token: string }> = async (app, { core, token }) => {
  app.setValidatorCompiler(strictBodyValidator);
  app.addHook('onRequest', requireAdmin(token));
  const tags = ['admin'];
  const security = [{ admin: [] }];

  app.post('/accounts', { schema: { tags, security, body: CreateAccountBody } }, async (request, reply) => {
    const { account, apiKey } = await createAccount(core, {
      name: request.body.name, credits: parseCredits(request.body.credits ?? 0), parentId: request.body.parentId ?? null,
    });
    return reply.code(201).send({ ...accountView(account), apiKey });
  });

  await app.register(adminProfileRoutes, { core });

  app.get('/accounts', { schema: { tags, security } }, async () => ({ items: (await core.store.read.listAccounts()).map(accountView) }));

  app.get('/accounts/:id', { schema: { tags, security, params: AccountId } }, async (request) => accountView(await getAccount(core, request.params.id)));

  app.post('/accounts/:id/topup', { schema: { tags, security, params: AccountId, body: TopupBody } }, async (request) =>
    accountView(await topUp(core, request.params.id, parseCredits(request.body.credits))));

  app.post('/accounts/:id/keys', {
    schema: { tags, security, params: AccountId, body: CreateKeyBody },
    // A key with every scope needs no body at all.
    preValidation: async (request) => { request.body ??= {}; },
  }, async (request, reply) => {
    const { apiKey, key } = await createApiKey(core, request.params.id, request.body?.scopes ?? null);
    return reply.code(201).send({ apiKey, id: key.id, accountId: key.accountId, scopes: key.scopes });
  });
};
