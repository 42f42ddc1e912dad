import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RelaisError } from '../../src/core/errors.js';
import { estimateDurationMs, speak, speech, SPEECH_LANGS, SynthesisFailed } from '../../src/core/speech.js';
import { Espeak, ssml } from '../../src/tts/espeak.js';

const espeak = new Espeak();
const present = await espeak.available();
const CI = process.env.CI === 'true';
if (!present && !CI) console.error('notice: espeak-ng not found (apt-get install espeak-ng); the espeak-ng tests are skipped (CI=true makes this a failure)');
const skip = present || CI ? false : 'espeak-ng not installed (apt-get install espeak-ng)';

const dir = mkdtempSync(join(tmpdir(), 'relais-espeak-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The WAV's header fields, read as a player would. */
function header(wav: Buffer) {
  return {
    riff: wav.toString('latin1', 0, 4), riffSize: wav.readUInt32LE(4), wave: wav.toString('latin1', 8, 12),
    fmt: wav.toString('latin1', 12, 16), format: wav.readUInt16LE(20), channels: wav.readUInt16LE(22),
    sampleRate: wav.readUInt32LE(24), byteRate: wav.readUInt32LE(28), bitsPerSample: wav.readUInt16LE(34),
    data: wav.toString('latin1', 36, 40), dataSize: wav.readUInt32LE(40),
  };
}

const say = async (text: string, opts: { lang?: string; rate?: number } = {}) => (await espeak.synthesize(speech(text, opts))).durationMs;

/** An executable standing in for espeak-ng. */
function fakeCommand(name: string, script: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('espeak-ng', { skip }, () => {
  it('is found when installed', () => {
    assert.equal(present, true, 'espeak-ng is required when CI=true');
  });

  it('writes a PCM WAV, 22 050 Hz 16-bit mono, whose header sizes match its bytes and give the reported duration', async () => {
    const { wav, durationMs } = await espeak.synthesize(speech('Bonjour, votre rendez-vous est confirmé pour demain à dix heures.'));
    const h = header(wav);
    assert.deepEqual(
      { ...h, riffSize: h.riffSize === wav.length - 8, dataSize: h.dataSize === wav.length - 44 },
      { riff: 'RIFF', riffSize: true, wave: 'WAVE', fmt: 'fmt ', format: 1, channels: 1, sampleRate: 22050, byteRate: 44100, bitsPerSample: 16, data: 'data', dataSize: true },
    );
    const fromHeader = (h.dataSize / h.byteRate) * 1000;
    assert.ok(fromHeader > 2000, `a sentence lasts seconds, got ${fromHeader} ms`);
    assert.ok(Math.abs(durationMs - fromHeader) <= fromHeader * 0.1, `reported ${durationMs} ms, header ${fromHeader} ms`);
  });

  it('makes each comma about half a second longer, before, between and after the words', async () => {
    const plain = await say('un deux');
    const between = (await say('un ,,,, deux')) - plain;
    const edges = (await say(',un deux,')) - plain;
    assert.ok(between > 1500 && between < 2500, `4 commas added ${between} ms`);
    assert.ok(edges > 700 && edges < 1300, `2 commas at the edges added ${edges} ms`);
  });

  it('speaks faster at rate 2 than at rate 0.5', async () => {
    const text = 'Votre colis sera livré demain entre huit heures et midi.';
    const fast = await say(text, { rate: 2 });
    const slow = await say(text, { rate: 0.5 });
    assert.ok(fast * 2 < slow, `rate 2: ${fast} ms, rate 0.5: ${slow} ms`);
  });

  it('has a voice for every language Relais accepts', async () => {
    for (const lang of SPEECH_LANGS) assert.ok((await say('ok', { lang })) > 0, lang);
  });

  it('speaks hostile text, options, shell and markup alike, and never runs it', async () => {
    const canary = join(dir, 'canary');
    const texts = ['-v en --foo', `$(touch ${canary})`, `\`touch ${canary}\``, `; touch ${canary}`, `--stdout > ${canary}`];
    for (const text of texts) assert.ok((await say(text)) > 0, text);
    assert.equal(existsSync(canary), false);
    // Interpreted, the markup would make 20 s of silence and end the document early.
    assert.equal(ssml(speech('<break time="20s"/></speak> & co').parts), '<speak>&lt;break time=&quot;20s&quot;/&gt;&lt;/speak&gt; &amp; co</speak>');
    const markup = await say('<break time="20s"/></speak><audio src="file:///etc/passwd"/>');
    assert.ok(markup > 0 && markup < 10_000, `the markup was spoken in ${markup} ms`);
    assert.throws(() => speech('mot '.repeat(1250) + 'x'), (err) => err instanceof RelaisError && err.code === 'message_too_long');
  });

  it('refuses output past its bound, a process past its timeout, and output that is not a WAV', async () => {
    const unavailable = (pattern: RegExp) => (err: unknown) => err instanceof RelaisError && err.code === 'unavailable' && pattern.test(err.message);
    const failed = (pattern: RegExp) => (err: unknown) => err instanceof SynthesisFailed && pattern.test(err.message);
    await assert.rejects(new Espeak({ maxBytes: 1000 }).synthesize(speech('un deux trois')), (err) => err instanceof RelaisError && err.code === 'message_too_long');
    await assert.rejects(new Espeak({ command: fakeCommand('hangs', 'exec sleep 30'), timeoutMs: 200 }).synthesize(speech('un')), failed(/stopped after 200 ms/));
    await assert.rejects(new Espeak({ command: fakeCommand('chatty', 'echo hello') }).synthesize(speech('un')), unavailable(/wrote no WAV/));
    await assert.rejects(new Espeak({ command: fakeCommand('fails', 'echo broken >&2; exit 3') }).synthesize(speech('un')), failed(/\(3\): broken/));
  });

  it('reports a crash on a text (espeak-ng 1.51 aborts on "X." × 100) as a failure on that text, told to onFailure', async () => {
    const told: string[] = [];
    const crashing = new Espeak({ onFailure: (err) => told.push(err.message) });
    const s = speech('X.'.repeat(100));
    const result = await crashing.synthesize(s).then((r) => r.durationMs, (err: unknown) => err);
    if (typeof result === 'number') return; // an espeak-ng that does not crash on it says it
    assert.ok(result instanceof SynthesisFailed, String(result));
    assert.equal(told.length, 1);
    assert.deepEqual(await speak(crashing, s), { wav: null, durationMs: estimateDurationMs(s) });
  });
});

describe('espeak-ng missing', () => {
  it('is reported unavailable, and refuses to synthesize', async () => {
    const missing = new Espeak({ command: join(dir, 'no-such-espeak') });
    assert.equal(await missing.available(), false);
    await assert.rejects(missing.synthesize(speech('un')), (err) => err instanceof RelaisError && err.code === 'unavailable' && /could not start/.test(err.message));
  });
});
