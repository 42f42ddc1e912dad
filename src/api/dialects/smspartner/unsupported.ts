import { partnerError } from '../partner/errors.js';
import type { PartnerRouter } from '../partner/scope.js';
import { MSG } from './errors.js';

/**
 * Documented vendor endpoints Relais does not serve (spec §12): the vendor's "access refused",
 * to every caller, so these read no key.
 * `/hlr/notify` and `/lookup` are the Go SDK's VerifyNumber and VerifyNumberFormat.
 */
const PATHS = [
  '/vn/send', '/sondage/to/send', '/group/add', '/contact/add', '/groupe/delete', '/contact/update', '/contact/delete', '/group/list',
  '/contact/detail', '/vn/callforward', '/hlr/notify', '/lookup',
];

export function unsupportedRoutes(route: PartnerRouter): void {
  for (const path of PATHS) {
    route(['GET', 'POST', 'PUT', 'DELETE'], path, async () => {
      throw partnerError(403, 40, MSG.accessDenied);
    }, { scope: null });
  }
}
