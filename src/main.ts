import pino, { type Logger } from 'pino';
import { buildApp, buildHealthApp, type App } from './api/app.js';
import { WEBHOOK_RENDERERS as DIALECT_RENDERERS } from './api/dialects/registry.js';
import { renderNativeEvent } from './api/native/webhook-event.js';
import { composeCore, dialectOptions, transportContext } from './compose.js';
import { loadConfig, type Config } from './config.js';
import type { Clock } from './core/clock.js';
import { systemClock } from './core/clock.js';
import type { Core } from './core/context.js';
import { NATIVE_WEBHOOK_FORMAT } from './core/types.js';
import type { WebhookRenderer } from './core/webhooks.js';
import type { Wakeup } from './core/ports.js';
import type { Synthesizer } from './core/speech.js';
import { closeTransports, type TransportRegistry } from './core/transport.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { WebhookSender } from './dispatch/webhooks.js';
import { createMetrics } from './metrics.js';
import { openSecrets } from './secret-key.js';
import { openStore } from './store/open.js';
import { PgWakeup } from './store/wakeup.js';
import { buildTransports, inStoreSenders, transportWarnings } from './transports/registry.js';
import { Espeak } from './tts/espeak.js';

export type Role = 'all' | 'api' | 'worker';

/** Every format a delivery may have: the dialects' callbacks and the native endpoints' events. */
export const WEBHOOK_RENDERERS: Readonly<Record<string, WebhookRenderer>> = { ...DIALECT_RENDERERS, [NATIVE_WEBHOOK_FORMAT]: renderNativeEvent };

export { composeCore };

/** The transports the default configuration selects (the outbox for every channel), for tests and benchmarks. */
export function defaultTransports(core: Core): TransportRegistry {
  return buildTransports(loadConfig({}).transports, { clock: core.clock, outbox: core.store.autocommit, links: core.links });
}

export interface Server {
  app: App | undefined;
  dispatcher: Dispatcher | undefined;
  core: Core;
  address: string | undefined;
  close(): Promise<void>;
}

export function webhookSender(core: Core, config: Config, log?: Logger): WebhookSender {
  return new WebhookSender(core, WEBHOOK_RENDERERS, { ...config.webhooks, pollIntervalMs: config.dispatch.pollIntervalMs }, log);
}

export function createLogger(config: Config): Logger {
  return pino({ level: config.logLevel, base: { pid: process.pid } });
}

/** Where a newcomer goes next, in the start-up line: the API and its docs, and whether the admin API is on. */
function startUrls(role: Role, address: string | undefined, config: Config): Record<string, unknown> {
  const admin = Boolean(config.http.adminToken);
  if (role === 'worker' || !address) return { admin };
  return { api: `${address}/api/v1`, docs: `${address}/docs`, admin, ...(admin ? {} : { adminHint: 'set RELAIS_ADMIN_TOKEN to turn the admin API on' }) };
}

/** espeak-ng when it runs here; without it the server still starts, estimating voice durations, and says so once. */
async function findSynthesizer(espeak: Espeak, log: Logger): Promise<Synthesizer | null> {
  if (await espeak.available()) return espeak;
  log.warn('espeak-ng not found: voice durations are estimated; apt-get install espeak-ng');
  return null;
}

/**
 * Said once at start by a node that sends, when RELAIS_PUBLIC_URL (by default the loopback
 * `http://<HOST>:<PORT>`) is not https and what it sends carries URLs under it: mails leave with
 * links recipients cannot reach (and mail providers offer one-click unsubscribe over https only);
 * an HTTP provider is given status callback and audio URLs it cannot reach.
 */
function warnUnreachablePublicUrl(config: Config, log: Logger): void {
  const publicUrl = config.http.publicUrl;
  if (publicUrl.startsWith('https://')) return;
  const channels = Object.values(config.transports.channels);
  const unreachable = [
    ...(config.transports.channels.email !== 'outbox' ? ['the unsubscribe and read-online links of the mails sent will not work for their recipients'] : []),
    ...(channels.includes('http') ? ['the HTTP provider cannot reach the status callback and audio URLs it is given (no delivery receipts, no uploaded audio played)'] : []),
  ];
  for (const what of unreachable) log.warn({ publicUrl }, `RELAIS_PUBLIC_URL is not an https address: ${what}; set it to the public https address of this server`);
}

/** Opens the store and starts the HTTP API and/or the dispatcher, per role. */
export async function startServer(config: Config, opts: { role?: Role; logger?: Logger; clock?: Clock; espeak?: Espeak } = {}): Promise<Server> {
  const role = opts.role ?? config.role;
  const log = opts.logger ?? createLogger(config);
  const store = await openStore({ url: config.db.url, poolSize: config.db.poolSize, statementTimeoutMs: config.db.statementTimeoutMs });
  const secrets = await openSecrets(config, store, log).catch(async (err) => { await store.close(); throw err; });
  const metrics = createMetrics();
  let dispatcher: Dispatcher | undefined;
  let webhooks: WebhookSender | undefined;
  const remote = store.kind === 'postgres' ? new PgWakeup(config.db.url, log) : undefined;
  const clock = opts.clock ?? systemClock;
  const wakeup: Wakeup = {
    notify(sendAt) {
      dispatcher?.notify(sendAt);
      // Other nodes poll at least this often, so only a sooner message is worth a notification.
      if (sendAt < clock.now() + config.dispatch.pollIntervalMs) remote?.publish(sendAt);
    },
  };
  const onFailure = (err: Error) => log.warn({ err }, 'espeak-ng failed on a text: the call goes on with its estimated duration and no audio');
  const synthesizer = await findSynthesizer(opts.espeak ?? new Espeak({ onFailure }), log);
  const core = composeCore(config, store, { clock, observer: metrics.observer, wakeup, secrets, synthesizer });
  // Only a worker sends: an API node opens no connection to a provider.
  const transports = role === 'api' ? undefined : buildTransports(config.transports, transportContext(core, config, metrics.observer));
  if (transports) {
    dispatcher = new Dispatcher(core, transports, { ...config.dispatch, inStore: inStoreSenders(transports) }, log);
    dispatcher.start();
    webhooks = webhookSender(core, config, log);
    webhooks.start();
  }
  void remote?.listen((sendAt) => dispatcher?.notify(sendAt));
  let app: App | undefined;
  let address: string | undefined;
  const close = async () => {
    await app?.close();
    await dispatcher?.stop();
    await webhooks?.stop();
    await remote?.close();
    if (transports) await closeTransports(transports);
    await store.close();
  };
  try {
    if (role !== 'worker') {
      app = await buildApp({
        core, registry: metrics.registry, bodyLimit: config.http.bodyLimit, adminToken: config.http.adminToken, metricsToken: config.http.metricsToken,
        logger: log, dialects: dialectOptions(config), http: config.http,
      });
      address = await app.listen({ port: config.http.port, host: config.http.host });
    } else if (config.http.workerPort !== null) {
      app = await buildHealthApp({ core, registry: metrics.registry, logger: log, metricsToken: config.http.metricsToken, http: config.http });
      address = await app.listen({ port: config.http.workerPort, host: config.http.host });
    }
  } catch (err) {
    // A port already in use must not leave a dispatcher sending with nobody to stop it.
    await close();
    throw err;
  }
  log.info({ role, address, database: store.kind, ...startUrls(role, address, config) }, 'relais started');
  if (transports) {
    warnUnreachablePublicUrl(config, log);
    for (const warning of transportWarnings(config.transports)) log.warn(warning);
  }
  return { app, dispatcher, core, address, close };
}
