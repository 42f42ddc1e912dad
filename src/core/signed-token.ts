import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Tokens that carry their fields in clear, with an HMAC-SHA256 over the purpose and the fields:
 * nothing is stored per token, and a token copied to another purpose or altered does not
 * verify. The mail links (core/email-links.ts) and the provider audio URLs
 * (core/provider-callbacks.ts) are such tokens.
 */
export interface TokenSigner {
  sign(purpose: string, fields: readonly unknown[]): string;
  /** The fields of a token signed for `purpose`; undefined for any other. The caller checks their types and expiry. */
  open(purpose: string, token: string): unknown[] | undefined;
}

/** `key`: 32 bytes derived from the secret key, asked for on the first token, not before. */
export function createTokenSigner(key: () => Buffer): TokenSigner {
  let k: Buffer | undefined;
  const mac = (purpose: string, body: string): string => createHmac('sha256', (k ??= key())).update(`${purpose}.${body}`).digest('base64url');
  return {
    sign(purpose, fields) {
      const body = Buffer.from(JSON.stringify(fields)).toString('base64url');
      return `${body}.${mac(purpose, body)}`;
    },
    open(purpose, token) {
      const [body, sig, extra] = token.split('.');
      if (!body || !sig || extra !== undefined || token.length > 2048) return undefined;
      // Compared as written, not decoded: base64url's last digit has spare bits, and a token with
      // another spelling of the same signature would be an altered token that verifies.
      const given = Buffer.from(sig);
      const expected = Buffer.from(mac(purpose, body));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      try {
        const fields: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
        return Array.isArray(fields) ? fields : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
