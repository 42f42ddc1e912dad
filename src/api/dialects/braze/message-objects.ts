import { isRelaisError } from '../../../core/errors.js';
import { checkMessages } from '../../../core/campaigns.js';
import type { CampaignMessages } from '../../../core/types.js';
import { isObject, stringField, type BrazeBody } from './coerce.js';
import { BrazeError } from './errors.js';

const badRequest = (reason: string) => new BrazeError(400, 'Bad Request', [reason]);

const required = (o: BrazeBody, name: string, field: string): string => {
  const v = read(o, name, field);
  if (v === undefined || v === '') throw badRequest(`${field}.${name} is required`);
  return v;
};

function read(o: BrazeBody, name: string, field: string): string | undefined {
  try {
    return stringField(o, name);
  } catch {
    throw badRequest(`${field}.${name} must be a string`);
  }
}

/** The hidden preview line mail clients show after the subject: the usual first element of the body. */
const withPreheader = (body: string, preheader: string | undefined): string =>
  (preheader ? `<div style="display:none;max-height:0;overflow:hidden">${preheader.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}</div>${body}` : body);

/**
 * spec/braze.md §12.1: `body`, `app_id` and `subscription_group_id` are required; the ids are
 * any strings (Relais keeps no apps or subscription groups). MMS media is not supported.
 */
function smsObject(o: BrazeBody): NonNullable<CampaignMessages['sms']> {
  const field = 'messages.sms';
  required(o, 'app_id', field);
  required(o, 'subscription_group_id', field);
  if (o.media_items !== undefined && o.media_items !== null) throw badRequest(`${field}.media_items: MMS is not supported`);
  return { body: required(o, 'body', field) };
}

/**
 * spec/braze.md §12.2: `from` and `body` are required (templates by `email_template_id` are not
 * supported); `headers`, `extras`, `bcc` and `should_inline_css` are accepted and not used.
 */
function emailObject(o: BrazeBody): NonNullable<CampaignMessages['email']> {
  const field = 'messages.email';
  if (o.email_template_id !== undefined && o.email_template_id !== null) throw badRequest(`${field}.email_template_id: e-mail templates are not supported; give body`);
  if (o.attachments !== undefined && o.attachments !== null) throw badRequest(`${field}.attachments are not supported`);
  const replyTo = read(o, 'reply_to', field);
  const plaintext = read(o, 'plaintext_body', field);
  return {
    from: required(o, 'from', field),
    subject: read(o, 'subject', field) ?? '',
    body: withPreheader(required(o, 'body', field), read(o, 'preheader', field)),
    ...(plaintext !== undefined && { plaintext_body: plaintext }),
    ...(replyTo !== undefined && replyTo !== 'NO_REPLY_TO' && { reply_to: replyTo }),
  };
}

const CHANNELS = { sms: smsObject, email: emailObject } as const;

/**
 * The `messages` object of /messages/send and /messages/schedule/*: `sms` and `email` (each
 * checked as a campaign's templates are); any other channel is a 400. With a `campaign_id`, each
 * object needs a `message_variation_id` (any string: Relais campaigns have no variants).
 */
export function readMessages(body: BrazeBody, opts: { campaignId: string | undefined; required: boolean }): CampaignMessages | undefined {
  const messages = body.messages;
  if (messages === undefined || messages === null) {
    if (opts.required) throw new BrazeError(400, 'No message to send');
    return undefined;
  }
  if (!isObject(messages)) throw badRequest('messages must be an object');
  const out: CampaignMessages = {};
  for (const [channel, value] of Object.entries(messages)) {
    if (!(channel in CHANNELS)) throw badRequest(`messages.${channel} is not supported: Relais sends sms and email`);
    if (!isObject(value)) throw badRequest(`messages.${channel} must be an object`);
    if (opts.campaignId !== undefined && typeof value.message_variation_id !== 'string') throw new BrazeError(400, 'Message Variant Unspecified');
    Object.assign(out, { [channel]: CHANNELS[channel as keyof typeof CHANNELS](value) });
  }
  if (!out.sms && !out.email) throw new BrazeError(400, 'No message to send');
  try {
    return checkMessages(out);
  } catch (err) {
    throw isRelaisError(err) && err.code === 'invalid_request' ? badRequest(err.message) : err;
  }
}
