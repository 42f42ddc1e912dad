import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { ConfigError, ENV, loadConfig } from '../../src/config.js';
import { systemClock } from '../../src/core/clock.js';
import { composeCore } from '../../src/compose.js';
import { OutboxTransport } from '../../src/transports/outbox.js';
import { smppModule } from '../../src/transports/smpp/transport.js';
import { buildTransports, inStoreSenders } from '../../src/transports/registry.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

const configError = (message: string) => (err: unknown) => err instanceof ConfigError && err.message === message;

test('every channel sends through the outbox by default, one instance for all, with its in-store delivery', () => {
  const config = loadConfig({});
  assert.deepEqual(config.transports.channels, { sms: 'outbox', email: 'outbox', voice: 'outbox' });
  const registry = buildTransports(config.transports, { clock: systemClock, outbox: { insertOutbox: async () => [] }, links: composeCore(config, null as never).links });
  assert.ok(registry.sms instanceof OutboxTransport);
  assert.equal(registry.email, registry.sms);
  assert.equal(registry.voice, registry.sms);
  assert.deepEqual([...inStoreSenders(registry).keys()], [registry.sms]);
});

test('RELAIS_OUTBOX_RATE sets the outbox\'s rate (the dispatcher then declines its in-store delivery: rate-limit.test.ts); a bad rate names the variable', () => {
  const config = loadConfig({ RELAIS_OUTBOX_RATE: '2.5' });
  const registry = buildTransports(config.transports, { clock: systemClock, outbox: { insertOutbox: async () => [] }, links: composeCore(config, null as never).links });
  assert.equal(registry.sms.rate, 2.5);
  assert.deepEqual([...inStoreSenders(registry).keys()], [registry.sms]);
  for (const bad of ['0', 'fast', '-1']) {
    assert.throws(() => loadConfig({ RELAIS_OUTBOX_RATE: bad }), configError(`RELAIS_OUTBOX_RATE must be a number of messages per second above 0 (got "${bad}")`));
  }
});

test('a transport name that is not registered stops loading with the known names', () => {
  assert.throws(() => loadConfig({ RELAIS_EMAIL_TRANSPORT: 'carrier-pigeon' }), configError('RELAIS_EMAIL_TRANSPORT names no transport: "carrier-pigeon" (known: outbox, smtp, smpp, http)'));
});

test('the transports\' own settings come last in ENV, after the channel selection, in their modules\' order; a setting may name its own variable', () => {
  const names = Object.keys(ENV);
  assert.deepEqual(names.slice(names.indexOf('RELAIS_OUTBOX_RATE')), [
    'RELAIS_OUTBOX_RATE', 'RELAIS_SMTP_URL', 'RELAIS_SMTP_POOL', 'RELAIS_SMTP_RATE', 'RELAIS_SMTP_CONCURRENCY', 'RELAIS_SMTP_STARTTLS',
    'RELAIS_SMTP_TLS_REJECT_UNAUTHORIZED', 'RELAIS_SMTP_TIMEOUT_MS', 'RELAIS_DKIM_DOMAIN', 'RELAIS_DKIM_SELECTOR', 'RELAIS_DKIM_PRIVATE_KEY',
    ...Object.keys(smppModule.settings).map((key) => `RELAIS_SMPP_${key}`),
    ...['PRESET', 'URL', 'SMS_URL', 'VOICE_URL', 'AUTH', 'ACCOUNT', 'FROM', 'METHOD', 'FORMAT', 'SMS_BODY', 'VOICE_BODY', 'ID_PATH', 'ACCEPTED', 'RETRYABLE',
      'TIMEOUT_MS', 'RATE', 'CONCURRENCY', 'CALLBACK_ID', 'CALLBACK_STATUS', 'CALLBACK_DELIVERED', 'CALLBACK_UNDELIVERED'].map((k) => `RELAIS_HTTP_${k}`),
  ]);
  assert.ok(names.indexOf('RELAIS_SMS_TRANSPORT') < names.indexOf('RELAIS_OUTBOX_RATE'));
});

test('relais serve with an unknown transport exits 1 with one line naming the variable and the known transports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relais-transport-'));
  try {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RELAIS_') && k !== 'PORT'));
    const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN, 'serve'], {
      cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...env, RELAIS_SMS_TRANSPORT: 'carrier-pigeon', PORT: '0' },
    });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trimEnd(), 'relais: configuration: RELAIS_SMS_TRANSPORT names no transport: "carrier-pigeon" (known: outbox, smtp, smpp, http)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
