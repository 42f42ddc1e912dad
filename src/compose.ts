import type { DialectOptions } from './api/app.js';
import type { Config } from './config.js';
import { systemClock, type Clock } from './core/clock.js';
import { DEFAULT_LIMITS, silentObserver, type Core, type Observer } from './core/context.js';
import type { Store, Wakeup } from './core/ports.js';
import { SecretBox } from './core/secrets.js';
import type { Synthesizer } from './core/speech.js';
import { createEmailLinks } from './core/email-links.js';
import { createProviderCallbacks } from './core/provider-callbacks.js';
import type { TransportContext, TransportObserver } from './core/transport-module.js';
import { composeKeptMime } from './transports/email/mime.js';
import { statusCallbackReaders } from './transports/registry.js';

/**
 * Core services over a store, from config. The wakeup is late-bound: the dispatcher comes after.
 * Kept apart from main.ts so that the CLI's one-shot commands do not load the HTTP stack.
 */
export function composeCore(config: Config, store: Store, opts: { clock?: Clock; observer?: Observer; wakeup?: Wakeup; secrets?: SecretBox; synthesizer?: Synthesizer | null } = {}): Core {
  const clock = opts.clock ?? systemClock;
  // The server passes the key it resolved (secret-key.ts); one-shot CLI commands never seal.
  const secrets = opts.secrets ?? new SecretBox(config.secretKey);
  return {
    store,
    clock,
    pricing: config.pricing,
    wakeup: opts.wakeup ?? { notify() {} },
    observer: opts.observer ?? silentObserver,
    limits: { ...DEFAULT_LIMITS, ...config.limits },
    defaultRegion: config.defaultRegion,
    currency: config.currency,
    allowPrivateCallbacks: config.webhooks.allowPrivate,
    secrets,
    links: createEmailLinks({ key: () => secrets.derive('email links'), baseUrl: config.http.publicUrl, ttlMs: config.mail.linkTtlMs, clock }),
    mailFrom: config.mail.from,
    // The server looks for espeak-ng (main.ts); one-shot CLI commands speak nothing.
    synthesizer: opts.synthesizer ?? null,
    outboxMime: composeKeptMime,
    providerCallbacks: createProviderCallbacks({
      key: () => secrets.derive('provider status callbacks'), baseUrl: config.http.publicUrl,
      readers: statusCallbackReaders(config.transports), clock,
    }),
    receipts: config.receipts,
  };
}

/** What the transports a server builds are given: the core's clock, store, links, status-callback and audio URLs. */
export const transportContext = (core: Core, config: Config, observer?: TransportObserver): TransportContext => ({
  clock: core.clock, outbox: core.store.autocommit, links: core.links, unsubscribeMailto: config.mail.unsubscribeMailto, observer,
  statusCallbackUrl: (transport) => core.providerCallbacks.url(transport),
  audioUrl: (transport, ref) => core.providerCallbacks.audioUrl(transport, ref),
});

/** The vendor dialects' settings, from config (api/ never reads config itself). */
export const dialectOptions = (config: Config): DialectOptions => ({
  hostDialects: config.http.hostDialects, timezone: config.timezone, cancelCutoffMs: config.cancelCutoffMs,
  switches: config.dialects, settings: config.dialectSettings,
});
