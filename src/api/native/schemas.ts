import { Type, type Static, type TSchema } from 'typebox';
import { CHANNELS, LEDGER_KINDS, MESSAGE_STATUSES, RECIPIENT_STATUSES } from '../../core/types.js';
import { DETAIL_PAGE, MAX_PAGE } from '../../core/queries.js';
import { Id } from '../validation.js';

const Instant = Type.String({ description: 'RFC 3339 instant with offset, e.g. 2026-12-01T09:30:00+01:00', maxLength: 40 });
const Label = Type.String({ minLength: 1, maxLength: 100 });
const Metadata = Type.Record(Type.String(), Type.Unknown(), { description: 'Free JSON object, stored and returned as is' });
const Channel = Type.Union(CHANNELS.map((c) => Type.Literal(c)));
const Limit = (byDefault: number) => Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: byDefault }));
const Cursor = Type.Optional(Type.String({ maxLength: 100, description: 'nextCursor of the previous page' }));

export const CreateMessageBody = Type.Object({
  channel: Channel,
  to: Type.Array(Type.String({ minLength: 1, maxLength: 320 }), { minItems: 1, description: 'Phone numbers (E.164 or national) or e-mail addresses; 1..RELAIS_MAX_RECIPIENTS' }),
  sendAt: Type.Optional(Instant),
  text: Type.Optional(Type.String({ maxLength: 100_000 })),
  sender: Type.Optional(Type.String({ maxLength: 64 })),
  unicode: Type.Optional(Type.Boolean()),
  subject: Type.Optional(Type.String({ maxLength: 998 })),
  html: Type.Optional(Type.String({ maxLength: 1_000_000 })),
  from: Type.Optional(Type.String({ maxLength: 320 })),
  replyTo: Type.Optional(Type.String({ maxLength: 320 })),
  audioUrl: Type.Optional(Type.String({ maxLength: 2000 })),
  lang: Type.Optional(Type.String({ maxLength: 10, description: 'Voice: the ISO-639-1 language the text is spoken in (default fr)' })),
  tag: Type.Optional(Label),
  batchId: Type.Optional(Label),
  metadata: Type.Optional(Metadata),
}, { additionalProperties: false });
export type CreateMessageBody = Static<typeof CreateMessageBody>;

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({
    minLength: 1, maxLength: 255, description: 'A retry with the same key and body answers the first request\'s message instead of scheduling it again',
  })),
});

export const EditMessageBody = Type.Object({
  sendAt: Type.Optional(Instant),
  text: Type.Optional(Type.String({ minLength: 1, maxLength: 100_000 })),
  sender: Type.Optional(Type.String({ maxLength: 64 })),
  subject: Type.Optional(Type.String({ minLength: 1, maxLength: 998 })),
  html: Type.Optional(Type.String({ maxLength: 1_000_000 })),
  tag: Type.Optional(Type.Union([Label, Type.Null()])),
  batchId: Type.Optional(Type.Union([Label, Type.Null()])),
  metadata: Type.Optional(Type.Union([Metadata, Type.Null()])),
}, { additionalProperties: false, minProperties: 1 });
export type EditMessageBody = Static<typeof EditMessageBody>;

export const CancelBody = Type.Object({
  ids: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 1000 })),
  tag: Type.Optional(Label),
  batchId: Type.Optional(Label),
  channel: Type.Optional(Channel),
  sendAtFrom: Type.Optional(Instant),
  sendAtTo: Type.Optional(Instant),
  dryRun: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export type CancelBody = Static<typeof CancelBody>;

export const ListMessagesQuery = Type.Object({
  status: Type.Optional(Type.Union(MESSAGE_STATUSES.map((s) => Type.Literal(s)))),
  channel: Type.Optional(Channel),
  tag: Type.Optional(Label),
  batchId: Type.Optional(Label),
  sendAtFrom: Type.Optional(Instant),
  sendAtTo: Type.Optional(Instant),
  limit: Limit(50),
  cursor: Cursor,
}, { additionalProperties: false });
export type ListMessagesQuery = Static<typeof ListMessagesQuery>;

export const PageQuery = Type.Object({
  limit: Limit(50),
  cursor: Cursor,
}, { additionalProperties: false });

/** A message's recipients or events, oldest first. */
export const DetailPageQuery = Type.Object({
  limit: Limit(DETAIL_PAGE),
  cursor: Cursor,
}, { additionalProperties: false });

export const OutboxQuery = Type.Object({
  messageId: Type.Optional(Id),
  limit: Limit(50),
  cursor: Cursor,
}, { additionalProperties: false });

export const MessageIdParams = Type.Object({ id: Id });

export const SuppressionChannel = Type.Union([Type.Literal('sms'), Type.Literal('email')]);
export const AddSuppressionBody = Type.Object({
  channel: SuppressionChannel,
  address: Type.String({ minLength: 1, maxLength: 320 }),
  reason: Type.Optional(Type.String({ maxLength: 200 })),
}, { additionalProperties: false });
export const SuppressionParams = Type.Object({ channel: SuppressionChannel, address: Type.String({ minLength: 1, maxLength: 320 }) });
export const SuppressionQuery = Type.Object({ channel: Type.Optional(SuppressionChannel) }, { additionalProperties: false });

