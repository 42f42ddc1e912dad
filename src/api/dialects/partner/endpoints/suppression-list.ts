import { normalizeAddress } from '../../../../core/addresses.js';
import { RelaisError } from '../../../../core/errors.js';
import { addStoredSuppression, listStoredSuppressions, removeSuppressionById } from '../../../../core/suppressions.js';
import type { Params } from '../params.js';
import type { PartnerRouter } from '../scope.js';
import type { PartnerEndpointOptions, PartnerVendor } from '../vendor.js';

/**
 * The id-addressed suppression list (SMS Partner's STOP list, Mail Partner's unsubscribe list):
 * the account's list for the table's channel. An address on it is left out of later sends and
 * cancelled and refunded in messages already scheduled (core).
 */
export function suppressionListEndpoints(route: PartnerRouter, vendor: PartnerVendor, opts: PartnerEndpointOptions): void {
  const t = vendor.suppressions;
  // A phone number may arrive with its `+` decoded as a space (Params.phone).
  const addressOf = (params: Params) => (t.list === 'sms' ? params.phone(t.field) : params.str(t.field)?.trim());

  route(['GET', 'POST'], `${t.path}/list`, async ({ auth }) => {
    const rows = await listStoredSuppressions(opts.core, auth.account.id, t.list);
    return {
      success: true, code: 200, nbData: rows.length,
      data: rows.map((r) => ({ id: r.id, [t.field]: r.address, createdAt: vendor.localTime(r.createdAt, opts.timezone) })),
    };
  }, { scope: 'messages:read' });

  route(['POST', 'GET'], `${t.path}/add`, async ({ auth, params }) => {
    const address = addressOf(params);
    if (!address) throw t.addressRequired;
    try {
      normalizeAddress(t.list, address, opts.core.defaultRegion);
    } catch {
      throw t.addressInvalid;
    }
    const r = await addStoredSuppression(opts.core, auth.account.id, t.list, address, t.reason);
    if (!r.added) throw t.duplicate;
    return { success: true, code: 200, stopId: r.stored.id };
  }, { scope: 'suppressions:write' });

  route(['GET', 'POST', 'DELETE'], `${t.path}/delete`, async ({ auth, params }) => {
    const id = params.int('id');
    if (id === undefined) throw t.idRequired;
    if (!Number.isSafeInteger(id)) throw new RelaisError('not_found', 'no such entry');
    await removeSuppressionById(opts.core, auth.account.id, t.list, id);
    return { success: true, code: 200 };
  }, { scope: 'suppressions:write', errors: { not_found: t.idNotFound } });
}
