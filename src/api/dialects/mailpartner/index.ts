import { RelaisError } from '../../../core/errors.js';
import { bulkStatusEndpoint } from '../partner/endpoints/bulk-status.js';
import { cancelEndpoints } from '../partner/endpoints/cancel.js';
import { meEndpoint } from '../partner/endpoints/me.js';
import { subaccountEndpoints } from '../partner/endpoints/subaccounts.js';
import { suppressionListEndpoints } from '../partner/endpoints/suppression-list.js';
import { WindowLimiter } from '../../rate-limit.js';
import { setupPartnerScope } from '../partner/scope.js';
import type { PartnerDialectOptions } from '../partner/vendor.js';
import type { DialectApp } from '../dialect.js';
import { sendRoute } from './send.js';
import { MAIL_PARTNER } from './vendor.js';

/** spec/mail-partner.md §0: 2000 requests a minute per IP address, on every path of the API. */
const RATE = { limit: 2000, windowMs: 60_000 };

/**
 * The Mail Partner dialect (spec/mail-partner.md): code written for api.mailpartner.fr/v1 works
 * unchanged against this prefix. Everything but sending is a Partner factory driven by its table
 * (vendor.ts); every rule (sender default, cutoff, ledger, unsubscribe list) is core's.
 */
export async function mailPartnerRoutes(app: DialectApp, opts: PartnerDialectOptions): Promise<void> {
  const limiter = new WindowLimiter(RATE.limit, RATE.windowMs, opts.core.clock);
  // Before the frame's key check: a flood is refused without a database read.
  app.addHook('onRequest', async (request) => {
    if (!limiter.take(request.ip)) throw new RelaisError('rate_limited', `at most ${RATE.limit} requests a minute per IP address`, { retryAfter: RATE.windowMs / 1000 });
  });
  const route = setupPartnerScope(app, {
    core: opts.core, table: MAIL_PARTNER.errors, always200: opts.always200, notFound: MAIL_PARTNER.notFound, missingKey: MAIL_PARTNER.missingKey,
  });
  meEndpoint(route, MAIL_PARTNER, opts);
  sendRoute(route, opts);
  cancelEndpoints(route, MAIL_PARTNER, opts);
  bulkStatusEndpoint(route, MAIL_PARTNER, opts);
  suppressionListEndpoints(route, MAIL_PARTNER, opts);
  subaccountEndpoints(route, MAIL_PARTNER, opts);
}
