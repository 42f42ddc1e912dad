import { existsSync } from 'node:fs';
import type { CountryCode } from 'libphonenumber-js';
import { isSupportedCountry } from 'libphonenumber-js';
import { IANAZone } from 'luxon';
import { DIALECTS } from './api/dialects/registry.js';
import { normalizeEmail } from './core/addresses.js';
import { mailbox as checkMailbox } from './core/content.js';
import { parseCredits } from './core/money.js';
import { kindOf, type StoreKind } from './store/kind.js';
import { selectTransports, transportVariables, type TransportSelection } from './transports/registry.js';

const CORE_ENV = {
  PORT: { default: '8080', doc: 'HTTP port' },
  HOST: { default: '127.0.0.1', doc: 'HTTP listen address' },
  RELAIS_HTTP_MAX_CONNECTIONS: { default: '1024', doc: 'Most HTTP connections open at once; more are closed on arrival' },
  RELAIS_HTTP_IDLE_TIMEOUT_MS: { default: '30000', doc: 'A connection that sends or receives nothing this long is closed' },
  RELAIS_HTTP_HEADERS_TIMEOUT_MS: { default: '10000', doc: 'Time a client has to send a request\'s headers' },
  RELAIS_HTTP_REQUEST_TIMEOUT_MS: { default: '30000', doc: 'Time a client has to send a whole request, body included' },
  RELAIS_HTTP_KEEP_ALIVE_TIMEOUT_MS: { default: '5000', doc: 'An idle keep-alive connection is closed after this long' },
  RELAIS_DATA_DIR: { default: './data', doc: 'Directory for the SQLite database and other local data' },
  RELAIS_DATABASE_URL: { default: 'sqlite:<RELAIS_DATA_DIR>/relais.db', doc: '`sqlite:<file>` or `postgres://user@host:5432/db`' },
  RELAIS_DB_POOL_SIZE: { default: '10', doc: 'PostgreSQL connections per process' },
  RELAIS_DB_STATEMENT_TIMEOUT_MS: { default: '30000', doc: 'PostgreSQL statement timeout' },
  RELAIS_ADMIN_TOKEN: { default: '', doc: 'Bearer token of the admin API (`/admin/v1`); unset = admin API off' },
  RELAIS_METRICS_TOKEN: { default: '', doc: 'Bearer token required by `/metrics`; unset = `/metrics` is open' },
  RELAIS_SECRET_KEY: { default: '', doc: 'AES-256 key (64 hex characters) that encrypts secrets at rest; unset = generated into RELAIS_DATA_DIR/secret.key' },
  RELAIS_PUBLIC_URL: { default: 'http://<HOST>:<PORT>', doc: 'Base URL the recipients of mails reach Relais at (unsubscribe and read-online links), and HTTP providers post their status callbacks to and fetch call audio from' },
  RELAIS_MAIL_FROM: { default: '', doc: 'Sender of a mail that names none, when its account has no default sender; unset = such a mail is refused' },
  RELAIS_UNSUBSCRIBE_MAILTO: { default: '', doc: 'Mailbox of the mailto in every mail\'s List-Unsubscribe header; unset = the mail\'s own sender' },
  RELAIS_LINK_TTL_DAYS: { default: '90', doc: 'How long the unsubscribe and read-online links of a sent mail stay valid' },
  RELAIS_LOG_LEVEL: { default: 'info', doc: 'pino level: fatal, error, warn, info, debug, trace, silent' },
  RELAIS_TIMEZONE: { default: 'Europe/Paris', doc: 'Time zone of the vendor dialects\' local dates' },
  RELAIS_CANCEL_CUTOFF_SECONDS: { default: '300', doc: 'Vendor dialects refuse cancels this close to the send time (native API: 0)' },
  RELAIS_HOST_DIALECTS: { default: 'false', doc: 'Route requests by vendor Host header (api.smspartner.fr …) without the prefix' },
  RELAIS_DEFAULT_REGION: { default: 'FR', doc: 'Country assumed for national phone numbers (ISO 3166 code)' },
  RELAIS_CURRENCY: { default: 'EUR', doc: 'Currency of new accounts' },
  RELAIS_PRICE_SMS: { default: '0.045', doc: 'Price of one SMS segment per recipient' },
  RELAIS_PRICE_EMAIL: { default: '0.002', doc: 'Price of one e-mail per recipient' },
  RELAIS_PRICE_VOICE: { default: '0.150', doc: 'Price of one voice call per recipient' },
  RELAIS_MAX_RECIPIENTS: { default: '10000', doc: 'Recipients per message' },
  RELAIS_BODY_LIMIT_BYTES: { default: '4194304', doc: 'Largest request body accepted' },
  RELAIS_PAST_TOLERANCE_SECONDS: { default: '60', doc: 'A sendAt this far in the past still means "now"' },
  RELAIS_ROLE: { default: 'all', doc: '`all`, `api` (HTTP only) or `worker` (dispatcher only); `relais serve --role` overrides it' },
  RELAIS_WORKER_PORT: { default: '', doc: 'Worker role: serve `/healthz`, `/readyz` and `/metrics` on this port (on HOST); unset = no port' },
  RELAIS_DISPATCH_BATCH: { default: '100 (SQLite), 250 (PostgreSQL)', doc: 'Messages claimed per dispatcher round' },
  RELAIS_LEASE_SECONDS: { default: '60', doc: 'How long a claimed message stays with its worker before others may reclaim it' },
  RELAIS_POLL_INTERVAL_MS: { default: '1000', doc: 'Fallback poll interval of the dispatcher' },
  RELAIS_MAX_ATTEMPTS: { default: '5', doc: 'Transport attempts per recipient before it fails (and is refunded)' },
  RELAIS_TRANSPORT_CONCURRENCY: { default: '16', doc: 'Sends in flight per transport' },
  RELAIS_SMS_TRANSPORT: { default: 'outbox', doc: 'Transport of SMS messages (its own settings are `RELAIS_<NAME>_*`, below)' },
  RELAIS_EMAIL_TRANSPORT: { default: 'outbox', doc: 'Transport of e-mails' },
  RELAIS_VOICE_TRANSPORT: { default: 'outbox', doc: 'Transport of voice calls' },
  RELAIS_REFUND_UNDELIVERED: { default: 'false', doc: 'Refund a recipient whose delivery receipt says undelivered (vendors charge for it)' },
  RELAIS_RECEIPT_KEEP_SECONDS: { default: '300', doc: 'A delivery receipt that comes before its send is recorded is kept this long for it, then counted unknown' },
  RELAIS_SMSPARTNER_ALWAYS_200: { default: 'false', doc: 'SMS Partner dialect: answer errors with HTTP 200 (for clients that only read the body)' },
  RELAIS_MAILPARTNER_ALWAYS_200: { default: 'false', doc: 'Mail Partner dialect: answer errors with HTTP 200 (for clients that only read the body)' },
  RELAIS_BRAZE_RATE_SCHEDULE_PER_HOUR: { default: '250000', doc: 'Braze dialect: calls per API key and hour to the schedule endpoints, scheduled_broadcasts and every other path, together' },
  RELAIS_BRAZE_RATE_SEND_PER_HOUR: { default: '250000', doc: 'Braze dialect: calls per API key and hour to the send endpoints (not broadcast), together' },
  RELAIS_BRAZE_RATE_BROADCAST_PER_MINUTE: { default: '250', doc: 'Braze dialect: broadcast send calls per API key and minute' },
  RELAIS_BRAZE_RATE_USERS_TRACK_PER_3S: { default: '3000', doc: 'Braze dialect: `/users/track` calls per API key and 3 seconds' },
  RELAIS_BRAZE_MAX_BROADCAST: { default: '10000', doc: 'Braze dialect: most users one `broadcast: true` call reaches (more: 400)' },
  RELAIS_WEBHOOK_SECRET: { default: '', doc: 'Key of the HMAC-SHA256 `X-Relais-Signature` header of status callbacks; unset = not signed' },
  RELAIS_WEBHOOK_TIMEOUT_MS: { default: '10000', doc: 'Timeout of one status callback request' },
  RELAIS_WEBHOOK_MAX_ATTEMPTS: { default: '50', doc: 'A cap on the attempts of one status callback or webhook; what usually ends retries is their 24 h window' },
  RELAIS_WEBHOOK_DESTINATION_CONCURRENCY: { default: '4', doc: 'Status callbacks of one account in flight to one host at once' },
  RELAIS_ALLOW_PRIVATE_CALLBACKS: { default: 'false', doc: 'Allow callbacks to loopback and private addresses' },
} as const;

