import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { AUDIO_TOKEN_LENGTH, uploadAudioFile } from '../../src/core/audio-files.js';
import { scheduleMessage } from '../../src/core/schedule.js';
import { dropContent } from '../../src/core/voice.js';
import type { SendResult, Transport, TransportMessage, TransportRecipient } from '../../src/core/transport.js';
import { httpModule } from '../../src/transports/http/module.js';
import { Espeak } from '../../src/tts/espeak.js';
import { ledgerInvariant, startTestApp, type TestApp } from '../helpers/app.js';
import { FakeClock } from '../helpers/clock.js';
import { eachDialect, phone, SMS_PRICE } from '../helpers/dispatch.js';
import { sample } from '../helpers/metrics.js';
import { mp3File, wavFile } from '../api/dialects/voicepartner/support.js';
import { TestHttpProvider } from './http-provider.js';

const provider = await new TestHttpProvider().start();
after(() => provider.close());
const espeak = new Espeak();
const noEspeak = (await espeak.available()) || process.env.CI === 'true' ? false : 'espeak-ng not installed (apt-get install espeak-ng)';

const HOUR = 3_600_000;
const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TWILIO = {
  RELAIS_SMS_TRANSPORT: 'http', RELAIS_VOICE_TRANSPORT: 'http', RELAIS_HTTP_PRESET: 'twilio', RELAIS_HTTP_URL: provider.url,
  RELAIS_HTTP_AUTH: `basic:${ACCOUNT}:s3cr:et`, RELAIS_HTTP_FROM: '+33100000000', RELAIS_PUBLIC_URL: 'https://relais.example.com',
};
const WEBHOOK = {
  RELAIS_SMS_TRANSPORT: 'http', RELAIS_VOICE_TRANSPORT: 'http', RELAIS_HTTP_URL: `${provider.url}/hook`,
  RELAIS_HTTP_AUTH: 'header:X-Api-Key:k3y', RELAIS_PUBLIC_URL: 'https://relais.example.com/base',
};

const since = (n: number) => provider.requests.slice(n);

/** What the native API reports of a message's recipients, by address. */
async function recipients(t: TestApp, key: string, id: number): Promise<any[]> {
  const res = await t.request('GET', `/api/v1/messages/${id}/recipients`, { key });
  assert.equal(res.status, 200, res.text);
  return res.body.items;
}

/** An SMS sent now through the API and the dispatcher: its creation answer and its recipient as the API reports it. */
async function sendSms(t: TestApp, key: string, to: string): Promise<{ sent: { body: { id: number } }; r: any }> {
  const sent = await t.request('POST', '/api/v1/messages', { key, body: { channel: 'sms', to: [to], text: 'x' } });
  assert.equal(sent.status, 201, sent.text);
  await t.dispatcher.drain();
  return { sent, r: (await recipients(t, key, sent.body.id))[0] };
}

/** Posts a provider's status callback to the path of the URL the transport gave it. */
const callback = (t: TestApp, url: string, raw: string, type: string, headers: Record<string, string> = {}) =>
  t.request('POST', new URL(url).pathname.replace(/^\/base/, ''), { raw, headers: { 'content-type': type, ...headers } });

/**
 * What Twilio signs, as its "Validating Requests" page says: HMAC-SHA1 with the auth token of the
 * URL it requested, then each POST parameter's name and value, sorted by name; base64.
 */
