import { setupPartnerScope } from '../partner/scope.js';
import type { DialectApp, DialectContext } from '../dialect.js';
import { MISSING_KEY, NOT_FOUND, VOICE_PARTNER_ERRORS } from './errors.js';
import { meRoutes } from './me.js';
import { acceptUploads, audioRoutes } from './audio.js';
import { cancelRoutes } from './cancel.js';
import { sendRoutes } from './send.js';

/**
 * The Voice Partner dialect (spec/voice-partner.md): `/me`, the audio files, the two sends and cancel.
 * Every answer is the vendor's envelope with its HTTP status (no always-200 switch).
 */
export async function voicePartnerRoutes(app: DialectApp, opts: DialectContext): Promise<void> {
  const route = setupPartnerScope(app, { core: opts.core, table: VOICE_PARTNER_ERRORS, always200: false, notFound: NOT_FOUND, missingKey: MISSING_KEY });
  await acceptUploads(app);
  meRoutes(route, opts);
  audioRoutes(route, opts);
  sendRoutes(route, opts);
  cancelRoutes(route, opts);
}
