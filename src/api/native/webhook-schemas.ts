import { Type, type Static } from 'typebox';
import { WEBHOOK_STATUSES } from '../../core/types.js';
import { WEBHOOK_EVENTS, WEBHOOK_LIMITS } from '../../core/webhook-endpoints.js';
import { Id } from '../validation.js';

const Event = Type.Union(WEBHOOK_EVENTS.map((e) => Type.Literal(e)));
const Instant = Type.String({ format: 'date-time' });

export const CreateWebhookBody = Type.Object({
  url: Type.String({ maxLength: WEBHOOK_LIMITS.url, description: 'http(s) URL of a public address (unless RELAIS_ALLOW_PRIVATE_CALLBACKS=true), no credentials' }),
  events: Type.Array(Event, { minItems: 1, maxItems: WEBHOOK_EVENTS.length * 2, description: 'The event types to receive' }),
  description: Type.Optional(Type.String({ maxLength: WEBHOOK_LIMITS.description })),
}, { additionalProperties: false });
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

export const WebhookIdParams = Type.Object({ id: Id });

const endpointFields = {
  id: Type.Integer(),
  url: Type.String(),
  events: Type.Array(Event),
  description: Type.Union([Type.String(), Type.Null()]),
  createdAt: Instant,
};
export const WebhookView = Type.Object(endpointFields);

export const CreatedWebhookView = Type.Object({
  ...endpointFields,
  secret: Type.String({ description: '`whsec_` and the base64 signing key: shown this once' }),
});

export const WebhookDeliveryView = Type.Object({
  id: Type.String({ description: 'The `webhook-id` header of every attempt of this delivery' }),
  event: Event,
  messageId: Type.Integer(),
  recipientId: Type.Union([Type.Integer(), Type.Null()]),
  status: Type.Union(WEBHOOK_STATUSES.map((s) => Type.Literal(s)), { description: 'pending (to be tried, or retried), delivered, or failed (given up)' }),
  attempts: Type.Array(Type.Object({
    at: Instant,
    httpStatus: Type.Union([Type.Integer(), Type.Null()], { description: 'The receiver\'s answer; null when there was none' }),
    error: Type.Union([Type.String(), Type.Null()], { description: 'Why the attempt failed: HTTP status, timeout, network error' }),
  })),
  nextAttemptAt: Type.Union([Instant, Type.Null()], { description: 'When pending' }),
  createdAt: Instant,
});
