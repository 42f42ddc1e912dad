import type { TransportModule } from '../../core/transport-module.js';
import { HttpTransport } from './transport.js';
import { HTTP_SETTINGS, parseHttpSettings, type HttpSettings } from './settings.js';
import { readStatusCallback } from './status-callback.js';
import { refuseTwilioSignature } from './twilio-signature.js';

/** `RELAIS_SMS_TRANSPORT=http`, `RELAIS_VOICE_TRANSPORT=http`: an HTTP API provider (docs/TRANSPORTS.md, "HTTP providers"). */
export const httpModule: TransportModule<HttpSettings> = {
  name: 'http',
  channels: ['sms', 'voice'],
  settings: HTTP_SETTINGS,
  parse: parseHttpSettings,
  create: (settings, ctx) => new HttpTransport(settings, {
    statusCallbackUrl: ctx.statusCallbackUrl?.('http') ?? null, audioUrl: ctx.audioUrl && ((ref) => ctx.audioUrl!('http', ref)), observer: ctx.observer,
  }),
  statusCallbacks: (settings) => (request) => {
    const refused = settings.twilioAuthToken === undefined ? undefined : refuseTwilioSignature(settings.twilioAuthToken, request);
    return refused ? { refused } : readStatusCallback(settings.callback, request);
  },
};
