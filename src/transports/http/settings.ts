import { parseInteger, parseRate, settingVariable, type TransportSetting } from '../../core/transport-module.js';
import { parseUrlSetting } from '../../core/transport-url.js';
import { PRESET_NAMES, PRESETS, TWILIO_API, twilioUrls, type PresetName } from './presets.js';
import { parseStatusSet, type AnswerMapping } from './response.js';
import type { CallbackMapping } from './status-callback.js';
import { parseTemplate, type BodyTemplate } from './template.js';

export type HttpChannel = 'sms' | 'voice';

export interface HttpSettings {
  preset: PresetName;
  urls: Record<HttpChannel, URL>;
  method: 'POST' | 'PUT';
  /** The header that authenticates each request; undefined: none. */
  auth: { name: string; value: string } | undefined;
  bodies: Record<HttpChannel, BodyTemplate>;
  from: string | null;
  answer: AnswerMapping;
  timeoutMs: number;
  rate: number | undefined;
  concurrency: number | undefined;
  callback: CallbackMapping;
  /** Twilio's auth token, which signs its callbacks (X-Twilio-Signature); undefined: they are not checked. */
  twilioAuthToken: string | undefined;
}

export const HTTP_SETTINGS: Readonly<Record<string, TransportSetting>> = {
  PRESET: { default: 'webhook', doc: 'HTTP provider: `webhook` (the message as JSON to RELAIS_HTTP_URL, the answer\'s `id` as provider id) or `twilio` (Twilio\'s Messages and Calls API); the settings below replace a part of it' },
  URL: { default: '', doc: 'HTTP provider URL for every channel (webhook preset: required unless both per-channel URLs are set); twilio: the API base, unset = https://api.twilio.com' },
  SMS_URL: { default: '', doc: 'HTTP provider URL of SMS; unset = the preset\'s, or RELAIS_HTTP_URL' },
  VOICE_URL: { default: '', doc: 'HTTP provider URL of calls; unset = the preset\'s, or RELAIS_HTTP_URL' },
  AUTH: { default: '', doc: 'HTTP provider authentication: `basic:user:password`, `bearer:token` or `header:Name:value`; unset = none (twilio: `basic:<Account SID>:<Auth Token>`, whose token also checks the signature of Twilio\'s callbacks)' },
  ACCOUNT: { default: '', doc: 'twilio: the Account SID in the API path; unset = the basic user (set it when the user is an API key SID)' },
  FROM: { default: '', doc: 'HTTP provider: sender (SMS) or caller id (calls) of a message that names none' },
  METHOD: { default: 'POST', doc: 'HTTP provider request method: POST or PUT' },
  FORMAT: { default: '', doc: 'HTTP provider body format: `json` or `form`; unset = the preset\'s (webhook json, twilio form)' },
  SMS_BODY: { default: '', doc: 'HTTP provider body template of SMS, JSON or form with `{to}`, `{from}`, `{text}`, `{messageId}`… (docs/TRANSPORTS.md); unset = the preset\'s' },
  VOICE_BODY: { default: '', doc: 'HTTP provider body template of calls (`{audioUrl}`, `{twiml}`, `{lang}` too); unset = the preset\'s' },
  ID_PATH: { default: '', doc: 'HTTP provider: dotted path of the provider id in an accepted JSON answer; unset = the preset\'s (webhook `id`, twilio `sid`)' },
  ACCEPTED: { default: '2xx', doc: 'HTTP provider statuses that accept a message (`201`, `2xx`, comma-separated)' },
  RETRYABLE: { default: '408,429,5xx', doc: 'HTTP provider statuses tried again later; any other refusal fails the recipient' },
  TIMEOUT_MS: { default: '10000', doc: 'HTTP provider: time for a whole request and answer, in milliseconds; past it the send is tried again' },
  RATE: { default: '', doc: 'Messages per second sent to the HTTP provider; unset = no limit' },
  CONCURRENCY: { default: '', doc: 'Requests in flight to the HTTP provider at once; unset = RELAIS_TRANSPORT_CONCURRENCY' },
  CALLBACK_ID: { default: '', doc: 'HTTP provider status callbacks: field(s) of the provider id, comma-separated, first present wins; unset = the preset\'s' },
  CALLBACK_STATUS: { default: '', doc: 'HTTP provider status callbacks: field(s) of the status; unset = the preset\'s' },
  CALLBACK_DELIVERED: { default: '', doc: 'HTTP provider status callbacks: statuses meaning delivered; unset = the preset\'s' },
  CALLBACK_UNDELIVERED: { default: '', doc: 'HTTP provider status callbacks: statuses meaning undelivered (others are acknowledged and ignored); unset = the preset\'s' },
};

const v = (key: string): string => settingVariable('http', key, HTTP_SETTINGS[key]);

