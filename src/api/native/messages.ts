import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TSchema } from 'typebox';
import { cancelMessage, cancelMessages } from '../../core/cancel.js';
import type { Core } from '../../core/context.js';
import { RelaisError } from '../../core/errors.js';
import { parseOptionalInstant } from '../../core/instant.js';
import { DETAIL_PAGE, getMessageDetail, listEvents, listMessages, listRecipients } from '../../core/queries.js';
import { editMessage } from '../../core/reschedule.js';
import { scheduleAnyMessage } from '../../core/schedule-any.js';
import { speechLang } from '../../core/speech.js';
import type { Account, MessageContent, Page } from '../../core/types.js';
import { authOf, requireKey } from '../auth.js';
import { json, problems } from '../openapi.js';
import {
  CancelBody, CancelOneView, CancelView, CreatedMessageView, CreateMessageBody, DetailPageQuery, EditMessageBody, EventView, IdempotencyHeaders,
  ListMessagesQuery, MessageDetailView, MessageIdParams, MessageView, pageOf, RecipientView,
} from './schemas.js';
import { cancelOneView, cancelView, eventView, messageDetailView, messageView, recipientView } from '../../views/native.js';

const FIELDS_BY_CHANNEL = {
  sms: ['text', 'sender', 'unicode'],
  email: ['subject', 'text', 'html', 'from', 'replyTo'],
  voice: ['text', 'audioUrl', 'sender', 'lang'],
} as const;
const CONTENT_FIELDS = ['text', 'sender', 'unicode', 'subject', 'html', 'from', 'replyTo', 'audioUrl', 'lang'] as const;

function contentOf(body: CreateMessageBody, account: Account): MessageContent {
  const allowed: readonly string[] = FIELDS_BY_CHANNEL[body.channel];
  const stray = CONTENT_FIELDS.find((f) => body[f] !== undefined && !allowed.includes(f));
  if (stray) throw new RelaisError('invalid_request', `${stray} does not apply to ${body.channel} messages`, { field: stray });
  if (body.channel === 'sms') return { channel: 'sms', text: body.text ?? '', sender: body.sender ?? account.defaultSender, unicode: body.unicode ?? false };
  if (body.channel === 'email') {
    return { channel: 'email', subject: body.subject ?? '', text: body.text ?? null, html: body.html ?? null, from: body.from ?? null, replyTo: body.replyTo ?? null };
  }
  if (body.lang !== undefined && body.audioUrl !== undefined) throw new RelaisError('invalid_request', 'lang is the language of a spoken text, not of audioUrl', { field: 'lang' });
  return { channel: 'voice', text: body.text ?? null, audioUrl: body.audioUrl ?? null, sender: body.sender ?? account.defaultSender, ...(body.lang !== undefined ? { lang: speechLang(body.lang) } : {}) };
}

