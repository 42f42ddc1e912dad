import { MPEGDecoder } from 'mpg123-decoder';
import { RelaisError } from './errors.js';

/**
 * Audio as a WAV a browser plays: the outbox serves every call's audio as `audio/wav`
 * (issue #18), and a voice-mail drop may be an MP3. mpg123 (WebAssembly) decodes it.
 */

/** MP3 bytes decoded between two turns of the event loop: some four seconds of audio, about 15 ms of CPU. */
const CHUNK_BYTES = 64 * 1024;
/** Decodes at once in this process: a ten-minute MP3 takes about two seconds of CPU and 53 MB of WAV. */
export const MAX_DECODES = 1;
let decoding = 0;

const HEADER_BYTES = 44;

/** A canonical 16-bit PCM WAV of `pcm` (little-endian samples) at `sampleRate`, mono. */
export function pcmWav(pcm: Buffer, sampleRate: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(HEADER_BYTES - 8 + pcm.length, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}

/** The channels mixed down to one (a call is mono) as 16-bit samples, clipped. */
function mono16(channels: readonly Float32Array[], samples: number): Buffer {
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    let sum = 0;
    for (const channel of channels) sum += channel[i]!;
    const v = Math.max(-1, Math.min(1, sum / channels.length));
    out.writeInt16LE(Math.round(v * 32767), i * 2);
  }
  return out;
}

/**
 * The MP3 as a mono 16-bit WAV at its own sample rate, decoded in chunks so that the server
 * keeps answering meanwhile. Past MAX_DECODES running, refused as `busy` (retry in a second).
 */
export async function mp3ToWav(mp3: Uint8Array): Promise<Buffer> {
  if (decoding >= MAX_DECODES) throw new RelaisError('busy', 'another audio file is being converted; retry shortly', { retryAfter: 1 });
  decoding++;
  const decoder = new MPEGDecoder();
  try {
    await decoder.ready;
    const parts: Buffer[] = [];
    let sampleRate = 0;
    for (let at = 0; at < mp3.length; at += CHUNK_BYTES) {
      const decoded = decoder.decode(mp3.subarray(at, at + CHUNK_BYTES));
      if (decoded.samplesDecoded > 0) {
        sampleRate ||= decoded.sampleRate;
        parts.push(mono16(decoded.channelData, decoded.samplesDecoded));
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (sampleRate === 0) throw new RelaisError('not_found', 'the audio file holds no MP3 frame that can be decoded');
    return pcmWav(Buffer.concat(parts), sampleRate);
  } finally {
    decoder.free();
    decoding--;
  }
}
