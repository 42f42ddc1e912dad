import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RelaisError } from '../../src/core/errors.js';
import {
  clampRate, estimateDurationMs, MAX_SPEECH_CHARS, speak, speech, speechLang, speechParts, SPEECH_LANGS, type Speech, type Synthesizer,
} from '../../src/core/speech.js';

const refusal = (code: string, field: string) => (err: unknown) => err instanceof RelaisError && err.code === code && err.details.field === field;

describe('speechParts', () => {
  it('turns each comma into half a second of pause, a run of them into one pause', () => {
    assert.deepEqual(speechParts('un ,,,,,, deux'), [{ words: 'un' }, { pauseMs: 3000 }, { words: 'deux' }]);
    assert.deepEqual(speechParts('un, , deux,trois'), [{ words: 'un' }, { pauseMs: 1000 }, { words: 'deux' }, { pauseMs: 500 }, { words: 'trois' }]);
  });

  it('keeps pauses before the first word and after the last', () => {
    assert.deepEqual(speechParts(' ,bonjour,, '), [{ pauseMs: 500 }, { words: 'bonjour' }, { pauseMs: 1000 }]);
  });

  it('leaves a text without commas whole, other punctuation included', () => {
    assert.deepEqual(speechParts('  Bonjour. Ça va ?  '), [{ words: 'Bonjour. Ça va ?' }]);
  });
});

describe('speech', () => {
  it('defaults to French at normal speed', () => {
    assert.deepEqual(speech('bonjour').voice, { lang: 'fr', rate: 1 });
  });

  it('clamps the rate to 0.5..2 rather than refusing it, and refuses a rate that is not a number', () => {
    assert.deepEqual([0, 0.1, 0.5, 1.3, 2, 7, -Infinity, Infinity].map(clampRate), [0.5, 0.5, 0.5, 1.3, 2, 2, 0.5, 2]);
    assert.equal(speech('bonjour', { rate: 10 }).voice.rate, 2);
    assert.throws(() => speech('bonjour', { rate: Number.NaN }), refusal('invalid_request', 'speechRate'));
  });

  it('takes an ISO-639-1 code of the list, in any case, and refuses others', () => {
    assert.equal(speechLang('EN'), 'en');
    assert.equal(speechLang(' de '), 'de');
    assert.equal(speechLang(''), 'fr');
    for (const lang of SPEECH_LANGS) assert.equal(speech('ok', { lang }).voice.lang, lang);
    for (const lang of ['xx', 'fr-FR', 'french', 'zh', '-v en']) assert.throws(() => speech('ok', { lang }), refusal('invalid_request', 'lang'), lang);
  });

  it('speaks up to 5 000 characters (code points, not UTF-16 units) and refuses one more', () => {
    assert.equal(MAX_SPEECH_CHARS, 5000);
    assert.equal(speech('mot '.repeat(1250)).parts.length, 1);
    assert.equal(speech('é'.repeat(5000)).parts.length, 1);
    assert.equal(speech('😀'.repeat(5000)).parts.length, 1);
    assert.throws(() => speech(`${'mot '.repeat(1250)}b`), refusal('message_too_long', 'text'));
    assert.throws(() => speech('😀'.repeat(5001)), refusal('message_too_long', 'text'));
  });

  it('refuses a text with nothing to say, and one whose pauses would last over ten minutes', () => {
    for (const text of ['', '   ', ',,,', ' , , ']) assert.throws(() => speech(text), refusal('invalid_request', 'text'), JSON.stringify(text));
    assert.throws(() => speech(`oui${','.repeat(1201)}`), refusal('message_too_long', 'text'));
    assert.equal(speech(`oui${','.repeat(1000)}`).parts.length, 2);
  });
});

describe('estimateDurationMs', () => {
  it('counts 175 words a minute at rate 1, the rate scaling the words only', () => {
    assert.equal(estimateDurationMs(speech(Array(175).fill('mot').join(' '))), 60_000);
    assert.equal(estimateDurationMs(speech(Array(175).fill('mot').join(' '), { rate: 2 })), 30_000);
    assert.equal(estimateDurationMs(speech(Array(175).fill('mot').join(' '), { rate: 0.25 })), 120_000);
  });

  it('counts characters too, 1 050 a minute at rate 1: a run of digits and dots is one word but not free', () => {
    assert.equal(estimateDurationMs(speech('1.'.repeat(525))), 60_000);
    assert.equal(estimateDurationMs(speech('1.'.repeat(525), { rate: 2 })), 30_000);
    assert.equal(estimateDurationMs(speech('1.'.repeat(2499), { rate: 0.5 })), Math.round((4998 / 1050) * 120_000));
  });

  it('adds half a second per comma, whatever the rate', () => {
    const words = estimateDurationMs(speech('un deux'));
    assert.equal(estimateDurationMs(speech('un ,,,,,, deux')), words + 3000);
    assert.equal(estimateDurationMs(speech(',un, deux,')), words + 1500);
    assert.equal(estimateDurationMs(speech('un ,, deux', { rate: 2 })), estimateDurationMs(speech('un deux', { rate: 2 })) + 1000);
  });
});

describe('speak', () => {
  it('estimates without a synthesizer, and gives the synthesizer the checked speech otherwise', async () => {
    const s = speech('un, deux', { lang: 'EN', rate: 3 });
    assert.deepEqual(await speak(null, s), { wav: null, durationMs: estimateDurationMs(s) });
    const heard: Speech[] = [];
    const synthesizer: Synthesizer = { synthesize: async (given) => { heard.push(given); return { wav: Buffer.from('RIFF'), durationMs: 1234 }; } };
    assert.deepEqual(await speak(synthesizer, s), { wav: Buffer.from('RIFF'), durationMs: 1234 });
    assert.deepEqual(heard, [{ parts: [{ words: 'un' }, { pauseMs: 500 }, { words: 'deux' }], voice: { lang: 'en', rate: 2 } }]);
  });

  it('synthesises two calls at once, refuses a third as busy (retry in a second), and takes one again when a place is free', async () => {
    const releases: (() => void)[] = [];
    const slow: Synthesizer = { synthesize: () => new Promise((resolve) => { releases.push(() => resolve({ wav: Buffer.from('RIFF'), durationMs: 1 })); }) };
    const first = speak(slow, speech('un'));
    const second = speak(slow, speech('deux'));
    await assert.rejects(speak(slow, speech('trois')), (err) => err instanceof RelaisError && err.code === 'busy' && err.details.retryAfter === 1);
    assert.equal(releases.length, 2);
    releases.shift()!();
    assert.equal((await first).durationMs, 1);
    const third = speak(slow, speech('trois'));
    for (const release of releases.splice(0)) release();
    assert.equal((await second).durationMs, 1);
    assert.equal((await third).durationMs, 1);
  });

  it('refuses audio longer than ten minutes, as it refuses such an estimate', async () => {
    const long: Synthesizer = { synthesize: async () => ({ wav: Buffer.from('RIFF'), durationMs: 10 * 60_000 + 1 }) };
    await assert.rejects(speak(long, speech('un')), refusal('message_too_long', 'text'));
    const full: Synthesizer = { synthesize: async () => ({ wav: Buffer.from('RIFF'), durationMs: 10 * 60_000 }) };
    assert.equal((await speak(full, speech('un'))).durationMs, 600_000);
  });
});
