import { partnerError } from '../partner/errors.js';
import { partnerRoute } from '../partner/scope.js';
import { MSG } from './errors.js';
import type { SmsPartnerApp } from './index.js';

/**
 * Documented vendor endpoints Relais does not serve (spec §12): the vendor's "access refused".
 * `/hlr/notify` and `/lookup` are the Go SDK's VerifyNumber and VerifyNumberFormat.
 */
const PATHS = [
  '/vn/send', '/sondage/to/send', '/group/add', '/contact/add', '/groupe/delete', '/contact/update', '/contact/delete', '/group/list',
  '/contact/detail', '/vn/callforward', '/hlr/notify', '/lookup',
];

export async function unsupportedRoutes(app: SmsPartnerApp): Promise<void> {
  for (const path of PATHS) {
    partnerRoute(app, ['GET', 'POST', 'PUT', 'DELETE'], path, async () => {
      throw partnerError(403, 40, MSG.accessDenied);
    });
  }
}
