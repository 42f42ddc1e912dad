import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Core } from '../../core/context.js';
import type { WebhookEndpoint } from '../../core/types.js';
import {
  createWebhookEndpoint, deleteWebhookEndpoint, getWebhookEndpoint, listEndpointDeliveries, listWebhookEndpoints, type EndpointDelivery,
} from '../../core/webhook-endpoints.js';
import { authOf, requireKey } from '../auth.js';
import { json, problems } from '../openapi.js';
import { DetailPageQuery, PageQuery, pageOf } from './schemas.js';
import { CreatedWebhookView, CreateWebhookBody, WebhookDeliveryView, WebhookIdParams, WebhookView } from './webhook-schemas.js';

const iso = (ms: number): string => new Date(ms).toISOString();

const endpointView = (e: WebhookEndpoint) => ({ id: e.id, url: e.url, events: e.events, description: e.description, createdAt: iso(e.createdAt) });

const deliveryView = (d: EndpointDelivery) => ({
  id: `msg_${d.id}`, event: d.event, messageId: d.messageId, recipientId: d.recipientId, status: d.status,
  attempts: d.attemptLog.map((a) => ({ at: iso(a.at), httpStatus: a.httpStatus, error: a.error })),
  nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null, createdAt: iso(d.createdAt),
});

/** Status webhook endpoints (core/webhook-endpoints.ts); the catalogue has one scope for them, `webhooks:write`. */
export const webhookRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const onRequest = requireKey(core, 'webhooks:write');
  const tags = ['webhooks'];

  app.post('/webhooks', {
    schema: { tags, summary: 'Register an endpoint for status events; the answer holds its signing secret, shown this once', body: CreateWebhookBody,
      response: { 201: json('The endpoint and its secret', CreatedWebhookView), ...problems(400, 401, 403, 409, 413, 503) } },
    onRequest,
  }, async (request, reply) => {
    const e = await createWebhookEndpoint(core, authOf(request).account.id, request.body);
    return reply.code(201).header('location', `${app.prefix}/webhooks/${e.id}`).send({ ...endpointView(e), secret: e.secret });
  });

  app.get('/webhooks', {
    schema: { tags, summary: 'List the endpoints, oldest first (no secrets)', querystring: PageQuery, response: { 200: json('A page', pageOf(WebhookView)), ...problems(400, 401, 403, 503) } },
    onRequest,
  }, async (request) => {
    const page = await listWebhookEndpoints(core, authOf(request).account.id, { limit: request.query.limit ?? 50, cursor: request.query.cursor });
    return { items: page.items.map(endpointView), nextCursor: page.nextCursor };
  });

  app.get('/webhooks/:id', {
    schema: { tags, summary: 'One endpoint (no secret)', params: WebhookIdParams, response: { 200: json('The endpoint', WebhookView), ...problems(400, 401, 403, 404, 503) } },
    onRequest,
  }, async (request) => endpointView(await getWebhookEndpoint(core, authOf(request).account.id, request.params.id)));

  app.delete('/webhooks/:id', {
    schema: { tags, summary: 'Delete an endpoint: its pending deliveries are never sent', params: WebhookIdParams,
      response: { 204: { description: 'Deleted; no body' }, ...problems(400, 401, 403, 404, 503) } },
    onRequest,
  }, async (request, reply) => {
    await deleteWebhookEndpoint(core, authOf(request).account.id, request.params.id);
    return reply.code(204).send();
  });

  app.get('/webhooks/:id/deliveries', {
    schema: { tags, summary: 'The endpoint\'s deliveries, newest first, each with its attempts', params: WebhookIdParams, querystring: DetailPageQuery,
      response: { 200: json('A page', pageOf(WebhookDeliveryView)), ...problems(400, 401, 403, 404, 503) } },
    onRequest,
  }, async (request) => {
    const page = await listEndpointDeliveries(core, authOf(request).account.id, request.params.id, { limit: request.query.limit ?? 50, cursor: request.query.cursor });
    return { items: page.items.map(deliveryView), nextCursor: page.nextCursor };
  });
};
