import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createTransport } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type { NodemailerError } from 'nodemailer/lib/errors';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { Clock } from '../core/clock.js';
import { parseInteger, parseRate, settingVariable, type TransportModule } from '../core/transport-module.js';
import { parseServerUrl } from '../core/transport-url.js';
import type { OutgoingMessage, SendResult, Transport, TransportMessage, TransportRecipient } from '../core/transport.js';
import { renderMail, type MailSettings } from './email/mime.js';
import { InFlight } from './in-flight.js';

const STARTTLS = ['auto', 'required', 'off'] as const;

export interface SmtpSettings {
  host: string;
  port: number;
  /** smtps://: TLS from the first byte; smtp://: STARTTLS as `starttls` says. */
  secure: boolean;
  auth: { user: string; pass: string } | undefined;
  pool: number;
  rate: number | undefined;
  concurrency: number;
  starttls: (typeof STARTTLS)[number];
  tlsRejectUnauthorized: boolean;
  timeoutMs: number;
  dkim: { domainName: string; keySelector: string; privateKey: string } | undefined;
}

const v = (key: string): string => settingVariable('smtp', key, smtpModule.settings[key]);

function parseUrl(text: string): Pick<SmtpSettings, 'host' | 'port' | 'secure' | 'auth'> {
  const { host, port, tls, user, password } = parseServerUrl({
    variable: v('URL'), transport: 'smtp', schemes: ['smtp', 'smtps'], ports: [25, 465],
    example: 'smtp://host:25 or smtps://user:password@host:465', form: 'smtp(s)://[user:password@]host[:port]', user: 'user', userRequired: false,
  }, text);
  return { host, port, secure: tls, auth: user ? { user, pass: password } : undefined };
}

