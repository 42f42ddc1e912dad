import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RelaisError } from '../../src/core/errors.js';
import { mp3ToWav, pcmWav } from '../../src/core/wav.js';

/** `frames` MPEG-1 layer III frames (128 kbit/s, 44.1 kHz, stereo) of silence. */
function mp3(frames: number): Buffer {
  const frame = Buffer.alloc(417);
  frame.writeUInt32BE(0xfffb9000, 0);
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

test('pcmWav: a canonical mono 16-bit header whose sizes match the samples', () => {
  const wav = pcmWav(Buffer.from([1, 0, 2, 0, 3, 0]), 8000);
  assert.equal(wav.length, 50);
  assert.deepEqual([wav.toString('latin1', 0, 4), wav.readUInt32LE(4), wav.toString('latin1', 8, 16), wav.readUInt16LE(20), wav.readUInt16LE(22)], ['RIFF', 42, 'WAVEfmt ', 1, 1]);
  assert.deepEqual([wav.readUInt32LE(24), wav.readUInt32LE(28), wav.readUInt16LE(32), wav.readUInt16LE(34), wav.toString('latin1', 36, 40), wav.readUInt32LE(40)], [8000, 16000, 2, 16, 'data', 6]);
});

test('mp3ToWav: every decoded sample, mixed down to one channel, across decode chunks', async () => {
  // 400 frames are 167 kB: three chunks of decoding.
  const wav = await mp3ToWav(mp3(400));
  assert.deepEqual([wav.readUInt16LE(22), wav.readUInt32LE(24), wav.readUInt32LE(40), wav.length], [1, 44_100, 400 * 1152 * 2, 44 + 400 * 1152 * 2]);
});

test('mp3ToWav: a second conversion while one runs is busy (retry in a second); the next one runs', async () => {
  const first = mp3ToWav(mp3(50));
  await assert.rejects(mp3ToWav(mp3(50)), (err: unknown) => err instanceof RelaisError && err.code === 'busy' && err.details.retryAfter === 1);
  await first;
  assert.equal((await mp3ToWav(mp3(10))).readUInt32LE(40), 10 * 1152 * 2);
});

test('mp3ToWav: bytes with no MP3 frame are not found, not a crash', async () => {
  await assert.rejects(mp3ToWav(Buffer.alloc(5000, 7)), (err: unknown) => err instanceof RelaisError && err.code === 'not_found');
});
