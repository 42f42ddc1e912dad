import { checkCallbackUrl } from '../../../core/callback-url.js';
import type { Core } from '../../../core/context.js';
import { isRelaisError } from '../../../core/errors.js';
import { localToInstant } from '../../../core/local-time.js';
import { resolveSendAt } from '../../../core/schedule.js';
import { countSmsSegments, normalizeSmsText } from '../../../core/segments.js';
import type { FieldError, PartnerError } from '../partner/errors.js';
import type { Params } from '../partner/params.js';
import { MSG, sp } from './errors.js';
import type { SmsPartnerOptions } from './options.js';

/** The options `/send` and `/bulk-send` share, read and checked in the vendor's terms. */
export interface SendOptions {
  sender: string | null;
  tag: string | null;
  /** Absent: send now. `local` keeps the client's own spelling for the "date is past" message. */
  schedule?: { sendAt: number; local: { date: string; hour: string; minute: string } };
  unicode: boolean;
  stopSms: boolean;
  gamme: 1 | 2;
  sandbox: boolean;
  urlDlr: string | null;
  urlResponse: string | null;
}

/**
 * The STOP mention `isStopSms=1` appends on the Premium range. The vendor documents the parameter
 * but not the exact words; this is the usual French short-code mention [inferred].
 */
export const STOP_MENTION = '\r\nSTOP au 36180';

const DATE = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/;
const field = (name: string) => `children[${name}].data`;

/** A URL the vendor would call back: http(s) on a public address (core's rule), or the vendor's "invalid url". */
function url(params: Params, name: string, errors: FieldError[], allowPrivate: boolean): string | null {
  const value = params.str(name)?.trim();
  if (!value) return null;
  try {
    return checkCallbackUrl(value, { allowPrivate, field: name });
  } catch {
    errors.push({ elementId: field(name), message: MSG.urlInvalid });
    return null;
  }
}

/** True when core would refuse `sendAt` as past (resolveSendAt: the same clock and tolerance). */
function isPast(core: Core, sendAt: number): boolean {
  try {
    resolveSendAt(core, sendAt);
    return false;
  } catch (err) {
    return isRelaisError(err) && err.code === 'send_at_in_past';
  }
}

/**
 * The schedule fields, their errors in the vendor's order (the Go SDK's send_sms_error.json):
 * scheduledDeliveryDate, then minute, then time. A past date is reported even when the hour or
 * minute is missing, with the client's own spelling of each (empty when absent); without a valid
 * hour and minute, a date counts as past only once its whole day is.
 */
function schedule(params: Params, core: Core, zone: string, errors: FieldError[]): { schedule?: SendOptions['schedule']; codeError?: PartnerError } {
  const date = params.str('scheduledDeliveryDate');
  if (date === undefined) return {};
  const hour = params.int('time');
  // The Go SDK marshals `minute` with omitempty: an on-the-hour send arrives without it.
  const minute = params.int('minute') ?? (hour !== undefined ? 0 : undefined);
  const local = { date: date.trim(), hour: params.str('time') ?? '', minute: params.str('minute') ?? (minute === undefined ? '' : String(minute)) };
  const hourOk = hour !== undefined && hour >= 0 && hour <= 23;
  const minuteOk = minute !== undefined && minute >= 0 && minute <= 55 && minute % 5 === 0;
  const d = DATE.exec(date);
  let sendAt: number | undefined;
  if (d) {
    try {
      const day = { year: Number(d[3]), month: Number(d[2]), day: Number(d[1]) };
      sendAt = localToInstant(zone, { ...day, hour: hourOk ? hour : 23, minute: hourOk && minuteOk ? minute : 59 });
    } catch (err) {
      // 31/02/2030, or a time skipped by the change to summer time: the vendor's date error.
      if (!isRelaisError(err)) throw err;
    }
  }
  const before = errors.length;
  if (sendAt === undefined) errors.push({ elementId: field('scheduledDeliveryDate'), message: MSG.dateInvalid });
  else if (isPast(core, sendAt)) errors.push({ elementId: field('scheduledDeliveryDate'), message: MSG.datePast(local.date, local.hour, local.minute) });
  if (minute === undefined) errors.push({ elementId: field('minute'), message: MSG.minuteRequired });
  if (hour === undefined) errors.push({ elementId: field('time'), message: MSG.hourRequired });
  else if (!hourOk) errors.push({ elementId: field('time'), message: MSG.hourInvalid });
  let codeError: PartnerError | undefined;
  if (minute !== undefined && !(minute >= 0 && minute <= 55)) codeError = sp(47, MSG.minuteInvalid);
  else if (minute !== undefined && minute % 5 !== 0) codeError = sp(48, MSG.minuteStep);
  if (errors.length > before || codeError || sendAt === undefined) return { codeError };
  return { schedule: { sendAt, local } };
}

/**
 * Reads the shared options. Field problems are appended to `errors` (the code-9 list); a problem
 * the vendor gives its own code (minute 47/48, sender 44) comes back as `codeError`, to be
 * raised once the list is empty.
 */
export function readSendOptions(params: Params, opts: Pick<SmsPartnerOptions, 'core' | 'timezone'>, errors: FieldError[]): { options: SendOptions; codeError?: PartnerError } {
  let codeError: PartnerError | undefined;
  const sender = params.str('sender')?.trim() || null;
  if (sender && sender.length > 11) errors.push({ elementId: field('sender'), message: MSG.senderTooLong });
  else if (sender && sender.length < 3) codeError = sp(44, MSG.senderInvalid);
  const when = schedule(params, opts.core, opts.timezone, errors);
  const tag = params.str('tag')?.trim() || null;
  if (tag && (tag.length > 20 || /\s/.test(tag))) errors.push({ elementId: field('tag'), message: MSG.tagInvalid });
  const gamme = params.int('gamme') ?? 1;
  if (gamme !== 1 && gamme !== 2) errors.push({ elementId: field('gamme'), message: MSG.gammeInvalid });
  const urlDlr = url(params, 'urlDlr', errors, opts.core.allowPrivateCallbacks);
  const urlResponse = url(params, 'urlResponse', errors, opts.core.allowPrivateCallbacks);
  return {
    options: {
      sender, tag, schedule: when.schedule, unicode: params.flag('isUnicode'), stopSms: params.flag('isStopSms'),
      gamme: gamme === 2 ? 2 : 1, sandbox: params.flag('sandbox'), urlDlr, urlResponse,
    },
    codeError: when.codeError ?? codeError,
  };
}

/** The text as sent: vendor markup expanded, the STOP mention appended on Premium. */
export function smsText(message: string, o: SendOptions): string {
  const text = normalizeSmsText(message);
  return o.stopSms && o.gamme === 1 ? text + STOP_MENTION : text;
}

/** Low Cost SMS are one segment at most (code 42). */
export function lowCostError(text: string, o: SendOptions): PartnerError | undefined {
  return o.gamme === 2 && countSmsSegments(text, { unicode: o.unicode }).segments > 1 ? sp(42, MSG.lowCostLength) : undefined;
}
