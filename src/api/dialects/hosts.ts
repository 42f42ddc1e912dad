import type { IncomingMessage } from 'node:http';

/**
 * Vendor host names and the prefix each dialect is mounted at. With RELAIS_HOST_DIALECTS on, a
 * request for `api.smspartner.fr/v1/…` (a hosts-file override pointing the vendor's name at
 * Relais) is served as `/smspartner/v1/…`. The next dialects add their host here.
 */
export const VENDOR_HOSTS: Readonly<Record<string, string>> = {
  'api.smspartner.fr': '/smspartner',
};

/** Fastify's rewriteUrl: prefixes a vendor host's `/v1` paths with its dialect's mount point. */
export function rewriteVendorHost(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  const prefix = VENDOR_HOSTS[host];
  return prefix && /^\/v1(?:[/?]|$)/.test(url) ? prefix + url : url;
}
