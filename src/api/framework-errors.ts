import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RelaisError } from '../core/errors.js';
import { sendProblem } from './problem.js';

/**
 * Who answers an error the router raises before any route is found (a path segment past
 * maxParamLength, a bad percent-encoding): Fastify has one handler for the whole server, so the
 * scopes with an envelope of their own (the vendor dialects) register theirs here by prefix, and
 * a vendor client gets its vendor's error instead of problem+json.
 */
export type ErrorAnswer = (err: RelaisError, request: FastifyRequest, reply: FastifyReply) => FastifyReply | Promise<FastifyReply>;

// Keyed by the HTTP server, which every encapsulated scope of one app shares.
const answers = new WeakMap<object, { prefix: string; answer: ErrorAnswer }[]>();

/** Errors the router raises for URLs under `app.prefix` are answered by `answer`. */
export function answerRouterErrors(app: Pick<FastifyInstance, 'server' | 'prefix'>, answer: ErrorAnswer): void {
  const list = answers.get(app.server) ?? [];
  list.push({ prefix: app.prefix, answer });
  // Longest prefix first, so a nested scope wins over its parent.
  list.sort((a, b) => b.prefix.length - a.prefix.length);
  answers.set(app.server, list);
}

const under = (url: string, prefix: string): boolean =>
  url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`);

/** Answers a router error with the answer registered for the URL's prefix, else problem+json. */
export function answerRouterError(server: object, err: RelaisError, request: FastifyRequest, reply: FastifyReply): FastifyReply | Promise<FastifyReply> {
  const found = answers.get(server)?.find((a) => a.prefix !== '' && under(request.url, a.prefix));
  return found ? found.answer(err, request, reply) : sendProblem(reply, request, err);
}
