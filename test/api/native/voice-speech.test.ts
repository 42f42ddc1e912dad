import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Espeak } from '../../../src/tts/espeak.js';
import { dialectApp, type TestApp } from '../../helpers/app.js';
import { watchingAudioInserts } from '../../helpers/audio.js';
import { assertLedger, assertProblem, assertStatus, at, HOUR, phone, schedule } from './support.js';

const espeak = new Espeak();
const present = await espeak.available();
const skip = present || process.env.CI === 'true' ? false : 'espeak-ng not installed (apt-get install espeak-ng)';

/** Runs `fn` with espeak-ng as the app's synthesizer, taken off again however `fn` ends. */
async function speaking(t: TestApp, fn: () => Promise<void>): Promise<void> {
  t.core.synthesizer = espeak;
  try {
    await fn();
  } finally {
    t.core.synthesizer = null;
  }
}

dialectApp('native API: a voice message with text is spoken as a TTS call is', ({ app }) => {
  test('synthesised at scheduling: its audio token, real duration and language; the outbox plays the WAV', { skip }, async () => {
    const t = app();
    await speaking(t, async () => {
      const { id: accountId, apiKey } = await t.account('10');
      const m = await schedule(t, apiKey, { channel: 'voice', to: [phone()], text: 'Guten Tag, bis morgen', lang: 'de', sendAt: at(t, HOUR) });
      assert.equal(m.price, '0.150');
      assert.deepEqual([m.content.lang, m.content.rate, typeof m.content.audioToken], ['de', 1, 'string']);
      const stored = Buffer.from((await t.store.autocommit.audioFileBytes(accountId, m.content.audioToken))!);
      assert.equal(stored.toString('latin1', 0, 4), 'RIFF');
      // The duration is the WAV's: 16-bit mono at its byte rate, within a millisecond.
      const wavMs = (stored.readUInt32LE(40) / stored.readUInt32LE(28)) * 1000;
      assert.ok(Math.abs(m.content.durationMs - wavMs) <= 1, `${m.content.durationMs} vs ${wavMs}`);
      t.clock.advance(HOUR);
      await t.dispatcher.drain();
      const list = await t.request('GET', `/api/v1/outbox?messageId=${m.id}`, { key: apiKey });
      assertStatus(list, 200);
      const r = await fetch(`${t.url}/api/v1/outbox/${list.body.items[0].id}/audio`, { headers: { authorization: `Bearer ${apiKey}` } });
      assert.deepEqual([r.status, r.headers.get('content-type')], [200, 'audio/wav']);
      assert.ok(Buffer.from(await r.arrayBuffer()).equals(stored));
      await assertLedger(t, accountId, 10_000 - 150);
    });
  });

  test('an Idempotency-Key replay answers the first message and leaves no second speech file; a refused call leaves none', { skip }, async () => {
    const t = app();
    await speaking(t, async () => {
      const { id: accountId, apiKey } = await t.account('0.200');
      const body = { channel: 'voice', to: [phone()], text: 'Bonjour, à demain', sendAt: at(t, HOUR) };
      let first: any;
      const tokens = await watchingAudioInserts(t, async () => {
        first = await schedule(t, apiKey, body, { 'idempotency-key': 'call-1' });
        // The balance (0.050) no longer pays for a second call: a replay is answered before any check or synthesis.
        const again = await t.request('POST', '/api/v1/messages', { key: apiKey, body, headers: { 'idempotency-key': 'call-1' } });
        assertStatus(again, 200);
        assert.equal(again.headers.get('idempotent-replayed'), 'true');
        assert.deepEqual(again.body.content, first.content);
        assertProblem(await t.request('POST', '/api/v1/messages', { key: apiKey, body: { ...body, text: 'Autre chose' }, headers: { 'idempotency-key': 'call-1' } }), 409, 'idempotency_conflict');
        assertProblem(await t.request('POST', '/api/v1/messages', { key: apiKey, body }), 402, 'insufficient_credits');
      });
      assert.deepEqual(tokens, [first.content.audioToken]);
      await assertLedger(t, accountId, 50);
    });
  });

  test('without a synthesizer: the estimated duration, no audio; an unknown language is 400 and writes nothing', async () => {
    const t = app();
    const { id: accountId, apiKey } = await t.account('10');
    const m = await schedule(t, apiKey, { channel: 'voice', to: [phone()], text: 'Hello there', lang: 'EN', sendAt: at(t, HOUR) });
    assert.deepEqual(m.content, { text: 'Hello there', audioUrl: null, sender: null, lang: 'en', rate: 1, durationMs: 686 });
    assertProblem(await t.request('POST', '/api/v1/messages', { key: apiKey, body: { channel: 'voice', to: [phone()], text: 'Hallo', lang: 'xx' } }), 400, 'invalid_request', /unknown language "xx"/);
    assertProblem(await t.request('POST', '/api/v1/messages', { key: apiKey, body: { channel: 'sms', to: [phone()], text: 'Hi', lang: 'en' } }), 400, 'invalid_request', /lang does not apply to sms/);
    await assertLedger(t, accountId, 10_000 - 150);
  });

  test('lang goes with a spoken text: with audioUrl it is refused; a recorded call\'s text stays editable', async () => {
    const t = app();
    const { id: accountId, apiKey } = await t.account('10');
    assertProblem(await t.request('POST', '/api/v1/messages', { key: apiKey, body: { channel: 'voice', to: [phone()], audioUrl: 'https://example.com/a.mp3', lang: 'en' } }), 400, 'invalid_request', /lang is the language of a spoken text/);
    const m = await schedule(t, apiKey, { channel: 'voice', to: [phone()], text: 'Hello', audioUrl: 'https://example.com/a.mp3', sendAt: at(t, HOUR) });
    assert.deepEqual(m.content, { text: 'Hello', audioUrl: 'https://example.com/a.mp3', sender: null });
    const edited = await t.request('PATCH', `/api/v1/messages/${m.id}`, { key: apiKey, body: { text: 'Hello again' } });
    assertStatus(edited, 200);
    assert.equal(edited.body.content.text, 'Hello again');
    await assertLedger(t, accountId, 10_000 - 150);
  });

  test('the text of a spoken call cannot be edited (its audio was made from it); its date can', async () => {
    const t = app();
    const { apiKey } = await t.account('10');
    const m = await schedule(t, apiKey, { channel: 'voice', to: [phone()], text: 'Bonjour', sendAt: at(t, HOUR) });
    assertProblem(await t.request('PATCH', `/api/v1/messages/${m.id}`, { key: apiKey, body: { text: 'Bonsoir' } }), 400, 'invalid_request', /cannot be edited/);
    const moved = await t.request('PATCH', `/api/v1/messages/${m.id}`, { key: apiKey, body: { sendAt: at(t, 2 * HOUR) } });
    assertStatus(moved, 200);
    assert.equal(moved.body.content.text, 'Bonjour');
  });
});
