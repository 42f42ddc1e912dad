import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_AUDIO_MS, probeAudio } from '../../src/core/audio-files.js';
import { RelaisError } from '../../src/core/errors.js';
import { mp3ToWav, wavHeader } from '../../src/core/wav.js';

/**
 * `count` silent MPEG-1 layer III frames, stereo: `kbps` 32, 128 or 320 at `hz` 44 100 or 48 000
 * (the header's bitrate and sample-rate indexes; a frame is 144 × bitrate / rate bytes).
 */
function frames(count: number, kbps: 32 | 128 | 320, hz: 44_100 | 48_000): Buffer {
  const bitrateIndex = { 32: 1, 128: 9, 320: 14 }[kbps];
  const frame = Buffer.alloc(Math.floor((144 * kbps * 1000) / hz));
  frame.writeUInt32BE(((0xfffb << 16) | (bitrateIndex << 12) | ((hz === 48_000 ? 1 : 0) << 10)) >>> 0, 0);
  return Buffer.concat(Array.from({ length: count }, () => frame));
}

const invalid = (message: RegExp) => (err: unknown) => err instanceof RelaisError && err.code === 'invalid_request' && message.test(err.message);

test('wavHeader: a canonical mono 16-bit header whose sizes match the samples', () => {
  const h = wavHeader(6, 8000);
  assert.equal(h.length, 44);
  assert.deepEqual([h.toString('latin1', 0, 4), h.readUInt32LE(4), h.toString('latin1', 8, 16), h.readUInt16LE(20), h.readUInt16LE(22)], ['RIFF', 42, 'WAVEfmt ', 1, 1]);
  assert.deepEqual([h.readUInt32LE(24), h.readUInt32LE(28), h.readUInt16LE(32), h.readUInt16LE(34), h.toString('latin1', 36, 40), h.readUInt32LE(40)], [8000, 16000, 2, 16, 'data', 6]);
});

test('mp3ToWav: every decoded sample, mixed down to one channel, across decode chunks', async () => {
  // 400 frames are 167 kB: eleven chunks of decoding.
  const wav = await mp3ToWav(frames(400, 128, 44_100), MAX_AUDIO_MS);
  assert.deepEqual([wav.readUInt16LE(22), wav.readUInt32LE(24), wav.readUInt32LE(40), wav.length], [1, 44_100, 400 * 1152 * 2, 44 + 400 * 1152 * 2]);
});

test('mp3ToWav: a second decode while one runs is busy (retry in a second); the next one runs', async () => {
  const first = mp3ToWav(frames(50, 128, 44_100), MAX_AUDIO_MS);
  await assert.rejects(mp3ToWav(frames(50, 128, 44_100), MAX_AUDIO_MS), (err: unknown) => err instanceof RelaisError && err.code === 'busy' && err.details.retryAfter === 1);
  await first;
  assert.equal((await mp3ToWav(frames(10, 128, 44_100), MAX_AUDIO_MS)).readUInt32LE(40), 10 * 1152 * 2);
});

test('an upload\'s MP3 length is decoded, not taken from its first frames\' bitrate (320 kbit/s, then 32)', async () => {
  // music-metadata would say 7.3 s from the bitrate of the first frames; the file plays 72 s.
  const lying = Buffer.concat([frames(4, 320, 48_000), frames(3000, 32, 48_000)]);
  assert.deepEqual(await probeAudio(lying), { contentType: 'audio/mpeg', durationMs: Math.round((3004 * 1152 * 1000) / 48_000) });
});

test('refused: an MP3 that plays past ten minutes behind short-looking first frames, one that changes sample rate, one with no frame', async () => {
  const long = Buffer.concat([frames(4, 320, 48_000), frames(26_000, 32, 48_000)]);
  await assert.rejects(probeAudio(long), invalid(/more than 10 minutes/));
  await assert.rejects(mp3ToWav(long, MAX_AUDIO_MS), invalid(/more than 10 minutes/));
  const changing = Buffer.concat([frames(100, 128, 44_100), frames(100, 128, 48_000)]);
  await assert.rejects(mp3ToWav(changing, MAX_AUDIO_MS), invalid(/changes sample rate/));
  await assert.rejects(mp3ToWav(Buffer.alloc(5000, 7), MAX_AUDIO_MS), invalid(/no MP3 frame/));
  // The refusals freed the decoder: the next file decodes.
  assert.equal((await mp3ToWav(frames(10, 128, 44_100), MAX_AUDIO_MS)).readUInt32LE(24), 44_100);
});
