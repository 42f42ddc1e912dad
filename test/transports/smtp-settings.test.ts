import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { queueId, type SmtpSettings } from '../../src/transports/smtp.js';
import { startupWarnings } from '../helpers/startup.js';

const SMTP = { RELAIS_EMAIL_TRANSPORT: 'smtp' };
const settings = (env: Record<string, string>): SmtpSettings => loadConfig({ ...SMTP, ...env }).transports.settings.get('smtp') as SmtpSettings;
const configError = (message: string) => (err: unknown) => err instanceof ConfigError && err.message === message;

test('RELAIS_SMTP_URL is required once a channel sends through smtp, and only then', () => {
  assert.throws(() => loadConfig(SMTP), configError('RELAIS_SMTP_URL is required when a channel\'s transport is smtp (smtp://host:25 or smtps://user:password@host:465)'));
  assert.equal(loadConfig({ RELAIS_SMTP_POOL: 'many', RELAIS_SMTP_URL: 'nonsense' }).transports.settings.has('smtp'), false, 'an unselected transport\'s settings are not read');
});

test('smtp carries e-mail only: naming it for SMS or voice stops loading', () => {
  for (const channel of ['SMS', 'VOICE']) {
    assert.throws(() => loadConfig({ [`RELAIS_${channel}_TRANSPORT`]: 'smtp', RELAIS_SMTP_URL: 'smtp://relay.internal' }),
      configError(`RELAIS_${channel}_TRANSPORT: the smtp transport carries email only`));
  }
});

test('the URL gives host, port, TLS and the percent-decoded credentials; the defaults', () => {
  assert.deepEqual(settings({ RELAIS_SMTP_URL: 'smtp://relay.internal' }), {
    host: 'relay.internal', port: 25, secure: false, auth: undefined, pool: 5, rate: undefined, concurrency: 5,
    starttls: 'auto', tlsRejectUnauthorized: true, timeoutMs: 60_000, dkim: undefined,
  });
  const hosted = settings({ RELAIS_SMTP_URL: 'smtps://apikey%40example.com:s%3Ac%2Fr%40t@smtp.example.com', RELAIS_SMTP_POOL: '2' });
  assert.deepEqual([hosted.host, hosted.port, hosted.secure, hosted.auth, hosted.concurrency], ['smtp.example.com', 465, true, { user: 'apikey@example.com', pass: 's:c/r@t' }, 2]);
  const submission = settings({
    RELAIS_SMTP_URL: 'smtp://u:p@[::1]:587/', RELAIS_SMTP_STARTTLS: 'required', RELAIS_SMTP_TLS_REJECT_UNAUTHORIZED: 'false',
    RELAIS_SMTP_RATE: '12.5', RELAIS_SMTP_CONCURRENCY: '8', RELAIS_SMTP_TIMEOUT_MS: '5000',
  });
  assert.deepEqual([submission.host, submission.port, submission.starttls, submission.tlsRejectUnauthorized, submission.rate, submission.concurrency, submission.timeoutMs],
    ['::1', 587, 'required', false, 12.5, 8, 5000]);
});

