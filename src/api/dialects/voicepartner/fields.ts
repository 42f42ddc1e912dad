import { checkCallbackUrl } from '../../../core/callback-url.js';
import type { Core } from '../../../core/context.js';
import { isRelaisError } from '../../../core/errors.js';
import { localToInstant } from '../../../core/local-time.js';
import { resolveSendAt } from '../../../core/schedule.js';
import { checkCallerId } from '../../../core/voice.js';
import type { VendorError } from '../partner/errors.js';
import { restorePlus, toDecimal, type Params } from '../partner/params.js';
import { BAD_REQUEST, NOTIFY_URL_INVALID, PHONE_NUMBER_REQUIRED, PHONE_NUMBER_SIZE_ERROR, SENDER_NOT_AUTHORIZED, VOICE_PARTNER_ERRORS, vp } from './errors.js';

/** Numbers per request (spec §0, §5). */
export const MAX_PHONE_NUMBERS = 500;

/** `phoneNumbers`: comma-separated, 1..500 (each checked by core: DESTINATION_INVALID). */
export function readPhoneNumbers(params: Params): string[] {
  const numbers = (params.str('phoneNumbers') ?? '').split(',').map(restorePlus).filter((n) => n !== '');
  if (numbers.length === 0) throw vp(PHONE_NUMBER_REQUIRED);
  if (numbers.length > MAX_PHONE_NUMBERS) throw vp(PHONE_NUMBER_SIZE_ERROR);
  return numbers;
}

const LOCAL = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?\s*$/;

/**
 * `scheduledDate`, `YYYY-mm-dd HH:mm:ss` or with a `T`, Europe/Paris (RELAIS_TIMEZONE); seconds
 * are checked, then dropped (spec §0). A time skipped by the change to summer time is refused (400), an hour
 * repeated in autumn is its first occurrence (core/local-time.ts). Undefined: now.
 */
export function readScheduledDate(params: Params, core: Core, zone: string): number | undefined {
  const text = params.str('scheduledDate');
  if (text === undefined) return undefined;
  const m = LOCAL.exec(text);
  if (!m) throw vp(BAD_REQUEST);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  // The seconds are checked (10:00:99 is no time), then dropped.
  const sendAt = localToInstant(zone, { year, month, day, hour, minute, second }) - second * 1000;
  resolveSendAt(core, sendAt);
  return sendAt;
}

/** A parameter as text: an object or an array where text is expected is `refusal`, never ignored. */
export function readText(params: Params, name: string, refusal: VendorError = BAD_REQUEST): string | undefined {
  const value = params.get(name);
  if (typeof value === 'object' && value !== null) throw vp(refusal);
  return params.str(name);
}

/** `sender`: the account's own number only (core/voice.ts checkCallerId); absent: none; not text: SENDER_INVALID. */
export async function readSender(params: Params, core: Core, accountId: number): Promise<string | null> {
  const sender = readText(params, 'sender', VOICE_PARTNER_ERRORS.invalid_sender);
  if (sender === undefined) return null;
  try {
    return await checkCallerId(core, accountId, restorePlus(sender));
  } catch (err) {
    throw isRelaisError(err) && err.code === 'forbidden' ? vp(SENDER_NOT_AUTHORIZED) : err;
  }
}

/** `notifyUrl`, checked by core's callback rule and stored as the call's callback in `format`. */
export function readNotifyUrl(params: Params, core: Core, format: string): { url: string; format: string } | null {
  const url = params.str('notifyUrl');
  if (url === undefined) return null;
  try {
    return { url: checkCallbackUrl(url, { allowPrivate: core.allowPrivateCallbacks, field: 'notifyUrl' }), format };
  } catch {
    throw vp(NOTIFY_URL_INVALID);
  }
}

/** `speechRate`, or its alias `speed`; core clamps it (0.5..2). Not a number: 400. */
export function readSpeechRate(params: Params): number | undefined {
  const rate = toDecimal(params.get('speechRate') ?? params.get('speed'));
  if (rate !== undefined && Number.isNaN(rate)) throw vp(BAD_REQUEST);
  return rate;
}
