import { RelaisError } from './errors.js';
import type { MessageContent } from './types.js';

/**
 * Text-to-speech: what a voice call says and how long it lasts. The words are Voice Partner's
 * (spec §6): each comma adds half a second of silence, the speech rate is clamped to 0.5..2,
 * the language is an ISO-639-1 code. A synthesizer (the espeak-ng adapter) gives the real audio;
 * without one the duration is estimated from the same rules.
 */

/** The languages a call may be spoken in: ISO-639-1 codes that espeak-ng has a voice for. */
export const SPEECH_LANGS = [
  'ar', 'ca', 'cs', 'da', 'de', 'el', 'en', 'es', 'fi', 'fr', 'hu', 'it', 'ja',
  'ko', 'nb', 'nl', 'pl', 'pt', 'ro', 'ru', 'sk', 'sv', 'tr', 'uk', 'vi',
] as const;

export type SpeechLang = (typeof SPEECH_LANGS)[number];

export const DEFAULT_SPEECH_LANG: SpeechLang = 'fr';
export const MIN_SPEECH_RATE = 0.5;
export const MAX_SPEECH_RATE = 2;
/** Characters (code points) of text one call may speak: some five minutes at rate 1, well past any voice message. */
export const MAX_SPEECH_CHARS = 5_000;
/** The longest (estimated) call: a text of commas would otherwise make 40 minutes, 100 MB of WAV. */
export const MAX_SPEECH_MS = 10 * 60_000;
export const COMMA_PAUSE_MS = 500;
/**
 * Words per minute at rate 1: espeak-ng's own default speed, so the estimate and the synthesizer
 * (which is given `175 × rate`) speak at the same pace. A word is a run of non-space characters.
 */
export const WORDS_PER_MINUTE = 175;
/**
 * Non-space characters per minute at rate 1: six per word at WORDS_PER_MINUTE, so that a run of
 * digits or punctuation ("1.1.1.…", one "word" to a words count) is not free; the estimate is the
 * larger of the two counts.
 */
export const CHARS_PER_MINUTE = WORDS_PER_MINUTE * 6;

export interface Voice {
  lang: SpeechLang;
  /** 0.5..2, 1 being normal speed. */
  rate: number;
}

/** A voice message that says its text (a TTS call, with or without its audio), not one that plays a file or an audio URL. */
export const isSpoken = (c: Extract<MessageContent, { channel: 'voice' }>): boolean => c.text !== null && c.audioUrl === null && c.lang !== undefined;

/** The text as spoken: words to say, and silences where the commas were. */
export type SpeechPart = { words: string } | { pauseMs: number };

export interface Synthesized {
  /** PCM WAV, its header's sizes matching its bytes. */
  wav: Buffer;
  durationMs: number;
}

/** The synthesizer failed on this text (it crashed, or ran past its time): the call goes on with the estimate and no audio. */
export class SynthesisFailed extends Error {}

/** Turns text into audio (src/tts/espeak.ts); throws SynthesisFailed when it fails on a text. */
export interface Synthesizer {
  synthesize(speech: Speech): Promise<Synthesized>;
}

/** A call's speech, checked: what to say, in which voice. */
export interface Speech {
  parts: SpeechPart[];
  voice: Voice;
}

const isLang = (value: string): value is SpeechLang => (SPEECH_LANGS as readonly string[]).includes(value);

/** Out-of-range rates are clamped, not refused (spec §6); a missing one is normal speed. */
export function clampRate(rate: number | undefined): number {
  if (rate === undefined) return 1;
  if (Number.isNaN(rate)) throw new RelaisError('invalid_request', 'the speech rate must be a number', { field: 'speechRate' });
  return Math.min(MAX_SPEECH_RATE, Math.max(MIN_SPEECH_RATE, rate));
}

