import type { OutgoingMessage } from '../../core/transport.js';

/** What a body template may name, as `{name}`. */
export const TEMPLATE_FIELDS = [
  'to', 'from', 'text', 'channel', 'messageId', 'recipientId', 'accountId', 'audioUrl', 'lang', 'twiml', 'statusCallbackUrl',
] as const;

export type TemplateField = (typeof TEMPLATE_FIELDS)[number];
export type FieldValues = Record<TemplateField, string | number | null>;

/** A body template as configuration wrote it, parsed once at load. */
export type BodyTemplate = { format: 'json'; value: unknown } | { format: 'form'; pairs: [string, string][] };

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;
const WHOLE = /^\{([A-Za-z]+)\}$/;

function checkFields(variable: string, text: string): void {
  for (const [, name] of text.matchAll(PLACEHOLDER)) {
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(name)) {
      throw new Error(`${variable} names {${name}}, which is no field (known: ${TEMPLATE_FIELDS.map((f) => `{${f}}`).join(', ')})`);
    }
  }
}

/**
 * Reads a template: JSON (any JSON value; `{field}` inside its strings) or a form
 * (`To={to}&Body={text}`). Fields are replaced after parsing, so a value can never change the
 * body's structure: a text with a quote or an `&` stays one string.
 */
export function parseTemplate(variable: string, format: 'json' | 'form', text: string): BodyTemplate {
  checkFields(variable, text);
  if (format === 'form') return { format, pairs: [...new URLSearchParams(text)] };
  try {
    return { format, value: JSON.parse(text) };
  } catch {
    throw new Error(`${variable} must be JSON when the format is json (got ${JSON.stringify(text.slice(0, 80))})`);
  }
}

/** A string of the template: a lone `{field}` keeps the value's type (a number, null); else the fields are written into it. */
function fill(text: string, values: FieldValues): string | number | null {
  const whole = WHOLE.exec(text);
  if (whole) return values[whole[1] as TemplateField];
  return text.replace(PLACEHOLDER, (_, name: string) => String(values[name as TemplateField] ?? ''));
}

function fillJson(value: unknown, values: FieldValues): unknown {
  if (typeof value === 'string') return fill(value, values);
  if (Array.isArray(value)) return value.map((v) => fillJson(v, values));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillJson(v, values)]));
  }
  return value;
}

/** The body and its content type. A form field that is one empty `{field}` (no sender, no callback URL) is left out. */
export function renderBody(template: BodyTemplate, values: FieldValues): { contentType: string; body: string } {
  if (template.format === 'json') return { contentType: 'application/json', body: JSON.stringify(fillJson(template.value, values)) };
  const form = new URLSearchParams();
  for (const [key, text] of template.pairs) {
    const v = fill(text, values);
    if (v !== null && v !== '') form.append(key, String(v));
  }
  return { contentType: 'application/x-www-form-urlencoded', body: form.toString() };
}

const xml = (text: string): string => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The locale `<Say language>` takes for each language a call may be spoken in (core/speech.ts); Twilio's default is en-US. */
const SAY_LOCALES: Readonly<Record<string, string>> = {
  ar: 'ar-XA', ca: 'ca-ES', cs: 'cs-CZ', da: 'da-DK', de: 'de-DE', el: 'el-GR', en: 'en-US', es: 'es-ES', fi: 'fi-FI',
  fr: 'fr-FR', hu: 'hu-HU', it: 'it-IT', ja: 'ja-JP', ko: 'ko-KR', nb: 'nb-NO', nl: 'nl-NL', pl: 'pl-PL', pt: 'pt-PT',
  ro: 'ro-RO', ru: 'ru-RU', sk: 'sk-SK', sv: 'sv-SE', tr: 'tr-TR', uk: 'uk-UA', vi: 'vi-VN',
};

/** TwiML that plays `play`, or speaks the text in its language; null when it has neither. */
function twiml(play: string | null, text: string | null, lang: string | null): string | null {
  if (play) return `<Response><Play>${xml(play)}</Play></Response>`;
  const locale = lang === null ? undefined : SAY_LOCALES[lang];
  return text ? `<Response><Say${locale ? ` language="${locale}"` : ''}>${xml(text)}</Say></Response>` : null;
}

/**
 * The fields of one recipient's message. `from` is the message's sender, else the configured one.
 * A call's `{audioUrl}` is the recorded audio it plays instead of its text: its own URL, else,
 * when it has no text, `storedAudioUrl`, where Relais serves its uploaded file. A spoken call's
 * stored file is the speech Relais synthesised, which the provider's own voice replaces: its
 * TwiML says the text (in the call's language) as a webhook receiver is given the text.
 */
export function fieldValues(msg: OutgoingMessage, defaults: { from: string | null; statusCallbackUrl: string | null; storedAudioUrl?: string | null }): FieldValues {
  const c = msg.content;
  const audioUrl = c.channel === 'voice' ? c.audioUrl ?? (c.text ? null : defaults.storedAudioUrl ?? null) : null;
  return {
    to: msg.address, from: ('sender' in c ? c.sender : null) ?? defaults.from, text: c.text, channel: msg.channel,
    messageId: msg.messageId, recipientId: msg.recipientId, accountId: msg.accountId, audioUrl,
    lang: c.channel === 'voice' ? c.lang ?? null : null,
    twiml: c.channel === 'voice' ? twiml(audioUrl, c.text, c.lang ?? null) : null,
    statusCallbackUrl: defaults.statusCallbackUrl,
  };
}
