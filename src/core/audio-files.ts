import type { Core } from './context.js';
import { RelaisError } from './errors.js';
import { getOutboxEntry } from './queries.js';
import { randomBase62 } from './random-id.js';
import { mp3DurationMs, mp3ToWav } from './wav.js';
import type { AudioContentType, AudioFile } from './types.js';

/** Largest audio file an account may upload (spec/voice-partner.md §4). */
export const MAX_AUDIO_BYTES = 10 * 1024 * 1024;
/** The longest audio a call may play: as long as the longest speech. */
export const MAX_AUDIO_MS = 10 * 60_000;
/**
 * The fewest bits a second of playable call audio takes (8 kbit/s: MP3's lowest rate, G.729's;
 * PCM and ADPCM take far more). A header claiming longer than its bytes allow at that rate lies.
 */
const MIN_BITS_PER_SECOND = 8_000;
export const NAME_LENGTH = { min: 3, max: 50 } as const;
/** The length of an audio file's token; a provider audio URL carries one (core/provider-callbacks.ts). */
export const AUDIO_TOKEN_LENGTH = 10;

/** The containers music-metadata names for the two formats a call can play. */
const CONTAINERS: Readonly<Record<string, AudioContentType>> = { WAVE: 'audio/wav', MPEG: 'audio/mpeg' };

const refused = (field: string, message: string) => new RelaisError('invalid_request', message, { field });

/**
 * What the file is and how long it plays, read from its bytes (never from its name or the
 * client's Content-Type): WAV or MP3 with a duration, anything else refused. music-metadata
 * tells the container and a WAV's duration; an MP3's is decoded (core/wav.ts), since music-metadata
 * estimates it from the first frames' bitrate, which a file may change after them.
 */
export async function probeAudio(bytes: Uint8Array): Promise<{ contentType: AudioContentType; durationMs: number }> {
  if (bytes.length === 0) throw refused('file', 'the file is empty');
  if (bytes.length > MAX_AUDIO_BYTES) throw new RelaisError('body_too_large', `an audio file is at most ${MAX_AUDIO_BYTES} bytes`, { field: 'file' });
  let format;
  try {
    // Loaded on the first upload: music-metadata is some 80 modules that most processes never use.
    const { parseBuffer } = await import('music-metadata');
    ({ format } = await parseBuffer(bytes, undefined, { duration: true, skipCovers: true }));
  } catch {
    throw refused('file', 'the file is not audio that can be read');
  }
  const contentType = format.container === undefined ? undefined : CONTAINERS[format.container];
  if (!contentType) throw refused('file', 'the file must be WAV or MP3');
  if (!(format.duration !== undefined && format.duration > 0 && Number.isFinite(format.duration))) throw refused('file', 'the file has no duration');
  if (format.duration > (bytes.length * 8) / MIN_BITS_PER_SECOND) throw refused('file', 'the file claims a duration its size cannot hold');
  if (contentType === 'audio/mpeg') return { contentType, durationMs: await mp3DurationMs(bytes, MAX_AUDIO_MS) };
  const durationMs = Math.round(format.duration * 1000);
  if (durationMs > MAX_AUDIO_MS) throw refused('file', `the audio lasts more than ${MAX_AUDIO_MS / 60_000} minutes`);
  return { contentType, durationMs };
}

/** A file name as given: 3..50 characters once trimmed, no control or format characters (U+202E would reverse how it reads). */
export function checkAudioName(name: string, field = 'filename'): string {
  const trimmed = name.trim();
  const length = [...trimmed].length;
  if (length < NAME_LENGTH.min || length > NAME_LENGTH.max) throw refused(field, `${field} must be ${NAME_LENGTH.min} to ${NAME_LENGTH.max} characters`);
  if (/[\p{Cc}\p{Cf}]/u.test(trimmed)) throw refused(field, `${field} must not contain control or format characters`);
  return trimmed;
}

/** `promo.wav` → `promo`: what a file is called when the client names it only by its upload. */
export const baseName = (filename: string): string => filename.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');

