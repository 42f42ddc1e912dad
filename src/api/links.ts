import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type, type TSchema } from 'typebox';
import type { Core } from '../core/context.js';
import { LINK_PATHS, type LinkPurpose, type LinkRef } from '../core/email-links.js';
import { readOnlineCopy, unsubscribeByLink } from '../core/recipient-links.js';
import { failurePage, invalidLinkPage, textMailPage, unsubscribeForm, unsubscribedPage } from './link-pages.js';
import { HTTP_STATUS, logFailure, toRelaisError } from './problem.js';

/**
 * The signed links of the mails Relais sends (core/email-links.ts), served at the root: the
 * one-click unsubscribe (RFC 8058) and the copy read online. Public, without key or cookie: the
 * token is the only credential, and a bad, altered or expired one is a 404 page.
 */

/** RFC 8058's POST is `List-Unsubscribe=One-Click`; the form's is the same: a KiB is plenty. */
const BODY_LIMIT = 1024;

/** The link pages: no script, no resource from anywhere, not framed, the token never sent on as a referrer. */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/**
 * A mail read online is the sender's HTML: sandboxed (no script, an opaque origin) so that
 * nothing in it runs as Relais's origin; its images may come from anywhere, as in a mail reader.
 */
const MAIL_HEADERS = {
  ...PAGE_HEADERS,
  'content-security-policy': "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; sandbox",
};

const html = (reply: FastifyReply, status: number, body: string, headers: Record<string, string> = PAGE_HEADERS): FastifyReply =>
  reply.code(status).headers(headers).type('text/html; charset=utf-8').send(body);

const HTML = (description: string) => ({ description, content: { 'text/html': { schema: Type.String() } } });

/**
 * The routes take the token as a wildcard, not a `:token` parameter: a token carries its address
 * and is longer than the router's 100 characters a parameter may have. The document names it
 * `{token}` (openapi.ts).
 */
const TOKEN = Type.String({ description: 'The signed token of the link' });

/** How the document lists these routes: `/u/{token}`, `/view/{token}`. */
export function documentedLinkRoute(url: string): { url: string; params: TSchema } | undefined {
  const path = Object.values(LINK_PATHS).find((p) => url === `${p}/*`);
  return path === undefined ? undefined : { url: `${path}/:token`, params: Type.Object({ token: TOKEN }) };
}

/** A link route's schema: public, its token, its page, and the 404 page of a link that does not verify. */
const linkSchema = (summary: string, page: string, more: { description?: string; errors?: Record<number, string> } = {}) => ({
  tags: ['links'], security: [], params: Type.Object({ '*': TOKEN }), summary,
  ...(more.description ? { description: more.description } : {}),
  response: {
    200: HTML(page), 404: HTML('The link is not valid or has expired'),
    ...Object.fromEntries(Object.entries(more.errors ?? {}).map(([status, text]) => [status, HTML(text)])),
  },
});

export const linksRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  // Whatever the body says, the POST is the request: it is bounded, and never parsed.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));
  app.setErrorHandler((err, request, reply) => {
    const status = HTTP_STATUS[toRelaisError(err).code];
    logFailure(request, status, err);
    return html(reply, status, failurePage(status));
  });

  const refOf = (purpose: LinkPurpose, params: { '*': string }): LinkRef | undefined => core.links.verify(purpose, params['*']);

  app.get(`${LINK_PATHS.unsubscribe}/*`, {
    schema: linkSchema('Unsubscribe link: a confirmation page (unsubscribes nothing: mail scanners fetch links)',
      'A form that POSTs the one-click request to the same URL'),
  }, async (request, reply) => {
    const ref = refOf('unsubscribe', request.params);
    return ref ? html(reply, 200, unsubscribeForm(ref.address)) : html(reply, 404, invalidLinkPage());
  });

  app.post(`${LINK_PATHS.unsubscribe}/*`, {
    bodyLimit: BODY_LIMIT,
    schema: linkSchema('One-click unsubscribe (RFC 8058): the address joins the sending account\'s e-mail suppression list', 'The address is unsubscribed', {
      description: 'Body `List-Unsubscribe=One-Click` (application/x-www-form-urlencoded), as mail providers send it, the form\'s, or none. '
        + 'Scheduled mails to the address are cancelled and refunded; a second POST changes nothing.',
      errors: { 413: 'The body is over 1 KiB' },
    }),
  }, async (request, reply) => {
    const ref = refOf('unsubscribe', request.params);
    if (!ref) return html(reply, 404, invalidLinkPage());
    // An account closed or gone sends nothing more: the recipient's wish is met with nothing to write.
    await unsubscribeByLink(core, ref);
    return html(reply, 200, unsubscribedPage(ref.address));
  });

  app.get(`${LINK_PATHS.view}/*`, {
    schema: linkSchema('Read-online link: the mail as the recipient received it, sandboxed', 'The mail\'s HTML (a text-only mail in <pre>)'),
  }, async (request, reply) => {
    const ref = refOf('view', request.params);
    const copy = ref && await readOnlineCopy(core, ref);
    if (!copy) return html(reply, 404, invalidLinkPage());
    return html(reply, 200, copy.html ?? textMailPage(copy.subject, copy.text ?? ''), MAIL_HEADERS);
  });
};
