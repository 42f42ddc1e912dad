import type { MPEGDecoder } from 'mpg123-decoder';
import { RelaisError } from './errors.js';

/**
 * MP3 decoding for calls: the outbox serves every call's audio as `audio/wav` (issue #18), and an
 * upload's length is what mpg123 (WebAssembly) decodes, not what its first frames claim (a file
 * that starts at 320 kbit/s and goes on at 32 kbit/s lasts ten times what their bitrate says).
 */

/** MP3 bytes decoded between two turns of the event loop: at 32 kbit/s four seconds of audio, some 20 ms of CPU. */
const CHUNK_BYTES = 16 * 1024;
/** Decodes at once in this process: a ten-minute MP3 takes about two seconds of CPU and up to 58 MB of WAV. */
export const MAX_DECODES = 1;
let decoding = 0;

const HEADER_BYTES = 44;

/** A canonical 16-bit PCM WAV header, mono, for `dataBytes` of samples at `sampleRate`. */
export function wavHeader(dataBytes: number, sampleRate: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(HEADER_BYTES - 8 + dataBytes, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(dataBytes, 40);
  return header;
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
 * Decodes `mp3` in chunks, a turn of the event loop between them so that the server keeps
 * answering, handing each chunk's samples to `take`. Refused: a second decode while one runs
 * (`busy`, retry in a second), no decodable frame, a change of sample rate (mpg123 does not
 * resample: the audio would play at the wrong speed), more than `maxMs` of audio (stopped there).
 */
async function decode(mp3: Uint8Array, maxMs: number, take: (channels: Float32Array[], samples: number) => void): Promise<{ sampleRate: number; samples: number }> {
  if (decoding >= MAX_DECODES) throw new RelaisError('busy', 'another audio file is being decoded; retry shortly', { retryAfter: 1 });
  decoding++;
  let decoder: MPEGDecoder | undefined;
  try {
    // Loaded on the first MP3: the decoder compiles its WebAssembly when imported.
    const { MPEGDecoder } = await import('mpg123-decoder');
    decoder = new MPEGDecoder();
    await decoder.ready;
    let sampleRate = 0;
    let samples = 0;
    for (let at = 0; at < mp3.length; at += CHUNK_BYTES) {
      const decoded = decoder.decode(mp3.subarray(at, at + CHUNK_BYTES));
      if (decoded.samplesDecoded > 0) {
        if (sampleRate !== 0 && decoded.sampleRate !== sampleRate) throw new RelaisError('invalid_request', 'the MP3 changes sample rate midway', { field: 'file' });
        sampleRate = decoded.sampleRate;
        samples += decoded.samplesDecoded;
        if (samples > (maxMs / 1000) * sampleRate) throw new RelaisError('invalid_request', `the audio lasts more than ${maxMs / 60_000} minutes`, { field: 'file' });
        take(decoded.channelData, decoded.samplesDecoded);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (sampleRate === 0) throw new RelaisError('invalid_request', 'the file holds no MP3 frame that can be decoded', { field: 'file' });
    return { sampleRate, samples };
  } finally {
    decoding--;
    try {
      decoder?.free();
    } catch {
      // A decoder that never got ready has nothing to free.
    }
  }
}

/** How long the MP3 really plays, decoded to the end (at most `maxMs`, refused past it). */
export async function mp3DurationMs(mp3: Uint8Array, maxMs: number): Promise<number> {
  const { sampleRate, samples } = await decode(mp3, maxMs, () => {});
  return Math.round((samples / sampleRate) * 1000);
}

/** The MP3 as a mono 16-bit WAV at its own sample rate (at most `maxMs` of it). */
export async function mp3ToWav(mp3: Uint8Array, maxMs: number): Promise<Buffer> {
  const parts: Buffer[] = [Buffer.alloc(0)];
  const { sampleRate, samples } = await decode(mp3, maxMs, (channels, n) => parts.push(mono16(channels, n)));
  parts[0] = wavHeader(samples * 2, sampleRate);
  return Buffer.concat(parts, HEADER_BYTES + samples * 2);
}
