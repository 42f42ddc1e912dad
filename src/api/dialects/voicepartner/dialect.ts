import { defineDialect } from '../dialect.js';

/**
 * Voice Partner (spec/voice-partner.md, docs/dialects/voicepartner.md): code written for
 * api.voicepartner.fr/v1. Not in the registry yet: it is listed there once its sends and cancel
 * land, and `/voicepartner` stays a planned mount until then.
 */
export const voicePartner = defineDialect({
  name: 'voicepartner',
  prefix: '/voicepartner/v1',
  vendor: { hosts: ['api.voicepartner.fr'], path: '/v1' },
  // Errors carry their HTTP status (spec §0.1, errors.md §2): no always-200 switch.
  switches: {},
  routes: async () => (await import('./index.js')).voicePartnerRoutes,
  callbackFormats: {},
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
    },
  },
});
