import type { CountryCode } from 'libphonenumber-js';
import type { Clock } from './clock.js';
import type { ComposeOutboxMime } from './email.js';
import type { EmailLinks } from './email-links.js';
import type { Store, Wakeup } from './ports.js';
import type { ProviderCallbacks } from './provider-callbacks.js';
import type { ReceiptOutcome, SendResult } from './transport.js';
import type { Pricing } from './pricing.js';
import type { SecretBox } from './secrets.js';
import type { Synthesizer } from './speech.js';
import type { Channel } from './types.js';

/** What a transport's answer for one recipient was: accepted, or refused for now or for good. */
export type SendVerdict = 'accepted' | 'retryable' | 'permanent';

export const verdictOf = (result: SendResult): SendVerdict => (result.ok ? 'accepted' : result.retryable ? 'retryable' : 'permanent');

/** What a mobile-originated message did (core/inbound.ts); `incomplete`: a transport dropped a long one whose parts did not all come. */
export type InboundOutcome = 'stopped' | 'unattributed' | 'ambiguous' | 'other' | 'incomplete';

/**
 * Counters and timings core and the dispatcher report; the metrics module implements it, tests
 * may ignore it. It is also what the composition root gives transports (it has TransportObserver's method).
 */
export interface Observer {
  scheduled(channel: Channel, recipients: number): void;
  cancelled(channel: Channel, recipients: number): void;
  sent(channel: Channel, latenessMs: number): void;
  failed(channel: Channel): void;
  skipped(channel: Channel): void;
  /** A delivery receipt from `transport`, by what it did (core/receipts.ts). */
  receipt(transport: string, outcome: ReceiptOutcome): void;
  /** A recipient a receipt settled, `latencyMs` after it was sent (the receipt's instant minus the send's). */
  settled(transport: string, status: 'delivered' | 'undelivered', latencyMs: number): void;
  /** One recipient handed to `transport` by the dispatcher (+1), or its answer in (-1): the in-flight gauge. */
  submitting(transport: string, delta: 1 | -1): void;
  /** What `transport` answered for one recipient. */
  answered(transport: string, verdict: SendVerdict): void;
  /** A mobile-originated message from `transport`, by what it did. */
  inbound(transport: string, outcome: InboundOutcome): void;
  /** The provider asked `transport` to slow down (TransportObserver). */
  throttled(transport: string): void;
}

export const silentObserver: Observer = {
  scheduled() {}, cancelled() {}, sent() {}, failed() {}, skipped() {}, receipt() {}, settled() {}, submitting() {}, answered() {}, inbound() {}, throttled() {},
};

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
  /** What delivery receipts do (core/receipts.ts): RELAIS_REFUND_UNDELIVERED, RELAIS_RECEIPT_KEEP_SECONDS. */
  receipts: { refundUndelivered: boolean; keepMs: number };
}
