import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../core/context.js';
import { providerAudio } from '../core/audio-files.js';
import { AUDIO_URL_TTL_MS, STATUS_CALLBACK_PREFIX } from '../core/provider-callbacks.js';
import { receiveStatusCallback } from '../core/status-callback-receipts.js';
import { OutboxAudio } from './native/schemas.js';
import { problems } from './openapi.js';

/** A status callback is one form or a JSON array of at most 100 small objects. */
const BODY_LIMIT = 64 * 1024;

/**
 * The status callbacks of HTTP providers (core/provider-callbacks.ts), served at the root of
 * RELAIS_PUBLIC_URL: `POST /transports/<name>/status/<token>`, and the audio files their calls
 * play: `GET /transports/<name>/audio/<token>`. Public, without key: the signed token is the
 * credential, and a wrong one is a 404 like any unknown path.
 */
export const providerCallbackRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  // The transport's reader parses the body (a form, JSON): the route hands it over as bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post(`${STATUS_CALLBACK_PREFIX}/:transport/status/:token`, {
    bodyLimit: BODY_LIMIT,
    schema: {
      tags: ['transports'], security: [],
      summary: 'A provider\'s delivery status for a message an HTTP transport sent: a receipt',
      description: 'The URL is the one the transport gave the provider (`StatusCallback`, `statusCallbackUrl`). A delivered or '
        + 'undelivered status settles the recipient the provider id names, with its event and status callback; any other status is '
        + 'acknowledged and ignored, as is a repeat. Body: what the provider posts (docs/TRANSPORTS.md, "HTTP providers").',
      params: Type.Object({ transport: Type.String(), token: Type.String({ description: 'The signed token of the URL' }) }),
      response: { 204: { description: 'Recorded (or ignored)' }, ...problems(400, 403, 404, 413) },
    },
  }, async (request, reply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    await receiveStatusCallback(core, request.params.transport, request.params.token, { contentType: request.headers['content-type'] ?? '', headers: request.headers, body });
    return reply.code(204).send();
  });

  app.get(`${STATUS_CALLBACK_PREFIX}/:transport/audio/:token`, {
    schema: {
      tags: ['transports'], security: [],
      summary: 'The audio file a call plays, for the provider an HTTP transport asked to place it',
      description: `The URL is the one the transport gave the provider for a call whose audio is a file uploaded to Relais (TwiML \`<Play>\`, \`{audioUrl}\`); `
        + `it works for ${AUDIO_URL_TTL_MS / 3_600_000} hours. A token that is altered or expired, or a file removed since, is the same 404.`,
      params: Type.Object({ transport: Type.String(), token: Type.String({ description: 'The signed token of the URL' }) }),
      response: {
        200: { description: 'The file as uploaded (audio/wav or audio/mpeg)', content: { 'audio/wav': { schema: OutboxAudio }, 'audio/mpeg': { schema: OutboxAudio } } },
        ...problems(404),
      },
    },
  }, async (request, reply) => {
    const { contentType, bytes } = await providerAudio(core, request.params.transport, request.params.token);
    return reply.headers({ 'x-content-type-options': 'nosniff', 'cache-control': 'private, no-store' }).type(contentType)
      .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
};
