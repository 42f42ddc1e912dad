import { callReached, callTotals } from '../../../core/voice.js';
import type { WebhookPayload, WebhookRenderer } from '../../../core/webhooks.js';
import { localTimestamp } from '../partner/values.js';
import { seconds } from './values.js';

/** The callback formats a call's `notifyUrl` is stored with (spec §8: GET for drops, POST JSON for TTS). */
export const DROP_CALLBACK_FORMAT = 'voicepartner-drop';
export const TTS_CALLBACK_FORMAT = 'voicepartner-tts';

/** The vendor's dates are French local time. */
const VENDOR_ZONE = 'Europe/Paris';

/**
 * A text-to-speech call's callback, one POST per recipient event (spec §8). A call that reached
 * its number (`sent` in the outbox, `delivered` from a provider) is `delivered` with the call's
 * duration; any other end (failed, undelivered, skipped) is `failed` with duration 0. Relais has
 * no `no_answer` nor `busy` outcome, so it never sends them. A cancelled campaign calls back
 * nothing: cancelling writes the message's event, not its recipients'.
 */
const renderTts: WebhookRenderer = async (d, core): Promise<WebhookPayload> => {
  const { campaignId, durationMs } = await callTotals(core, d.messageId);
  const reached = callReached(d.event);
  const body = {
    campaignId, phoneNumber: d.address, status: reached ? 'delivered' : 'failed',
    duration: reached ? seconds(durationMs) : 0, date: localTimestamp(d.at, VENDOR_ZONE),
  };
  return { contentType: 'application/json', body: JSON.stringify(body) };
};

/**
 * A voice-mail drop's callback (spec §8), a GET. The vendor sends one when the campaign ends;
 * Relais's callbacks follow recipient events, so it sends one GET per recipient event, counting
 * the campaign's recipients when it is sent: `status` is `finished` once none is left waiting
 * (`in_progress` before), `nbSuccess` those reached, `nbFailed` those that ended otherwise.
 * A client may get `finished` more than once; the counts are the same each time.
 */
const renderDrop: WebhookRenderer = async (d, core): Promise<WebhookPayload> => {
  const t = await callTotals(core, d.messageId);
  const query = new URLSearchParams({
    campaignId: t.campaignId, status: t.pending === 0 ? 'finished' : 'in_progress', nbSuccess: String(t.reached), nbFailed: String(t.notReached),
  });
  return { method: 'GET', query: query.toString() };
};

export const VOICE_PARTNER_CALLBACKS: Readonly<Record<string, WebhookRenderer>> = { [DROP_CALLBACK_FORMAT]: renderDrop, [TTS_CALLBACK_FORMAT]: renderTts };