export type EnvName = keyof typeof CORE_ENV;

/**
 * Every environment variable Relais reads, with its default and meaning: core's, then each
 * transport's own (transports/registry.ts). The README's config table lists exactly these (a
 * test checks it); this module is the only reader of process.env.
 */
export const ENV: Readonly<Record<EnvName, { default: string; doc: string }> & Record<string, { default: string; doc: string }>> = {
  ...CORE_ENV, ...transportVariables(),
};

export interface Config {
  http: {
    port: number; host: string; publicUrl: string; bodyLimit: number; hostDialects: boolean; adminToken: string | null; metricsToken: string | null; workerPort: number | null;
    maxConnections: number; idleTimeoutMs: number; headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number;
  };
  /** RELAIS_SECRET_KEY as 32 bytes; null: a key generated into the data directory on first start is used. */
  secretKey: Buffer | null;
  db: { url: string; dataDir: string; poolSize: number; statementTimeoutMs: number };
  logLevel: (typeof LOG_LEVELS)[number];
  role: 'all' | 'api' | 'worker';
  timezone: string;
  cancelCutoffMs: number;
  defaultRegion: CountryCode;
  currency: string;
  pricing: { smsPerSegment: number; email: number; voice: number };
  limits: { maxRecipients: number; pastToleranceMs: number; maxHorizonMs: number };
  dispatch: { batchSize: number; leaseMs: number; pollIntervalMs: number; maxAttempts: number; concurrency: number };
  /** What delivery receipts do (core/receipts.ts). */
  receipts: { refundUndelivered: boolean; keepMs: number };
  transports: TransportSelection;
  webhooks: { secret: string | null; timeoutMs: number; maxAttempts: number; destinationConcurrency: number; allowPrivate: boolean };
  mail: { from: string | null; unsubscribeMailto: string | null; linkTtlMs: number };
  /** Each vendor dialect's switches (api/dialects/registry.ts), by dialect name then option name. */
  dialects: Readonly<Record<string, Readonly<Record<string, boolean>>>>;
  /** Each vendor dialect's whole-number settings, by dialect name then option name. */
  dialectSettings: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/**
 * PostgreSQL spends a round trip and a commit per statement of a batch, which larger batches
 * share out (docs/BENCHMARKS.md, 3); on SQLite a batch holds the one writer, which the API waits for.
 */
const defaultBatch = (kind: StoreKind): number => (kind === 'sqlite' ? 100 : 250);

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** What RELAIS_SECRET_KEY and the generated key file hold: 32 bytes as hexadecimal. */
export const SECRET_KEY_HEX = /^[0-9a-fA-F]{64}$/;

function secretKey(hex: string): Buffer | null {
  if (!hex) return null;
  if (!SECRET_KEY_HEX.test(hex)) throw new ConfigError('RELAIS_SECRET_KEY must be 64 hexadecimal characters (32 bytes; `openssl rand -hex 32` makes one)');
  return Buffer.from(hex, 'hex');
}

/** A variable a dialect declares: a row of ENV, so that the README documents it. */
function envName(name: string, dialect: string): EnvName {
  if (!Object.hasOwn(ENV, name)) throw new Error(`dialect ${dialect} reads ${name}, which is not in the ENV table of src/config.ts`);
  return name as EnvName;
}

const mapValues = <V, W>(o: Readonly<Record<string, V>>, f: (v: V) => W): Record<string, W> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

function currency(code: string): string {
  if (!/^[A-Z]{3}$/.test(code)) throw new ConfigError(`RELAIS_CURRENCY must be an ISO 4217 code of three capital letters (got "${code}")`);
  return code;
}

/** Reads the environment (and ./.env when present); throws ConfigError naming the variable at fault. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, opts: { dotenv?: boolean } = {}): Config {
  if (opts.dotenv && existsSync('.env')) process.loadEnvFile('.env');
  const get = (name: EnvName): string => {
    const v = env[name];
    return v === undefined || v === '' ? ENV[name].default : v.trim();
  };
  const int = (name: EnvName, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const text = get(name);
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${text}")`);
    return n;
  };
  const bool = (name: EnvName): boolean => {
    const text = get(name).toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(text)) return true;
    if (['0', 'false', 'no', 'off'].includes(text)) return false;
    throw new ConfigError(`${name} must be true or false (got "${text}")`);
  };
  const price = (name: EnvName): number => {
    let credits: number;
    try {
      credits = parseCredits(get(name), name);
    } catch {
      credits = -1;
    }
    if (credits < 0) throw new ConfigError(`${name} must be a price of 0 or more with at most 3 decimals (got "${get(name)}")`);
    return credits;
  };

  const oneOf = <T extends string>(name: EnvName, values: readonly T[]): T => {
    const text = get(name);
    if (!values.includes(text as T)) throw new ConfigError(`${name} must be one of ${values.join(', ')} (got "${text}")`);
    return text as T;
  };

  const mailbox = (name: EnvName): string | null => {
    const text = get(name);
    if (text === '') return null;
    try {
      return normalizeEmail(text);
    } catch {
      throw new ConfigError(`${name} must be an e-mail address (got "${text}")`);
    }
  };

  // A From: an address or `Name <address>`, as a mail's own From is checked (core/content.ts).
  const sender = (name: EnvName): string | null => {
    const text = get(name);
    if (text === '') return null;
    try {
      return checkMailbox(name, text);
    } catch {
      throw new ConfigError(`${name} must be an e-mail address, optionally as "Name <address>" (got "${text}")`);
    }
  };

  const transports = (): TransportSelection => {
    try {
      return selectTransports({ sms: get('RELAIS_SMS_TRANSPORT'), email: get('RELAIS_EMAIL_TRANSPORT'), voice: get('RELAIS_VOICE_TRANSPORT') }, (name) => env[name]);
    } catch (err) {
      throw new ConfigError((err as Error).message);
    }
  };

  const dataDir = get('RELAIS_DATA_DIR');
  const url = env.RELAIS_DATABASE_URL?.trim() || `sqlite:${dataDir.replace(/\/$/, '')}/relais.db`;
  const kind = kindOf(url);
  if (!kind) throw new ConfigError(`RELAIS_DATABASE_URL must start with sqlite: or postgres:// (got "${url}")`);
  const logLevel = oneOf('RELAIS_LOG_LEVEL', LOG_LEVELS);
  const timezone = get('RELAIS_TIMEZONE');
  if (!IANAZone.isValidZone(timezone)) throw new ConfigError(`RELAIS_TIMEZONE must be an IANA time zone (got "${timezone}")`);
  const region = get('RELAIS_DEFAULT_REGION').toUpperCase();
  const port = int('PORT', 0, 65535);
  const publicUrl = (env.RELAIS_PUBLIC_URL?.trim() || `http://${get('HOST')}:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(publicUrl)) throw new ConfigError(`RELAIS_PUBLIC_URL must be an http(s) URL without query (got "${publicUrl}")`);
  if (!isSupportedCountry(region)) throw new ConfigError(`RELAIS_DEFAULT_REGION must be an ISO 3166 country code (got "${region}")`);

  return {
    http: {
      port, host: get('HOST'), publicUrl, bodyLimit: int('RELAIS_BODY_LIMIT_BYTES', 1024),
      hostDialects: bool('RELAIS_HOST_DIALECTS'), adminToken: env.RELAIS_ADMIN_TOKEN?.trim() || null,
      metricsToken: env.RELAIS_METRICS_TOKEN?.trim() || null,
      workerPort: env.RELAIS_WORKER_PORT?.trim() ? int('RELAIS_WORKER_PORT', 0, 65535) : null,
      maxConnections: int('RELAIS_HTTP_MAX_CONNECTIONS', 1, 1_000_000), idleTimeoutMs: int('RELAIS_HTTP_IDLE_TIMEOUT_MS', 1000, 3_600_000),
      headersTimeoutMs: int('RELAIS_HTTP_HEADERS_TIMEOUT_MS', 1000, 3_600_000), requestTimeoutMs: int('RELAIS_HTTP_REQUEST_TIMEOUT_MS', 1000, 3_600_000),
      keepAliveTimeoutMs: int('RELAIS_HTTP_KEEP_ALIVE_TIMEOUT_MS', 1000, 3_600_000),
    },
    secretKey: secretKey(env.RELAIS_SECRET_KEY?.trim() || ''),
    db: { url, dataDir, poolSize: int('RELAIS_DB_POOL_SIZE', 1, 1000), statementTimeoutMs: int('RELAIS_DB_STATEMENT_TIMEOUT_MS', 0) },
    logLevel,
    role: oneOf('RELAIS_ROLE', ['all', 'api', 'worker'] as const),
    timezone,
    cancelCutoffMs: int('RELAIS_CANCEL_CUTOFF_SECONDS', 0) * 1000,
    defaultRegion: region as CountryCode,
    currency: currency(get('RELAIS_CURRENCY')),
    pricing: { smsPerSegment: price('RELAIS_PRICE_SMS'), email: price('RELAIS_PRICE_EMAIL'), voice: price('RELAIS_PRICE_VOICE') },
    limits: { maxRecipients: int('RELAIS_MAX_RECIPIENTS', 1, 1_000_000), pastToleranceMs: int('RELAIS_PAST_TOLERANCE_SECONDS', 0) * 1000, maxHorizonMs: 5 * 365 * 86_400_000 },
    dispatch: {
      batchSize: env.RELAIS_DISPATCH_BATCH?.trim() ? int('RELAIS_DISPATCH_BATCH', 1, 10_000) : defaultBatch(kind), leaseMs: int('RELAIS_LEASE_SECONDS', 1) * 1000,
      pollIntervalMs: int('RELAIS_POLL_INTERVAL_MS', 10), maxAttempts: int('RELAIS_MAX_ATTEMPTS', 1, 100),
      concurrency: int('RELAIS_TRANSPORT_CONCURRENCY', 1, 1000),
    },
    receipts: { refundUndelivered: bool('RELAIS_REFUND_UNDELIVERED'), keepMs: int('RELAIS_RECEIPT_KEEP_SECONDS', 1, 86_400) * 1000 },
    transports: transports(),
    mail: { from: sender('RELAIS_MAIL_FROM'), unsubscribeMailto: mailbox('RELAIS_UNSUBSCRIBE_MAILTO'), linkTtlMs: int('RELAIS_LINK_TTL_DAYS', 1, 3650) * 86_400_000 },
    webhooks: {
      secret: env.RELAIS_WEBHOOK_SECRET?.trim() || null, timeoutMs: int('RELAIS_WEBHOOK_TIMEOUT_MS', 100, 600_000),
      maxAttempts: int('RELAIS_WEBHOOK_MAX_ATTEMPTS', 1, 100), destinationConcurrency: int('RELAIS_WEBHOOK_DESTINATION_CONCURRENCY', 1, 1000),
      allowPrivate: bool('RELAIS_ALLOW_PRIVATE_CALLBACKS'),
    },
    dialects: Object.fromEntries(DIALECTS.map((d) => [d.name, mapValues(d.switches, (name) => bool(envName(name, d.name)))])),
    dialectSettings: Object.fromEntries(DIALECTS.map((d) => [d.name, mapValues(d.settings ?? {}, (name) => int(envName(name, d.name), 1, 1_000_000_000))])),
  };
}