/** The DKIM key: PEM text (`\n` may be written as the two characters, as .env files need) or the path of a PEM file. */
function privateKey(text: string): string {
  const pem = text.startsWith('-----BEGIN') ? text.replaceAll('\\n', '\n') : readKeyFile(text);
  try {
    createPrivateKey(pem);
  } catch {
    throw new Error(`${v('DKIM_PRIVATE_KEY')} must be a PEM private key, or the path of a file holding one`);
  }
  return pem;
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    // Never the value itself: a key pasted without its PEM armour would otherwise be printed.
    throw new Error(`${v('DKIM_PRIVATE_KEY')} is neither PEM text (starting with -----BEGIN) nor a readable file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function dkim(values: Readonly<Record<string, string>>): SmtpSettings['dkim'] {
  const keys = ['DKIM_DOMAIN', 'DKIM_SELECTOR', 'DKIM_PRIVATE_KEY'];
  const missing = keys.filter((k) => values[k] === '');
  if (missing.length === keys.length) return undefined;
  if (missing.length > 0) throw new Error(`DKIM signing needs ${keys.map(v).join(', ')}: ${missing.map(v).join(', ')} unset`);
  return { domainName: values.DKIM_DOMAIN.toLowerCase(), keySelector: values.DKIM_SELECTOR, privateKey: privateKey(values.DKIM_PRIVATE_KEY) };
}

function parse(values: Readonly<Record<string, string>>): SmtpSettings {
  const pool = parseInteger(v('POOL'), values.POOL, 1, 1000);
  const starttls = values.STARTTLS.toLowerCase() as SmtpSettings['starttls'];
  if (!STARTTLS.includes(starttls)) throw new Error(`${v('STARTTLS')} must be one of ${STARTTLS.join(', ')} (got "${values.STARTTLS}")`);
  const reject = values.TLS_REJECT_UNAUTHORIZED.toLowerCase();
  if (reject !== 'true' && reject !== 'false') throw new Error(`${v('TLS_REJECT_UNAUTHORIZED')} must be true or false (got "${values.TLS_REJECT_UNAUTHORIZED}")`);
  return {
    ...parseUrl(values.URL), pool, rate: parseRate(v('RATE'), values.RATE),
    concurrency: values.CONCURRENCY === '' ? pool : parseInteger(v('CONCURRENCY'), values.CONCURRENCY, 1, 1000),
    starttls, tlsRejectUnauthorized: reject === 'true', timeoutMs: parseInteger(v('TIMEOUT_MS'), values.TIMEOUT_MS, 1000, 3_600_000), dkim: dkim(values),
  };
}

/** The queue id in a server's `250 2.0.0 Ok: queued as 4B2C31E05A`, the common wording (Postfix, Exim, smtp-server). */
export function queueId(response: string | undefined): string | undefined {
  return response?.match(/queued as\s+<?([^\s<>]+?)>?\s*$/i)?.[1];
}

/**
 * What a failed send means. Only the server's refusal of this mail is final: a 5xx answer (but
 * 503: nodemailer's `permanent`) to its envelope (MAIL FROM, RCPT TO) or to its content (DATA)
 * fails the recipient. Everything else is worth another attempt: a 4xx answer, a connection, TLS
 * or STARTTLS failure, a timeout, an abort, a refused login. Those are the connection's or the
 * operator's configuration, not the recipient's, and failing every mail meanwhile would refund
 * a whole campaign. The reason of a refused mail is the server's own answer; of anything else,
 * nodemailer's account of the step that failed (`Invalid login: 535 …`).
 */
function failure(err: NodemailerError): SendResult {
  const mailRefused = err.code === 'EENVELOPE' || err.code === 'EMESSAGE';
  const reason = ((mailRefused ? err.response : undefined) ?? err.message).slice(0, 500);
  const refused = mailRefused && err.permanent === true;
  const providerCode = err.responseCode === undefined ? err.code : String(err.responseCode);
  return { ok: false, retryable: !refused, reason, ...(providerCode ? { providerCode } : {}) };
}

/**
 * Sends each recipient its own mail through a pool of SMTP connections. Nodemailer does not
 * requeue a mail whose connection dropped (`maxRequeues: 0`): the dispatcher's attempts, with
 * their backoff and RELAIS_MAX_ATTEMPTS, are the one count of tries. Its own rate limit is off:
 * the dispatcher's token bucket applies RELAIS_SMTP_RATE.
 */
export class SmtpTransport implements Transport {
  readonly name = 'smtp';
  readonly rate: number | undefined;
  readonly concurrency: number;
  private readonly inFlight = new InFlight();
  private readonly mailer: Mail<SMTPPool.SentMessageInfo>;

  constructor(settings: SmtpSettings, private readonly clock: Clock, private readonly mail: MailSettings) {
    this.rate = settings.rate;
    this.concurrency = settings.concurrency;
    this.mailer = createTransport({
      pool: true, host: settings.host, port: settings.port, secure: settings.secure, auth: settings.auth,
      maxConnections: settings.pool, maxRequeues: 0,
      requireTLS: settings.starttls === 'required', ignoreTLS: settings.starttls === 'off',
      tls: { rejectUnauthorized: settings.tlsRejectUnauthorized },
      connectionTimeout: settings.timeoutMs, greetingTimeout: settings.timeoutMs, socketTimeout: settings.timeoutMs,
      dkim: settings.dkim, logger: false,
    });
  }

  send(message: TransportMessage, recipients: TransportRecipient[], opts: { signal: AbortSignal }): Promise<SendResult[]> {
    return this.inFlight.run(this.name, async () => {
      const results: SendResult[] = [];
      for (const r of recipients) results.push(await this.sendOne({ ...message, ...r }, opts.signal));
      return results;
    });
  }

  private async sendOne(msg: OutgoingMessage, signal: AbortSignal): Promise<SendResult> {
    if (msg.content.channel !== 'email') return { ok: false, retryable: false, reason: `the smtp transport sends e-mail, not ${msg.content.channel}` };
    const { options } = renderMail(msg, this.mail, this.clock.now());
    if (!options.from) return { ok: false, retryable: false, reason: 'the mail has no sender' };
    try {
      const info = await this.mailer.sendMail({ ...options, signal });
      return { ok: true, providerId: queueId(info.response) ?? info.messageId };
    } catch (err) {
      return failure(err as NodemailerError);
    }
  }

  async close(): Promise<void> {
    await this.inFlight.close();
    this.mailer.close();
  }
}

export const smtpModule: TransportModule<SmtpSettings> = {
  name: 'smtp',
  channels: ['email'],
  settings: {
    URL: { default: '', doc: 'SMTP server: `smtp://host:25` (STARTTLS when offered) or `smtps://user:password@host:465` (TLS); user and password percent-encoded. Required when a channel uses smtp' },
    POOL: { default: '5', doc: 'SMTP connections kept open at once' },
    RATE: { default: '', doc: 'Mails per second sent through SMTP; unset = no limit' },
    CONCURRENCY: { default: '', doc: 'Mails in flight at once through SMTP; unset = RELAIS_SMTP_POOL' },
    STARTTLS: { default: 'auto', doc: 'smtp:// only: `auto` (upgrade when the server offers it), `required` (refuse a server that does not) or `off`' },
    TLS_REJECT_UNAUTHORIZED: { default: 'true', doc: 'Refuse an SMTP server whose TLS certificate does not verify; `false` only for a local relay with a self-signed one' },
    TIMEOUT_MS: { default: '60000', doc: 'SMTP connection, greeting and socket inactivity timeout, in milliseconds' },
    DKIM_DOMAIN: { default: '', doc: 'DKIM: signing domain (`d=`); set the three RELAIS_DKIM_* to sign every mail sent through SMTP', variable: 'RELAIS_DKIM_DOMAIN' },
    DKIM_SELECTOR: { default: '', doc: 'DKIM: selector (`s=`), the DNS record `<selector>._domainkey.<domain>`', variable: 'RELAIS_DKIM_SELECTOR' },
    DKIM_PRIVATE_KEY: { default: '', doc: 'DKIM: private key, as PEM text (`\\n` for line breaks) or the path of a PEM file', variable: 'RELAIS_DKIM_PRIVATE_KEY' },
  },
  parse,
  create: (settings, ctx) => new SmtpTransport(settings, ctx.clock, { links: ctx.links, unsubscribeMailto: ctx.unsubscribeMailto ?? null }),
};