/** An http(s) URL without credentials (they belong in RELAIS_HTTP_AUTH, which is never printed). */
function providerUrl(key: string, text: string): URL {
  const { url } = parseUrlSetting({ variable: v(key), schemes: ['http', 'https'], aUrl: 'an http(s) URL' }, text);
  if (url.username || url.password) throw new Error(`${v(key)} must not hold a user or password: put them in ${v('AUTH')}`);
  return url;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The header of `basic:user:password`, `bearer:token` or `header:Name:value`; the error never repeats the secret. */
function auth(text: string): { header?: NonNullable<HttpSettings['auth']>; user?: string; password?: string } {
  if (text === '') return {};
  const bad = (why: string) => new Error(`${v('AUTH')} ${why}`);
  const [kind, ...rest] = text.split(':');
  const secret = rest.join(':');
  if (/[\r\n]/.test(secret)) throw bad('must not hold a line break');
  switch (kind.toLowerCase()) {
    case 'basic': {
      const colon = secret.indexOf(':');
      if (colon <= 0) throw bad('basic must be basic:user:password');
      return { header: { name: 'authorization', value: `Basic ${Buffer.from(secret).toString('base64')}` }, user: secret.slice(0, colon), password: secret.slice(colon + 1) };
    }
    case 'bearer':
      if (!secret) throw bad('bearer must be bearer:token');
      return { header: { name: 'authorization', value: `Bearer ${secret}` } };
    case 'header': {
      const colon = secret.indexOf(':');
      const name = secret.slice(0, colon);
      if (colon <= 0 || !HEADER_NAME.test(name) || colon === secret.length - 1) throw bad('header must be header:Name:value, Name a header name');
      return { header: { name: name.toLowerCase(), value: secret.slice(colon + 1) } };
    }
    default:
      throw bad('must be basic:user:password, bearer:token or header:Name:value');
  }
}

const list = (text: string): string[] => text.split(',').map((s) => s.trim()).filter(Boolean);

function urls(preset: PresetName, values: Readonly<Record<string, string>>, user: string | undefined): Record<HttpChannel, URL> {
  const own = { sms: values.SMS_URL, voice: values.VOICE_URL };
  let base: { sms: string; voice: string };
  if (preset === 'twilio') {
    const account = values.ACCOUNT || user;
    if (!account) throw new Error(`the twilio preset needs ${v('ACCOUNT')} or ${v('AUTH')}=basic:<Account SID>:<Auth Token>`);
    base = twilioUrls(values.URL ? providerUrl('URL', values.URL).href : TWILIO_API, account);
  } else {
    if (!values.URL && !(own.sms && own.voice)) throw new Error(`${v('URL')} is required when a channel's transport is http with the webhook preset (or set both ${v('SMS_URL')} and ${v('VOICE_URL')})`);
    base = { sms: values.URL, voice: values.URL };
  }
  return {
    sms: providerUrl(own.sms ? 'SMS_URL' : 'URL', own.sms || base.sms),
    voice: providerUrl(own.voice ? 'VOICE_URL' : 'URL', own.voice || base.voice),
  };
}

export function parseHttpSettings(values: Readonly<Record<string, string>>): HttpSettings {
  const preset = values.PRESET.toLowerCase() as PresetName;
  if (!PRESET_NAMES.includes(preset)) throw new Error(`${v('PRESET')} must be one of ${PRESET_NAMES.join(', ')} (got "${values.PRESET}")`);
  const p = PRESETS[preset];
  const or = (key: string, fallback: string): string => values[key] || fallback;
  const format = or('FORMAT', p.format).toLowerCase();
  if (format !== 'json' && format !== 'form') throw new Error(`${v('FORMAT')} must be json or form (got "${values.FORMAT}")`);
  const method = values.METHOD.toUpperCase();
  if (method !== 'POST' && method !== 'PUT') throw new Error(`${v('METHOD')} must be POST or PUT (got "${values.METHOD}")`);
  const { header, user, password } = auth(values.AUTH);
  const idPath = or('ID_PATH', p.idPath);
  if (!/^[^.\s]+(\.[^.\s]+)*$/.test(idPath)) throw new Error(`${v('ID_PATH')} must be a dotted path such as id or data.id (got "${idPath}")`);
  return {
    preset, urls: urls(preset, values, user), method: method as HttpSettings['method'],
    auth: header,
    bodies: {
      sms: parseTemplate(values.SMS_BODY ? v('SMS_BODY') : v('PRESET'), format, or('SMS_BODY', p.smsBody)),
      voice: parseTemplate(values.VOICE_BODY ? v('VOICE_BODY') : v('PRESET'), format, or('VOICE_BODY', p.voiceBody)),
    },
    from: values.FROM || null,
    answer: { accepted: parseStatusSet(v('ACCEPTED'), values.ACCEPTED), retryable: parseStatusSet(v('RETRYABLE'), values.RETRYABLE), idPath },
    timeoutMs: parseInteger(v('TIMEOUT_MS'), values.TIMEOUT_MS, 100, 600_000),
    rate: parseRate(v('RATE'), values.RATE),
    concurrency: values.CONCURRENCY === '' ? undefined : parseInteger(v('CONCURRENCY'), values.CONCURRENCY, 1, 1000),
    callback: {
      idFields: list(or('CALLBACK_ID', p.callbackId)), statusFields: list(or('CALLBACK_STATUS', p.callbackStatus)),
      delivered: new Set(list(or('CALLBACK_DELIVERED', p.callbackDelivered).toLowerCase())),
      undelivered: new Set(list(or('CALLBACK_UNDELIVERED', p.callbackUndelivered).toLowerCase())),
      codeFields: p.codeFields, reasonFields: p.reasonFields, atFields: p.atFields,
    },
    // Twilio signs with the account's auth token: the basic password when the user is the account,
    // an Account SID (AC…), not an API key (SK…), whose secret signs nothing.
    twilioAuthToken: preset === 'twilio' && password !== undefined && user?.startsWith('AC') && (!values.ACCOUNT || values.ACCOUNT === user) ? password : undefined,
  };
}
