import { normalizePhone } from '../../../core/addresses.js';
import { addStoredSuppression, listStoredSuppressions, removeSuppressionById } from '../../../core/suppressions.js';
import { partnerAuth } from '../partner/auth.js';
import type { Params } from '../partner/params.js';
import { partnerRoute } from '../partner/scope.js';
import { MSG, sp } from './errors.js';
import type { SmsPartnerApp, SmsPartnerOptions } from './index.js';
import { localTimestamp } from './render.js';

/**
 * The STOP list is the account's SMS suppression list: a number on it is left out of later
 * sends (code 14) and cancelled and refunded in messages already scheduled (core).
 */

async function list(opts: SmsPartnerOptions, params: Params): Promise<Record<string, unknown>> {
  const { account } = await partnerAuth(opts.core, params, sp(1, MSG.keyRequired), 'messages:read');
  const rows = await listStoredSuppressions(opts.core, account.id, 'sms');
  return {
    success: true, code: 200, nbData: rows.length,
    data: rows.map((r) => ({ id: r.id, phoneNumber: r.address, createdAt: localTimestamp(r.createdAt, opts.timezone) })),
  };
}

async function add(opts: SmsPartnerOptions, params: Params): Promise<Record<string, unknown>> {
  const { account } = await partnerAuth(opts.core, params, sp(1, MSG.keyRequired), 'suppressions:write');
  const phone = params.phone('phoneNumber');
  if (!phone) throw sp(2, MSG.phoneRequired);
  try {
    normalizePhone(phone, opts.core.defaultRegion);
  } catch {
    throw sp(9, MSG.phoneInvalid);
  }
  const r = await addStoredSuppression(opts.core, account.id, 'sms', phone, 'STOP');
  if (!r.added) throw sp(15, MSG.stopDuplicate);
  return { success: true, code: 200, stopId: r.stored.id };
}

async function remove(opts: SmsPartnerOptions, params: Params): Promise<Record<string, unknown>> {
  const { account } = await partnerAuth(opts.core, params, sp(1, MSG.keyRequired), 'suppressions:write');
  const id = params.int('id');
  if (id === undefined) throw sp(3, MSG.stopIdRequired);
  if (!Number.isSafeInteger(id)) throw sp(4, MSG.stopIdNotFound);
  await removeSuppressionById(opts.core, account.id, 'sms', id);
  return { success: true, code: 200 };
}

export async function stopRoutes(app: SmsPartnerApp, opts: SmsPartnerOptions): Promise<void> {
  partnerRoute(app, ['GET', 'POST'], '/stop-sms/list', ({ params }) => list(opts, params));
  partnerRoute(app, ['POST', 'GET'], '/stop-sms/add', ({ params }) => add(opts, params));
  partnerRoute(app, ['GET', 'POST', 'DELETE'], '/stop-sms/delete', ({ params }) => remove(opts, params), {
    errors: { not_found: { status: 404, code: 4, message: MSG.stopIdNotFound } },
  });
}
