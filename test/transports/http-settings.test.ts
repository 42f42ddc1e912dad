import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { HttpSettings } from '../../src/transports/http/settings.js';
import { refuseTwilioSignature, twilioSignature } from '../../src/transports/http/twilio-signature.js';
import { startupWarnings } from '../helpers/startup.js';

const HTTP = { RELAIS_SMS_TRANSPORT: 'http' };
const settings = (env: Record<string, string>): HttpSettings => loadConfig({ ...HTTP, ...env }).transports.settings.get('http') as HttpSettings;
const configError = (message: string | RegExp) => (err: unknown) =>
  err instanceof ConfigError && (typeof message === 'string' ? err.message === message : message.test(err.message));

test('the webhook preset needs a URL; http carries SMS and calls, not e-mail; unselected, its settings are not read', () => {
  assert.throws(() => loadConfig(HTTP), configError('RELAIS_HTTP_URL is required when a channel\'s transport is http with the webhook preset (or set both RELAIS_HTTP_SMS_URL and RELAIS_HTTP_VOICE_URL)'));
  assert.throws(() => loadConfig({ RELAIS_EMAIL_TRANSPORT: 'http', RELAIS_HTTP_URL: 'https://p.example' }), configError('RELAIS_EMAIL_TRANSPORT: the http transport carries sms, voice only'));
  assert.equal(loadConfig({ RELAIS_HTTP_URL: 'nonsense', RELAIS_HTTP_AUTH: 'nonsense' }).transports.settings.has('http'), false);
});

test('a bad URL, auth, method, format, template, id path, status list or timeout stops loading, naming the variable and never the secret', () => {
  const url = { RELAIS_HTTP_URL: 'https://p.example/send' };
  const cases: [Record<string, string>, string | RegExp][] = [
    [{ RELAIS_HTTP_URL: 'p.example/send' }, 'RELAIS_HTTP_URL must be an http(s) URL (got "p.example/send")'],
    [{ RELAIS_HTTP_URL: 'ftp://p.example' }, 'RELAIS_HTTP_URL must start with http:// or https://'],
    [{ RELAIS_HTTP_URL: 'https://user:hunter2@p.example' }, 'RELAIS_HTTP_URL must not hold a user or password: put them in RELAIS_HTTP_AUTH'],
    [{ ...url, RELAIS_HTTP_VOICE_URL: 'not a url' }, 'RELAIS_HTTP_VOICE_URL must be an http(s) URL (got "not a url")'],
    [{ RELAIS_HTTP_URL: 'gw.example/send?api_key=s3cret' }, 'RELAIS_HTTP_URL must be an http(s) URL (got "gw.example/send?…")'],
    [{ ...url, RELAIS_HTTP_AUTH: 'token:hunter2' }, 'RELAIS_HTTP_AUTH must be basic:user:password, bearer:token or header:Name:value'],
    [{ ...url, RELAIS_HTTP_AUTH: 'basic:hunter2' }, 'RELAIS_HTTP_AUTH basic must be basic:user:password'],
    [{ ...url, RELAIS_HTTP_AUTH: 'header:Bad Name:hunter2' }, 'RELAIS_HTTP_AUTH header must be header:Name:value, Name a header name'],
    [{ ...url, RELAIS_HTTP_AUTH: 'bearer:hunter2\r\nX-Evil: 1' }, 'RELAIS_HTTP_AUTH must not hold a line break'],
    [{ ...url, RELAIS_HTTP_PRESET: 'nexmo' }, 'RELAIS_HTTP_PRESET must be one of webhook, twilio (got "nexmo")'],
    [{ ...url, RELAIS_HTTP_METHOD: 'GET' }, 'RELAIS_HTTP_METHOD must be POST or PUT (got "GET")'],
    [{ ...url, RELAIS_HTTP_FORMAT: 'xml' }, 'RELAIS_HTTP_FORMAT must be json or form (got "xml")'],
    [{ ...url, RELAIS_HTTP_SMS_BODY: '{"to":"{to}","body":"{message}"}' }, /^RELAIS_HTTP_SMS_BODY names \{message\}, which is no field \(known: \{to\}, /],
    [{ ...url, RELAIS_HTTP_SMS_BODY: 'to={to}' }, 'RELAIS_HTTP_SMS_BODY must be JSON when the format is json (got "to={to}")'],
    [{ ...url, RELAIS_HTTP_ID_PATH: 'data..id' }, 'RELAIS_HTTP_ID_PATH must be a dotted path such as id or data.id (got "data..id")'],
    [{ ...url, RELAIS_HTTP_RETRYABLE: '429,5**' }, 'RELAIS_HTTP_RETRYABLE must list HTTP statuses such as 201 or 2xx, separated by commas (got "429,5**")'],
    [{ ...url, RELAIS_HTTP_TIMEOUT_MS: '10s' }, 'RELAIS_HTTP_TIMEOUT_MS must be an integer from 100 to 600000 (got "10s")'],
    [{ RELAIS_HTTP_PRESET: 'twilio' }, 'the twilio preset needs RELAIS_HTTP_ACCOUNT or RELAIS_HTTP_AUTH=basic:<Account SID>:<Auth Token>'],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig({ ...HTTP, ...env }), configError(message), JSON.stringify(env));
    assert.throws(() => loadConfig({ ...HTTP, ...env }), (err: Error) => !err.message.includes('hunter2'), 'the secret is not printed');
  }
});

