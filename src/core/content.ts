import { normalizeEmail } from './addresses.js';
import { checkHttpUrl } from './callback-url.js';
import { RelaisError } from './errors.js';
import { countSmsSegments } from './segments.js';
import { clampRate, MAX_SPEECH_RATE, MIN_SPEECH_RATE, speechLang } from './speech.js';
import type { Channel, EmailAttachment, MessageContent } from './types.js';

/** Concatenated SMS beyond this many segments are refused (SMS Partner's limit, code 52). */
export const MAX_SMS_SEGMENTS = 10;
const SENDER = /^(?:[A-Za-z0-9 .\-_&+']{1,11}|\+?\d{3,15})$/;
// A line break in a value that becomes a header line would start a header of the client's own;
// tab is the only control character a header may hold.
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F]/;

const invalid = (field: string, message: string) => new RelaisError('invalid_request', message, { field });

/** The fields each channel's content has; anything else (an e-mail subject on an SMS…) is refused. */
const CONTENT_FIELDS: Record<Channel, readonly string[]> = {
  sms: ['channel', 'text', 'sender', 'unicode'],
  email: ['channel', 'subject', 'text', 'html', 'from', 'replyTo', 'names', 'attachments'],
  voice: ['channel', 'text', 'audioUrl', 'sender', 'audioToken', 'lang', 'rate', 'durationMs'],
};

/**
 * The path to the first string (value or object key) holding U+0000, or undefined. PostgreSQL
 * text and JSON cannot store it and no channel can carry it, so every API refuses it on entry.
 * Iterative: a body nested thousands of levels is walked without exhausting the stack.
 */
export function nulPath(value: unknown): string[] | undefined {
  // Each entry links to its parent: the path is built once, for the hit (copying it per level is quadratic).
  interface Entry { value: unknown; key: string; parent: Entry | null }
  const pathOf = (e: Entry | null): string[] => {
    const path: string[] = [];
    for (let at = e; at?.parent; at = at.parent) path.push(at.key);
    return path.reverse();
  };
  const stack: Entry[] = [{ value, key: '', parent: null }];
  while (stack.length) {
    const entry = stack.pop()!;
    const v = entry.value;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return pathOf(entry);
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, child] of Object.entries(v)) {
        if (key.includes('\u0000')) return pathOf(entry);
        stack.push({ value: child, key, parent: entry });
      }
    }
  }
  return undefined;
}

/** A sender id: blank or with control characters it would reach the carrier as an empty or forged header. */
function checkSender(sender: string | null, pattern?: RegExp, field = 'sender'): void {
  if (sender === null) return;
  if (!sender.trim() || CONTROL.test(sender)) throw new RelaisError('invalid_sender', `${field} must not be blank nor hold control characters`, { field });
  if (pattern && !pattern.test(sender)) throw new RelaisError('invalid_sender', `${field} must be 1-11 letters/digits or a phone number`, { field });
}

/** An SMS sender id as validateContent accepts it, refused naming `field`. */
export const checkSmsSender = (sender: string, field: string): void => checkSender(sender, SENDER, field);

/** `addr@example.com` or `Display Name <addr@example.com>`, the address normalised; null stays null. */
export function mailbox(field: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  const open = text.lastIndexOf('<');
  const named = open >= 0 && text.endsWith('>');
  const name = named ? text.slice(0, open).trim() : '';
  if (CONTROL.test(name) || /[<>]/.test(name)) throw invalid(field, `${field} has a display name with characters a mail header cannot carry`);
  let address: string;
  try {
    address = normalizeEmail(named ? text.slice(open + 1, -1) : text);
  } catch {
    throw invalid(field, `${field} must be an e-mail address, optionally as "Name <address>"`);
  }
  return name ? `${name} <${address}>` : address;
}

/**
 * A From or Reply-To as stored (`address` or `Name <address>`, as mailbox() wrote it) split into
 * its parts: a name may hold quotes, commas or an `@` (it holds no `<>`), so it must reach a mail
 * header as a quoted display name, never re-parsed as an address list.
 */
