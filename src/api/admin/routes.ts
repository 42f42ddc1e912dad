import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createAccount, createApiKey, getAccount, topUp } from '../../core/accounts.js';
import type { Core } from '../../core/context.js';
import { parseCredits } from '../../core/money.js';
import { requireAdmin } from '../auth.js';
import { adminProfileRoutes } from './profile.js';
import { strictBodyValidator } from '../validation.js';
import { accountView } from '../../views/account.js';
import { ADMIN_SECURITY, documentationOnlySerializer, json, problems } from '../openapi.js';
import { AccountId, AccountList, AccountView, CreateAccountBody, CreatedAccountView, CreatedKeyView, CreateKeyBody, TopupBody } from './schemas.js';

/** The admin contract of DESIGN.md; outside tests rely on it exactly. */
export const adminRoutes: FastifyPluginAsyncTypebox<{ core: Core; token: string }> = async (app, { core, token }) => {
  app.setValidatorCompiler(strictBodyValidator);
  app.setSerializerCompiler(documentationOnlySerializer);
  app.addHook('onRequest', requireAdmin(token));
  const tags = ['admin'];
  const security = ADMIN_SECURITY;

  app.post('/accounts', {
    schema: { tags, security, summary: 'Create an account (or a sub-account) with its first API key', body: CreateAccountBody, response: { 201: json('Created; apiKey is shown once', CreatedAccountView), ...problems(400, 401, 404, 413, 503) } },
  }, async (request, reply) => {
    const { account, apiKey } = await createAccount(core, {
      name: request.body.name, credits: parseCredits(request.body.credits ?? 0), parentId: request.body.parentId ?? null,
    });
    return reply.code(201).send({ ...accountView(account), apiKey });
  });

  await app.register(adminProfileRoutes, { core });

  app.get('/accounts', { schema: { tags, security, summary: 'Every account', response: { 200: json('The accounts', AccountList), ...problems(401, 503) } } }, async () => ({ items: (await core.store.autocommit.listAccounts()).map(accountView) }));

  app.get('/accounts/:id', { schema: { tags, security, summary: 'An account and its balance', params: AccountId, response: { 200: json('The account', AccountView), ...problems(400, 401, 404, 503) } } }, async (request) => accountView(await getAccount(core, request.params.id)));

  app.post('/accounts/:id/topup', {
    schema: { tags, security, summary: 'Add credits', params: AccountId, body: TopupBody, response: { 200: json('The account with its new balance', AccountView), ...problems(400, 401, 404, 413, 503) } },
  }, async (request) =>
    accountView(await topUp(core, request.params.id, parseCredits(request.body.credits))));

  app.post('/accounts/:id/keys', {
    schema: {
      tags, security, summary: 'Create an API key (every scope without a body)', params: AccountId, body: CreateKeyBody,
      response: { 201: json('Created; apiKey is shown once', CreatedKeyView), ...problems(400, 401, 404, 413, 503) },
    },
    // A key with every scope needs no body at all.
    preValidation: async (request) => { request.body ??= {}; },
  }, async (request, reply) => {
    const { apiKey, key } = await createApiKey(core, request.params.id, request.body?.scopes ?? null);
    return reply.code(201).send({ apiKey, id: key.id, accountId: key.accountId, scopes: key.scopes });
  });
};
