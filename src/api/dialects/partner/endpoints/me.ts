import { accountOverview } from '../../../../core/statistics.js';
import type { PartnerRouter } from '../scope.js';
import type { PartnerEndpointOptions, PartnerVendor } from '../vendor.js';

/** GET /v1/me: the account's credits, in the shape the vendor table renders. */
export function meEndpoint(route: PartnerRouter, vendor: PartnerVendor, opts: PartnerEndpointOptions): void {
  route(['GET', 'POST'], '/me', async ({ auth }) => vendor.me(await accountOverview(opts.core, auth.account.id), opts.core), { scope: 'account:read' });
}
