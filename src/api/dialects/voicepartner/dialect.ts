import { defineDialect } from '../dialect.js';
import { VOICE_PARTNER_CALLBACKS } from './callbacks.js';

/**
 * Voice Partner (spec/voice-partner.md, docs/dialects/voicepartner.md): code written for
 * api.voicepartner.fr/v1. `notifyUrl` callbacks: callbacks.ts.
 */
export const voicePartner = defineDialect({
  name: 'voicepartner',
  prefix: '/voicepartner/v1',
  vendor: { hosts: ['api.voicepartner.fr'], path: '/v1' },
  // Errors carry their HTTP status (spec §0.1, errors.md §2): no always-200 switch.
  switches: {},
  routes: async () => (await import('./index.js')).voicePartnerRoutes,
  callbackFormats: VOICE_PARTNER_CALLBACKS,
  docs: {
    tag: 'Voice Partner',
    description: 'Drop-in api.voicepartner.fr/v1: vendor request and answer formats, vendor error codes, and a Relais upload of audio files. See docs/dialects/voicepartner.md.',
    securitySchemes: {
      voicePartnerKey: { type: 'apiKey', in: 'query', name: 'apiKey', description: 'Voice Partner: the API key as a path segment (`/me/{apiKey}`), in `apiKey` (query or body)' },
    },
    summaries: {
      '/me/:apiKey': 'Balance, TTS airtime and voice-mail drops left',
      '/me': 'Balance, TTS airtime and voice-mail drops left (key in the query)',
      '/audios/:apiKey': 'The account\'s audio files',
      '/audios': 'The account\'s audio files (key in the query)',
      '/audio-file/upload': 'Upload a WAV or MP3 file (Relais extension)',
      '/audio-file/rename': 'Rename an audio file',
      '/campaign/send': 'Drop a voice-mail message (an audio file) on 1 to 500 numbers, now or at a date',
      '/tts/send': 'Call 1 to 500 numbers and speak a text (or play an audio file), now or at a date',
      '/campaign/cancel/:apiKey/:campaignId': 'Cancel a scheduled campaign and get its credit back',
      '/campaign/cancel': 'Cancel a scheduled campaign (key and id in the query)',
    },
  },
});
