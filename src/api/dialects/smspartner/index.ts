import type { FastifyInstance } from 'fastify';
import type { Core } from '../../../core/context.js';
import { partnerError } from '../partner/errors.js';
import { setupPartnerScope } from '../partner/scope.js';
import { accountRoutes } from './account.js';
import { cancelRoutes } from './cancel.js';
import { MSG, SMS_PARTNER_ERRORS } from './errors.js';
import { sendRoutes } from './send.js';
import { statusRoutes } from './status.js';
import { stopRoutes } from './stop.js';
import { subaccountRoutes } from './subaccounts.js';
import { unsupportedRoutes } from './unsupported.js';

export interface SmsPartnerOptions {
  core: Core;
  /** Zone of the vendor's local dates (RELAIS_TIMEZONE). */
  timezone: string;
  /** Cancels are refused this close to the send (RELAIS_CANCEL_CUTOFF_SECONDS; the vendor's 5 minutes). */
  cancelCutoffMs: number;
  /** Errors answered with HTTP 200 (RELAIS_SMSPARTNER_ALWAYS_200). */
  always200: boolean;
}

export type SmsPartnerApp = FastifyInstance<any, any, any, any, any>;

/**
 * The SMS Partner dialect (spec/sms-partner.md): code written for api.smspartner.fr/v1 works
 * unchanged against this prefix. Parsing, the vendor envelope and the code table live here;
 * every rule (cutoff, ledger, STOP list, pricing) is core's.
 */
export async function smsPartnerRoutes(app: SmsPartnerApp, opts: SmsPartnerOptions): Promise<void> {
  setupPartnerScope(app, { core: opts.core, table: SMS_PARTNER_ERRORS, always200: opts.always200, notFound: partnerError(404, 404, MSG.notFound) });
  await accountRoutes(app, opts);
  await sendRoutes(app, opts);
  await cancelRoutes(app, opts);
  await statusRoutes(app, opts);
  await stopRoutes(app, opts);
  await subaccountRoutes(app, opts);
  await unsupportedRoutes(app);
}
