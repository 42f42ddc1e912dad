import { createHmac, timingSafeEqual } from 'node:crypto';
import type { StatusCallbackRequest } from '../../core/provider-callbacks.js';

/**
 * Twilio's request signature ("Validating Requests"): base64 of the HMAC-SHA1, keyed with the
 * account's auth token, of the URL Twilio requested followed by each POST parameter's name and
 * value, sorted by name (a repeated name's values in order too), with no separator.
 */
export function twilioSignature(authToken: string, url: string, params: Iterable<[string, string]>): string {
  const sorted = [...params].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return createHmac('sha1', authToken).update(url + sorted.map(([name, value]) => name + value).join('')).digest('base64');
}

/**
 * Why a callback is not Twilio's, or undefined when its `X-Twilio-Signature` is right. Twilio
 * signs the URL it was given: `request.url`, from RELAIS_PUBLIC_URL, not the Host header a proxy
 * rewrites. Its status callbacks are forms; a body of another type is signed with the URL alone.
 */
export function refuseTwilioSignature(authToken: string, request: StatusCallbackRequest): string | undefined {
  const given = request.headers['x-twilio-signature'];
  if (typeof given !== 'string' || given === '') return 'no X-Twilio-Signature';
  const form = request.contentType.split(';')[0].trim().toLowerCase() === 'application/x-www-form-urlencoded';
  const expected = Buffer.from(twilioSignature(authToken, request.url, form ? new URLSearchParams(request.body.toString('utf8')) : []));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? undefined : 'a wrong X-Twilio-Signature';
}
