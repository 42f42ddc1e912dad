import type { WebhookRenderer } from '../../core/webhooks.js';
import { braze } from './braze/dialect.js';
import type { Dialect } from './dialect.js';
import { mailPartner } from './mailpartner/dialect.js';
import { smsPartner } from './smspartner/dialect.js';
import { voicePartner } from './voicepartner/dialect.js';

/**
 * Every vendor dialect the server speaks. The app, Host routing, /docs/json, `GET /`, config
 * and the status-callback sender all read this list: a new dialect is its folder plus one line.
 */
export const DIALECTS: readonly Dialect[] = [smsPartner, mailPartner, voicePartner, braze];

/** Mount points of the dialects still to come (DESIGN.md): remove one when its dialect lands above. */
export const PLANNED_MOUNTS: readonly string[] = [];

/** Every dialect's status-callback renderers, by the format name a dialect stores with a message (core/webhooks.ts). */
export const WEBHOOK_RENDERERS: Readonly<Record<string, WebhookRenderer>> = Object.assign({}, ...DIALECTS.map((d) => d.callbackFormats));
