import { cancelMessage } from '../../../../core/cancel.js';
import { isRelaisError, type RelaisError } from '../../../../core/errors.js';
import { getOwnMessage } from '../../../../core/queries.js';
import { fromVendorTable } from '../errors.js';
import { toInt } from '../params.js';
import type { AuthedContext, PartnerRouter } from '../scope.js';
import type { PartnerEndpointOptions, PartnerVendor } from '../vendor.js';
import { messageId } from './message-id.js';

/**
 * Cancel (seeds 001, 002): the whole message is cancelled and refunded at once, in the
 * transaction that cancels it; refused when due within the cutoff or already sent (the vendor
 * table's codes). Any message id of the account works, whatever its channel: seed 002's Mail
 * Partner samples call the SMS Partner host, which answers for a mail with the words its table
 * names for that channel.
 */
async function cancel(vendor: PartnerVendor, opts: PartnerEndpointOptions, { auth, params }: AuthedContext, pathId?: string): Promise<Record<string, unknown>> {
  const id = messageId(pathId !== undefined ? toInt(pathId) : params.int('messageId'), vendor.cancel.idRequired);
  const byChannel = vendor.cancel.byChannel;
  const words = byChannel ? byChannel[(await getOwnMessage(opts.core, auth.account.id, id)).channel] : undefined;
  try {
    await cancelMessage(opts.core, auth.account.id, id, { cutoffMs: opts.cancelCutoffMs });
  } catch (err) {
    const answer = words && isRelaisError(err) ? words.refusals[err.code] : undefined;
    throw answer ? fromVendorTable(err as RelaisError, answer) : err;
  }
  return { success: true, code: 200, message: words?.cancelled ?? vendor.cancel.cancelled };
}

export function cancelEndpoints(route: PartnerRouter, vendor: PartnerVendor, opts: PartnerEndpointOptions): void {
  route(['GET', 'POST'], '/message-cancel', (ctx) => cancel(vendor, opts, ctx), { scope: 'messages:write' });
  // A third-party client (spec/sms-partner.md §4) cancels with DELETE /v1/message-cancel/{id}?apiKey=…
  route(['DELETE', 'GET', 'POST'], '/message-cancel/:messageId', (ctx) =>
    cancel(vendor, opts, ctx, (ctx.request.params as { messageId: string }).messageId), { scope: 'messages:write' });
}
