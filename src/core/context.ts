import type { CountryCode } from 'libphonenumber-js';
import type { Clock } from './clock.js';
import type { ComposeOutboxMime } from './email.js';
import type { EmailLinks } from './email-links.js';
import type { Store, Wakeup } from './ports.js';
import type { ProviderCallbacks } from './provider-callbacks.js';
import type { ReceiptOutcome } from './transport.js';
import type { Pricing } from './pricing.js';
import type { SecretBox } from './secrets.js';
import type { Synthesizer } from './speech.js';
import type { Channel } from './types.js';

/** Counters and timings core reports; the metrics module implements it, tests may ignore it. */
export interface Observer {
  scheduled(channel: Channel, recipients: number): void;
  cancelled(channel: Channel, recipients: number): void;
  sent(channel: Channel, latenessMs: number): void;
  failed(channel: Channel): void;
  skipped(channel: Channel): void;
  /** A delivery receipt from `transport`, by what it did (core/receipts.ts). */
  receipt(transport: string, outcome: ReceiptOutcome): void;
}

export const silentObserver: Observer = { scheduled() {}, cancelled() {}, sent() {}, failed() {}, skipped() {}, receipt() {} };

export interface Limits {
  maxRecipients: number;
  /** How far in the past a sendAt may be and still mean "now" (client clock skew). */
  pastToleranceMs: number;
  /** How far ahead a message may be scheduled. */
  maxHorizonMs: number;
}

export const DEFAULT_LIMITS: Limits = { maxRecipients: 10_000, pastToleranceMs: 60_000, maxHorizonMs: 5 * 365 * 86_400_000 };

/** Everything a core service needs, passed in by the composition root (or a test). */
export interface Core {
  store: Store;
  clock: Clock;
  pricing: Pricing;
  wakeup: Wakeup;
  observer: Observer;
  limits: Limits;
  defaultRegion: CountryCode;
  currency: string;
  /** Callback URLs may point at loopback and private addresses (callback-url.ts). */
  allowPrivateCallbacks: boolean;
  /** Seals the secrets stored for showing again (sub-account keys). */
  secrets: SecretBox;
  /** Signs and checks the unsubscribe and read-online links of the mails Relais sends. */
  links: EmailLinks;
  /** The sender of a mail that names none and whose account has none configured (RELAIS_MAIL_FROM); null: none. */
  mailFrom: string | null;
  /** Speaks voice calls (espeak-ng); null where it is not installed: durations are then estimated (speech.ts). */
  synthesizer: Synthesizer | null;
  /** The full MIME of a mail in the outbox, composed when it is read. */
  outboxMime: ComposeOutboxMime;
  /** The signed URLs providers report delivery to, and the readers of what they say (provider-callbacks.ts). */
  providerCallbacks: ProviderCallbacks;
}