export function speechLang(lang: string | undefined): SpeechLang {
  if (lang === undefined || lang.trim() === '') return DEFAULT_SPEECH_LANG;
  const code = lang.trim().toLowerCase();
  if (!isLang(code)) {
    throw new RelaisError('invalid_request', `unknown language "${lang}": one of ${SPEECH_LANGS.join(', ')}`, { field: 'lang', allowed: SPEECH_LANGS });
  }
  return code;
}

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** A run of commas (spaces between them allowed) is one silence of half a second per comma. */
const COMMAS = /[\s,]*,[\s,]*/g;

export function speechParts(text: string): SpeechPart[] {
  const parts: SpeechPart[] = [];
  let at = 0;
  for (const match of text.matchAll(COMMAS)) {
    const words = text.slice(at, match.index).trim();
    if (words) parts.push({ words });
    const commas = match[0].split(',').length - 1;
    parts.push({ pauseMs: commas * COMMA_PAUSE_MS });
    at = match.index + match[0].length;
  }
  const rest = text.slice(at).trim();
  if (rest) parts.push({ words: rest });
  return parts;
}

/** Checks and normalises what a call is to say; refuses text that is empty, has no words, or is too long. */
export function speech(text: string, opts: { lang?: string; rate?: number } = {}): Speech {
  if (text.length > 2 * MAX_SPEECH_CHARS || codePoints(text) > MAX_SPEECH_CHARS) {
    throw new RelaisError('message_too_long', `the text to speak is longer than ${MAX_SPEECH_CHARS} characters`, { field: 'text', max: MAX_SPEECH_CHARS });
  }
  const parts = speechParts(text);
  if (!parts.some((p) => 'words' in p)) throw new RelaisError('invalid_request', 'the text to speak has no words', { field: 'text' });
  const checked = { parts, voice: { lang: speechLang(opts.lang), rate: clampRate(opts.rate) } };
  if (estimateDurationMs(checked) > MAX_SPEECH_MS) throw speechTooLong();
  return checked;
}

/** The refusal of a speech longer than MAX_SPEECH_MS, estimated or synthesised. */
export const speechTooLong = (): RelaisError =>
  new RelaisError('message_too_long', `the speech would last more than ${MAX_SPEECH_MS / 60_000} minutes`, { field: 'text', maxSeconds: MAX_SPEECH_MS / 1000 });

/**
 * How long the speech lasts when no synthesizer says it: the words at WORDS_PER_MINUTE × rate or
 * their characters at CHARS_PER_MINUTE × rate, whichever is longer, plus the pauses.
 */
export function estimateDurationMs({ parts, voice }: Speech): number {
  let words = 0;
  let chars = 0;
  let pauseMs = 0;
  for (const part of parts) {
    if ('words' in part) {
      words += part.words.split(/\s+/).length;
      chars += codePoints(part.words.replace(/\s+/g, ''));
    } else pauseMs += part.pauseMs;
  }
  const minutes = Math.max(words / WORDS_PER_MINUTE, chars / CHARS_PER_MINUTE) / voice.rate;
  return Math.round(minutes * 60_000) + pauseMs;
}

/** Syntheses at once in this process: each is an espeak-ng process taking a core for seconds. */
export const MAX_SYNTHESES = 2;
let synthesising = 0;

/**
 * The audio of a call when a synthesizer says it, and its duration either way: without a
 * synthesizer, or when it fails on this text, `wav` is null and the duration the estimate.
 * Past MAX_SYNTHESES running, the call is refused as `busy` (retry in a second) rather than queued.
 */
export async function speak(synthesizer: Synthesizer | null, s: Speech): Promise<{ wav: Buffer | null; durationMs: number }> {
  if (synthesizer) {
    if (synthesising >= MAX_SYNTHESES) throw new RelaisError('busy', `${MAX_SYNTHESES} calls are being synthesised; retry shortly`, { retryAfter: 1 });
    synthesising++;
    try {
      const said = await synthesizer.synthesize(s);
      // The estimate is only words and characters: the bound holds for what the synthesizer really made.
      if (said.durationMs > MAX_SPEECH_MS) throw speechTooLong();
      return said;
    } catch (err) {
      if (!(err instanceof SynthesisFailed)) throw err;
    } finally {
      synthesising--;
    }
  }
  return { wav: null, durationMs: estimateDurationMs(s) };
}