/** Scheduling, listing, editing and cancelling messages. The native cutoff is 0: cancel wins until the claim. */
export const messageRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const tags = ['messages'];
  const write = requireKey(core, 'messages:write');
  const read = requireKey(core, 'messages:read');

  app.post('/messages', {
    schema: {
      tags, summary: 'Schedule a message', body: CreateMessageBody, headers: IdempotencyHeaders,
      description: 'Validates, prices and debits the message in one transaction. Suppressed recipients are left out and listed in `skipped`.',
      response: {
        201: json('Scheduled', CreatedMessageView),
        200: json('An idempotent replay: the message the first request with this Idempotency-Key created (header Idempotent-Replayed: true)', CreatedMessageView),
        ...problems(400, 401, 402, 403, 409, 413, 503),
      },
    },
    onRequest: write,
  }, async (request, reply) => {
    const { account } = authOf(request);
    const body = request.body;
    const key = request.headers['idempotency-key'];
    const { message, created, skipped } = await scheduleAnyMessage(core, account.id, {
      channel: body.channel, recipients: body.to, content: contentOf(body, account),
      sendAt: parseOptionalInstant(body.sendAt, 'sendAt'), tag: body.tag, batchId: body.batchId, metadata: body.metadata,
      idempotencyKey: key,
    });
    reply.code(created ? 201 : 200).header('location', `${app.prefix}/messages/${message.id}`);
    if (!created) reply.header('idempotent-replayed', 'true');
    return { ...messageView(message), skipped: skipped.map((address) => ({ address, reason: 'suppressed' })) };
  });

  app.get('/messages', {
    schema: { tags, summary: 'List messages, newest first', querystring: ListMessagesQuery, response: { 200: json('A page of messages', pageOf(MessageView)), ...problems(400, 401, 403, 503) } },
    onRequest: read,
  }, async (request) => {
    const q = request.query;
    const page = await listMessages(core, {
      accountId: authOf(request).account.id, statuses: q.status ? [q.status] : undefined, channel: q.channel, tag: q.tag,
      batchId: q.batchId, sendAtFrom: parseOptionalInstant(q.sendAtFrom, 'sendAtFrom'), sendAtTo: parseOptionalInstant(q.sendAtTo, 'sendAtTo'),
    }, { limit: q.limit ?? 50, cursor: q.cursor });
    return { items: page.items.map(messageView), nextCursor: page.nextCursor };
  });

  app.get('/messages/:id', {
    schema: { tags, summary: 'A message with its first recipients and its events', params: MessageIdParams, response: { 200: json('The message', MessageDetailView), ...problems(400, 401, 403, 404, 503) } },
    onRequest: read,
  }, async (request) => {
    return messageDetailView(await getMessageDetail(core, authOf(request).account.id, request.params.id));
  });

  // A message's recipients and events: up to RELAIS_MAX_RECIPIENTS rows, read a page at a time.
  const pagedRoute = <T>(what: string, item: TSchema, list: (c: Core, accountId: number, messageId: number, q: { limit: number; cursor?: string }) => Promise<Page<T>>, view: (x: T) => unknown) =>
    app.get(`/messages/:id/${what}`, {
      schema: {
        tags, summary: `A message's ${what}, oldest first`, params: MessageIdParams, querystring: DetailPageQuery,
        response: { 200: json(`A page of ${what}`, pageOf(item)), ...problems(400, 401, 403, 404, 503) },
      },
      onRequest: read,
    }, async (request) => {
      const page = await list(core, authOf(request).account.id, request.params.id, { limit: request.query.limit ?? DETAIL_PAGE, cursor: request.query.cursor });
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    });
  pagedRoute('recipients', RecipientView, listRecipients, recipientView);
  pagedRoute('events', EventView, listEvents, eventView);

  app.patch('/messages/:id', {
    schema: {
      tags, summary: 'Reschedule or edit a scheduled message', params: MessageIdParams, body: EditMessageBody,
      response: { 200: json('The message as edited', MessageView), ...problems(400, 401, 402, 403, 404, 409, 413, 503) },
    },
    onRequest: write,
  }, async (request) => {
    const { sendAt, tag, batchId, metadata, ...content } = request.body;
    const m = await editMessage(core, authOf(request).account.id, request.params.id, {
      sendAt: parseOptionalInstant(sendAt, 'sendAt'), tag, batchId, metadata,
      content: Object.keys(content).length ? content : undefined,
    });
    return messageView(m);
  });

  const cancelOne = async (request: { params: { id: number } } & Parameters<typeof authOf>[0]) => {
    const r = await cancelMessage(core, authOf(request).account.id, request.params.id);
    return cancelOneView(request.params.id, r);
  };
  const cancelOneSchema = (summary: string) => ({
    tags, summary, params: MessageIdParams, response: { 200: json('Cancelled and refunded', CancelOneView), ...problems(400, 401, 403, 404, 409, 503) },
  });
  app.delete('/messages/:id', { schema: cancelOneSchema('Cancel a scheduled message'), onRequest: write }, (request) => cancelOne(request));
  app.post('/messages/:id/cancel', { schema: cancelOneSchema('Cancel a scheduled message (for clients that cannot send DELETE)'), onRequest: write }, (request) => cancelOne(request));

  app.post('/messages/cancel', {
    schema: {
      tags, summary: 'Cancel every scheduled message of a selection (ids, tag, batch, channel, time range)', body: CancelBody,
      response: { 200: json('What was (or with dryRun, would be) cancelled and refunded', CancelView), ...problems(400, 401, 403, 413, 503) },
    },
    onRequest: write,
  }, async (request) => {
    const { dryRun, sendAtFrom, sendAtTo, ...selection } = request.body;
    const r = await cancelMessages(core, authOf(request).account.id, {
      ...selection, sendAtFrom: parseOptionalInstant(sendAtFrom, 'sendAtFrom'), sendAtTo: parseOptionalInstant(sendAtTo, 'sendAtTo'),
    }, { dryRun });
    return cancelView(r, dryRun ?? false);
  });
};