test('presets: twilio derives both URLs from the account; per-channel URLs, form bodies and callback fields override', () => {
  const twilio = settings({ RELAIS_HTTP_PRESET: 'twilio', RELAIS_HTTP_AUTH: 'basic:SK123:secret', RELAIS_HTTP_ACCOUNT: 'AC9' });
  assert.deepEqual([twilio.urls.sms.href, twilio.urls.voice.href, twilio.auth, twilio.answer.idPath, twilio.method],
    ['https://api.twilio.com/2010-04-01/Accounts/AC9/Messages.json', 'https://api.twilio.com/2010-04-01/Accounts/AC9/Calls.json',
      { name: 'authorization', value: `Basic ${Buffer.from('SK123:secret').toString('base64')}` }, 'sid', 'POST']);
  assert.deepEqual([...twilio.callback.undelivered], ['undelivered', 'failed', 'busy', 'no-answer', 'canceled']);
  const custom = settings({
    RELAIS_HTTP_SMS_URL: 'https://sms.example/v1', RELAIS_HTTP_VOICE_URL: 'http://voice.example/call', RELAIS_HTTP_FORMAT: 'form',
    RELAIS_HTTP_SMS_BODY: 'dest={to}&msg={text}', RELAIS_HTTP_VOICE_BODY: 'dest={to}&tts={text}', RELAIS_HTTP_AUTH: 'header:X-Key:k',
    RELAIS_HTTP_ID_PATH: 'data.ref', RELAIS_HTTP_CALLBACK_STATUS: 'state,status', RELAIS_HTTP_CALLBACK_DELIVERED: 'OK', RELAIS_HTTP_METHOD: 'put',
  });
  assert.deepEqual([custom.urls.sms.href, custom.urls.voice.href, custom.bodies.sms, custom.auth, custom.answer.idPath, custom.callback.statusFields, [...custom.callback.delivered], custom.method],
    ['https://sms.example/v1', 'http://voice.example/call', { format: 'form', pairs: [['dest', '{to}'], ['msg', '{text}']] }, { name: 'x-key', value: 'k' }, 'data.ref', ['state', 'status'], ['ok'], 'PUT']);
});

test('the twilio preset checks callback signatures with the auth token when the basic user is the account, not with an API key\'s secret', () => {
  const twilio = { RELAIS_HTTP_PRESET: 'twilio', RELAIS_HTTP_AUTH: 'basic:ACaaa:t0k:en' };
  assert.equal(settings(twilio).twilioAuthToken, 't0k:en');
  assert.equal(settings({ ...twilio, RELAIS_HTTP_ACCOUNT: 'ACaaa' }).twilioAuthToken, 't0k:en');
  assert.equal(settings({ ...twilio, RELAIS_HTTP_AUTH: 'basic:SKkey:secret', RELAIS_HTTP_ACCOUNT: 'ACaaa' }).twilioAuthToken, undefined);
  assert.equal(settings({ ...twilio, RELAIS_HTTP_AUTH: 'basic:SKkey:secret' }).twilioAuthToken, undefined, 'an API key without RELAIS_HTTP_ACCOUNT');
  assert.equal(settings({ ...twilio, RELAIS_HTTP_AUTH: 'bearer:x', RELAIS_HTTP_ACCOUNT: 'ACaaa' }).twilioAuthToken, undefined);
  assert.equal(settings({ RELAIS_HTTP_URL: 'https://p.example', RELAIS_HTTP_AUTH: 'basic:ACaaa:t0ken' }).twilioAuthToken, undefined, 'the webhook preset checks none');
});

