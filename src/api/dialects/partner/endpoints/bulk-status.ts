import { messageStates } from '../../../../core/status.js';
import type { PartnerRouter } from '../scope.js';
import type { PartnerEndpointOptions, PartnerVendor } from '../vendor.js';
import { messageId } from './message-id.js';

/** GET /v1/bulk-status: every recipient of one message, in the vendor's keys and status words. */
export function bulkStatusEndpoint(route: PartnerRouter, vendor: PartnerVendor, opts: PartnerEndpointOptions): void {
  const t = vendor.bulkStatus;
  for (const path of t.paths) {
    route(['GET', 'POST'], path, async ({ auth, params }) => {
      const id = messageId(params.int('messageId'), t.idRequired);
      const states = await messageStates(opts.core, auth.account.id, id);
      return { success: true, code: 200, [t.idKey]: String(id), [t.listKey]: states.map((s) => t.item(s, vendor.statusWord(s.recipient.status, s.awaitingReceipt))) };
    }, { scope: 'messages:read' });
  }
}
