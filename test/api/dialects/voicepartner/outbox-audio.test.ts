import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Espeak } from '../../../../src/tts/espeak.js';
import type { TestApp } from '../../../helpers/app.js';
import { assertProblem, sms } from '../../native/support.js';
import { mp3File, uploadForm, voiceApp, withSynthesizer, type VoiceApp } from './support.js';

const espeak = new Espeak();
const present = await espeak.available();
const skip = present || process.env.CI === 'true' ? false : 'espeak-ng not installed (apt-get install espeak-ng)';

/** The outbox entry (as listed) of the call `campaignId`, after the dispatcher sent it. */
async function sentCall(v: VoiceApp, a: { id: number; apiKey: string }, campaignId: string): Promise<{ id: number; audioToken?: string }> {
  await v.t.dispatcher.drain();
  const [m] = await v.t.store.autocommit.listMessages({ accountId: a.id, batchId: campaignId }, { limit: 1 });
  const list = await v.t.request('GET', `/api/v1/outbox?messageId=${m!.id}`, { key: a.apiKey });
  assert.equal(list.status, 200, list.text);
  assert.equal(list.body.items.length, 1);
  return list.body.items[0];
}

/** GET /api/v1/outbox/{id}/audio as bytes (the helper's text would not keep them). */
async function audioOf(t: TestApp, apiKey: string, id: number, format?: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
  const r = await fetch(`${t.url}/api/v1/outbox/${id}/audio${format ? `?format=${format}` : ''}`, { headers: { authorization: `Bearer ${apiKey}` } });
  return { status: r.status, type: r.headers.get('content-type'), bytes: Buffer.from(await r.arrayBuffer()) };
}

voiceApp('GET /api/v1/outbox/{id}/audio: what a call would have played', (app) => {
  test('a TTS call: the WAV synthesised for it, byte for byte', { skip }, async () => {
    const v = app();
    await withSynthesizer(v, espeak, async () => {
      const a = await v.account('10');
      const r = await v.request('POST', '/tts/send', { body: { apiKey: a.apiKey, text: 'Bonjour, à demain', phoneNumbers: '0612345678' } });
      assert.equal(r.status, 200, r.text);
      const [m] = await v.t.store.autocommit.listMessages({ accountId: a.id, batchId: r.body.campaignId }, { limit: 1 });
      assert.ok(m!.content.channel === 'voice' && m!.content.audioToken);
      const stored = Buffer.from((await v.t.store.autocommit.audioFileBytes(a.id, m!.content.audioToken))!);
      const audio = await audioOf(v.t, a.apiKey, (await sentCall(v, a, r.body.campaignId)).id);
      assert.deepEqual([audio.status, audio.type], [200, 'audio/wav']);
      assert.equal(audio.bytes.toString('latin1', 0, 4), 'RIFF');
      assert.ok(audio.bytes.equals(stored));
    });
  });

  test('a drop of an MP3: served as a mono WAV of its samples, or as uploaded with format=original; another account\'s key gets 404', async () => {
    const v = app();
    const a = await v.account('10');
    const mp3 = mp3File(200);
    const up = await v.request('POST', '/audio-file/upload', { form: uploadForm({ apiKey: a.apiKey }, [['file', mp3, 'annonce.mp3', 'audio/mpeg']]) });
    assert.equal(up.status, 200, up.text);
    const r = await v.request('POST', '/campaign/send', { body: { apiKey: a.apiKey, tokenAudio: up.body.tokenAudio, phoneNumbers: '0612345678' } });
    assert.equal(r.status, 200, r.text);
    const { id, audioToken } = await sentCall(v, a, r.body.campaignId);
    assert.equal(audioToken, up.body.tokenAudio, 'the entry names the file it played');
    const wav = await audioOf(v.t, a.apiKey, id);
    assert.deepEqual([wav.status, wav.type], [200, 'audio/wav']);
    // 200 frames of MPEG-1 layer III at 44.1 kHz: 1 152 samples each, one 16-bit channel.
    assert.deepEqual([wav.bytes.toString('latin1', 0, 4), wav.bytes.toString('latin1', 8, 12), wav.bytes.readUInt16LE(22), wav.bytes.readUInt32LE(24), wav.bytes.readUInt32LE(40)],
      ['RIFF', 'WAVE', 1, 44_100, 200 * 1152 * 2]);
    assert.equal(wav.bytes.length, 44 + 200 * 1152 * 2);
    const original = await audioOf(v.t, a.apiKey, id, 'original');
    assert.deepEqual([original.status, original.type], [200, 'audio/mpeg']);
    assert.ok(original.bytes.equals(mp3));
    assertProblem(await v.t.request('GET', `/api/v1/outbox/${id}/audio?format=mp3`, { key: a.apiKey }), 400, 'invalid_request');
    const other = await v.account('1');
    assertProblem(await v.t.request('GET', `/api/v1/outbox/${id}/audio`, { key: other.apiKey }), 404, 'not_found');
  });

  test('no audio is 404: a TTS call made without a synthesizer, an SMS', async () => {
    const v = app();
    const a = await v.account('10');
    const r = await v.request('POST', '/tts/send', { body: { apiKey: a.apiKey, text: 'Bonjour', phoneNumbers: '0612345678' } });
    assert.equal(r.status, 200, r.text);
    const call = await sentCall(v, a, r.body.campaignId);
    assert.equal(call.audioToken, undefined);
    assertProblem(await v.t.request('GET', `/api/v1/outbox/${call.id}/audio`, { key: a.apiKey }), 404, 'not_found');
    const s = await sms(v.t, a.apiKey, 0);
    await v.t.dispatcher.drain();
    const entries = await v.t.request('GET', `/api/v1/outbox?messageId=${s.id}`, { key: a.apiKey });
    assert.equal(entries.body.items.length, 1, entries.text);
    assertProblem(await v.t.request('GET', `/api/v1/outbox/${entries.body.items[0].id}/audio`, { key: a.apiKey }), 404, 'not_found');
  });
});
