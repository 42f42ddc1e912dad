import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Espeak } from '../../../../src/tts/espeak.js';
import { watchingAudioInserts } from '../../../helpers/audio.js';
import { assertLedger, voiceApp, withSynthesizer } from './support.js';

const espeak = new Espeak();
const present = await espeak.available();
const CI = process.env.CI === 'true';
if (!present && !CI) console.error('notice: espeak-ng not found (apt-get install espeak-ng); the Voice Partner TTS audio tests are skipped (CI=true makes this a failure)');
const skip = present || CI ? false : 'espeak-ng not installed (apt-get install espeak-ng)';

voiceApp('Voice Partner TTS with espeak-ng', (app) => {
  test('the call is synthesised at submit: a valid WAV kept as the call\'s audio, its real duration reported and never listed', { skip }, async () => {
    const v = app();
    v.t.core.synthesizer = espeak;
    try {
      const a = await v.account('10');
      const text = 'Bonjour, votre rendez-vous de demain est confirmé ,,,, à bientôt';
      const r = await v.request('POST', '/tts/send', { body: { apiKey: a.apiKey, text, phoneNumbers: '0612345678', lang: 'fr' } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.detail['33'].duration, r.body.duration);
      const [m] = await v.t.store.autocommit.listMessages({ accountId: a.id, batchId: r.body.campaignId }, { limit: 1 });
      assert.ok(m!.content.channel === 'voice' && m!.content.audioToken);
      const token = m!.content.audioToken;
      const wav = Buffer.from((await v.t.store.autocommit.audioFileBytes(a.id, token))!);
      assert.equal(wav.toString('latin1', 0, 4), 'RIFF');
      assert.equal(wav.readUInt32LE(4), wav.length - 8);
      assert.equal(wav.toString('latin1', 8, 16), 'WAVEfmt ');
      assert.equal(wav.readUInt16LE(20), 1, 'PCM');
      const sampleRate = wav.readUInt32LE(24);
      assert.equal(sampleRate, 22_050);
      const dataAt = wav.indexOf('data', 12, 'latin1');
      // The data chunk's size is the bytes that follow it, and the byte rate is 22 050 × 2-byte samples.
      assert.equal(wav.readUInt32LE(dataAt + 4), wav.length - dataAt - 8);
      assert.equal(wav.readUInt32LE(28), sampleRate * wav.readUInt16LE(32));
      const seconds = wav.readUInt32LE(dataAt + 4) / wav.readUInt32LE(28);
      assert.ok(Math.abs(seconds - r.body.duration) <= seconds * 0.1, `WAV ${seconds} s, reported ${r.body.duration} s`);
      // Four commas are two seconds of silence on top of the words.
      assert.ok(seconds > 3, `${seconds} s`);
      assert.equal((await v.t.store.autocommit.findAudioFile(a.id, token))?.kind, 'speech');
      assert.equal((await v.request('GET', `/audios/${a.apiKey}`)).body.nb_datas, 0);
      await assertLedger(v.t, a.id, 10_000 - 150);
    } finally {
      v.t.core.synthesizer = null;
    }
  });

  test('a text espeak-ng crashes on ("X." × 100, espeak-ng 1.51) is still a call: 200, charged, the estimated duration', { skip }, async () => {
    const v = app();
    await withSynthesizer(v, espeak, async () => {
      const a = await v.account('10');
      const r = await v.request('POST', '/tts/send', { body: { apiKey: a.apiKey, text: 'X.'.repeat(100), phoneNumbers: '0612345678' } });
      assert.equal(r.status, 200, r.text);
      // The estimate: 200 characters at 1 050 a minute.
      assert.equal(r.body.duration, 11.4, r.text);
      const [m] = await v.t.store.autocommit.listMessages({ accountId: a.id, batchId: r.body.campaignId }, { limit: 1 });
      assert.ok(m!.content.channel === 'voice' && m!.content.audioToken === undefined, 'no audio');
      await assertLedger(v.t, a.id, 10_000 - 150);
    });
  });

  test('speech whose audio would last over ten minutes ("1." × 2499 at speed 0.5) is refused as too long, not charged, no audio kept', { skip }, async () => {
    const v = app();
    await withSynthesizer(v, espeak, async () => {
      const a = await v.account('10');
      const store = v.t.store.autocommit;
      const insert = store.insertAudioFile;
      let inserted = 0;
      store.insertAudioFile = async (f) => { inserted++; return insert.call(store, f); };
      try {
        const r = await v.request('POST', '/tts/send', { body: { apiKey: a.apiKey, text: '1.'.repeat(2499), speechRate: 0.5, phoneNumbers: '0612345678' } });
        assert.equal(r.status, 400, r.text);
        assert.equal(inserted, 0);
        assert.deepEqual(await store.listMessages({ accountId: a.id }, { limit: 1 }), []);
        await assertLedger(v.t, a.id, 10_000);
      } finally {
        store.insertAudioFile = insert;
      }
    });
  });

  test('a call refused after its synthesis (the credit spent meanwhile) leaves no synthesised audio behind', { skip }, async () => {
    const v = app();
    const a = await v.account('0.2');
    // Another request spends the credit while the call is being synthesised.
    v.t.core.synthesizer = { synthesize: async (s) => {
      const said = await espeak.synthesize(s);
      await v.t.store.autocommit.applyLedgerEntry({ accountId: a.id, kind: 'adjust', amount: -100, messageId: null, cause: 'spent meanwhile', createdAt: v.t.clock.now() });
      return said;
    } };
    try {
      const tokens = await watchingAudioInserts(v.t, async () => {
        const r = await v.request('POST', '/tts/send', { body: { apiKey: a.apiKey, text: 'Bonjour', phoneNumbers: '0612345678' } });
        assert.equal(r.status, 402, r.text);
      });
      assert.equal(tokens.length, 1, 'the speech was synthesised and stored');
      assert.equal(await v.t.store.autocommit.findAudioFile(a.id, tokens[0]!), undefined);
      await assertLedger(v.t, a.id, 100);
    } finally {
      v.t.core.synthesizer = null;
    }
  });
});
