import { checkCallbackUrl } from '../../../core/callback-url.js';
import { isRelaisError } from '../../../core/errors.js';
import { localToInstant } from '../../../core/local-time.js';
import { countSmsSegments, normalizeSmsText } from '../../../core/segments.js';
import type { FieldError, PartnerError } from '../partner/errors.js';
import type { Params } from '../partner/params.js';
import { MSG, sp } from './errors.js';

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

function schedule(params: Params, zone: string, errors: FieldError[]): { schedule?: SendOptions['schedule']; codeError?: PartnerError } {
  const date = params.str('scheduledDeliveryDate');
  if (date === undefined) return {};
  const hour = params.int('time');
  // The Go SDK marshals `minute` with omitempty: an on-the-hour send arrives without it.
  const minute = params.int('minute') ?? (hour !== undefined ? 0 : undefined);
  const before = errors.length;
  const d = DATE.exec(date);
  if (!d) errors.push({ elementId: field('scheduledDeliveryDate'), message: MSG.dateInvalid });
  if (hour === undefined) errors.push({ elementId: field('time'), message: MSG.hourRequired });
  else if (!(hour >= 0 && hour <= 23)) errors.push({ elementId: field('time'), message: MSG.hourInvalid });
  if (minute === undefined) errors.push({ elementId: field('minute'), message: MSG.minuteRequired });
  let codeError: PartnerError | undefined;
  if (minute !== undefined && !(minute >= 0 && minute <= 55)) codeError = sp(47, MSG.minuteInvalid);
  else if (minute !== undefined && minute % 5 !== 0) codeError = sp(48, MSG.minuteStep);
  if (errors.length > before || codeError || !d) return { codeError };
  try {
    const sendAt = localToInstant(zone, { year: Number(d[3]), month: Number(d[2]), day: Number(d[1]), hour: hour!, minute: minute! });
    return { schedule: { sendAt, local: { date: date.trim(), hour: String(params.get('time')), minute: String(params.get('minute') ?? minute) } } };
  } catch (err) {
    // 31/02/2030, or a time skipped by the change to summer time: the vendor's date error.
    if (!isRelaisError(err)) throw err;
    errors.push({ elementId: field('scheduledDeliveryDate'), message: MSG.dateInvalid });
    return {};
  }
}

/**
 * Reads the shared options. Field problems are appended to `errors` (the code-9 list); a problem
 * the vendor gives its own code (minute 47/48, sender 44) comes back as `codeError`, to be
 * raised once the list is empty.
 */
export function readSendOptions(params: Params, zone: string, errors: FieldError[], allowPrivate: boolean): { options: SendOptions; codeError?: PartnerError } {
  let codeError: PartnerError | undefined;
  const sender = params.str('sender')?.trim() || null;
  if (sender && sender.length > 11) errors.push({ elementId: field('sender'), message: MSG.senderTooLong });
  else if (sender && sender.length < 3) codeError = sp(44, MSG.senderInvalid);
  const tag = params.str('tag')?.trim() || null;
  if (tag && (tag.length > 20 || /\s/.test(tag))) errors.push({ elementId: field('tag'), message: MSG.tagInvalid });
  const gamme = params.int('gamme') ?? 1;
  if (gamme !== 1 && gamme !== 2) errors.push({ elementId: field('gamme'), message: MSG.gammeInvalid });
  const urlDlr = url(params, 'urlDlr', errors, allowPrivate);
  const urlResponse = url(params, 'urlResponse', errors, allowPrivate);
  const when = schedule(params, zone, errors);
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
