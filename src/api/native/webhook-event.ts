import { createHmac } from 'node:crypto';
import type { Core } from '../../core/context.js';
import type { WebhookDelivery } from '../../core/types.js';
import { endpointSigningKey } from '../../core/webhook-endpoints.js';
import { UndeliverableWebhook, type WebhookPayload } from '../../core/webhooks.js';

/**
 * The `webhook-signature` of Standard Webhooks (standardwebhooks.com): `v1,` and the base64
 * HMAC-SHA256, under the secret's bytes, of `id.timestamp.body`.
 */
export const standardSignature = (key: Buffer, id: string, timestamp: number, body: string): string =>
  `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;

/**
 * A native endpoint's event (docs/API.md, "Webhooks"): JSON, signed per Standard Webhooks with the
 * endpoint's secret. `webhook-id` is the delivery's, the same on every retry (receivers dedupe on
 * it); `webhook-timestamp` is the attempt's, so that receivers can refuse replays.
 */
export async function renderNativeEvent(d: WebhookDelivery, core: Core): Promise<WebhookPayload> {
  const key = d.endpointId === null ? undefined : await endpointSigningKey(core, d.endpointId);
  // Deleted with its deliveries in one transaction, so this attempt is usually not recorded either;
  // but a delivery enqueued concurrently (PostgreSQL, READ COMMITTED) can outlive it, with no one to sign for.
  if (!key) throw new UndeliverableWebhook(`webhook endpoint ${d.endpointId} no longer exists`);
  const message = await core.store.autocommit.getMessage(d.messageId);
  const data = d.data ?? {};
  const body = JSON.stringify({
    type: d.event,
    timestamp: new Date(d.at).toISOString(),
    data: {
      messageId: d.messageId,
      recipientId: d.recipientId,
      address: d.address,
      channel: message?.channel ?? null,
      status: d.event,
      tag: d.tag,
      reason: data.reason ?? null,
      providerId: data.providerId ?? null,
      providerCode: data.providerCode ?? null,
      ...(d.event === 'sent' ? { awaitsReceipt: data.awaitsReceipt === true } : {}),
      ...(d.event === 'scheduled' ? { sendAt: typeof data.sendAt === 'number' ? new Date(data.sendAt).toISOString() : null, recipients: data.recipients ?? null } : {}),
    },
  });
  const id = `msg_${d.id}`;
  const timestamp = Math.floor(core.clock.now() / 1000);
  return {
    contentType: 'application/json',
    body,
    headers: { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': standardSignature(key, id, timestamp, body) },
  };
}