test('a bad setting stops loading with the variable named, and the password of the URL never written out', () => {
  const cases: [Record<string, string>, string][] = [
    [{ RELAIS_SMTP_URL: 'https://relais:hunter2@smtp.example.com' }, 'RELAIS_SMTP_URL must start with smtp:// or smtps:// (got "https://***@smtp.example.com")'],
    [{ RELAIS_SMTP_URL: 'smtp://relais:hunter2@smtp.example.com/inbox' }, 'RELAIS_SMTP_URL must be smtp(s)://[user:password@]host[:port], nothing after the port (got "smtp://***@smtp.example.com/inbox")'],
    [{ RELAIS_SMTP_URL: 'smtp://relais:hunter2@smtp.example.com:99999' }, 'RELAIS_SMTP_URL must be a URL such as smtp://host:25 or smtps://user:password@host:465 (got "smtp://***@smtp.example.com:99999")'],
    [{ RELAIS_SMTP_URL: 'smtp://relais:hun%ZZter2@smtp.example.com' }, 'RELAIS_SMTP_URL has a user or password that is not percent-encoded correctly (got "smtp://***@smtp.example.com")'],
    [{ RELAIS_SMTP_URL: 'relais:hunter2@smtp.example.com' }, 'RELAIS_SMTP_URL must start with smtp:// or smtps:// (got "***@smtp.example.com")'],
    [{ RELAIS_SMTP_URL: 'smtp://relais:hun/ter@2@smtp.example.com' }, 'RELAIS_SMTP_URL must be a URL such as smtp://host:25 or smtps://user:password@host:465 (got "smtp://***@smtp.example.com")'],
    [{ RELAIS_SMTP_POOL: '0' }, 'RELAIS_SMTP_POOL must be an integer from 1 to 1000 (got "0")'],
    [{ RELAIS_SMTP_CONCURRENCY: 'x' }, 'RELAIS_SMTP_CONCURRENCY must be an integer from 1 to 1000 (got "x")'],
    [{ RELAIS_SMTP_RATE: '0' }, 'RELAIS_SMTP_RATE must be a number of messages per second above 0 (got "0")'],
    [{ RELAIS_SMTP_STARTTLS: 'maybe' }, 'RELAIS_SMTP_STARTTLS must be one of auto, required, off (got "maybe")'],
    [{ RELAIS_SMTP_TLS_REJECT_UNAUTHORIZED: 'no' }, 'RELAIS_SMTP_TLS_REJECT_UNAUTHORIZED must be true or false (got "no")'],
    [{ RELAIS_SMTP_TIMEOUT_MS: '10' }, 'RELAIS_SMTP_TIMEOUT_MS must be an integer from 1000 to 3600000 (got "10")'],
    [{ RELAIS_DKIM_DOMAIN: 'example.com' }, 'DKIM signing needs RELAIS_DKIM_DOMAIN, RELAIS_DKIM_SELECTOR, RELAIS_DKIM_PRIVATE_KEY: RELAIS_DKIM_SELECTOR, RELAIS_DKIM_PRIVATE_KEY unset'],
    [{ RELAIS_DKIM_DOMAIN: 'example.com', RELAIS_DKIM_SELECTOR: 's', RELAIS_DKIM_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nnot a key\\n-----END PRIVATE KEY-----' },
      'RELAIS_DKIM_PRIVATE_KEY must be a PEM private key, or the path of a file holding one'],
    [{ RELAIS_DKIM_DOMAIN: 'example.com', RELAIS_DKIM_SELECTOR: 's', RELAIS_DKIM_PRIVATE_KEY: '/nonexistent/dkim.pem' },
      'RELAIS_DKIM_PRIVATE_KEY is neither PEM text (starting with -----BEGIN) nor a readable file (ENOENT)'],
    // A key pasted without its armour is not echoed back into the logs.
    [{ RELAIS_DKIM_DOMAIN: 'example.com', RELAIS_DKIM_SELECTOR: 's', RELAIS_DKIM_PRIVATE_KEY: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7' },
      'RELAIS_DKIM_PRIVATE_KEY is neither PEM text (starting with -----BEGIN) nor a readable file (ENOENT)'],
    [{ RELAIS_UNSUBSCRIBE_MAILTO: 'not-a-mailbox' }, 'RELAIS_UNSUBSCRIBE_MAILTO must be an e-mail address (got "not-a-mailbox")'],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig({ ...SMTP, RELAIS_SMTP_URL: 'smtp://relay.internal', ...env }), configError(message), message);
  }
});

test('the DKIM key may be a file; the domain is lower-cased; RELAIS_UNSUBSCRIBE_MAILTO is normalised', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relais-dkim-'));
  try {
    const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    writeFileSync(join(dir, 'dkim.pem'), pem);
    const s = settings({ RELAIS_SMTP_URL: 'smtp://relay.internal', RELAIS_DKIM_DOMAIN: 'Mail.Example.COM', RELAIS_DKIM_SELECTOR: 'relais', RELAIS_DKIM_PRIVATE_KEY: join(dir, 'dkim.pem') });
    assert.deepEqual(s.dkim, { domainName: 'mail.example.com', keySelector: 'relais', privateKey: pem });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(loadConfig({ RELAIS_UNSUBSCRIBE_MAILTO: ' Unsub@Example.COM ' }).mail.unsubscribeMailto, 'Unsub@example.com');
  assert.equal(loadConfig({}).mail.unsubscribeMailto, null);
});

test('the queue id is read from the common wordings of a server\'s 250 answer', () => {
  assert.equal(queueId('250 2.0.0 Ok: queued as 4B2C31E05A'), '4B2C31E05A');
  assert.equal(queueId('250 OK id=1tXyZ-000abc-9Q'), undefined);
  assert.equal(queueId('250 2.0.0 Ok: queued as <20261203.abc@mx>'), '20261203.abc@mx');
  assert.equal(queueId('250 Message accepted'), undefined);
  assert.equal(queueId(undefined), undefined);
});

test('a server whose mails leave through smtp warns at start when RELAIS_PUBLIC_URL is not https (the links in its mails would not work)', async () => {
  for (const [env, warned] of [[{}, true], [{ RELAIS_PUBLIC_URL: 'https://mail.example.org' }, false], [{ RELAIS_EMAIL_TRANSPORT: 'outbox' }, false]] as const) {
    const warnings = await startupWarnings({ ...SMTP, RELAIS_SMTP_URL: 'smtp://127.0.0.1:9', ...env });
    assert.equal(warnings.some((w) => /^RELAIS_PUBLIC_URL is not an https address/.test(w)), warned, JSON.stringify(env));
  }
});
