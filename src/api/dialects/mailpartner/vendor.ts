import type { Core } from '../../../core/context.js';
import { formatCredits } from '../../../core/money.js';
import type { AccountOverview } from '../../../core/statistics.js';
import type { RecipientState } from '../../../core/status.js';
import { PARTNER_SUBACCOUNT_MESSAGES } from '../partner/endpoints/subaccounts.js';
import { MAIL_CANCEL } from '../partner/mail-cancel.js';
import { euros, localTimestamp, statusWords } from '../partner/values.js';
import type { PartnerVendor } from '../partner/vendor.js';
import { named } from '../partner/xml.js';
import { MAIL_PARTNER_ERRORS, MSG, mp } from './errors.js';

/** Recipient state → Mail Partner's status word: only `Delivered` is documented (spec §4) [inferred]. */
const statusWord = statusWords({ waiting: 'Waiting', delivered: 'Delivered', notDelivered: 'Not delivered', cancelled: 'Cancelled' });

/** GET /v1/me (spec §1): the documented keys in their order; `creditMail` is what the balance buys. */
function me(o: AccountOverview, core: Core): Record<string, unknown> {
  const unit = core.pricing.email;
  return {
    success: true, code: 200,
    user: named({ username: o.profile?.email ?? o.account.name }),
    credits: {
      creditMail: unit > 0 ? Math.floor(Math.max(0, o.account.balance) / unit) : 0,
      currency: o.account.currency, balance: formatCredits(o.account.balance),
    },
  };
}

/** One recipient of `StatutResponseList`: `token` is the recipient's id, `date` its last change. */
const item = (s: RecipientState, status: string) => ({
  email: s.recipient.address, token: String(s.recipient.id), status, cost: euros(s.recipient.price),
  stopMail: s.suppressed, date: String(Math.floor(s.recipient.updatedAt / 1000)),
});

/** Mail Partner's table for the Partner endpoint factories (partner/endpoints). */
export const MAIL_PARTNER: PartnerVendor = {
  errors: MAIL_PARTNER_ERRORS,
  missingKey: mp(1, MSG.keyRequired),
  notFound: mp(40, MSG.accessDenied),
  localTime: localTimestamp,
  statusWord,
  me,
  cancel: { idRequired: mp(3, MSG.messageIdRequired), cancelled: MAIL_CANCEL.cancelled },
  bulkStatus: { paths: ['/bulk-status', '/message-status'], idRequired: mp(3, MSG.messageIdRequired), idKey: 'messageId', listKey: 'StatutResponseList', item },
  suppressions: {
    list: 'email', path: '/unsubscribe', field: 'email', reason: 'unsubscribe',
    addressRequired: mp(2, MSG.mailRequired), addressInvalid: mp(9, MSG.mailInvalid), duplicate: mp(3, MSG.mailDuplicate),
    idRequired: mp(3, MSG.messageIdRequired), idNotFound: { status: 404, code: 4, message: MSG.unsubscribeIdNotFound },
  },
  subaccounts: { generatedEmailDomain: 'mailpartner.fr', messages: { ...PARTNER_SUBACCOUNT_MESSAGES, creditsShort: 'Crédits insuffisant' } },
};
