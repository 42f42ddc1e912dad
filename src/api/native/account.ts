import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Core } from '../../core/context.js';
import { formatCredits } from '../../core/money.js';
import { getOutboxEntry, latestOutboxEntry, listLedger, listOutbox } from '../../core/queries.js';
import { addSuppression, listSuppressions, removeSuppression } from '../../core/suppressions.js';
import { getAccount } from '../../core/accounts.js';
import { outboxAudio } from '../../core/audio-files.js';
import { RelaisError } from '../../core/errors.js';
import { authOf, requireKey } from '../auth.js';
import { accountView } from '../../views/account.js';
import { ledgerView, outboxEntryView, outboxView, suppressionAddedView, suppressionView } from '../../views/native.js';
import { AccountView } from '../admin/schemas.js';
import { json, problems } from '../openapi.js';
import {
  AddSuppressionBody, LedgerView, OutboxAudio, OutboxAudioQuery, OutboxEntryView, OutboxIdParams, OutboxMime, OutboxQuery, OutboxView, PageQuery, pageOf, SuppressionAddedView, SuppressionList, SuppressionParams, SuppressionQuery,
} from './schemas.js';

/** Balance and ledger, suppression lists, and the outbox of the key's account (with a call's audio). */
export const accountRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const accountRead = requireKey(core, 'account:read');

  app.get('/account', {
    schema: { tags: ['account'], summary: 'The key\'s account and its balance', response: { 200: json('The account', AccountView), ...problems(401, 403, 503) } },
    onRequest: accountRead,
  }, async (request) =>
    accountView(await getAccount(core, authOf(request).account.id)));

  app.get('/ledger', {
    schema: { tags: ['account'], summary: 'Ledger entries, newest first, and the balance', querystring: PageQuery, response: { 200: json('A page of the ledger', LedgerView), ...problems(400, 401, 403, 503) } },
    onRequest: accountRead,
  }, async (request) => {
    const accountId = authOf(request).account.id;
    const page = await listLedger(core, accountId, { limit: request.query.limit ?? 50, cursor: request.query.cursor });
    const account = await getAccount(core, accountId);
    return { balance: formatCredits(account.balance), currency: account.currency, items: page.items.map(ledgerView), nextCursor: page.nextCursor };
  });

  app.get('/suppressions', {
    schema: { tags: ['suppressions'], summary: 'The suppression lists', querystring: SuppressionQuery, response: { 200: json('The entries', SuppressionList), ...problems(400, 401, 403, 503) } },
    onRequest: requireKey(core, 'messages:read'),
  }, async (request) => ({
    items: (await listSuppressions(core, authOf(request).account.id, request.query.channel)).map(suppressionView),
  }));

  app.post('/suppressions', {
    schema: {
      tags: ['suppressions'], summary: 'Add an address to a suppression list; its scheduled recipients are cancelled and refunded', body: AddSuppressionBody,
      response: {
        201: json('Added', SuppressionAddedView), 200: json('Already on the list: the entry as first added', SuppressionAddedView), ...problems(400, 401, 403, 413, 503),
      },
    },
    onRequest: requireKey(core, 'suppressions:write'),
  }, async (request, reply) => {
    const r = await addSuppression(core, authOf(request).account.id, request.body.channel, request.body.address, request.body.reason ?? null);
    return reply.code(r.added ? 201 : 200).send(suppressionAddedView(r));
  });

  app.delete('/suppressions/:channel/:address', {
    schema: {
      tags: ['suppressions'], summary: 'Remove an address from a suppression list', params: SuppressionParams,
      response: { 204: { description: 'Removed; no body' }, ...problems(400, 401, 403, 404, 503) },
    },
    onRequest: requireKey(core, 'suppressions:write'),
  }, async (request, reply) => {
    await removeSuppression(core, authOf(request).account.id, request.params.channel, request.params.address);
    return reply.code(204).send();
  });

  app.get('/outbox', {
    schema: { tags: ['outbox'], summary: 'What the outbox transport sent, newest first', querystring: OutboxQuery, response: { 200: json('A page of the outbox', pageOf(OutboxView)), ...problems(400, 401, 403, 503) } },
    onRequest: requireKey(core, 'messages:read'),
  }, async (request) => {
    const page = await listOutbox(core, { accountId: authOf(request).account.id, messageId: request.query.messageId, limit: request.query.limit ?? 50, cursor: request.query.cursor });
    return { items: page.items.map(outboxView), nextCursor: page.nextCursor };
  });

  app.get('/outbox/latest', {
    schema: { tags: ['outbox'], summary: 'The newest outbox entry, in full (as GET /outbox/{id})', response: { 200: json('The entry', OutboxEntryView), ...problems(401, 403, 404, 503) } },
    onRequest: requireKey(core, 'messages:read'),
  }, async (request) =>
    outboxEntryView(await latestOutboxEntry(core, authOf(request).account.id)));

  app.get('/outbox/:id', {
    schema: {
      tags: ['outbox'], summary: 'One outbox entry in full: a mail with its whole MIME message', params: OutboxIdParams,
      response: { 200: json('The entry', OutboxEntryView), ...problems(400, 401, 403, 404, 503) },
    },
    onRequest: requireKey(core, 'messages:read'),
  }, async (request) =>
    outboxEntryView(await getOutboxEntry(core, authOf(request).account.id, request.params.id)));

  app.get('/outbox/:id/mime', {
    schema: {
      tags: ['outbox'], summary: 'A mail of the outbox as the raw MIME message it would have been sent as (save it as a .eml file)', params: OutboxIdParams,
      response: { 200: { description: 'The message', content: { 'message/rfc822': { schema: OutboxMime } } }, ...problems(400, 401, 403, 404, 503) },
    },
    onRequest: requireKey(core, 'messages:read'),
  }, async (request, reply) => {
    const { entry, mime } = await getOutboxEntry(core, authOf(request).account.id, request.params.id);
    if (mime === null) throw new RelaisError('not_found', `outbox entry ${entry.id} is not a mail`, { id: entry.id });
    return reply.type('message/rfc822').send(mime);
  });

  app.get('/outbox/:id/audio', {
    schema: {
      tags: ['outbox'], summary: 'A call of the outbox: the audio it would have played, as a WAV (the synthesised speech, or the dropped file, an MP3 converted)',
      params: OutboxIdParams, querystring: OutboxAudioQuery,
      response: {
        200: { description: 'The audio as audio/wav; with format=original, the dropped file as uploaded (audio/wav or audio/mpeg)', content: { 'audio/wav': { schema: OutboxAudio }, 'audio/mpeg': { schema: OutboxAudio } } },
        ...problems(400, 401, 403, 404, 503),
      },
    },
    onRequest: requireKey(core, 'messages:read'),
  }, async (request, reply) => {
    const audio = await outboxAudio(core, authOf(request).account.id, request.params.id, { original: request.query.format === 'original' });
    // A view of the bytes, not a copy: a decoded MP3 may be tens of megabytes.
    return reply.type(audio.contentType).send(Buffer.from(audio.bytes.buffer, audio.bytes.byteOffset, audio.bytes.byteLength));
  });
};
