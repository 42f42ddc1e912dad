import { isRelaisError } from '../../../core/errors.js';
import { quoteMessage } from '../../../core/sandbox.js';
import { scheduleMessage, type ScheduleInput } from '../../../core/schedule.js';
import type { Account } from '../../../core/types.js';
import type { PartnerError } from '../partner/errors.js';
import type { Params } from '../partner/params.js';
import type { PartnerRouter } from '../partner/scope.js';
import { euros, localTimestamp } from '../partner/values.js';
import type { PartnerDialectOptions } from '../partner/vendor.js';
import { readAttachments } from './attachments.js';
import { mailContent } from './content.js';
import { MSG, mp } from './errors.js';
import { readRecipients, readReplyTo, readSender, readTag, readVariables } from './fields.js';
import { readSchedule } from './schedule.js';

/** Three 5 MB attachments in base64 plus the mail: more than the app-wide body limit. */
const SEND_BODY_LIMIT = 22 * 1024 * 1024;

/** The field of a content core refuses → the closest vendor answer (the address parts were checked before). */
const FIELD_ERRORS: Readonly<Record<string, PartnerError>> = {
  from: mp(5, MSG.senderNameBlank),
  replyTo: mp(25, MSG.replyToNameBlank),
  names: mp(21, MSG.recipientNameBlank),
  attachments: mp(16, MSG.attachmentNameBlank),
};

/** Schedules through core, or in the sandbox only prices (nothing stored, so no id: "0"). */
async function submit(opts: PartnerDialectOptions, accountId: number, input: ScheduleInput, sandbox: boolean): Promise<{ id: number; sendAt: number; count: number; price: number }> {
  try {
    if (sandbox) {
      const q = await quoteMessage(opts.core, accountId, input);
      return { id: 0, sendAt: q.sendAt, count: q.recipients.length, price: q.price };
    }
    const s = await scheduleMessage(opts.core, accountId, input);
    return { id: s.message.id, sendAt: s.message.sendAt, count: s.recipients?.length ?? s.message.recipientCount, price: s.message.price };
  } catch (err) {
    const byField = isRelaisError(err) && err.code === 'invalid_request' ? FIELD_ERRORS[String(err.details.field)] : undefined;
    throw byField ?? err;
  }
}

/** POST /v1/send (spec §2): one mail to 1..500 recipients, now or at a local date and time. */
async function send(opts: PartnerDialectOptions, account: Account, params: Params): Promise<Record<string, unknown>> {
  const recipients = readRecipients(params);
  const subject = params.str('subject');
  const html = params.str('htmlContent');
  if (subject === undefined || html === undefined) throw mp(2, MSG.contentRequired);
  const from = readSender(params);
  const replyTo = readReplyTo(params);
  const variables = readVariables(params);
  const attachments = readAttachments(params);
  const tag = readTag(params);
  const sendAt = readSchedule(params, opts.core, opts.timezone);
  const content = mailContent({ subject, html, text: params.str('textContent') ?? null, from, replyTo, variables, recipients, attachments });
  const r = await submit(opts, account.id, {
    channel: 'email', recipients: recipients.map((x) => x.address), content, sendAt, tag, metadata: { dialect: 'mailpartner' },
  }, params.flag('sandbox'));
  // The stored instant, which core may have moved (the legal sending window): shown when it is not "now".
  const later = r.sendAt > opts.core.clock.now() + opts.core.limits.pastToleranceMs;
  return {
    success: true, code: 200, messageId: String(r.id), nbMail: r.count, cost: euros(r.price), currency: account.currency,
    ...(sendAt !== undefined || later ? { scheduledDeliveryDate: localTimestamp(r.sendAt, opts.timezone) } : {}),
  };
}

export function sendRoute(route: PartnerRouter, opts: PartnerDialectOptions): void {
  route(['POST'], '/send', ({ auth, params }) => send(opts, auth.account, params), { scope: 'messages:write', bodyLimit: SEND_BODY_LIMIT });
}
