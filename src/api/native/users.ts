import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Core } from '../../core/context.js';
import type { User } from '../../core/types.js';
import { deleteUser, getUser, listUsers, upsertUser } from '../../core/users.js';
import { iso } from '../../views/account.js';
import { authOf, requireKey } from '../auth.js';
import { json, problems } from '../openapi.js';
import { PutUserBody, UserListQuery, UserPage, UserParams, UserView } from './user-schemas.js';

const userView = (u: User) => ({
  externalId: u.externalId, alias: u.alias, email: u.email, phone: u.phone, timeZone: u.timeZone, firstName: u.firstName, lastName: u.lastName,
  attributes: u.custom, createdAt: iso(u.createdAt), updatedAt: iso(u.updatedAt),
});

/** The account's users (core/users.ts): the profiles Braze schedules resolve `external_user_id`s to. */
export const userRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const tags = ['users'];
  const read = requireKey(core, 'users:read');
  const write = requireKey(core, 'users:write');

  app.put('/users/:externalId', {
    schema: {
      tags, summary: 'Create or update a user: a field left out is kept, null removes it, attributes are merged', params: UserParams, body: PutUserBody,
      response: { 200: json('The user as stored', UserView), ...problems(400, 401, 403, 413, 503) },
    },
    onRequest: write,
  }, async (request) => {
    const { attributes, ...fields } = request.body;
    return userView(await upsertUser(core, authOf(request).account.id, request.params.externalId, { ...fields, custom: attributes }));
  });

  app.get('/users', {
    schema: { tags, summary: 'The users, oldest first', querystring: UserListQuery, response: { 200: json('A page of users', UserPage), ...problems(400, 401, 403, 503) } },
    onRequest: read,
  }, async (request) => {
    const page = await listUsers(core, authOf(request).account.id, { limit: request.query.limit ?? 50, cursor: request.query.cursor });
    return { items: page.items.map(userView), nextCursor: page.nextCursor };
  });

  app.get('/users/:externalId', {
    schema: { tags, summary: 'One user', params: UserParams, response: { 200: json('The user', UserView), ...problems(400, 401, 403, 404, 503) } },
    onRequest: read,
  }, async (request) => userView(await getUser(core, authOf(request).account.id, request.params.externalId)));

  app.delete('/users/:externalId', {
    schema: { tags, summary: 'Delete a user', params: UserParams, response: { 204: { description: 'Deleted; no body' }, ...problems(400, 401, 403, 404, 503) } },
    onRequest: write,
  }, async (request, reply) => {
    await deleteUser(core, authOf(request).account.id, request.params.externalId);
    return reply.code(204).send();
  });
};
