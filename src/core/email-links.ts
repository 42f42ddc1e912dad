import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from './clock.js';

/** What a link in a mail is for: the one-click unsubscribe (RFC 8058) or the copy read online. */
export type LinkPurpose = 'unsubscribe' | 'view';

/** Whom a link speaks for: one recipient of one message of one account. */
export interface LinkRef {
  accountId: number;
  messageId: number;
  recipientId: number;
  address: string;
}

/**
 * The signed URLs Relais puts in the mails it sends and serves itself (api/links.ts). A token
 * carries its reference and expiry in clear, with an HMAC-SHA256 over both: nothing is stored per
 * link, and a token copied or altered does not verify.
 */
export interface EmailLinks {
  url(purpose: LinkPurpose, ref: LinkRef): string;
  /** The reference of a token signed for `purpose` and not expired; undefined otherwise. */
  verify(purpose: LinkPurpose, token: string): LinkRef | undefined;
}

/** Path of each purpose's link under the public base URL (api/links.ts serves them). */
export const LINK_PATHS: Record<LinkPurpose, string> = { unsubscribe: '/u', view: '/view' };

export interface LinkOptions {
  /** 32 bytes derived from the secret key (never the key itself); asked for on the first link, not before. */
  key: () => Buffer;
  /** RELAIS_PUBLIC_URL: scheme, host and optional path prefix, without a trailing slash. */
  baseUrl: string;
  ttlMs: number;
  clock: Clock;
}

export function createEmailLinks(o: LinkOptions): EmailLinks {
  const base = o.baseUrl.replace(/\/+$/, '');
  let key: Buffer | undefined;
  const mac = (purpose: LinkPurpose, body: string): Buffer => createHmac('sha256', (key ??= o.key())).update(`${purpose}.${body}`).digest();
  return {
    url(purpose, ref) {
      const body = Buffer.from(JSON.stringify([ref.accountId, ref.messageId, ref.recipientId, ref.address, o.clock.now() + o.ttlMs])).toString('base64url');
      return `${base}${LINK_PATHS[purpose]}/${body}.${mac(purpose, body).toString('base64url')}`;
    },
    verify(purpose, token) {
      const [body, sig, extra] = token.split('.');
      if (!body || !sig || extra !== undefined || token.length > 2048) return undefined;
      // Compared as written, not decoded: base64url's last digit has spare bits, and a token with
      // another spelling of the same signature would be an altered token that verifies.
      const given = Buffer.from(sig);
      const expected = Buffer.from(mac(purpose, body).toString('base64url'));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      let fields: unknown;
      try {
        fields = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      } catch {
        return undefined;
      }
      if (!Array.isArray(fields) || fields.length !== 5) return undefined;
      const [accountId, messageId, recipientId, address, expires] = fields as unknown[];
      if (![accountId, messageId, recipientId, expires].every(Number.isSafeInteger) || typeof address !== 'string') return undefined;
      if ((expires as number) < o.clock.now()) return undefined;
      return { accountId: accountId as number, messageId: messageId as number, recipientId: recipientId as number, address };
    },
  };
}