test('Twilio\'s signature is its documented example\'s (auth token 12345)', () => {
  const params: [string, string][] = [['CallSid', 'CA1234567890ABCDE'], ['Caller', '+12349013030'], ['Digits', '1234'], ['From', '+12349013030'], ['To', '+18005551212']];
  assert.equal(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params.reverse()), '0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
});

test('a repeated parameter is signed once, as Twilio\'s libraries sign it', () => {
  const url = 'https://relais.example.com/transports/http/status/t';
  assert.equal(twilioSignature('12345', url, [['b', '2'], ['a', '1'], ['a', '0'], ['a', '1']]), twilioSignature('12345', url, [['a', '0'], ['a', '1'], ['b', '2']]));
  assert.notEqual(twilioSignature('12345', url, [['a', '1'], ['b', '1']]), twilioSignature('12345', url, [['a', '1']]), 'one value under two names is two pairs');
});

test('a Twilio signature is right over the URL as given, without its port or credentials, or with the scheme\'s default port; any other URL is wrong', () => {
  const body = 'MessageSid=SM1&MessageStatus=delivered';
  const refused = (publicUrl: string, signedUrl: string) => refuseTwilioSignature('t0ken', {
    url: `${publicUrl}/transports/http/status/abc`, contentType: 'application/x-www-form-urlencoded', body: Buffer.from(body),
    headers: { 'x-twilio-signature': twilioSignature('t0ken', `${signedUrl}/transports/http/status/abc`, new URLSearchParams(body)) },
  });
  const cases: [string, string[], string[]][] = [
    ['https://relais.example.com:8443', ['https://relais.example.com:8443', 'https://relais.example.com'], ['https://relais.example.com:443', 'http://relais.example.com:8443']],
    ['https://relais.example.com:443', ['https://relais.example.com:443', 'https://relais.example.com'], ['https://relais.example.com:8443']],
    ['https://relais.example.com', ['https://relais.example.com', 'https://relais.example.com:443'], ['https://relais.example.com:80', 'https://relais.example.com:8443', 'https://other.example.com']],
    ['http://relais.example.com/base', ['http://relais.example.com/base', 'http://relais.example.com:80/base'], ['http://relais.example.com:443/base', 'http://relais.example.com']],
    ['https://user:pa%40ss@relais.example.com', ['https://user:pa%40ss@relais.example.com', 'https://relais.example.com', 'https://relais.example.com:443', 'https://user:pa%40ss@relais.example.com:443'],
      ['https://user:other@relais.example.com']],
  ];
  for (const [publicUrl, right, wrong] of cases) {
    for (const signed of right) assert.equal(refused(publicUrl, signed), undefined, `${publicUrl} signed as ${signed}`);
    for (const signed of wrong) assert.equal(refused(publicUrl, signed), 'a wrong X-Twilio-Signature', `${publicUrl} signed as ${signed}`);
  }
});

test('a server that sends through http warns at start when RELAIS_PUBLIC_URL is not https (its provider could not call back nor fetch audio)', async () => {
  for (const [env, warned] of [[{}, true], [{ RELAIS_PUBLIC_URL: 'http://relais.example.com' }, true], [{ RELAIS_PUBLIC_URL: 'https://relais.example.com' }, false]] as const) {
    const warnings = (await startupWarnings({ ...HTTP, RELAIS_HTTP_URL: 'http://127.0.0.1:9/send', ...env })).filter((w) => w.startsWith('RELAIS_PUBLIC_URL'));
    assert.deepEqual(warnings, warned
      ? ['RELAIS_PUBLIC_URL is not an https address: the HTTP provider cannot reach the status callback and audio URLs it is given (no delivery receipts, no uploaded audio played); set it to the public https address of this server']
      : [], JSON.stringify(env));
  }
});
