import type { Clock } from './clock.js';
import type { SendWithin } from './delivery.js';
import type { EmailLinks } from './email-links.js';
import type { OutboxPort } from './ports.js';
import type { AudioRef, StatusCallbackReader } from './provider-callbacks.js';
import type { Transport } from './transport.js';
import type { Channel } from './types.js';

/** One of a transport's own environment variables: RELAIS_<NAME>_<KEY>, unless it names another. */
export interface TransportSetting {
  default: string;
  doc: string;
  /** The variable, when the setting's name is not the transport's (the SMTP transport's DKIM key is RELAIS_DKIM_*). */
  variable?: string;
}

/** What a transport tells the metrics about its provider, beyond the results of its sends. */
export interface TransportObserver {
  /** The provider asked it to slow down (SMPP ESME_RTHROTTLED / ESME_RMSGQFUL, HTTP 429). */
  throttled(transport: string): void;
  /** The provider sent a receipt the transport could not read (outcome `unreadable`): dropped, so counted. */
  receipt?(transport: string, outcome: 'unreadable'): void;
  /** A long mobile-originated message whose parts did not all come in time was dropped (outcome `incomplete`). */
  inbound?(transport: string, outcome: 'incomplete'): void;
}

/** What the composition root gives a transport it builds. */
export interface TransportContext {
  clock: Clock;
  /** Where the outbox writes its rows; any other transport ignores it. */
  outbox: Pick<OutboxPort, 'insertOutbox'>;
  /** The signed links a mail's unsubscribe headers and placeholders carry (core/email.ts). */
  links: EmailLinks;
  /** RELAIS_UNSUBSCRIBE_MAILTO: the mailbox of a mail's List-Unsubscribe mailto; null or absent: the mail's own sender. */
  unsubscribeMailto?: string | null;
  /** Absent: nothing is counted. */
  observer?: TransportObserver;
  /** The signed URL where `transport`'s provider reports delivery (core/provider-callbacks.ts); absent: none is offered. */
  statusCallbackUrl?: (transport: string) => string;
  /** A signed public URL of one of an account's audio files, for `transport`'s provider to fetch (core/provider-callbacks.ts); absent: none is offered. */
  audioUrl?: (transport: string, ref: AudioRef) => string;
}

/**
 * A transport as configuration names it (`RELAIS_SMS_TRANSPORT=<name>`): its own settings, read
 * by config.ts (the one reader of the environment) and checked when the configuration loads,
 * and how to build it. Adding a transport is one such module and one line in
 * src/transports/registry.ts.
 */
export interface TransportModule<S = unknown> {
  readonly name: string;
  /** The channels it carries; absent: every one. Configuration naming it for another stops at load. */
  readonly channels?: readonly Channel[];
  /** Its variables by key (`RATE` is RELAIS_<NAME>_RATE unless the setting names its `variable`), in the order the README lists them. */
  readonly settings: Readonly<Record<string, TransportSetting>>;
  /** Reads the values (defaults filled in); throws an Error that names the variable at fault. */
  parse(values: Readonly<Record<string, string>>): S;
  create(settings: S, ctx: TransportContext): Transport;
  /**
   * For a provider that reports delivery by calling Relais back (ctx.statusCallbackUrl): how to
   * read what it posts. The API serves the URL, on nodes that build no transport too.
   */
  statusCallbacks?(settings: S): StatusCallbackReader;
  /** What a node that sends through the transport these settings build says once at start. */
  startupWarnings?(settings: S): string[];
  /**
   * The outbox's alone: delivers a chunk inside the transaction that records it (DECISIONS.md
   * §16, §24). Undefined for a transport it did not build; the dispatcher does not use it for a paced one.
   */
  inStore?(transport: Transport): SendWithin | undefined;
}

/** The variable of a transport's setting: its own `variable`, else RELAIS_<NAME>_<KEY>. */
export const settingVariable = (transport: string, key: string, setting?: TransportSetting): string =>
  setting?.variable ?? `RELAIS_${transport.toUpperCase()}_${key}`;

/** A number of messages per second above 0; undefined when unset. */
export function parseRate(variable: string, text: string): number | undefined {
  if (text === '') return undefined;
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(n > 0)) throw new Error(`${variable} must be a number of messages per second above 0 (got "${text}")`);
  return n;
}

/** A whole number from `min` to `max`. */
export function parseInteger(variable: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new Error(`${variable} must be an integer from ${min} to ${max} (got "${text}")`);
  return n;
}
