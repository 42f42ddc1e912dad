/**
 * What a preset fills in when its settings are unset. Every value is what an operator could have
 * written in the environment, and goes through the same checks.
 */
export interface Preset {
  format: 'json' | 'form';
  smsBody: string;
  voiceBody: string;
  idPath: string;
  callbackId: string;
  callbackStatus: string;
  callbackDelivered: string;
  callbackUndelivered: string;
  /** Not settings: where the provider's callbacks carry an error code, a reason and the instant. */
  codeFields: string[];
  reasonFields: string[];
  atFields: string[];
}

export const PRESET_NAMES = ['webhook', 'twilio'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** The message as a JSON object: the generic preset, whose every part the other settings may replace. */
const WEBHOOK_BODY = JSON.stringify({
  channel: '{channel}', to: '{to}', from: '{from}', text: '{text}', audioUrl: '{audioUrl}', lang: '{lang}',
  messageId: '{messageId}', recipientId: '{recipientId}', statusCallbackUrl: '{statusCallbackUrl}',
});

export const PRESETS: Record<PresetName, Preset> = {
  webhook: {
    format: 'json', smsBody: WEBHOOK_BODY, voiceBody: WEBHOOK_BODY, idPath: 'id',
    callbackId: 'id', callbackStatus: 'status', callbackDelivered: 'delivered', callbackUndelivered: 'undelivered,failed',
    codeFields: ['code'], reasonFields: ['reason'], atFields: ['at'],
  },
  // Twilio's Messages and Calls resources (API 2010-04-01): a form POST, answered 201 with the
  // new resource's `sid`; status callbacks are forms with MessageSid/MessageStatus or
  // CallSid/CallStatus. A call's `completed` means answered (Twilio bills it); busy, no-answer,
  // failed and canceled are not billed by Twilio.
  twilio: {
    format: 'form',
    smsBody: 'To={to}&From={from}&Body={text}&StatusCallback={statusCallbackUrl}',
    voiceBody: 'To={to}&From={from}&Twiml={twiml}&StatusCallback={statusCallbackUrl}',
    idPath: 'sid',
    callbackId: 'MessageSid,CallSid', callbackStatus: 'MessageStatus,CallStatus',
    callbackDelivered: 'delivered,completed', callbackUndelivered: 'undelivered,failed,busy,no-answer,canceled',
    codeFields: ['ErrorCode'], reasonFields: [], atFields: [],
  },
};

export const TWILIO_API = 'https://api.twilio.com';

/** Twilio's resource URLs under `base` for an account. */
export const twilioUrls = (base: string, account: string): { sms: string; voice: string } => {
  const root = `${base.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(account)}`;
  return { sms: `${root}/Messages.json`, voice: `${root}/Calls.json` };
};
