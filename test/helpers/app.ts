import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { buildApp, type App } from '../../src/api/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Clock } from '../../src/core/clock.js';
import type { Core } from '../../src/core/context.js';
import type { Store } from '../../src/core/ports.js';
import { closeTransports, type Transport, type TransportRegistry } from '../../src/core/transport.js';
import { Dispatcher } from '../../src/dispatch/dispatcher.js';
import { dialectOptions, transportContext } from '../../src/compose.js';
import { WebhookSender } from '../../src/dispatch/webhooks.js';
import { composeCore, webhookSender } from '../../src/main.js';
import { createMetrics } from '../../src/metrics.js';
import { buildTransports, inStoreSenders } from '../../src/transports/registry.js';
import { FakeClock } from './clock.js';
import { dialectBlocks, testStore, type Dialect, type TestStore } from './store.js';

export const ADMIN_TOKEN = 'test-admin-token';
/** Seals the sub-account keys of test servers (RELAIS_SECRET_KEY). */
export const TEST_SECRET_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

export interface TestApp {
  url: string;
  app: App;
  core: Core;
  store: Store;
  clock: FakeClock;
  config: Config;
  dispatcher: Dispatcher;
  /** The status-callback sender, not started: tests move the clock and call `webhooks.drain()`. */
  webhooks: WebhookSender;
  /** One HTTP request to the running server on 127.0.0.1; `key` becomes a Bearer header. */
  request(method: string, path: string, opts?: { body?: unknown; raw?: string; key?: string; headers?: Record<string, string> }): Promise<HttpResult>;
  /** An account through the admin API, with its API key. */
  account(credits?: string, name?: string): Promise<{ id: number; apiKey: string }>;
  close(): Promise<void>;
}

/**
 * A real server on 127.0.0.1 (ephemeral port) over a fresh database, with a fake clock and
 * a dispatcher that is not started: tests move the clock and call `dispatcher.drain()`.
 */
export async function startTestApp(opts: {
  dialect?: Dialect; env?: Record<string, string>; clock?: Clock; transports?: (core: Core) => Partial<Record<'sms' | 'email' | 'voice', Transport>>;
  /** Where the app logs (tests that check what is logged); absent: nowhere. */
  logger?: Logger;
  /** The database, kept by the test across apps (a restart with another configuration): `close` leaves it; absent: a fresh one, deleted by `close`. */
  database?: TestStore;
} = {}): Promise<TestApp> {
  const db = opts.database ?? await testStore(opts.dialect ?? 'sqlite');
  const config = loadConfig({ RELAIS_DATABASE_URL: db.url, RELAIS_ADMIN_TOKEN: ADMIN_TOKEN, RELAIS_LOG_LEVEL: 'silent', PORT: '0', RELAIS_SECRET_KEY: TEST_SECRET_KEY,
    // Test receivers listen on 127.0.0.1; tests of the refusal set it back to false.
    RELAIS_ALLOW_PRIVATE_CALLBACKS: 'true', ...opts.env });
  const clock = (opts.clock ?? new FakeClock()) as FakeClock;
  const metrics = createMetrics();
  let dispatcher: Dispatcher | undefined;
  const core = composeCore(config, db.store, { clock, observer: metrics.observer, wakeup: { notify: (t) => dispatcher?.notify(t) } });
  const transports: TransportRegistry = {
    ...buildTransports(config.transports, transportContext(core, config, metrics.observer)),
    ...opts.transports?.(core),
  };
  dispatcher = new Dispatcher(core, transports, { ...config.dispatch, inStore: inStoreSenders(transports) });
  const webhooks = webhookSender(core, config);
  const app = await buildApp({
    core, registry: metrics.registry, bodyLimit: config.http.bodyLimit, adminToken: config.http.adminToken, metricsToken: config.http.metricsToken,
    logger: opts.logger ?? false, dialects: dialectOptions(config), http: config.http,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const request: TestApp['request'] = (method, path, o = {}) =>
    httpRequest(url + path, method, { ...o, headers: { ...o.headers, ...(o.key ? { authorization: `Bearer ${o.key}` } : {}) } });

  return {
    url, app, core, store: db.store, clock, config, dispatcher, webhooks,
    request,
    async account(credits = '100', name = 'acme') {
      const r = await request('POST', '/admin/v1/accounts', { body: { name, credits }, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      if (r.status !== 201) throw new Error(`account creation failed: ${r.status} ${r.text}`);
      return { id: r.body.id, apiKey: r.body.apiKey };
    },
    async close() {
      await app.close();
      await dispatcher!.stop();
      await webhooks.stop();
      await closeTransports(transports);
      if (!opts.database) await db.cleanup();
    },
  };
}

/** One request with fetch: `body` as JSON, or `raw` text/bytes, or a multipart `form`; the answer parsed when it is JSON. */
export async function httpRequest(url: string, method: string, o: { body?: unknown; raw?: string | Buffer; form?: FormData; headers?: Record<string, string> } = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...o.headers };
  let body: string | Buffer | FormData | undefined = o.form ?? o.raw;
  if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

/** Balance equals the sum of the ledger: the invariant every money test ends with. */
export async function ledgerInvariant(store: Store, accountId: number): Promise<{ balance: number; sum: number }> {
  const account = await store.autocommit.getAccount(accountId);
  return { balance: account!.balance, sum: await store.autocommit.sumLedger(accountId) };
}

export interface AppContext {
  dialect: Dialect;
  /** The block's server; open between its before and after hooks. */
  app(): TestApp;
}

/**
 * `describe(\`${name} [${dialect}]\`)` once per dialect in DIALECTS with one server per block
 * (tests inside use their own accounts); PostgreSQL is skipped locally / required under CI=true,
 * as in dialectSuite.
 */
export function dialectApp(name: string, fn: (ctx: AppContext) => void, opts: { env?: Record<string, string> } = {}): void {
  dialectBlocks(name, (dialect) => startTestApp({ ...opts, dialect }), (t) => t.close(), (dialect, get) => fn({ dialect, app: get }), 'server');
}
