import { randomBytes } from 'node:crypto';
import { checkCallbackUrl } from './callback-url.js';
import type { Core } from './context.js';
import { RelaisError } from './errors.js';
import { decodeCursor, page } from './queries.js';
import type { Page, WebhookAttemptRecord, WebhookDelivery, WebhookEndpoint } from './types.js';

/**
 * Native status webhooks (DECISIONS §40): an account's endpoints, each subscribed to some event
 * types; the store enqueues a delivery per endpoint with every matching event of the account's
 * messages (store/webhooks.ts), whatever API scheduled them, and the sender signs it with the
 * endpoint's secret (Standard Webhooks).
 */

/** `scheduled` and a whole message's `cancelled` are per message; the others per recipient. */
export const WEBHOOK_EVENTS = ['scheduled', 'cancelled', 'sent', 'delivered', 'undelivered', 'failed', 'skipped'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const WEBHOOK_LIMITS = { endpoints: 20, description: 200, url: 2000 } as const;

/** The secret's prefix, as Standard Webhooks libraries expect it. */
const SECRET_PREFIX = 'whsec_';

/** The additional data of an endpoint's sealed secret (core/secrets.ts): its account. */
const secretContext = (accountId: number): string => `webhook_endpoints.secret:${accountId}`;

const notFound = (id: number): RelaisError => new RelaisError('not_found', `webhook endpoint ${id} does not exist`, { webhookId: id });

export interface NewWebhookEndpoint {
  url: string;
  events: string[];
  description?: string;
}

/** Creates an endpoint; its secret is returned this once. */
export async function createWebhookEndpoint(core: Core, accountId: number, input: NewWebhookEndpoint): Promise<WebhookEndpoint & { secret: string }> {
  const url = checkCallbackUrl(input.url, { allowPrivate: core.allowPrivateCallbacks, field: 'url' });
  const events = [...new Set(input.events)];
  const unknown = events.filter((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e));
  if (events.length === 0 || unknown.length > 0) {
    throw new RelaisError('invalid_request', `events must list one or more of ${WEBHOOK_EVENTS.join(', ')}`, { field: 'events', unknown });
  }
  const description = input.description?.trim() || null;
  if (description !== null && description.length > WEBHOOK_LIMITS.description) {
    throw new RelaisError('invalid_request', `description is at most ${WEBHOOK_LIMITS.description} characters`, { field: 'description' });
  }
  const secret = SECRET_PREFIX + randomBytes(24).toString('base64');
  const endpoint = await core.store.autocommit.insertWebhookEndpoint({
    accountId, url, events, description, createdAt: core.clock.now(), secret: core.secrets.seal(secret, secretContext(accountId)),
  }, WEBHOOK_LIMITS.endpoints);
  if (!endpoint) {
    throw new RelaisError('conflict', `an account has at most ${WEBHOOK_LIMITS.endpoints} webhook endpoints; delete one first`, { max: WEBHOOK_LIMITS.endpoints });
  }
  return { ...endpoint, secret };
}

export async function listWebhookEndpoints(core: Core, accountId: number, q: { limit: number; cursor?: string }): Promise<Page<WebhookEndpoint>> {
  return page(await core.store.autocommit.listWebhookEndpoints(accountId, { limit: q.limit + 1, afterId: decodeCursor(q.cursor) }), q.limit);
}

/** The account's endpoint, or not_found: another account's id is indistinguishable from no id. */
export async function getWebhookEndpoint(core: Core, accountId: number, id: number): Promise<WebhookEndpoint> {
  const found = await core.store.autocommit.findWebhookEndpoint(accountId, id);
  if (!found) throw notFound(id);
  return found;
}

/** Deletes the endpoint and its deliveries: a pending one is never sent, one in flight is not recorded. */
export async function deleteWebhookEndpoint(core: Core, accountId: number, id: number): Promise<void> {
  if (!(await core.store.transaction((tx) => tx.deleteWebhookEndpoint(accountId, id)))) throw notFound(id);
}

export type EndpointDelivery = WebhookDelivery & { attemptLog: WebhookAttemptRecord[] };

/** The endpoint's deliveries, newest first, each with its attempts. */
export async function listEndpointDeliveries(core: Core, accountId: number, id: number, q: { limit: number; cursor?: string }): Promise<Page<EndpointDelivery>> {
  await getWebhookEndpoint(core, accountId, id);
  return page(await core.store.autocommit.listEndpointDeliveries(id, { limit: q.limit + 1, beforeId: decodeCursor(q.cursor) }), q.limit);
}

/** The signing key of an endpoint: the bytes its `whsec_` secret encodes. Undefined once it is deleted. */
export async function endpointSigningKey(core: Core, endpointId: number): Promise<Buffer | undefined> {
  const found = await core.store.autocommit.webhookEndpointSecret(endpointId);
  if (!found) return undefined;
  const secret = core.secrets.open(found.secret, secretContext(found.accountId));
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}
