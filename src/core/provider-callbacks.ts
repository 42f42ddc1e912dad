import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Receipt } from './transport.js';

/** A provider's status callback as it arrived: its content type and its body, bounded by the API. */
export interface StatusCallbackRequest {
  contentType: string;
  body: Buffer;
}

/**
 * What a transport module makes of a status callback: the receipts it carries (none for an
 * intermediate status such as `sent` or `ringing`, acknowledged and ignored), or why it is none.
 */
export type StatusCallbackReading = { receipts: Receipt[] } | { invalid: string };

/** Reads the status callbacks of one transport's provider (TransportModule.statusCallbacks). */
export type StatusCallbackReader = (request: StatusCallbackRequest) => StatusCallbackReading;

/**
 * Where providers report delivery when they call back instead of answering on a connection the
 * transport holds. The API serves the URLs, a transport hands them to its provider; the readers
 * come from the transport modules configuration selects (the composition root fills them in),
 * so the API parses a provider's callback without importing a transport.
 */
export interface ProviderCallbacks {
  /** The URL a transport gives its provider for status callbacks. */
  url(transport: string): string;
  /** The reader of `transport`'s callbacks when `token` is that transport's; undefined otherwise. */
  reader(transport: string, token: string): StatusCallbackReader | undefined;
}

/** Path of the status callbacks under the public base URL: `/transports/<name>/status/<token>` (api/provider-callbacks.ts). */
export const STATUS_CALLBACK_PREFIX = '/transports';

export interface ProviderCallbackOptions {
  /** 32 bytes derived from the secret key; asked for on the first URL or check, not before. */
  key: () => Buffer;
  /** RELAIS_PUBLIC_URL, without a trailing slash. */
  baseUrl: string;
  readers: ReadonlyMap<string, StatusCallbackReader>;
}

/**
 * The token is an HMAC of the transport's name: one per transport and secret key, never stored,
 * not guessable without the key. Not per message: a provider is told one callback URL per send
 * and may report any of its ids there, and a token per message would let nothing more through.
 */
export function createProviderCallbacks(o: ProviderCallbackOptions): ProviderCallbacks {
  let key: Buffer | undefined;
  const token = (transport: string): string => createHmac('sha256', (key ??= o.key())).update(`status callback.${transport}`).digest('base64url');
  return {
    url: (transport) => `${o.baseUrl.replace(/\/+$/, '')}${STATUS_CALLBACK_PREFIX}/${transport}/status/${token(transport)}`,
    reader(transport, given) {
      const read = o.readers.get(transport);
      if (!read) return undefined;
      const expected = Buffer.from(token(transport));
      const actual = Buffer.from(given);
      return actual.length === expected.length && timingSafeEqual(actual, expected) ? read : undefined;
    },
  };
}
