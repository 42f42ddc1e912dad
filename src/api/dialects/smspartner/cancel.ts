import { cancelMessage } from '../../../core/cancel.js';
import { partnerAuth } from '../partner/auth.js';
import { toInt, type Params } from '../partner/params.js';
import { partnerRoute } from '../partner/scope.js';
import { MSG, sp } from './errors.js';
import type { SmsPartnerApp, SmsPartnerOptions } from './index.js';

/**
 * Cancel (seed 001): codes 1, 3, 4, 5, 6, 10. The whole message is cancelled and refunded at
 * once, in the transaction that cancels it; refused (6) when due within the cutoff or already
 * sent. Any message id of the account works here, e-mail included: seed 002's Mail Partner
 * samples call this host.
 */
async function cancel(opts: SmsPartnerOptions, params: Params, pathId?: string): Promise<Record<string, unknown>> {
  const { account } = await partnerAuth(opts.core, params, sp(1, MSG.keyRequired), 'messages:write');
  const id = pathId !== undefined ? toInt(pathId) : params.int('messageId');
  if (id === undefined) throw sp(3, MSG.cancelIdRequired);
  if (!Number.isSafeInteger(id) || id <= 0) throw sp(4, MSG.messageNotFound);
  await cancelMessage(opts.core, account.id, id, { cutoffMs: opts.cancelCutoffMs });
  return { success: true, code: 200, message: MSG.cancelled };
}

export async function cancelRoutes(app: SmsPartnerApp, opts: SmsPartnerOptions): Promise<void> {
  partnerRoute(app, ['GET', 'POST'], '/message-cancel', ({ params }) => cancel(opts, params));
  // A third-party client (spec §4) cancels with DELETE /v1/message-cancel/{id}?apiKey=…
  partnerRoute(app, ['DELETE', 'GET', 'POST'], '/message-cancel/:messageId', ({ params, request }) =>
    cancel(opts, params, (request.params as { messageId: string }).messageId));
}
