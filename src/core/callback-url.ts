import ipaddr from 'ipaddr.js';
import { RelaisError } from './errors.js';

/**
 * Where Relais may call. A URL a client stores for Relais to call later (status callbacks) is a way
 * into the operator's own network: only http(s) to public addresses, unless the operator allows
 * private ones (tests, closed networks). Checked when the URL is accepted, on its spelling, and
 * again when it is called, on every address its name resolves to (dispatch/webhooks.ts), since a
 * name can point elsewhere by then.
 */

const MAX_URL_LENGTH = 2000;

/** An absolute http(s) URL without credentials (they would end up in logs), at most 2000 characters. */
export function checkHttpUrl(url: string, field: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RelaisError('invalid_request', `${field} is not an absolute URL`, { field });
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.username || parsed.password || url.length > MAX_URL_LENGTH) {
    throw new RelaisError('invalid_request', `${field} must be an http(s) URL without credentials, at most ${MAX_URL_LENGTH} characters`, { field });
  }
  return parsed;
}

/** The URL's host as an address or name: IPv6 without its brackets. */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * A public unicast address. ipaddr.js knows the special ranges (loopback, private, link-local,
 * CGNAT, multicast, unspecified, NAT64, 6to4, Teredo, documentation, …) and reads an IPv4-mapped
 * IPv6 address as the IPv4 one it carries; anything it cannot parse is not public.
 */
function isPublicAddress(address: string): boolean {
  return ipaddr.isValid(address) && ipaddr.process(address).range() === 'unicast';
}

/**
 * Names that never reach the Internet: `localhost` and its subdomains (RFC 6761) and one-label
 * names, which only a local resolver or a search domain answers. Any other name is judged on
 * what it resolves to when called.
 */
function isLocalName(name: string): boolean {
  const bare = name.replace(/\.$/, '');
  return bare === 'localhost' || bare.endsWith('.localhost') || !bare.includes('.');
}

/**
 * Accept time: an http(s) URL whose host is a public address or a name that may resolve to one
 * (the WHATWG parser has already turned `0x7f000001`, `2130706433`, `127.1`, `0` into dotted
 * quads). Returns the URL normalised, as it is stored and called.
 */
export function checkCallbackUrl(url: string, opts: { allowPrivate: boolean; field?: string }): string {
  const field = opts.field ?? 'callbackUrl';
  const parsed = checkHttpUrl(url, field);
  const host = hostOf(parsed);
  if (!opts.allowPrivate && (ipaddr.isValid(host) ? !isPublicAddress(host) : isLocalName(host))) {
    throw new RelaisError('invalid_request', `${field} must point at a public address`, { field });
  }
  return parsed.href;
}

/** Send time: the first of `addresses` (what a name resolved to) that may not be called, if any. */
export function refusedAddress(addresses: string[], allowPrivate: boolean): string | undefined {
  return allowPrivate ? undefined : addresses.find((a) => !isPublicAddress(a));
}