function twilioSigned(url: string, raw: string, type: string, authToken = 's3cr:et'): Record<string, string> {
  const params = type.startsWith('application/x-www-form-urlencoded') ? [...new URLSearchParams(raw)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : [];
  return { 'x-twilio-signature': createHmac('sha1', authToken).update(url + params.map(([k, v]) => k + v).join('')).digest('base64') };
}

/** A status callback as Twilio posts it: signed. */
const twilioCallback = (t: TestApp, url: string, raw: string, type: string) => callback(t, url, raw, type, twilioSigned(url, raw, type));

async function balanceIs(t: TestApp, accountId: number, expected: number): Promise<void> {
  const { balance, sum } = await ledgerInvariant(t.store, accountId);
  assert.equal(sum, balance, 'balance equals the sum of the ledger');
  assert.equal(balance, expected);
}

eachDialect('HTTP transport, twilio preset', (dialect) => {
  test('an SMS is the Messages form with basic auth; its status callbacks make it delivered, intermediate ones change nothing', async () => {
    const t = await startTestApp({ dialect, env: TWILIO });
    try {
      const { id, apiKey } = await t.account('10');
      const first = provider.requests.length;
      const sent = await t.request('POST', '/api/v1/messages', { key: apiKey, body: { channel: 'sms', to: [phone(1)], text: 'Ça & co: 100% =ok', sendAt: new Date(t.clock.now() + HOUR).toISOString() } });
      assert.equal(sent.status, 201, sent.text);
      t.clock.advance(HOUR);
      assert.equal(await t.dispatcher.drain(), 1);
      const [req] = since(first);
      const statusUrl = t.core.providerCallbacks.url('http');
      assert.match(statusUrl, /^https:\/\/relais\.example\.com\/transports\/http\/status\/[A-Za-z0-9_-]{43}$/);
      assert.equal(req.method, 'POST');
      assert.equal(req.path, `/2010-04-01/Accounts/${ACCOUNT}/Messages.json`);
      assert.equal(req.headers.authorization, `Basic ${Buffer.from(`${ACCOUNT}:s3cr:et`).toString('base64')}`);
      assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(req.body, new URLSearchParams({ To: phone(1), From: '+33100000000', Body: 'Ça & co: 100% =ok', StatusCallback: statusUrl }).toString());
      // Named no sender: recorded with the one it went out with, which a STOP to it is attributed by.
      assert.deepEqual(await t.store.autocommit.smsSentTo(phone(1), 'http', 0, 10), [{ accountId: id, sender: '+33100000000' }]);
      const [r] = await recipients(t, apiKey, sent.body.id);
      assert.equal(r.status, 'sent');
      const sid = `SM${String(provider.requests.length).padStart(32, '0')}`;
      assert.equal(r.providerId, sid);

      for (const status of ['queued', 'sent']) {
        const res = await twilioCallback(t, statusUrl, `MessageSid=${sid}&MessageStatus=${status}&AccountSid=${ACCOUNT}`, 'application/x-www-form-urlencoded');
        assert.equal(res.status, 204, res.text);
      }
      assert.equal((await recipients(t, apiKey, sent.body.id))[0].status, 'sent', 'an intermediate status changes nothing');
      const res = await twilioCallback(t, statusUrl, `SmsSid=${sid}&MessageSid=${sid}&MessageStatus=delivered`, 'application/x-www-form-urlencoded; charset=utf-8');
      assert.equal(res.status, 204, res.text);
      assert.equal((await recipients(t, apiKey, sent.body.id))[0].status, 'delivered');
      const metrics = (await t.request('GET', '/metrics')).text;
      assert.equal(sample(metrics, 'relais_receipts_total', 'transport="http",outcome="settled"'), 1, 'one receipt counted once');
      assert.deepEqual((await t.store.autocommit.listWebhooks({ messageId: sent.body.id })).map((w) => w.event), []);
      await balanceIs(t, id, 10_000 - SMS_PRICE);
    } finally {
      await t.close();
    }
  });

  test('a call is the Calls form with its text as TwiML <Say>; busy makes it undelivered, refunded with RELAIS_REFUND_UNDELIVERED', async () => {
    const t = await startTestApp({ dialect, env: { ...TWILIO, RELAIS_REFUND_UNDELIVERED: 'true' } });
    try {
      const { id } = await t.account('10');
      const first = provider.requests.length;
      const { message: m } = await scheduleMessage(t.core, id, {
        channel: 'voice', recipients: [phone(2)], sendAt: t.clock.now() + HOUR,
        content: { channel: 'voice', text: 'Rendez-vous <demain> à 9h & "merci"', audioUrl: null, sender: null, lang: 'fr' },
      });
      const price = (await t.store.autocommit.getAccount(id))!.balance;
      t.clock.set(m.sendAt);
      assert.equal(await t.dispatcher.drain(), 1);
      const [req] = since(first);
      assert.equal(req.path, `/2010-04-01/Accounts/${ACCOUNT}/Calls.json`);
      assert.deepEqual(req.fields, {
        To: phone(2), From: '+33100000000', StatusCallback: t.core.providerCallbacks.url('http'),
        Twiml: '<Response><Say language="fr-FR">Rendez-vous &#60;demain&#62; à 9h &#38; &#34;merci&#34;</Say></Response>',
      });
      const [r] = await t.store.autocommit.getRecipients(m.id);
      assert.match(r.providerId!, /^CA\d{32}$/);
      const form = `CallSid=${r.providerId}&CallStatus=busy&AccountSid=${ACCOUNT}`;
      assert.equal((await twilioCallback(t, t.core.providerCallbacks.url('http'), form, 'application/x-www-form-urlencoded')).status, 204);
      assert.equal((await twilioCallback(t, t.core.providerCallbacks.url('http'), form, 'application/x-www-form-urlencoded')).status, 204, 'a repeat is acknowledged');
      const [after] = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual([after.status, after.error], ['undelivered', 'busy']);
      const refunds = (await t.store.autocommit.listLedger(id, { limit: 10 })).filter((e) => e.kind === 'refund');
      assert.deepEqual(refunds.map((e) => [e.messageId, e.cause]), [[m.id, `message ${m.id}: undelivered`]]);
      await balanceIs(t, id, 10_000);
      assert.ok(price < 10_000);
    } finally {
      await t.close();
    }
  });

  test('status callbacks: a wrong token or transport is 404; a body without id or status, not JSON or not a form, is 400; nothing changes', async () => {
    const t = await startTestApp({ dialect, env: TWILIO });
    try {
      const { id, apiKey } = await t.account('10');
      const { sent, r } = await sendSms(t, apiKey, phone(3));
      const url = t.core.providerCallbacks.url('http');
      const good = `MessageSid=${r.providerId}&MessageStatus=undelivered&ErrorCode=30003`;
      const form = 'application/x-www-form-urlencoded';
      const wrong = url.slice(0, -1) + (url.endsWith('A') ? 'B' : 'A');
      for (const u of [wrong, url.replace('/http/', '/smtp/'), url.replace('/http/', '/outbox/'), `${url}x`]) {
        const res = await twilioCallback(t, u, good, form);
        assert.equal(res.status, 404, u);
        assert.equal(res.body.code, 'not_found');
      }
      for (const [raw, type] of [['MessageStatus=delivered', form], [`MessageSid=${r.providerId}`, form], ['{"MessageSid":', 'application/json'],
        [good, 'text/plain'], ['[]', 'application/json'], [JSON.stringify({ MessageSid: r.providerId, MessageStatus: 7 }), 'application/json']]) {
        const res = await twilioCallback(t, url, raw, type);
        assert.equal(res.status, 400, `${type} ${raw}: ${res.text}`);
        assert.equal(res.body.code, 'invalid_request');
      }
      const big = await twilioCallback(t, url, `${good}&pad=${'x'.repeat(70_000)}`, form);
      assert.equal(big.status, 413);
      assert.equal((await recipients(t, apiKey, sent.body.id))[0].status, 'sent');
      const res = await twilioCallback(t, url, good, form);
      assert.equal(res.status, 204);
      const [after] = await t.store.autocommit.getRecipients(sent.body.id);
      assert.deepEqual([after.status, after.error], ['undelivered', 'undelivered']);
      const events = (await t.store.autocommit.getEvents(sent.body.id)).filter((e) => e.type === 'undelivered');
      assert.deepEqual(events.map((e) => e.data), [{ providerId: r.providerId, reason: 'undelivered', providerCode: '30003' }]);
      await balanceIs(t, id, 10_000 - SMS_PRICE);
    } finally {
      await t.close();
    }
  });

  test('status callbacks: a missing or wrong X-Twilio-Signature, or one over the URL the request came to instead of the one Twilio was given, is 403 and records nothing', async () => {
    const t = await startTestApp({ dialect, env: TWILIO });
    try {
      const { id, apiKey } = await t.account('10');
      const { sent, r } = await sendSms(t, apiKey, phone(5));
      const url = t.core.providerCallbacks.url('http');
      const form = 'application/x-www-form-urlencoded';
      const raw = `MessageSid=${r.providerId}&MessageStatus=delivered&AccountSid=${ACCOUNT}`;
      const refusals: [Record<string, string>, string][] = [
        [{}, 'no X-Twilio-Signature'],
        [{ 'x-twilio-signature': '' }, 'no X-Twilio-Signature'],
        [twilioSigned(url, raw, form, 'another token'), 'a wrong X-Twilio-Signature'],
        [twilioSigned(`${t.url}${new URL(url).pathname}`, raw, form), 'a wrong X-Twilio-Signature'],
        [twilioSigned(url, raw.replace('delivered', 'undelivered'), form), 'a wrong X-Twilio-Signature'],
      ];
      for (const [headers, why] of refusals) {
        const res = await callback(t, url, raw, form, headers);
        assert.equal(res.status, 403, JSON.stringify(headers));
        assert.deepEqual([res.body.code, res.body.detail], ['forbidden', `not a status callback of the http transport's provider: ${why}`]);
      }
      assert.equal((await recipients(t, apiKey, sent.body.id))[0].status, 'sent');
      assert.equal(sample((await t.request('GET', '/metrics')).text, 'relais_receipts_total', 'transport="http",outcome="settled"'), undefined);
      const res = await callback(t, url, raw, form, twilioSigned(url, raw, form));
      assert.equal(res.status, 204, res.text);
      assert.equal((await recipients(t, apiKey, sent.body.id))[0].status, 'delivered');
      await balanceIs(t, id, 10_000 - SMS_PRICE);
    } finally {
      await t.close();
    }
  });

  test('with an API key (RELAIS_HTTP_ACCOUNT), whose secret signs nothing, callbacks are not checked', async () => {
    const t = await startTestApp({ dialect, env: { ...TWILIO, RELAIS_HTTP_AUTH: 'basic:SK0123456789abcdef0123456789abcdef:k3y', RELAIS_HTTP_ACCOUNT: ACCOUNT } });
    try {
      const { apiKey } = await t.account('10');
      const { sent, r } = await sendSms(t, apiKey, phone(6));
      const res = await callback(t, t.core.providerCallbacks.url('http'), `MessageSid=${r.providerId}&MessageStatus=delivered`, 'application/x-www-form-urlencoded');
      assert.equal(res.status, 204, res.text);
      assert.equal((await recipients(t, apiKey, sent.body.id))[0].status, 'delivered');
    } finally {
      await t.close();
    }
  });

  test('a call whose audio is an uploaded file plays it from a signed URL under RELAIS_PUBLIC_URL that serves its bytes for a day; an altered or expired token is 404', async () => {
    const t = await startTestApp({ dialect, env: TWILIO });
    try {
      const { id } = await t.account('10');
      const wav = wavFile(2);
      const file = await uploadAudioFile(t.core, id, { bytes: wav, name: 'promo' });
      const { content } = await dropContent(t.core, id, file.token, null);
      const first = provider.requests.length;
      const { message: m } = await scheduleMessage(t.core, id, { channel: 'voice', recipients: [phone(7)], sendAt: t.clock.now() + HOUR, content });
      t.clock.set(m.sendAt);
      assert.equal(await t.dispatcher.drain(), 1);
      const [req] = since(first);
      const play = /^<Response><Play>(https:\/\/relais\.example\.com\/transports\/http\/audio\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43})<\/Play><\/Response>$/.exec(String(req.fields.Twiml));
      assert.ok(play, String(req.fields.Twiml));
      assert.equal((await t.store.autocommit.getRecipients(m.id))[0].status, 'sent');

      const get = async (path: string) => {
        const res = await fetch(`${t.url}${path}`);
        return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
      };
      const path = new URL(play[1]).pathname;
      const audio = await get(path);
      assert.deepEqual([audio.status, audio.type], [200, 'audio/wav']);
      assert.ok(audio.bytes.equals(wav), 'the exact bytes uploaded');

      const [body, sig] = path.split('/').pop()!.split('.');
      const [account, token, expires] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      const forged = (fields: unknown[]) => `/transports/http/audio/${Buffer.from(JSON.stringify(fields)).toString('base64url')}.${sig}`;
      const notFound = async (p: string) => {
        const res = await t.request('GET', p);
        assert.deepEqual([res.status, res.body?.code, res.body?.detail], [404, 'not_found', 'no such audio URL'], p);
      };
      for (const p of [`${path.slice(0, -1)}${path.endsWith('A') ? 'B' : 'A'}`, forged([account + 1, token, expires]), forged([account, token, expires + 86_400]),
        path.replace('/http/', '/smtp/'), `${path}.x`]) await notFound(p);
      t.clock.advance(24 * HOUR - 1000);
      assert.equal((await get(path)).status, 200, 'still served a day after the send');
      t.clock.advance(2000);
      await notFound(path);
    } finally {
      await t.close();
    }
  });
});

