import multipart from '@fastify/multipart';
import { listAudioFiles, MAX_AUDIO_BYTES, renameAudioFile, uploadAudioFile } from '../../../core/audio-files.js';
import { RelaisError } from '../../../core/errors.js';
import type { AudioFile } from '../../../core/types.js';
import type { PartnerRouter } from '../partner/scope.js';
import { localTimestamp } from '../partner/values.js';
import type { DialectApp, DialectContext } from '../dialect.js';
import { AUDIO_FILE_NOT_FOUND, TOKEN_AUDIO_REQUIRED, vp } from './errors.js';
import { keyed } from './keyed.js';

/**
 * The upload's multipart limits: one file of 10 MB at most and a few short text fields
 * (`apiKey`, `filename`). Past any of them the request is answered 413, without buffering more.
 */
const LIMITS = { files: 1, fileSize: MAX_AUDIO_BYTES, fields: 4, fieldSize: 1024, parts: 5, headerPairs: 32 };

/** Sizes as the vendor lists them: kilobytes (1024 bytes) with one decimal and `Ko`, e.g. `104.5Ko`. */
export const kilobytes = (bytes: number): string => `${(bytes / 1024).toFixed(1)}Ko`;

/** Durations as `m:ss`, to the nearest second. */
export function minutesSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** One entry of `/audios` (spec §2): `created_at` as PHP serialises a DateTime, to the second like the vendor's. */
const listed = (f: AudioFile, zone: string) => ({
  name: f.name, token: f.token, size: kilobytes(f.size), duration: minutesSeconds(f.durationMs),
  created_at: { date: `${localTimestamp(f.createdAt, zone)}.000000`, timezone_type: 3, timezone: zone },
});

/** Parses multipart bodies in this dialect's scope only: the rest of the server never reads one. */
export async function acceptUploads(app: DialectApp): Promise<void> {
  await app.register(multipart, { throwFileSizeLimit: true, limits: LIMITS });
}

/** `/audios/{apiKey}`, `/audio-file/rename` (spec §2–§3) and the Relais upload (spec §4). */
export function audioRoutes(route: PartnerRouter, opts: DialectContext): void {
  const { core, timezone } = opts;

  route(['POST'], '/audio-file/upload', async ({ auth, params }) => {
    const file = params.files[0];
    if (params.files.length !== 1 || file?.field !== 'file') throw new RelaisError('invalid_request', 'send one audio file as the multipart field `file`', { field: 'file' });
    const stored = await uploadAudioFile(core, auth.account.id, { bytes: file.bytes, name: params.str('filename'), filename: file.filename });
    return { success: true, tokenAudio: stored.token, filename: stored.name, size: kilobytes(stored.size), duration: minutesSeconds(stored.durationMs) };
  }, { scope: 'messages:write' });

  keyed(route, ['GET'], '/audios', async ({ auth }) => {
    const files = await listAudioFiles(core, auth.account.id);
    return { nb_datas: files.length, datas: files.map((f) => listed(f, timezone)) };
  }, { scope: 'messages:read' });

  route(['POST'], '/audio-file/rename', async ({ auth, params }) => {
    const token = params.str('tokenAudio');
    if (!token) throw vp(TOKEN_AUDIO_REQUIRED);
    const renamed = await renameAudioFile(core, auth.account.id, token, params.str('filename') ?? '');
    return { success: true, filename: renamed.name, tokenAudio: renamed.token };
  }, { scope: 'messages:write', errors: { not_found: AUDIO_FILE_NOT_FOUND } });
}