// Answers (documentation: see documentationOnlySerializer in ../openapi.ts).

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const At = Nullable(Type.String({ format: 'date-time' }));
const Amount = Type.String({ description: 'Decimal credits, 3 decimals, e.g. "0.045"', pattern: '^-?\\d+\\.\\d{3}$' });
const NextCursor = Nullable(Type.String({ description: 'Pass as `cursor` for the next page; null on the last page' }));

export const MessageView = Type.Object({
  id: Type.Integer(),
  channel: Channel,
  status: Type.Union(MESSAGE_STATUSES.map((s) => Type.Literal(s))),
  sendAt: Type.String({ format: 'date-time' }),
  tag: Nullable(Type.String()),
  batchId: Nullable(Type.String()),
  idempotencyKey: Nullable(Type.String()),
  metadata: Nullable(Metadata),
  content: Type.Record(Type.String(), Type.Unknown(), { description: 'The channel\'s content fields (text, sender, unicode / subject, text, html, from, replyTo / text, audioUrl, sender)' }),
  units: Type.Integer({ description: 'Units billed per recipient (SMS segments)' }),
  price: Amount,
  recipientCount: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  dispatchedAt: At,
  completedAt: At,
  cancelledAt: At,
});

export const CreatedMessageView = Type.Intersect([MessageView, Type.Object({
  skipped: Type.Array(Type.Object({ address: Type.String(), reason: Type.Literal('suppressed') }), { description: 'Recipients left out (and not billed) because they are on the suppression list' }),
})]);

export const RecipientView = Type.Object({
  id: Type.Integer(),
  address: Type.String(),
  status: Type.Union(RECIPIENT_STATUSES.map((s) => Type.Literal(s))),
  price: Amount,
  providerId: Nullable(Type.String()),
  error: Nullable(Type.String()),
  attempts: Type.Integer(),
  sentAt: At,
  updatedAt: Type.String({ format: 'date-time' }),
});

export const EventView = Type.Object({ id: Type.Integer(), type: Type.String(), recipientId: Nullable(Type.Integer()), at: Type.String({ format: 'date-time' }), data: Type.Unknown() });

export const MessageDetailView = Type.Intersect([MessageView, Type.Object({
  recipients: Type.Array(RecipientView, { description: `The first ${DETAIL_PAGE} recipients; GET /messages/{id}/recipients pages the rest` }),
  recipientsNextCursor: NextCursor,
  events: Type.Array(EventView, { description: `The first ${DETAIL_PAGE} events; GET /messages/{id}/events pages the rest` }),
  eventsNextCursor: NextCursor,
})]);

export const pageOf = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: NextCursor });

export const CancelView = Type.Object({
  dryRun: Type.Boolean(),
  messages: Type.Integer(),
  recipients: Type.Integer(),
  refund: Amount,
  messageIds: Type.Array(Type.Integer()),
});
export const CancelOneView = Type.Intersect([Type.Object({ id: Type.Integer(), status: Type.Literal('cancelled') }), CancelView]);

export const LedgerView = Type.Object({
  balance: Amount,
  currency: Type.String(),
  items: Type.Array(Type.Object({
    id: Type.Integer(), kind: Type.Union(LEDGER_KINDS.map((k) => Type.Literal(k))), amount: Amount, balanceAfter: Amount, messageId: Nullable(Type.Integer()), cause: Type.String(), createdAt: Type.String({ format: 'date-time' }),
  })),
  nextCursor: NextCursor,
});

const SuppressionView = Type.Object({ channel: SuppressionChannel, address: Type.String(), reason: Nullable(Type.String()), createdAt: Type.String({ format: 'date-time', description: 'When the address was first added' }) });
export const SuppressionList = Type.Object({ items: Type.Array(SuppressionView) });
export const SuppressionAddedView = Type.Intersect([SuppressionView, Type.Object({
  added: Type.Boolean({ description: 'False when the address was already on the list' }),
  cancelledRecipients: Type.Integer(),
  refund: Amount,
})]);

const outboxFields = {
  id: Type.Integer(), messageId: Type.Integer(), recipientId: Type.Integer(), channel: Channel, address: Type.String(), sentAt: Type.String({ format: 'date-time' }),
};

export const OutboxView = Type.Object(outboxFields, {
  additionalProperties: true, description: 'And the rendered message\'s fields (to, text, subject, …); a mail without its `mime` (GET /outbox/{id})',
});

export const OutboxEntryView = Type.Object({
  ...outboxFields,
  mime: Type.Optional(Type.String({ description: 'A mail only: the whole MIME message, CRLF line ends, attachments included (also GET /outbox/{id}/mime)' })),
}, { additionalProperties: true, description: 'And the rendered message\'s fields (to, text, subject, …)' });

export const OutboxIdParams = Type.Object({ id: Id });

export const OutboxMime = Type.String({ description: 'RFC 5322, CRLF line ends: what the SMTP transport would have sent' });
/** Bytes, not a JSON string: the reply sends a Buffer, which no serializer touches. */
export const OutboxAudioQuery = Type.Object({
  format: Type.Optional(Type.Union([Type.Literal('wav'), Type.Literal('original')], { default: 'wav', description: 'wav (default): playable in a browser; original: the file as stored' })),
}, { additionalProperties: false });
export const OutboxAudio = Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'The audio\'s bytes' });
