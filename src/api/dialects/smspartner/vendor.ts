import type { Core } from '../../../core/context.js';
import { formatCredits } from '../../../core/money.js';
import type { AccountOverview } from '../../../core/statistics.js';
import { PARTNER_SUBACCOUNT_MESSAGES } from '../partner/endpoints/subaccounts.js';
import { partnerError } from '../partner/errors.js';
import { MAIL_CANCEL } from '../partner/mail-cancel.js';
import { localTimestamp } from '../partner/values.js';
import type { PartnerVendor } from '../partner/vendor.js';
import { named } from '../partner/xml.js';
import { MSG, sp, SMS_PARTNER_ERRORS } from './errors.js';
import { statusWord } from './render.js';
import { listItem } from './status.js';

/**
 * GET /v1/me (spec §1). `credits` is the union of the documented shape and the Go SDK's older
 * one (`solde`, `creditSmsLowCost`), in the order that keeps the documented XML positions.
 * Credit counts are what the balance buys at one segment each; Relais sells no HLR lookups.
 */
function me(o: AccountOverview, core: Core): Record<string, unknown> {
  const unit = core.pricing.smsPerSegment;
  const creditSms = unit > 0 ? Math.floor(Math.max(0, o.account.balance) / unit) : 0;
  const balance = formatCredits(o.account.balance);
  return {
    success: true, code: 200,
    user: named({ username: o.profile?.email ?? o.account.name, firstname: o.profile?.firstname ?? '', lastname: o.profile?.lastname ?? '', id: o.account.id }),
    credits: {
      creditSms, creditSmsECO: creditSms, creditHlr: 0, toSend: o.pendingSmsUnits, balance, currency: o.account.currency,
      solde: balance, creditSmsLowCost: creditSms,
    },
  };
}

/** SMS Partner's table for the Partner endpoint factories (partner/endpoints). */
export const SMS_PARTNER: PartnerVendor = {
  errors: SMS_PARTNER_ERRORS,
  missingKey: sp(1, MSG.keyRequired),
  notFound: partnerError(404, 404, MSG.notFound),
  localTime: localTimestamp,
  statusWord,
  me,
  cancel: { idRequired: sp(3, MSG.cancelIdRequired), cancelled: MSG.cancelled, byChannel: { email: MAIL_CANCEL } },
  bulkStatus: { paths: ['/bulk-status'], idRequired: sp(3, MSG.messageIdRequired), idKey: 'message_id', listKey: 'StatutResponse_List', item: listItem },
  suppressions: {
    list: 'sms', path: '/stop-sms', field: 'phoneNumber', reason: 'STOP',
    addressRequired: sp(2, MSG.phoneRequired), addressInvalid: sp(9, MSG.phoneInvalid), duplicate: sp(15, MSG.stopDuplicate),
    idRequired: sp(3, MSG.stopIdRequired), idNotFound: { status: 404, code: 4, message: MSG.stopIdNotFound },
  },
  subaccounts: { generatedEmailDomain: 'smspartner.fr', messages: PARTNER_SUBACCOUNT_MESSAGES },
};
