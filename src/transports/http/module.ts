import type { TransportModule } from '../../core/transport-module.js';
import { HttpTransport } from './transport.js';
import { HTTP_SETTINGS, parseHttpSettings, type HttpSettings } from './settings.js';
import { readStatusCallback } from './status-callback.js';

/** `RELAIS_SMS_TRANSPORT=http`, `RELAIS_VOICE_TRANSPORT=http`: an HTTP API provider (docs/TRANSPORTS.md, "HTTP providers"). */
export const httpModule: TransportModule<HttpSettings> = {
  name: 'http',
  channels: ['sms', 'voice'],
  settings: HTTP_SETTINGS,
  parse: parseHttpSettings,
  create: (settings, ctx) => new HttpTransport(settings, { statusCallbackUrl: ctx.statusCallbackUrl?.('http') ?? null, observer: ctx.observer }),
  statusCallbacks: (settings) => (request) => readStatusCallback(settings.callback, request),
  awaitsReceipts: () => true,
};
