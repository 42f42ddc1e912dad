import { bulkStatusEndpoint } from '../partner/endpoints/bulk-status.js';
import { cancelEndpoints } from '../partner/endpoints/cancel.js';
import { meEndpoint } from '../partner/endpoints/me.js';
import { subaccountEndpoints } from '../partner/endpoints/subaccounts.js';
import { suppressionListEndpoints } from '../partner/endpoints/suppression-list.js';
import { setupPartnerScope } from '../partner/scope.js';
import type { DialectApp } from '../dialect.js';
import type { SmsPartnerOptions } from './options.js';
import { sendRoutes } from './send.js';
import { statisticsRoutes } from './statistics.js';
import { statusRoutes } from './status.js';
import { unsupportedRoutes } from './unsupported.js';
import { SMS_PARTNER } from './vendor.js';

export type { SmsPartnerOptions } from './options.js';

/**
 * The SMS Partner dialect (spec/sms-partner.md): code written for api.smspartner.fr/v1 works
 * unchanged against this prefix. The endpoints it shares with Mail and Voice Partner are the
 * Partner factories driven by its table (vendor.ts); sending, statistics and the per-number
 * status endpoints are its own. Every rule (cutoff, ledger, STOP list, pricing) is core's.
 */
export async function smsPartnerRoutes(app: DialectApp, opts: SmsPartnerOptions): Promise<void> {
  const route = setupPartnerScope(app, {
    core: opts.core, table: SMS_PARTNER.errors, always200: opts.always200, notFound: SMS_PARTNER.notFound, missingKey: SMS_PARTNER.missingKey,
  });
  meEndpoint(route, SMS_PARTNER, opts);
  statisticsRoutes(route, opts);
  sendRoutes(route, opts);
  cancelEndpoints(route, SMS_PARTNER, opts);
  statusRoutes(route, opts);
  bulkStatusEndpoint(route, SMS_PARTNER, opts);
  suppressionListEndpoints(route, SMS_PARTNER, opts);
  subaccountEndpoints(route, SMS_PARTNER, opts);
  unsupportedRoutes(route);
}