/** Stores an uploaded file for the account: `name`, or else the uploaded file's name without its extension. */
export async function uploadAudioFile(core: Core, accountId: number, input: { bytes: Uint8Array; name?: string; filename?: string }): Promise<AudioFile> {
  const name = input.name !== undefined ? checkAudioName(input.name) : checkAudioName(baseName(input.filename ?? ''), 'filename');
  const { contentType, durationMs } = await probeAudio(input.bytes);
  return insertWithToken(core, { accountId, kind: 'upload', name, contentType, bytes: input.bytes, durationMs });
}

/** Stores a file under a new token; a taken token (one in 62^10) is drawn again. */
async function insertWithToken(core: Core, f: Pick<AudioFile, 'accountId' | 'kind' | 'name' | 'contentType' | 'durationMs'> & { bytes: Uint8Array }): Promise<AudioFile> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = await core.store.autocommit.insertAudioFile({ ...f, token: randomBase62(AUDIO_TOKEN_LENGTH), size: f.bytes.length, createdAt: core.clock.now() });
    if (stored) return stored;
  }
  throw new RelaisError('conflict', 'no free audio token was found');
}

/**
 * Keeps the WAV synthesised for one call as the account's audio file of kind `speech`, so that
 * every node and the outbox can serve it; never listed nor renamed.
 */
export const storeSpeechAudio = (core: Core, accountId: number, wav: Buffer, durationMs: number): Promise<AudioFile> =>
  insertWithToken(core, { accountId, kind: 'speech', name: 'tts', contentType: 'audio/wav', bytes: wav, durationMs });

/** One of the account's files (an upload or a call's speech); another account's token is not found. */
export async function findAudioFile(core: Core, accountId: number, token: string): Promise<AudioFile> {
  const found = await core.store.autocommit.findAudioFile(accountId, token);
  if (!found) throw new RelaisError('not_found', 'no audio file with this token', { field: 'tokenAudio' });
  return found;
}

export const listAudioFiles = (core: Core, accountId: number): Promise<AudioFile[]> => core.store.autocommit.listAudioFiles(accountId);

/** Renames one of the account's files; another account's token is not found. */
export async function renameAudioFile(core: Core, accountId: number, token: string, name: string): Promise<AudioFile> {
  const checked = checkAudioName(name);
  const renamed = await core.store.autocommit.renameAudioFile(accountId, token, checked);
  if (!renamed) throw new RelaisError('not_found', 'no audio file with this token', { field: 'tokenAudio' });
  return renamed;
}

/**
 * The audio an outbox entry's call would have played (its `audioToken`: the dropped file or the
 * call's speech), as a WAV (an MP3 drop converted, core/wav.ts; a WAV drop as uploaded), or with
 * `original` as stored with its own type; not found for another account's entry, an entry that
 * is not a call, or a call with no audio (synthesised without espeak-ng).
 */
export async function outboxAudio(core: Core, accountId: number, outboxId: number, opts: { original?: boolean } = {}): Promise<{ contentType: AudioContentType; bytes: Uint8Array }> {
  const { entry } = await getOutboxEntry(core, accountId, outboxId);
  const token = entry.rendered.audioToken;
  const [file, bytes] = typeof token === 'string'
    ? await Promise.all([core.store.autocommit.findAudioFile(accountId, token), core.store.autocommit.audioFileBytes(accountId, token)])
    : [];
  if (!file || !bytes) throw new RelaisError('not_found', `outbox entry ${outboxId} has no audio`, { id: outboxId });
  if (opts.original || file.contentType === 'audio/wav') return { contentType: file.contentType, bytes };
  return { contentType: 'audio/wav', bytes: await mp3ToWav(bytes, MAX_AUDIO_MS) };
}

/**
 * The audio file a provider fetches at an audio URL `transport` gave it (core/provider-callbacks.ts),
 * with its stored type. A token that does not verify, has expired or names a file removed since
 * is the same not_found: nothing tells which.
 */
export async function providerAudio(core: Core, transport: string, token: string): Promise<{ contentType: AudioContentType; bytes: Uint8Array }> {
  const ref = core.providerCallbacks.audio(transport, token);
  const [file, bytes] = ref
    ? await Promise.all([core.store.autocommit.findAudioFile(ref.accountId, ref.audioToken), core.store.autocommit.audioFileBytes(ref.accountId, ref.audioToken)])
    : [];
  if (!file || !bytes) throw new RelaisError('not_found', 'no such audio URL');
  return { contentType: file.contentType, bytes };
}
