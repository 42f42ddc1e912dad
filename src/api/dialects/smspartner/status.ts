import { phoneCountry } from '../../../core/addresses.js';
import { isRelaisError } from '../../../core/errors.js';
import { recipientState, tagStates, type RecipientState } from '../../../core/status.js';
import { messageId } from '../partner/endpoints/message-id.js';
import { toInt } from '../partner/params.js';
import type { PartnerRouter } from '../partner/scope.js';
import { euros, unixString } from '../partner/values.js';
import { MSG, sp } from './errors.js';
import type { SmsPartnerOptions } from './options.js';
import { statusWord } from './render.js';

/** SMS Partner's own status endpoints; `/bulk-status` is the Partner family's (partner/endpoints). */

const MAX_ITEMS = 500;
const TAG_PAGE = 500;

/** One recipient in `StatutResponse_List` (bulk-status, bulk-status-by-tag). */
export const listItem = (s: RecipientState, status: string) => ({
  phoneNumber: s.recipient.address, status, stopSMS: s.suppressed, date: unixString(s.recipient),
});

export function statusRoutes(route: PartnerRouter, opts: SmsPartnerOptions): void {
  /** GET /v1/message-status: one number of one message (spec §5). */
  route(['GET', 'POST'], '/message-status', async ({ auth: { account }, params }) => {
    const phone = params.phone('phoneNumber');
    if (!phone) throw sp(2, MSG.phoneRequired);
    const s = await recipientState(opts.core, account.id, messageId(params.int('messageId'), sp(3, MSG.messageIdRequired)), phone);
    return {
      success: true, code: 200, number: s.recipient.address, messageId: String(s.message.id), stopSms: s.suppressed,
      date: unixString(s.recipient), statut: statusWord(s.recipient.status, s.awaitingReceipt), cost: euros(s.recipient.price),
      countryCode: phoneCountry(s.recipient.address) ?? '', currency: account.currency,
    };
  }, { scope: 'messages:read' });

  /** POST (or GET) /v1/multi-status: up to 500 (messageId, phoneNumber) pairs, each answered on its own (spec §6). */
  route(['POST', 'GET'], '/multi-status', async ({ auth: { account }, params }) => {
    // The FR table says SMSStatus_List; its examples, the live EN page and the Go SDK send SMSStatut_List.
    const list = params.list('SMSStatut_List') ?? params.list('SMSStatus_List');
    if (!list || list.length === 0) throw sp(5, MSG.emptyList);
    if (list.length > MAX_ITEMS) throw sp(50, MSG.tooManyNumbers);
    const pairs = list.map((item) => {
      const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
      const phone = typeof o.phoneNumber === 'string' || typeof o.phoneNumber === 'number' ? String(o.phoneNumber) : undefined;
      return { phone, id: toInt(o.messageId) };
    });
    if (pairs.some((p) => !p.phone || p.id === undefined || Number.isNaN(p.id))) throw sp(6, MSG.badFormat);
    const out: Record<string, unknown>[] = [];
    for (const { phone, id } of pairs) {
      try {
        const s = await recipientState(opts.core, account.id, id!, phone!);
        out.push({
          success: true, code: 200, phoneNumber: s.recipient.address, messageId: s.message.id, status: statusWord(s.recipient.status, s.awaitingReceipt),
          date: unixString(s.recipient), stopSms: s.suppressed ? '1' : '0', isSpam: '0',
        });
      } catch (err) {
        if (!isRelaisError(err) || err.code !== 'not_found') throw err;
        out.push({ success: false, code: 4, phoneNumber: phone, messageId: id, status: MSG.numberNotFound });
      }
    }
    return { success: true, code: 200, StatutResponse_List: out };
  }, { scope: 'messages:read' });

  /** GET /v1/bulk-status-by-tag: every number of every message with a tag, 500 per page (spec §8). */
  route(['GET', 'POST'], '/bulk-status-by-tag', async ({ auth: { account }, params }) => {
    const tag = params.str('tag')?.trim();
    // The vendor reuses its "message id required" text for a missing tag.
    if (!tag) throw sp(3, MSG.messageIdRequired);
    const requested = params.int('page');
    const page = requested !== undefined && Number.isSafeInteger(requested) && requested >= 1 ? requested : 1;
    const { total, items } = await tagStates(opts.core, account.id, tag, { limit: TAG_PAGE, offset: (page - 1) * TAG_PAGE });
    if (total === 0) throw sp(4, MSG.messageNotFound);
    return { success: true, code: 200, currentPage: page, total, StatutResponse_List: items.map((s) => listItem(s, statusWord(s.recipient.status, s.awaitingReceipt))) };
  }, { scope: 'messages:read' });
}
