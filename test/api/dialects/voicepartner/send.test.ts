import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listWebhooks } from '../../../../src/core/webhooks.js';
import { parisTimestamp } from '../partner/http.js';
import { ADMIN_TOKEN } from '../../../helpers/app.js';
import type { Synthesizer } from '../../../../src/core/speech.js';
import { assertLedger, errorBody, uploaded, voiceApp, withSynthesizer, xmlOf, type VoiceApp } from './support.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const drop = (v: VoiceApp, body: Record<string, unknown>) => v.request('POST', '/campaign/send', { body });
const tts = (v: VoiceApp, body: Record<string, unknown>) => v.request('POST', '/tts/send', { body });

function assertAnswer(r: { status: number; text: string }, status: number, text: string): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.text, text);
}

voiceApp('Voice Partner sends', (app) => {
  test('a voice-mail drop: exact body, one message per campaign id, the price debited', async () => {
    const v = app();
    const a = await v.account('10');
    const token = await uploaded(v, a.apiKey);
    const r = await drop(v, { apiKey: a.apiKey, tokenAudio: token, phoneNumbers: '0612345678, +33698765432,+447911123456' });
    assert.equal(r.status, 200, r.text);
    assert.match(r.body.campaignId, /^[A-Za-z0-9]{10}$/);
    assert.equal(r.text, JSON.stringify({
      success: true, campaignId: r.body.campaignId, cost: 0.45, currency: 'EUR', nbSms: 3,
      audioFile: { filename: 'annonce.wav', size: '113.3Ko' },
      detail: { 33: { nbSms: 2, cost_unity: 0.15, cost: 0.3 }, 44: { nbSms: 1, cost_unity: 0.15, cost: 0.15 } },
    }));
    await assertLedger(v.t, a.id, 10_000 - 450);
    const [m, ...rest] = await v.t.store.autocommit.listMessages({ accountId: a.id, batchId: r.body.campaignId }, { limit: 5 });
    assert.equal(rest.length, 0);
    assert.deepEqual(m!.content, { channel: 'voice', text: null, audioUrl: null, sender: null, audioToken: token, durationMs: 7250 });
  });

  test('upload → list → rename → drop at a date → cancel → refund; a second cancel is refused', async () => {
    const v = app();
    const a = await v.account('10');
    const token = await uploaded(v, a.apiKey);
    assert.equal((await v.request('GET', `/audios/${a.apiKey}`)).body.nb_datas, 1);
    assertAnswer(await v.request('POST', '/audio-file/rename', { body: { apiKey: a.apiKey, tokenAudio: token, filename: 'promo-noel' } }), 200,
      JSON.stringify({ success: true, filename: 'promo-noel', tokenAudio: token }));
    assert.deepEqual((await v.request('GET', `/audios/${a.apiKey}`)).body.datas.map((d: { name: string; token: string }) => [d.name, d.token]), [['promo-noel', token]]);
    const at = v.t.clock.now() + DAY;
    const r = await drop(v, { apiKey: a.apiKey, tokenAudio: token, phoneNumbers: '0612345678,0698765432', scheduledDate: parisTimestamp(at) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.audioFile.filename, 'promo-noel.wav', 'the drop plays the renamed file');
    const [m] = await v.t.store.autocommit.listMessages({ accountId: a.id, batchId: r.body.campaignId }, { limit: 1 });
    assert.equal(m!.sendAt, at);
    await assertLedger(v.t, a.id, 9_700);

    const c = await v.request('DELETE', `/campaign/cancel/${a.apiKey}/${r.body.campaignId}`, { headers: { 'cache-control': 'no-cache' } });
    assertAnswer(c, 200, JSON.stringify({ success: true, campaignId: r.body.campaignId, assignedCredit: '0.3', currency: 'EUR' }));
    await assertLedger(v.t, a.id, 10_000);
    assertAnswer(await v.request('DELETE', `/campaign/cancel/${a.apiKey}/${r.body.campaignId}`), 400, errorBody(400, 'Mauvaise requête'));
    await assertLedger(v.t, a.id, 10_000);
  });

  test('cancel, query form; concurrent cancels refund once', async () => {
    const v = app();
    const a = await v.account('10');
    const token = await uploaded(v, a.apiKey);
    const r = await drop(v, { apiKey: a.apiKey, tokenAudio: token, phoneNumbers: '0612345678', scheduledDate: parisTimestamp(v.t.clock.now() + DAY) });
    const answers = await Promise.all(Array.from({ length: 5 }, () => v.request('DELETE', `/campaign/cancel?apiKey=${a.apiKey}&campaignId=${r.body.campaignId}`)));
    assert.deepEqual(answers.map((x) => x.status).sort(), [200, 400, 400, 400, 400]);
    assert.equal(answers.find((x) => x.status === 200)!.body.assignedCredit, '0.15');
    await assertLedger(v.t, a.id, 10_000);
  });

  test('cancel refused: immediate, within the cutoff, unknown, another account\'s, a wrong or missing key, an empty id', async () => {
    const v = app();
    const a = await v.account('10');
    const b = await v.account('10');
    const token = await uploaded(v, a.apiKey);
    const now = await drop(v, { apiKey: a.apiKey, tokenAudio: token, phoneNumbers: '0612345678' });
    const soon = await drop(v, { apiKey: a.apiKey, tokenAudio: token, phoneNumbers: '0612345678', scheduledDate: parisTimestamp(v.t.clock.now() + 4 * 60_000) });
    const later = await drop(v, { apiKey: a.apiKey, tokenAudio: token, phoneNumbers: '0612345678', scheduledDate: parisTimestamp(v.t.clock.now() + DAY) });
    const BAD = errorBody(400, 'Mauvaise requête');
    const NOT_FOUND = errorBody(404, 'Ressource non trouvé.');
    const UNAUTHORIZED = errorBody(10, 'Action non autorisé.');
    assertAnswer(await v.request('DELETE', `/campaign/cancel/${a.apiKey}/${now.body.campaignId}`), 400, BAD);
    assertAnswer(await v.request('DELETE', `/campaign/cancel/${a.apiKey}/${soon.body.campaignId}`), 400, BAD);
    assertAnswer(await v.request('DELETE', `/campaign/cancel/${a.apiKey}/Zz0000000Z`), 404, NOT_FOUND);
    assertAnswer(await v.request('DELETE', `/campaign/cancel/${b.apiKey}/${later.body.campaignId}`), 404, NOT_FOUND);
    assertAnswer(await v.request('DELETE', `/campaign/cancel/wrong-key/${later.body.campaignId}`), 401, UNAUTHORIZED);
    assertAnswer(await v.request('DELETE', `/campaign/cancel?campaignId=${later.body.campaignId}`), 401, UNAUTHORIZED);
    assertAnswer(await v.request('DELETE', `/campaign/cancel?apiKey=${a.apiKey}`), 400, BAD);
    for (const path of [`/campaign/cancel/${a.apiKey}/`, `/campaign/cancel/${a.apiKey}/%20`, `/campaign/cancel//${later.body.campaignId}`]) {
      const r = await v.request('DELETE', path);
      assert.ok(r.status >= 400 && r.status < 500, `${path}: ${r.status} ${r.text}`);
    }
    await assertLedger(v.t, a.id, 10_000 - 450);
    await assertLedger(v.t, b.id, 10_000);
  });

  test('documented send errors, each with its HTTP status; nothing is debited', async () => {
    const v = app();
    const a = await v.account('10');
    const b = await v.account('10');
    const token = await uploaded(v, a.apiKey);
    const theirs = await uploaded(v, b.apiKey);
    const base = { apiKey: a.apiKey, tokenAudio: token, phoneNumbers: '0612345678' };
    const cases: [Record<string, unknown>, number, string | number, string][] = [
      [{ phoneNumbers: undefined }, 400, 'PHONE_NUMBER_REQUIRED', 'Le numéro de téléphone est requis'],
      [{ phoneNumbers: ' , ' }, 400, 'PHONE_NUMBER_REQUIRED', 'Le numéro de téléphone est requis'],
      [{ phoneNumbers: Array.from({ length: 501 }, (_, i) => `06${String(12_000_000 + i).padStart(8, '0')}`).join(',') }, 400, 'PHONE_NUMBER_SIZE_ERROR', 'Le nombre de numéros est supérieur à 500'],
      [{ phoneNumbers: '0612345678,12' }, 400, 'DESTINATION_INVALID', 'Le numéro de téléphone n’est pas autorisé'],
      [{ tokenAudio: undefined }, 400, 'TOKEN_AUDIO_REQUIRED', 'Le token de l’audio est requis'],
      [{ tokenAudio: 'Zz0000000Z' }, 404, 'AUDIO_FILE_NOT_FOUND', 'Le fichier audio est introuvable'],
      [{ tokenAudio: theirs }, 404, 'AUDIO_FILE_NOT_FOUND', 'Le fichier audio est introuvable'],
      [{ notifyUrl: 'ftp://example.com/x' }, 400, 'NOTIFY_URL_INVALID', 'L’url de notification est invalide'],
      [{ notifyUrl: 'pas une url' }, 400, 'NOTIFY_URL_INVALID', 'L’url de notification est invalide'],
      [{ sender: 'MaMarque' }, 400, 'SENDER_INVALID', 'Le sender est invalide'],
      [{ sender: '0611111111' }, 403, 'SENDER_NOT_AUTHORIZED', 'Le sender n’est pas autorisé'],
      [{ sender: { number: '0611111111' } }, 400, 'SENDER_INVALID', 'Le sender est invalide'],
      [{ scheduledDate: '2026-13-01 10:00:00' }, 400, 400, 'Mauvaise requête'],
      [{ scheduledDate: 'demain' }, 400, 400, 'Mauvaise requête'],
      [{ scheduledDate: '2020-01-01 10:00:00' }, 400, 400, 'Mauvaise requête'],
      [{ scheduledDate: '2027-01-01 10:00:99' }, 400, 400, 'Mauvaise requête'],
      [{ apiKey: 'wrong' }, 401, 10, 'Clé API incorrecte'],
    ];
    for (const [change, status, code, message] of cases) {
      v.t.clock.advance(61_000); // past campaign/send's 5 a minute
      const r = await drop(v, { ...base, ...change });
      assertAnswer(r, status, errorBody(code, message));
      // The TTS send shares the fields' rules (its rate limit is per hour: these calls all pass).
      if (!('tokenAudio' in change)) assertAnswer(await tts(v, { ...base, tokenAudio: undefined, text: 'Bonjour', ...change }), status, errorBody(code, message));
    }
    // Text where text is expected: an object is refused, not taken for an absent value.
    for (const change of [{ text: { a: 1 } }, { text: ['Bonjour'] }, { lang: { a: 1 } }]) {
      assertAnswer(await tts(v, { ...base, tokenAudio: undefined, text: 'Bonjour', ...change }), 400, errorBody(400, 'Mauvaise requête'));
    }
    await assertLedger(v.t, a.id, 10_000);
    assert.equal((await v.t.store.autocommit.listMessages({ accountId: a.id }, { limit: 5 })).length, 0);
  });

  test('the caller id: the account\'s default sender number is authorised, as typed nationally or internationally', async () => {
    const v = app();
    const a = await v.account('10');
    await v.t.store.autocommit.setDefaultSender(a.id, '+33611111111');
    const token = await uploaded(v, a.apiKey);
    const r = await drop(v, { apiKey: a.apiKey, tokenAudio: token, phoneNumbers: '0612345678', sender: '06 11 11 11 11' });
    assert.equal(r.status, 200, r.text);
    const [m] = await v.t.store.autocommit.listMessages({ accountId: a.id, batchId: r.body.campaignId }, { limit: 1 });
    assert.equal(m!.content.channel === 'voice' && m!.content.sender, '+33611111111');
    assertAnswer(await drop(v, { apiKey: a.apiKey, tokenAudio: token, phoneNumbers: '0612345678', sender: '0622222222' }), 403, errorBody('SENDER_NOT_AUTHORIZED', 'Le sender n’est pas autorisé'));
  });

  test('NOT_CREDIT (402): nothing stored, nothing debited', async () => {
    const v = app();
    const a = await v.account('0.2');
    const token = await uploaded(v, a.apiKey);
    assertAnswer(await drop(v, { apiKey: a.apiKey, tokenAudio: token, phoneNumbers: '0612345678,0698765432' }), 402, errorBody('NOT_CREDIT', 'Crédit insuffisant'));
    assertAnswer(await tts(v, { apiKey: a.apiKey, text: 'Bonjour', phoneNumbers: '0612345678,0698765432' }), 402, errorBody('NOT_CREDIT', 'Crédit insuffisant'));
    await assertLedger(v.t, a.id, 200);
    assert.equal((await v.t.store.autocommit.listMessages({ accountId: a.id }, { limit: 5 })).length, 0);
  });

  test('notifyUrl is stored as the call\'s callback, GET format for drops and POST JSON for TTS', async () => {
    const v = app();
    const a = await v.account('10');
    const token = await uploaded(v, a.apiKey);
    const d = await drop(v, { apiKey: a.apiKey, tokenAudio: token, phoneNumbers: '0612345678', notifyUrl: 'https://client.example/vms' });
    const s = await tts(v, { apiKey: a.apiKey, text: 'Bonjour', phoneNumbers: '0612345678', notifyUrl: 'https://client.example/tts' });
    // Each call's status change enqueues a callback in its format (what is sent: callbacks.test.ts).
    await v.t.dispatcher.drain();
    for (const [r, url, format] of [[d, 'https://client.example/vms', 'voicepartner-drop'], [s, 'https://client.example/tts', 'voicepartner-tts']] as const) {
      assert.equal(r.status, 200, r.text);
      const [m] = await v.t.store.autocommit.listMessages({ accountId: a.id, batchId: r.body.campaignId }, { limit: 1 });
      const queued = await listWebhooks(v.t.core, { messageId: m!.id });
      assert.ok(queued.length > 0);
      for (const w of queued) assert.deepEqual([w.url, w.format], [url, format]);
    }
  });

  test('scheduledDate: a `T` separator, seconds dropped; the spring gap is refused, the autumn overlap is its first instant', async () => {
    const v = app();
    const a = await v.account('10');
    const token = await uploaded(v, a.apiKey);
    const sendAt = async (scheduledDate: string) => {
      const r = await drop(v, { apiKey: a.apiKey, tokenAudio: token, phoneNumbers: '0612345678', scheduledDate });
      assert.equal(r.status, 200, r.text);
      return (await v.t.store.autocommit.listMessages({ accountId: a.id, batchId: r.body.campaignId }, { limit: 1 }))[0]!.sendAt;
    };
    assert.equal(await sendAt('2026-07-14T14:15:42'), Date.parse('2026-07-14T12:15:00Z'));
    assert.equal(await sendAt('2026-07-14 9:05:00'), Date.parse('2026-07-14T07:05:00Z'));
    // 25 October 2026: 02:00–02:59 happens twice in Paris; the first (summer time, UTC+2) is kept.
    assert.equal(await sendAt('2026-10-25 02:30:00'), Date.parse('2026-10-25T00:30:00Z'));
    // 28 March 2027: 02:00–02:59 does not exist in Paris.
    assertAnswer(await drop(v, { apiKey: a.apiKey, tokenAudio: token, phoneNumbers: '0612345678', scheduledDate: '2027-03-28 02:30:00' }), 400, errorBody(400, 'Mauvaise requête'));
    await assertLedger(v.t, a.id, 10_000 - 450);
  });

  test('a TTS call refused for its credit, numbers or date is refused before any synthesis', async () => {
    const v = app();
    const a = await v.account('0.2');
    let runs = 0;
    const counting: Synthesizer = { synthesize: async () => { runs++; throw new Error('not to be run'); } };
    await withSynthesizer(v, counting, async () => {
      assertAnswer(await tts(v, { apiKey: a.apiKey, text: 'Bonjour', phoneNumbers: '0612345678,0698765432' }), 402, errorBody('NOT_CREDIT', 'Crédit insuffisant'));
      assert.equal((await tts(v, { apiKey: a.apiKey, text: 'Bonjour', phoneNumbers: '12' })).status, 400);
      assert.equal((await tts(v, { apiKey: a.apiKey, text: 'Bonjour', phoneNumbers: '0612345678', scheduledDate: '2000-01-01 10:00:00' })).status, 400);
    });
    assert.equal(runs, 0);
    await assertLedger(v.t, a.id, 200);
  });

  test('two calls are synthesised at once: a third meanwhile is 503 with Retry-After, not charged; the first two go through', async () => {
    const v = app();
    const a = await v.account('10');
    const releases: (() => void)[] = [];
    let started!: () => void;
    const bothStarted = new Promise<void>((resolve) => { started = resolve; });
    const held: Synthesizer = { synthesize: () => new Promise((resolve) => {
      releases.push(() => resolve({ wav: Buffer.from('RIFF'), durationMs: 2000 }));
      if (releases.length === 2) started();
    }) };
    await withSynthesizer(v, held, async () => {
      const body = { apiKey: a.apiKey, text: 'Bonjour', phoneNumbers: '0612345678' };
      const first = tts(v, body);
      const second = tts(v, body);
      await bothStarted;
      const third = await tts(v, body);
      assertAnswer(third, 503, errorBody(503, 'Le service est momentanément indisponible, réessayez plus tard'));
      assert.equal(third.headers.get('retry-after'), '1');
      for (const release of releases) release();
      assert.deepEqual([(await first).status, (await second).status], [200, 200]);
    });
    await assertLedger(v.t, a.id, 10_000 - 300);
  });

  test('a TTS call without a synthesizer: the estimated duration, no audio file; speed clamped, lang kept', async () => {
    const v = app();
    const a = await v.account('10');
    // 8 words at 175 a minute × 2 (speed 3 clamped) = 1.371 s, plus 3 commas = 1.5 s of pause.
    const r = await tts(v, { apiKey: a.apiKey, text: 'Bonjour, votre colis ,, arrive demain matin chez vous', phoneNumbers: '0612345678', lang: 'EN', speed: 3 });
    assertAnswer(r, 200, JSON.stringify({
      success: true, campaignId: r.body.campaignId, cost: 0.15, currency: 'EUR', nbSms: 1, lang: 'en', duration: 2.9,
      detail: { 33: { nbSms: 1, cost_unity: 0.15, cost: 0.15, country_code: 'fr', duration: 2.9 } },
    }));
    const [m] = await v.t.store.autocommit.listMessages({ accountId: a.id, batchId: r.body.campaignId }, { limit: 1 });
    assert.deepEqual(m!.content, { channel: 'voice', text: 'Bonjour, votre colis ,, arrive demain matin chez vous', audioUrl: null, sender: null, lang: 'en', rate: 2, durationMs: 2871 });
    assertAnswer(await tts(v, { apiKey: a.apiKey, text: ' , , ', phoneNumbers: '0612345678' }), 400, errorBody(400, 'Mauvaise requête'));
    assertAnswer(await tts(v, { apiKey: a.apiKey, text: 'Bonjour', lang: 'xx', phoneNumbers: '0612345678' }), 400, errorBody(400, 'Mauvaise requête'));
  });

  test('a TTS call with a tokenAudio plays that file: its duration, the text ignored', async () => {
    const v = app();
    const a = await v.account('10');
    const token = await uploaded(v, a.apiKey, 4.5);
    const r = await tts(v, { apiKey: a.apiKey, tokenAudio: token, text: 'ignoré', phoneNumbers: '+33612345678' });
    assertAnswer(r, 200, JSON.stringify({
      success: true, campaignId: r.body.campaignId, cost: 0.15, currency: 'EUR', nbSms: 1, lang: 'fr', duration: 4.5,
      detail: { 33: { nbSms: 1, cost_unity: 0.15, cost: 0.15, country_code: 'fr', duration: 4.5 } },
    }));
  });

  test('rate limits: campaign/send 5 a minute per key (429), the next minute open again', async () => {
    const v = app();
    const a = await v.account('10');
    for (let i = 0; i < 5; i++) assert.equal((await drop(v, { apiKey: a.apiKey })).status, 400);
    assertAnswer(await drop(v, { apiKey: a.apiKey }), 429, errorBody(429, 'Trop de requêtes'));
    v.t.clock.advance(61_000);
    assert.equal((await drop(v, { apiKey: a.apiKey })).status, 400);
  });

  test('rate limits: tts/send 2000 an hour per key (429), another key unaffected, the next hour open again', async () => {
    const v = app();
    const a = await v.account('10');
    const b = await v.account('10');
    // Requests refused for their numbers cost nothing but still count, as the vendor counts requests.
    for (let sent = 0; sent < 2000; sent += 100) {
      const statuses = await Promise.all(Array.from({ length: 100 }, () => tts(v, { apiKey: a.apiKey, text: 'x' }).then((r) => r.status)));
      assert.deepEqual(new Set(statuses), new Set([400]));
    }
    assertAnswer(await tts(v, { apiKey: a.apiKey, text: 'x' }), 429, errorBody(429, 'Trop de requêtes'));
    assert.equal((await tts(v, { apiKey: b.apiKey, text: 'x' })).status, 400);
    v.t.clock.advance(HOUR + 1000);
    assert.equal((await tts(v, { apiKey: a.apiKey, text: 'x' })).status, 400);
  });

  test('XML with `_format=xml`: a send, a cancel and a refusal in the `<result><entry>` shape', async () => {
    const v = app();
    const a = await v.account('10');
    const token = await uploaded(v, a.apiKey);
    const r = await v.request('POST', '/campaign/send?_format=xml', { body: { apiKey: a.apiKey, tokenAudio: token, phoneNumbers: '0612345678', scheduledDate: parisTimestamp(v.t.clock.now() + DAY) } });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') ?? '', /^application\/xml/);
    const campaignId = /<entry><!\[CDATA\[([A-Za-z0-9]{10})\]\]><\/entry>/.exec(r.text)?.[1];
    assert.ok(campaignId, r.text);
    assert.equal(r.text, xmlOf({
      success: true, campaignId, cost: 0.15, currency: 'EUR', nbSms: 1, audioFile: { filename: 'annonce.wav', size: '113.3Ko' }, detail: { 33: { nbSms: 1, cost_unity: 0.15, cost: 0.15 } },
    }));
    const c = await v.request('DELETE', `/campaign/cancel/${a.apiKey}/${campaignId}?_format=xml`);
    assert.equal(c.status, 200, c.text);
    assert.equal(c.text, xmlOf({ success: true, campaignId, assignedCredit: '0.15', currency: 'EUR' }));
    const again = await v.request('DELETE', `/campaign/cancel/${a.apiKey}/${campaignId}?_format=xml`);
    assert.equal(again.status, 400);
    assert.equal(again.text, xmlOf({ success: false, code: 400, message: 'Mauvaise requête' }));
  });

  test('a key without messages:write may neither send nor cancel (403, code 10)', async () => {
    const v = app();
    const a = await v.account('10');
    const token = await uploaded(v, a.apiKey);
    const sent = await drop(v, { apiKey: a.apiKey, tokenAudio: token, phoneNumbers: '0612345678', scheduledDate: parisTimestamp(v.t.clock.now() + DAY) });
    const k = await v.t.request('POST', `/admin/v1/accounts/${a.id}/keys`, { body: { scopes: ['messages:read', 'account:read'] }, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(k.status, 201, k.text);
    const FORBIDDEN = errorBody(10, 'Action non autorisé.');
    assertAnswer(await drop(v, { apiKey: k.body.apiKey, tokenAudio: token, phoneNumbers: '0612345678' }), 403, FORBIDDEN);
    assertAnswer(await tts(v, { apiKey: k.body.apiKey, text: 'Bonjour', phoneNumbers: '0612345678' }), 403, FORBIDDEN);
    assertAnswer(await v.request('DELETE', `/campaign/cancel/${k.body.apiKey}/${sent.body.campaignId}`), 403, FORBIDDEN);
    await assertLedger(v.t, a.id, 10_000 - 150);
  });
});
