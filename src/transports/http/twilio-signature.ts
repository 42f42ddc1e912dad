import { createHmac, timingSafeEqual } from 'node:crypto';
import type { StatusCallbackRequest } from '../../core/provider-callbacks.js';

/**
 * Twilio's request signature ("Validating Requests"): base64 of the HMAC-SHA1, keyed with the
 * account's auth token, of the URL Twilio requested followed by each POST parameter's name and
 * value, sorted by name then value, with no separator. A pair repeated is counted once, as
 * Twilio's libraries (twilio-node, twilio-python) count it.
 */
export function twilioSignature(authToken: string, url: string, params: Iterable<[string, string]>): string {
  const sorted = [...params].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  const once = sorted.filter(([name, value], i) => i === 0 || name !== sorted[i - 1][0] || value !== sorted[i - 1][1]);
  return createHmac('sha1', authToken).update(url + once.map(([name, value]) => name + value).join('')).digest('base64');
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/**
 * The spellings of `url` Twilio may have signed. Its back end is inconsistent about ports
 * (twilio-node issue #411), so its libraries accept the URL as given, without its port, and with
 * the scheme's default port when it has none; and it signs a URL with credentials without them.
 * Only the authority changes: the path and query are kept as written.
 */
export function twilioSignedUrls(url: string): string[] {
  const m = /^(https?:)\/\/(?:([^@/?#]*)@)?([^/?#]*?)(?::(\d*))?([/?#].*)?$/i.exec(url);
  if (!m) return [url];
  const [, scheme, credentials, host, port, rest = ''] = m;
  const given = port || undefined;
  const ports = new Set([given, undefined, given ?? DEFAULT_PORTS[scheme.toLowerCase()]]);
  const urls = new Set([url]);
  for (const userinfo of new Set([credentials, undefined])) {
    for (const p of ports) urls.add(`${scheme}//${userinfo === undefined ? '' : `${userinfo}@`}${host}${p === undefined ? '' : `:${p}`}${rest}`);
  }
  return [...urls];
}

/**
 * Why a callback is not Twilio's, or undefined when its `X-Twilio-Signature` is right for one of
 * the spellings of `request.url` (each compared in constant time). Twilio signs the URL it was
 * given: `request.url`, from RELAIS_PUBLIC_URL, not the Host header a proxy rewrites. Its status
 * callbacks are forms; a body of another type is signed with the URL alone.
 */
export function refuseTwilioSignature(authToken: string, request: StatusCallbackRequest): string | undefined {
  const given = request.headers['x-twilio-signature'];
  if (typeof given !== 'string' || given === '') return 'no X-Twilio-Signature';
  const form = request.contentType.split(';')[0].trim().toLowerCase() === 'application/x-www-form-urlencoded';
  const params = form ? [...new URLSearchParams(request.body.toString('utf8'))] : [];
  const actual = Buffer.from(given);
  const right = twilioSignedUrls(request.url).map((url) => {
    const expected = Buffer.from(twilioSignature(authToken, url, params));
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  });
  return right.includes(true) ? undefined : 'a wrong X-Twilio-Signature';
}
