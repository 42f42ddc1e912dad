import type { IncomingMessage } from 'node:http';
import { DIALECTS } from './registry.js';

const BY_HOST = new Map(DIALECTS.flatMap((d) => d.vendor.hosts.map((host) => [host, d] as const)));

/**
 * Fastify's rewriteUrl, on with RELAIS_HOST_DIALECTS: a request for a dialect's vendor host
 * under the vendor's base path (`api.smspartner.fr/v1/…`, a hosts-file override pointing the
 * vendor's name at Relais) is served at the dialect's prefix (`/smspartner/v1/…`).
 */
export function rewriteVendorHost(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  const dialect = BY_HOST.get(host);
  if (!dialect) return url;
  // A vendor API at the host's root (Braze: `/`) has no base path to strip.
  const path = dialect.vendor.path.replace(/\/$/, '');
  const rest = url.slice(path.length);
  return url.startsWith(path) && (rest === '' || rest[0] === '/' || rest[0] === '?') ? dialect.prefix + rest : url;
}
