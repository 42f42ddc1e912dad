import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Core } from '../../core/context.js';
import { accountRoutes } from './account.js';
import { campaignRoutes } from './campaigns.js';
import { messageRoutes } from './messages.js';
import { userRoutes } from './users.js';
import { webhookRoutes } from './webhooks.js';
import { documentationOnlySerializer } from '../openapi.js';
import { strictBodyValidator } from '../validation.js';

/** The native REST API, mounted at /api/v1. */
export const nativeRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  app.setValidatorCompiler(strictBodyValidator);
  app.setSerializerCompiler(documentationOnlySerializer);
  await app.register(messageRoutes, { core });
  await app.register(accountRoutes, { core });
  await app.register(campaignRoutes, { core });
  await app.register(userRoutes, { core });
  await app.register(webhookRoutes, { core });
};
