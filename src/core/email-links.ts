import type { Clock } from './clock.js';
import { createTokenSigner } from './signed-token.js';

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
 * carries its reference and expiry in clear, signed (core/signed-token.ts): nothing is stored per
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
  const signer = createTokenSigner(o.key);
  return {
    url(purpose, ref) {
      const token = signer.sign(purpose, [ref.accountId, ref.messageId, ref.recipientId, ref.address, o.clock.now() + o.ttlMs]);
      return `${base}${LINK_PATHS[purpose]}/${token}`;
    },
    verify(purpose, token) {
      const fields = signer.open(purpose, token);
      if (fields?.length !== 5) return undefined;
      const [accountId, messageId, recipientId, address, expires] = fields;
      if (![accountId, messageId, recipientId, expires].every(Number.isSafeInteger) || typeof address !== 'string') return undefined;
      if ((expires as number) < o.clock.now()) return undefined;
      return { accountId: accountId as number, messageId: messageId as number, recipientId: recipientId as number, address };
    },
  };
}