export function splitMailbox(value: string): { name: string | null; address: string } {
  const open = value.lastIndexOf('<');
  if (open < 0 || !value.endsWith('>')) return { name: null, address: value };
  return { name: value.slice(0, open).trim() || null, address: value.slice(open + 1, -1) };
}

/** Recipients' display names become the To header: one line, no `<>`, for addresses as normalised. */
function checkNames(names: Record<string, string> | undefined): void {
  if (names === undefined) return;
  if (typeof names !== 'object' || names === null || Array.isArray(names)) throw invalid('names', 'names must map addresses to display names');
  for (const [address, name] of Object.entries(names)) {
    if (typeof name !== 'string' || !name.trim() || CONTROL.test(name) || /[<>]/.test(name)) {
      throw invalid('names', `the name of ${address} must be one non-blank line without <>`);
    }
  }
}

const CONTENT_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Attachments become MIME parts: a one-line file name, a `type/subtype`, base64 bytes. */
function checkAttachments(attachments: EmailAttachment[] | undefined): void {
  if (attachments === undefined) return;
  if (!Array.isArray(attachments)) throw invalid('attachments', 'attachments must be a list');
  for (const a of attachments) {
    if (typeof a !== 'object' || a === null || typeof a.filename !== 'string' || !a.filename.trim() || CONTROL.test(a.filename)) {
      throw invalid('attachments', 'each attachment needs a one-line filename');
    }
    if (typeof a.contentType !== 'string' || !CONTENT_TYPE.test(a.contentType)) throw invalid('attachments', `${a.filename}: contentType must be type/subtype`);
    if (typeof a.base64 !== 'string' || a.base64.length % 4 !== 0 || !BASE64.test(a.base64)) throw invalid('attachments', `${a.filename}: base64 is not base64`);
  }
}

/** Checks what a channel needs to be sendable; returns the content as it will be stored. */
export function validateContent(channel: Channel, content: MessageContent): MessageContent {
  if (content.channel !== channel) throw invalid('channel', `content is for ${content.channel}, message is for ${channel}`);
  const stray = Object.keys(content).find((f) => !CONTENT_FIELDS[channel].includes(f));
  if (stray) throw invalid(stray, `${stray} does not apply to ${channel} messages`);
  switch (content.channel) {
    case 'sms': {
      if (!content.text) throw invalid('text', 'text must not be empty');
      checkSender(content.sender, SENDER);
      const { segments } = countSmsSegments(content.text, { unicode: content.unicode });
      if (segments > MAX_SMS_SEGMENTS) {
        throw new RelaisError('message_too_long', `text needs ${segments} SMS segments; the limit is ${MAX_SMS_SEGMENTS}`, { field: 'text', segments });
      }
      return content;
    }
    case 'email':
      if (!content.subject) throw invalid('subject', 'subject must not be empty');
      if (CONTROL.test(content.subject)) throw invalid('subject', 'subject must be one line without control characters');
      if (!content.text && !content.html) throw invalid('text', 'an e-mail needs text or html');
      checkNames(content.names);
      checkAttachments(content.attachments);
      return { ...content, from: mailbox('from', content.from), replyTo: mailbox('replyTo', content.replyTo) };
    case 'voice':
      if (!content.text && !content.audioUrl && !content.audioToken) throw invalid('text', 'a voice message needs text, audioUrl or audioToken');
      checkSender(content.sender);
      if (content.audioUrl !== null) checkHttpUrl(content.audioUrl, 'audioUrl');
      if (content.audioToken !== undefined && !/^[A-Za-z0-9]{1,64}$/.test(content.audioToken)) throw invalid('audioToken', 'audioToken must be an audio file token');
      if (content.lang !== undefined) speechLang(content.lang);
      if (content.rate !== undefined && clampRate(content.rate) !== content.rate) throw invalid('rate', `rate must be within ${MIN_SPEECH_RATE}..${MAX_SPEECH_RATE}`);
      if (content.durationMs !== undefined && !(Number.isSafeInteger(content.durationMs) && content.durationMs > 0)) throw invalid('durationMs', 'durationMs must be a positive whole number');
      return content;
  }
}
