import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from './clock.js';
import { createTokenSigner } from './signed-token.js';
import type { Receipt } from './transport.js';

/**
 * A provider's status callback as it arrived: its content type, its headers (lower-case names)
 * and its body, bounded by the API; and `url`, the URL Relais gave the provider, built from
 * RELAIS_PUBLIC_URL (not from the Host header, which a proxy rewrites), which a provider signs.
 */
export interface StatusCallbackRequest {
  contentType: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
  url: string;
}

/**
 * What a transport module makes of a status callback: the receipts it carries (none for an
 * intermediate status such as `sent` or `ringing`, acknowledged and ignored), why it is none
 * (`invalid`: a body it cannot read), or why it is not the provider's (`refused`: a request
 * signature that is missing or wrong).
 */
export type StatusCallbackReading = { receipts: Receipt[] } | { invalid: string } | { refused: string };

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
  /** A URL where `transport`'s provider fetches one of the account's audio files, valid AUDIO_URL_TTL_MS. */
  audioUrl(transport: string, ref: AudioRef): string;
  /** The file a token of `transport`'s audio URLs names, when it verifies and has not expired; undefined otherwise. */
  audio(transport: string, token: string): AudioRef | undefined;
}

/** One account's audio file (core/audio-files.ts), by its token. */
export interface AudioRef {
  accountId: number;
  audioToken: string;
}

/** Path of the status callbacks and audio URLs under the public base URL: `/transports/<name>/status/<token>`, `…/audio/<token>` (api/provider-callbacks.ts). */
export const STATUS_CALLBACK_PREFIX = '/transports';

/**
 * How long an audio URL given to a provider works: a call is placed within minutes of the
 * request, and a provider that fetches the audio again while it rings is served. A day is ample;
 * a retried send is given a new URL.
 */
export const AUDIO_URL_TTL_MS = 24 * 3_600_000;

export interface ProviderCallbackOptions {
  /** 32 bytes derived from the secret key; asked for on the first URL or check, not before. */
  key: () => Buffer;
  /** RELAIS_PUBLIC_URL, without a trailing slash. */
  baseUrl: string;
  readers: ReadonlyMap<string, StatusCallbackReader>;
  clock: Clock;
}

/**
 * The status token is an HMAC of the transport's name: one per transport and secret key, never
 * stored, not guessable without the key. Not per message: a provider is told one callback URL per
 * send and may report any of its ids there, and a token per message would let nothing more
 * through. An audio token is a signed token (core/signed-token.ts) of the account, the file and
 * an expiry in seconds (it stays short: the router takes a parameter of at most 100 characters).
 */
export function createProviderCallbacks(o: ProviderCallbackOptions): ProviderCallbacks {
  let key: Buffer | undefined;
  const base = o.baseUrl.replace(/\/+$/, '');
  const token = (transport: string): string => createHmac('sha256', (key ??= o.key())).update(`status callback.${transport}`).digest('base64url');
  const signer = createTokenSigner(() => (key ??= o.key()));
  return {
    url: (transport) => `${base}${STATUS_CALLBACK_PREFIX}/${transport}/status/${token(transport)}`,
    audioUrl(transport, ref) {
      const expires = Math.ceil((o.clock.now() + AUDIO_URL_TTL_MS) / 1000);
      return `${base}${STATUS_CALLBACK_PREFIX}/${transport}/audio/${signer.sign(`audio.${transport}`, [ref.accountId, ref.audioToken, expires])}`;
    },
    audio(transport, given) {
      const fields = signer.open(`audio.${transport}`, given);
      if (fields?.length !== 3) return undefined;
      const [accountId, audioToken, expires] = fields;
      if (!Number.isSafeInteger(accountId) || typeof audioToken !== 'string' || !Number.isSafeInteger(expires)) return undefined;
      return (expires as number) * 1000 < o.clock.now() ? undefined : { accountId: accountId as number, audioToken };
    },
    reader(transport, given) {
      const read = o.readers.get(transport);
      if (!read) return undefined;
      const expected = Buffer.from(token(transport));
      const actual = Buffer.from(given);
      return actual.length === expected.length && timingSafeEqual(actual, expected) ? read : undefined;
    },
  };
}
