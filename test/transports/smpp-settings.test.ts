import assert from 'node:assert/strict';
import { test } from 'node:test';
import getTlsOptions from 'smtp-server/lib/tls-options.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { SmppTransport, smppModule } from '../../src/transports/smpp/transport.js';
import { startupWarnings } from '../helpers/startup.js';
import { PASSWORD, SYSTEM_ID, TestSmsc } from './smpp-server.js';

const DEFAULTS = Object.fromEntries(Object.entries(smppModule.settings).map(([k, s]) => [k, s.default]));
const parse = (over: Record<string, string>) => smppModule.parse({ ...DEFAULTS, ...over });
const configError = (message: string) => (err: unknown) => err instanceof ConfigError && err.message === message;
const sms = { SMS: 'smpp' };

test('RELAIS_SMPP_URL: percent-decoded credentials, default ports, TLS for ssmpp; required, and never printed back', () => {
  const s = parse({ URL: 'smpp://rel%40is:p%3Ass%2Fw@smsc.example.net' });
  assert.deepEqual([s.systemId, s.password, s.host, s.port, s.tls], ['rel@is', 'p:ss/w', 'smsc.example.net', 2775, false]);
  assert.deepEqual([parse({ URL: 'ssmpp://a:b@[::1]' }).host, parse({ URL: 'ssmpp://a:b@[::1]' }).port, parse({ URL: 'ssmpp://a:b@h:4000' }).tls], ['::1', 3550, true]);
  assert.throws(() => loadConfig({ RELAIS_SMS_TRANSPORT: 'smpp' }), configError("RELAIS_SMPP_URL is required when a channel's transport is smpp (smpp://system_id:password@host:2775)"));
  for (const [url, why] of [
    ['http://a:secret@h', 'must start with smpp:// or ssmpp://'],
    ['smpp://h:2775', 'must be smpp://system_id:password@host[:port], nothing after the port'],
    ['smpp://a:secret@h/x', 'must be smpp://system_id:password@host[:port], nothing after the port'],
    ['smpp://a:secr%zzet@h', 'has a system_id or password that is not percent-encoded correctly'],
  ]) {
    assert.throws(() => loadConfig({ RELAIS_SMS_TRANSPORT: 'smpp', RELAIS_SMPP_URL: url }), (err: unknown) => err instanceof ConfigError && err.message.startsWith(`RELAIS_SMPP_URL ${why}`) && !err.message.includes('secr'), url);
  }
  assert.throws(() => loadConfig({ RELAIS_EMAIL_TRANSPORT: 'smpp' }), configError('RELAIS_EMAIL_TRANSPORT: the smpp transport carries sms only'));
});

test('the limits: RATE defaults to throughput × binds, CONCURRENCY to binds × window; a bad value names its variable', () => {
  const url = 'smpp://a:b@h';
  assert.deepEqual([parse({ URL: url }).rate, parse({ URL: url }).concurrency], [undefined, 10]);
  const paced = parse({ URL: url, BINDS: '3', WINDOW: '5', THROUGHPUT: '20' });
  assert.deepEqual([paced.rate, paced.concurrency, paced.throughput], [60, 15, 20]);
  assert.deepEqual([parse({ URL: url, THROUGHPUT: '20', RATE: '7', CONCURRENCY: '4' }).rate, parse({ URL: url, CONCURRENCY: '4' }).concurrency], [7, 4]);
  const env = (over: Record<string, string>) => loadConfig({ RELAIS_SMS_TRANSPORT: 'smpp', RELAIS_SMPP_URL: url, ...over });
  assert.throws(() => env({ RELAIS_SMPP_BINDS: '0' }), configError('RELAIS_SMPP_BINDS must be an integer from 1 to 64 (got "0")'));
  assert.throws(() => env({ RELAIS_SMPP_THROUGHPUT: 'fast' }), configError('RELAIS_SMPP_THROUGHPUT must be a number of messages per second above 0 (got "fast")'));
  assert.throws(() => env({ RELAIS_SMPP_BIND: 'receiver' }), configError('RELAIS_SMPP_BIND must be one of transceiver, transmitter-receiver (got "receiver")'));
  assert.throws(() => env({ RELAIS_SMPP_LONG_MESSAGES: 'split' }), configError('RELAIS_SMPP_LONG_MESSAGES must be one of udh, payload (got "split")'));
  assert.throws(() => env({ RELAIS_SMPP_ID_FORMAT: 'hex' }), configError('RELAIS_SMPP_ID_FORMAT must be one of same, hex-dec, dec-hex (got "hex")'));
  assert.throws(() => env({ RELAIS_SMPP_RECONNECT_MIN_MS: '5000', RELAIS_SMPP_RECONNECT_MAX_MS: '1000' }), configError('RELAIS_SMPP_RECONNECT_MAX_MS must be at least RELAIS_SMPP_RECONNECT_MIN_MS (5000)'));
  assert.throws(() => env({ RELAIS_SMPP_TLS_CA: '/nonexistent/ca.pem' }), configError('RELAIS_SMPP_TLS_CA names no readable file (ENOENT)'));
  assert.equal(env({ RELAIS_SMPP_BINDS: '2' }).transports.channels.sms, 'smpp');
});

