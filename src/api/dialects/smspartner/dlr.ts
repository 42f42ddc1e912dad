import type { WebhookPayload } from '../../../core/webhooks.js';
import type { WebhookDelivery } from '../../../core/types.js';
import { eventStatusWord } from './render.js';

/** The callback format stored with a message that has a `urlDlr`: the name its renderer is registered under. */
export const DLR_FORMAT = 'smspartner';

/**
 * The `urlDlr` delivery receipt. The vendor does not document it (spec §11.2, open question Q6);
 * Relais POSTs these form fields: message_id, phoneNumber (E.164), status (the status
 * endpoints' words: `Waiting` for a send remembered for receipts (its `sent` event says
 * `awaitsReceipt`), then `Delivered` / `Not delivered` for the receipt; `Delivered` for a send
 * through a transport without receipts), date (Unix seconds), tag when the message has one, stopSms (0/1).
 */
export function renderSmsPartnerDlr(d: WebhookDelivery): WebhookPayload {
  const fields: Record<string, string> = {
    message_id: String(d.messageId),
    phoneNumber: d.address ?? '',
    status: eventStatusWord(d.event, d.data?.awaitsReceipt === true),
    date: String(Math.floor(d.at / 1000)),
  };
  if (d.tag) fields.tag = d.tag;
  fields.stopSms = d.data?.reason === 'suppressed' ? '1' : '0';
  return { contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams(fields).toString() };
}
