import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { cancelMessage, cancelMessages } from '../../core/cancel.js';
import type { Core } from '../../core/context.js';
import { RelaisError } from '../../core/errors.js';
import { getMessageDetail, listMessages } from '../../core/queries.js';
import { editMessage } from '../../core/reschedule.js';
import { scheduleMessage } from '../../core/schedule.js';
import type { Account, MessageContent } from '../../core/types.js';
import { authOf, requireKey } from '../auth.js';
import { CancelBody, CreateMessageBody, EditMessageBody, ListMessagesQuery, MessageIdParams } from './schemas.js';
import { parseOptionalInstant } from './time.js';
import { cancelView, messageDetailView, messageView } from '../../views/native.js';

const FIELDS_BY_CHANNEL = {
  sms: ['text', 'sender', 'unicode'],
  email: ['subject', 'text', 'html', 'from', 'replyTo'],
  voice: ['text', 'audioUrl', 'sender'],
} as const;
const CONTENT_FIELDS = ['text', 'sender', 'unicode', 'subject', 'html', 'from', 'replyTo', 'audioUrl'] as const;

function contentOf(body: CreateMessageBody, account: Account): MessageContent {
  const allowed: readonly string[] = FIELDS_BY_CHANNEL[body.channel];
  const stray = CONTENT_FIELDS.find((f) => body[f] !== undefined && !allowed.includes(f));
  if (stray) throw new RelaisError('invalid_request', `${stray} does not apply to ${body.channel} messages`, { field: stray });
  if (body.channel === 'sms') return { channel: 'sms', text: body.text ?? '', sender: body.sender ?? account.defaultSender, unicode: body.unicode ?? false };
  if (body.channel === 'email') {
    return { channel: 'email', subject: body.subject ?? '', text: body.text ?? null, html: body.html ?? null, from: body.from ?? account.defaultSender, replyTo: body.replyTo ?? null };
  }
  return { channel: 'voice', text: body.text ?? null, audioUrl: body.audioUrl ?? null, sender: body.sender ?? account.defaultSender };
}

/** Scheduling, listing, editing and cancelling messages. The native cutoff is 0: cancel wins until the claim. */
export const messageRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const tags = ['messages'];
  const write = requireKey(core, 'messages:write');
  const read = requireKey(core, 'messages:read');

  app.post('/messages', { schema: { tags, body: CreateMessageBody }, onRequest: write }, async (request, reply) => {
    const { account } = authOf(request);
    const body = request.body;
    const key = request.headers['idempotency-key'];
    if (Array.isArray(key) || (key !== undefined && (key.length < 1 || key.length > 255))) {
      throw new RelaisError('invalid_request', 'Idempotency-Key must be one value of 1 to 255 characters', { field: 'Idempotency-Key' });
    }
    const { message, created } = await scheduleMessage(core, account.id, {
      channel: body.channel, recipients: body.to, content: contentOf(body, account),
      sendAt: parseOptionalInstant(body.sendAt, 'sendAt'), tag: body.tag, batchId: body.batchId, metadata: body.metadata,
      idempotencyKey: key,
    });
    reply.code(created ? 201 : 200).header('location', `${app.prefix}/messages/${message.id}`);
    if (!created) reply.header('idempotent-replayed', 'true');
    return messageView(message);
  });

  app.get('/messages', { schema: { tags, querystring: ListMessagesQuery }, onRequest: read }, async (request) => {
    const q = request.query;
    const page = await listMessages(core, {
      accountId: authOf(request).account.id, statuses: q.status ? [q.status] : undefined, channel: q.channel, tag: q.tag,
      batchId: q.batchId, sendAtFrom: parseOptionalInstant(q.sendAtFrom, 'sendAtFrom'), sendAtTo: parseOptionalInstant(q.sendAtTo, 'sendAtTo'),
    }, { limit: q.limit ?? 50, cursor: q.cursor });
    return { items: page.items.map(messageView), nextCursor: page.nextCursor };
  });

  app.get('/messages/:id', { schema: { tags, params: MessageIdParams }, onRequest: read }, async (request) => {
    return messageDetailView(await getMessageDetail(core, authOf(request).account.id, request.params.id));
  });

  app.patch('/messages/:id', { schema: { tags, params: MessageIdParams, body: EditMessageBody }, onRequest: write }, async (request) => {
    const { sendAt, tag, batchId, metadata, ...content } = request.body;
    const m = await editMessage(core, authOf(request).account.id, request.params.id, {
      sendAt: parseOptionalInstant(sendAt, 'sendAt'), tag, batchId, metadata,
      content: Object.keys(content).length ? content : undefined,
    });
    return messageView(m);
  });

  const cancelOne = async (request: { params: { id: number } } & Parameters<typeof authOf>[0]) => {
    const r = await cancelMessage(core, authOf(request).account.id, request.params.id);
    return { id: request.params.id, status: 'cancelled', ...cancelView(r) };
  };
  app.delete('/messages/:id', { schema: { tags, params: MessageIdParams }, onRequest: write }, (request) => cancelOne(request));
  app.post('/messages/:id/cancel', { schema: { tags, params: MessageIdParams }, onRequest: write }, (request) => cancelOne(request));

  app.post('/messages/cancel', { schema: { tags, body: CancelBody }, onRequest: write }, async (request) => {
    const { dryRun, sendAtFrom, sendAtTo, ...selection } = request.body;
    const r = await cancelMessages(core, authOf(request).account.id, {
      ...selection, sendAtFrom: parseOptionalInstant(sendAtFrom, 'sendAtFrom'), sendAtTo: parseOptionalInstant(sendAtTo, 'sendAtTo'),
    }, { dryRun });
    return cancelView(r, dryRun ?? false);
  });
};
