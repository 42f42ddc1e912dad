import { Type, type Static } from 'typebox';
import { CHANNELS, MESSAGE_STATUSES } from '../../core/types.js';
import { MAX_PAGE, RECIPIENTS_PAGE } from '../../core/queries.js';
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
  tag: Type.Optional(Label),
  batchId: Type.Optional(Label),
  metadata: Type.Optional(Metadata),
}, { additionalProperties: false });
export type CreateMessageBody = Static<typeof CreateMessageBody>;

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

export const RecipientsQuery = Type.Object({
  limit: Limit(RECIPIENTS_PAGE),
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