eachDialect('HTTP transport, webhook preset', (dialect) => {
  test('the message as JSON with the configured header, the answer\'s id as provider id; a JSON callback settles it', async () => {
    const t = await startTestApp({ dialect, env: WEBHOOK });
    try {
      const { id } = await t.account('10');
      const first = provider.requests.length;
      const { message: m } = await scheduleMessage(t.core, id, {
        channel: 'sms', recipients: [phone(4)], sendAt: t.clock.now() + HOUR, content: { channel: 'sms', text: 'say "hi"', sender: 'Relais', unicode: false },
      });
      t.clock.set(m.sendAt);
      await t.dispatcher.drain();
      const [req] = since(first);
      const [r] = await t.store.autocommit.getRecipients(m.id);
      const url = t.core.providerCallbacks.url('http');
      assert.match(url, /^https:\/\/relais\.example\.com\/base\/transports\/http\/status\//);
      assert.equal(req.path, '/hook');
      assert.equal(req.headers['x-api-key'], 'k3y');
      assert.equal(req.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(req.body), {
        channel: 'sms', to: phone(4), from: 'Relais', text: 'say "hi"', audioUrl: null, lang: null,
        messageId: m.id, recipientId: r.id, statusCallbackUrl: url,
      });
      assert.equal(r.providerId, `wh-${provider.requests.length}`);
      const at = m.sendAt + 2000;
      const res = await callback(t, url, JSON.stringify([{ id: r.providerId, status: 'DELIVERED', at: new Date(at).toISOString() }]), 'application/json');
      assert.equal(res.status, 204, res.text);
      const [after] = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual([after.status, after.updatedAt], ['delivered', at]);
    } finally {
      await t.close();
    }
  });
});

test('with RELAIS_PUBLIC_URL on a port, a callback Twilio signed over the URL without it settles the message', async () => {
  const t = await startTestApp({ env: { ...TWILIO, RELAIS_PUBLIC_URL: 'https://relais.example.com:8443' } });
  try {
    const { apiKey } = await t.account('10');
    const { sent, r } = await sendSms(t, apiKey, phone(10));
    const url = t.core.providerCallbacks.url('http');
    assert.match(url, /^https:\/\/relais\.example\.com:8443\/transports\/http\/status\//);
    const raw = `MessageSid=${r.providerId}&MessageStatus=delivered`;
    const form = 'application/x-www-form-urlencoded';
    const res = await callback(t, url, raw, form, twilioSigned(url.replace(':8443', ''), raw, form));
    assert.equal(res.status, 204, res.text);
    assert.equal((await recipients(t, apiKey, sent.body.id))[0].status, 'delivered');
  } finally {
    await t.close();
  }
});

test('a spoken call gives a webhook receiver its text and no audio URL though Relais synthesised its speech; an uploaded file\'s call gives its URL', { skip: noEspeak }, async () => {
  const t = await startTestApp({ env: WEBHOOK });
  t.core.synthesizer = espeak;
  try {
    const { id, apiKey } = await t.account('10');
    const file = await uploadAudioFile(t.core, id, { bytes: wavFile(1), name: 'promo' });
    const first = provider.requests.length;
    const spoken = await t.request('POST', '/api/v1/messages', { key: apiKey, body: { channel: 'voice', to: [phone(8)], text: 'Bonjour', lang: 'fr' } });
    assert.equal(spoken.status, 201, spoken.text);
    assert.equal(typeof spoken.body.content.audioToken, 'string', 'its speech was synthesised and stored');
    await scheduleMessage(t.core, id, { channel: 'voice', recipients: [phone(9)], sendAt: t.clock.now(), content: (await dropContent(t.core, id, file.token, null)).content });
    assert.equal(await t.dispatcher.drain(), 2);
    const bodies = Object.fromEntries(since(first).map((req) => JSON.parse(req.body)).map((b) => [b.to, b]));
    assert.deepEqual([bodies[phone(8)].text, bodies[phone(8)].lang, bodies[phone(8)].audioUrl], ['Bonjour', 'fr', null]);
    assert.equal(bodies[phone(9)].text, null);
    assert.match(bodies[phone(9)].audioUrl, /^https:\/\/relais\.example\.com\/base\/transports\/http\/audio\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  } finally {
    t.core.synthesizer = null;
    await t.close();
  }
});

test('audio URLs: the longest token (largest account id, a file token) passes the router; an MP3 is served as audio/mpeg; HEAD answers as GET without the bytes', async () => {
  const t = await startTestApp({ env: TWILIO });
  try {
    const longest = new URL(t.core.providerCallbacks.audioUrl('http', { accountId: Number.MAX_SAFE_INTEGER, audioToken: 'Z'.repeat(AUDIO_TOKEN_LENGTH) })).pathname;
    assert.ok(longest.split('/').pop()!.length <= 100, longest);
    const unknown = await t.request('GET', longest);
    assert.deepEqual([unknown.status, unknown.body?.detail], [404, 'no such audio URL'], 'the route was reached');

    const { id } = await t.account('10');
    const mp3 = mp3File(100);
    const file = await uploadAudioFile(t.core, id, { bytes: mp3, name: 'annonce' });
    const path = new URL(t.core.providerCallbacks.audioUrl('http', { accountId: id, audioToken: file.token })).pathname;
    const get = await fetch(`${t.url}${path}`);
    assert.deepEqual([get.status, get.headers.get('content-type'), get.headers.get('content-length')], [200, 'audio/mpeg', String(mp3.length)]);
    assert.ok(Buffer.from(await get.arrayBuffer()).equals(mp3), 'the exact bytes uploaded');
    const head = await fetch(`${t.url}${path}`, { method: 'HEAD' });
    assert.deepEqual([head.status, head.headers.get('content-type'), head.headers.get('content-length'), head.headers.get('cache-control')], [200, 'audio/mpeg', String(mp3.length), 'private, no-store']);
    assert.equal((await head.arrayBuffer()).byteLength, 0);
  } finally {
    await t.close();
  }
});

/** A transport built as the module builds it, against the test provider, counting throttles. */
function transport(env: Record<string, string>, throttled: string[]): Transport {
  const values = Object.fromEntries(Object.entries(httpModule.settings).map(([k, s]) => [k, env[`RELAIS_HTTP_${k}`] ?? s.default]));
  return httpModule.create(httpModule.parse(values), {
    clock: new FakeClock(), outbox: { insertOutbox: async () => [] }, links: null as never, observer: { throttled: (name) => throttled.push(name) },
  });
}

const MESSAGE: TransportMessage = { accountId: 1, messageId: 7, channel: 'sms', sendAt: 0, metadata: null };
const to = (i: number): TransportRecipient => ({ recipientId: i, address: phone(100 + i), content: { channel: 'sms', text: 'hi', sender: null, unicode: false } });
const sendOne = async (t: Transport, i: number): Promise<SendResult> => (await t.send(MESSAGE, [to(i)], { signal: new AbortController().signal }))[0];

test('answers: accepted, 429 and 503 retryable (429 counted as throttling), 400 and 302 permanent with the provider\'s words, no id or a huge answer permanent, a timeout retryable', async () => {
  const throttled: string[] = [];
  const t = transport({ ...TWILIO, RELAIS_HTTP_TIMEOUT_MS: '300' }, throttled);
  try {
    const twilioError = JSON.stringify({ code: 21211, message: 'The \'To\' number is not a valid phone number.', more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 });
    const plan: [number, Parameters<TestHttpProvider['answerNext']>[1][number], SendResult | RegExp][] = [
      [1, { status: 429, body: JSON.stringify({ code: 20429, message: 'Too Many Requests' }) }, { ok: false, retryable: true, reason: 'HTTP 429: Too Many Requests', providerCode: '20429' }],
      [2, { status: 503, body: '<html>Service Unavailable</html>' }, { ok: false, retryable: true, reason: 'HTTP 503: <html>Service Unavailable</html>', providerCode: '503' }],
      [3, { status: 400, body: twilioError }, { ok: false, retryable: false, reason: 'HTTP 400: The \'To\' number is not a valid phone number.', providerCode: '21211' }],
      [4, { status: 302, body: '' }, { ok: false, retryable: false, reason: 'HTTP 302', providerCode: '302' }],
      [5, { status: 201, body: 'not json' }, { ok: false, retryable: false, reason: 'HTTP 201 without a provider id at "sid" in its JSON answer', providerCode: '201' }],
      [6, { status: 201, body: JSON.stringify({ sid: { nested: true } }) }, { ok: false, retryable: false, reason: 'HTTP 201 without a provider id at "sid" in its JSON answer', providerCode: '201' }],
      [7, 'huge', { ok: false, retryable: false, reason: 'HTTP 200 without a provider id at "sid" in its JSON answer', providerCode: '200' }],
      [8, 'hang', { ok: false, retryable: true, reason: 'the provider did not answer within 300 ms', providerCode: 'ETIMEDOUT' }],
      [9, { status: 201, body: JSON.stringify({ sid: 'SMabc', status: 'queued' }) }, { ok: true, providerId: 'SMabc' }],
    ];
    for (const [i, answer] of plan) provider.answerNext(phone(100 + i), [answer]);
    for (const [i, , expected] of plan) assert.deepEqual(await sendOne(t, i), expected, `send ${i}`);
    assert.deepEqual(throttled, ['http']);
  } finally {
    await t.close();
  }
});

test('a provider that cannot be reached is retryable with the error\'s code; a call with neither text nor audio URL fails without a request', async () => {
  const t = transport({ ...WEBHOOK, RELAIS_HTTP_URL: 'http://127.0.0.1:9/none' }, []);
  try {
    const result = await sendOne(t, 20);
    assert.deepEqual(result.ok ? result : [result.retryable, result.providerCode], [true, 'ECONNREFUSED']);
    const n = provider.requests.length;
    const call = { recipientId: 21, address: phone(121), content: { channel: 'voice' as const, text: null, audioUrl: null, sender: null, audioToken: 'abcdefghij' } };
    const [r] = await t.send({ ...MESSAGE, channel: 'voice' }, [call], { signal: new AbortController().signal });
    assert.deepEqual(r, { ok: false, retryable: false, reason: 'the http transport calls with a text to speak, an audio URL or an audio file it can serve; this call has none' });
    assert.equal(provider.requests.length, n);
  } finally {
    await t.close();
  }
});

test('a call with an audio URL plays it (TwiML <Play>)', async () => {
  const t = transport(TWILIO, []);
  try {
    const n = provider.requests.length;
    const call = { recipientId: 22, address: phone(122), content: { channel: 'voice' as const, text: 'ignored', audioUrl: 'https://cdn.example.com/a.mp3?x=1&y=2', sender: '+33199999999' } };
    const [r] = await t.send({ ...MESSAGE, channel: 'voice' }, [call], { signal: new AbortController().signal });
    assert.equal(r.ok, true);
    assert.equal(since(n)[0].fields.Twiml, '<Response><Play>https://cdn.example.com/a.mp3?x=1&#38;y=2</Play></Response>');
    assert.equal(since(n)[0].fields.From, '+33199999999');
    assert.equal(since(n)[0].fields.StatusCallback, undefined, 'no status URL offered: the field is left out');
  } finally {
    await t.close();
  }
});

test('a status callback that comes before the provider answered the send is kept, and settles the recipient when the send is recorded', async () => {
  let callbackUrl = '';
  const answers: number[] = [];
  // A fast provider: reports the final status first, then answers the send.
  const fast = createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      const cb = await fetch(callbackUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'early-1', status: 'delivered' }) });
      answers.push(cb.status);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'early-1' }));
    });
  });
  await new Promise<void>((resolve) => fast.listen(0, '127.0.0.1', resolve));
  const t = await startTestApp({ env: { RELAIS_SMS_TRANSPORT: 'http', RELAIS_HTTP_URL: `http://127.0.0.1:${(fast.address() as AddressInfo).port}/`, RELAIS_PUBLIC_URL: 'https://relais.example.com' } });
  try {
    callbackUrl = t.url + new URL(t.core.providerCallbacks.url('http')).pathname;
    const { id, apiKey } = await t.account('10');
    const sent = await t.request('POST', '/api/v1/messages', { key: apiKey, body: { channel: 'sms', to: [phone(1)], text: 'hi' } });
    assert.equal(sent.status, 201, sent.text);
    await t.dispatcher.drain();
    assert.deepEqual(answers, [204]);
    const [r] = await t.store.autocommit.getRecipients(sent.body.id);
    assert.deepEqual([r!.status, r!.providerId], ['delivered', 'early-1']);
    await balanceIs(t, id, 10_000 - SMS_PRICE);
  } finally {
    await t.close();
    fast.closeAllConnections();
    await new Promise((resolve) => fast.close(resolve));
  }
});