test('ssmpp://: a certificate that does not verify is refused (the send is retryable and says why), accepted with RELAIS_SMPP_TLS_REJECT_UNAUTHORIZED=false', async () => {
  const { key, cert } = getTlsOptions({}) as { key: string; cert: string };
  const server = await new TestSmsc({ key, cert }).start();
  const send = async (t: SmppTransport) => {
    try {
      return (await t.send({ accountId: 1, messageId: 1, channel: 'sms', sendAt: 0, metadata: null },
        [{ recipientId: 1, address: '+33612345678', content: { channel: 'sms', text: 'tls', sender: null, unicode: false } }], { signal: AbortSignal.timeout(10_000) }))[0];
    } finally {
      await t.close();
    }
  };
  try {
    const refused = await send(new SmppTransport(parse({ URL: server.url(), TIMEOUT_MS: '500', RECONNECT_MIN_MS: '50', RECONNECT_MAX_MS: '100' })));
    assert.ok(!refused.ok && refused.retryable);
    assert.match(refused.reason, /^no SMPP bind is up \(.*certificate/);
    assert.equal(server.binds.length, 0, 'no bind over a refused connection');
    const accepted = await send(new SmppTransport(parse({ URL: server.url(), TLS_REJECT_UNAUTHORIZED: 'false' })));
    assert.deepEqual(accepted, { ok: true, providerId: server.submits[0].messageId });
    assert.deepEqual(server.binds.map((b) => [b.system_id, b.password]), [[SYSTEM_ID, PASSWORD]]);
  } finally {
    await server.close();
  }
});

test('RELAIS_SMPP_SOURCE: the default sender the transport declares; a value no SMS could name as sender is refused', () => {
  const url = 'smpp://a:b@h';
  assert.deepEqual([parse({ URL: url }).source, parse({ URL: url, SOURCE: 'Boutique' }).source, parse({ URL: url, SOURCE: '+33700000009' }).source], [undefined, 'Boutique', '+33700000009']);
  assert.throws(() => loadConfig({ RELAIS_SMS_TRANSPORT: 'smpp', RELAIS_SMPP_URL: url, RELAIS_SMPP_SOURCE: 'Boutique de Paris' }),
    configError('RELAIS_SMPP_SOURCE must be 1-11 letters/digits or a phone number'));
});

test('a server that sends SMS through smpp without RELAIS_SMPP_SOURCE warns once at start that STOPs to SMS sent without a sender cannot be attributed', async () => {
  const warned = 'RELAIS_SMPP_SOURCE is not set: a STOP replying to an SMS sent without a sender (none given, no account default) cannot be attributed and stops nothing; set it to the sender the SMSC uses by default';
  const smpp = { RELAIS_SMS_TRANSPORT: 'smpp', RELAIS_SMPP_URL: 'smpp://a:b@127.0.0.1:9', RELAIS_PUBLIC_URL: 'https://relais.example.com' };
  const about = async (env: Record<string, string>) => (await startupWarnings(env)).filter((w) => w.includes('SMPP'));
  assert.deepEqual(await about(smpp), [warned]);
  assert.deepEqual(await about({ ...smpp, RELAIS_SMPP_SOURCE: 'Boutique' }), []);
  assert.deepEqual(await about({ RELAIS_PUBLIC_URL: 'https://relais.example.com' }), []);
});
