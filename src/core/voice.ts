import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { findAudioFile, storeSpeechAudio } from './audio-files.js';
import { normalizePhone } from './addresses.js';
import { cancelMessage, type CancelResult } from './cancel.js';
import type { Core } from './context.js';
import { RelaisError } from './errors.js';
import type { Credits } from './money.js';
import { randomBase62 } from './random-id.js';
import { checkSchedulable, scheduleMessage, type PreparedRecipient, type Scheduled, type ScheduleInput } from './schedule.js';
import { estimateDurationMs, speak, speech, speechLang, type Speech } from './speech.js';
import type { AudioFile, MessageContent, RecipientStatus } from './types.js';

/**
 * Voice calls as Voice Partner sells them (spec/voice-partner.md §5–§7): a voice-mail drop plays
 * one of the account's audio files, a text-to-speech call says a text, synthesised when it is
 * accepted so that its duration is known and its audio can be listened to. Each call is one
 * message; its campaign id, the handle clients cancel it by, is the message's `batchId`.
 */

export type VoiceContent = Extract<MessageContent, { channel: 'voice' }>;

export const CAMPAIGN_ID_LENGTH = 10;
const CAMPAIGN_ID_DRAWS = 5;

/**
 * A call's caller id must be a number the account has validated with the vendor. Relais keeps no
 * list of validated numbers: the one number it knows is the account's default sender, so only
 * that, when it is a phone number, is authorised. Returns the sender in E.164; refuses one that is
 * not a phone number (`invalid_sender`) and any other number (`forbidden`, field `sender`).
 */
export async function checkCallerId(core: Core, accountId: number, sender: string): Promise<string> {
  let number: string;
  try {
    number = normalizePhone(sender, core.defaultRegion);
  } catch {
    throw new RelaisError('invalid_sender', 'the caller id must be a phone number', { field: 'sender' });
  }
  const own = (await core.store.autocommit.getAccount(accountId))?.defaultSender;
  let authorised: string | undefined;
  try {
    authorised = own ? normalizePhone(own, core.defaultRegion) : undefined;
  } catch {
    authorised = undefined;
  }
  if (number !== authorised) throw new RelaisError('forbidden', 'this caller id is not one of the account\'s numbers', { field: 'sender' });
  return number;
}

/** A voice-mail drop: the account's audio file `token` (an upload; not found otherwise). */
export async function dropContent(core: Core, accountId: number, token: string, sender: string | null): Promise<{ content: VoiceContent; file: AudioFile }> {
  const file = await findAudioFile(core, accountId, token);
  if (file.kind !== 'upload') throw new RelaisError('not_found', 'no audio file with this token', { field: 'tokenAudio' });
  return { file, content: { channel: 'voice', text: null, audioUrl: null, sender, audioToken: file.token, durationMs: file.durationMs } };
}

/** What a voice call is besides what it plays: recipients, date, callback… (core/schedule.ts). */
export type VoiceCallInput = Omit<ScheduleInput, 'channel' | 'batchId' | 'content'>;

/**
 * A text-to-speech call: with `token`, the account's audio file played as it is (the text
 * ignored, spec §6); else the text checked (core/speech.ts), the call checked as scheduling would
 * (numbers, date, credit) so that a refused one costs no synthesis, then synthesised when a
 * synthesizer is there and its WAV kept as a `speech` audio file, or without one the estimated
 * duration and no audio. `speechToken` is the file to remove if the call is refused after all.
 */
export async function speechContent(core: Core, accountId: number, input: { text?: string; token?: string; lang?: string; rate?: number }, sender: string | null, call: VoiceCallInput): Promise<{ content: VoiceContent; speechToken?: string }> {
  if (input.token !== undefined) {
    const { content } = await dropContent(core, accountId, input.token, sender);
    return { content: { ...content, lang: speechLang(input.lang) } };
  }
  const { content, speech: s } = spokenContent(input.text ?? '', input, sender);
  await checkSchedulable(core, accountId, { ...call, channel: 'voice', content });
  const { wav, durationMs } = await speak(core.synthesizer, s);
  const stored = wav ? await storeSpeechAudio(core, accountId, wav, durationMs) : undefined;
  return { speechToken: stored?.token, content: { ...content, ...(stored ? { audioToken: stored.token } : {}), durationMs } };
}

/** A call saying `text`, checked, with its estimated duration: what is stored before (or without) synthesis. */
function spokenContent(text: string, voice: { lang?: string; rate?: number }, sender: string | null): { content: VoiceContent; speech: Speech } {
  const s = speech(text, voice);
  return { speech: s, content: { channel: 'voice', text, audioUrl: null, sender, lang: s.voice.lang, rate: s.voice.rate, durationMs: estimateDurationMs(s) } };
}

/**
 * Runs `schedule` for a call whose speech was just made into the file `speechToken`, and removes
 * that file when the call is refused (no credit, a bad number…) or answered by an earlier one
 * (an Idempotency-Key replayed): nothing is left of a call that was not scheduled.
 */
async function keepingSpeech<T extends Scheduled>(core: Core, accountId: number, speechToken: string | undefined, schedule: () => Promise<T>): Promise<T> {
  let scheduled: T | undefined;
  try {
    scheduled = await schedule();
    return scheduled;
  } finally {
    if (speechToken && !scheduled?.created) await core.store.autocommit.deleteAudioFile(accountId, speechToken);
  }
}

/**
 * A voice message of the native API: one that says its text (no audio URL) is synthesised as a
 * TTS call is, in `lang` at normal speed. A replayed Idempotency-Key answers the first message
 * before any check or synthesis, as any replay (core/schedule.ts).
 */
export async function scheduleVoiceMessage(core: Core, accountId: number, input: ScheduleInput & { content: VoiceContent }): Promise<Scheduled> {
  const { text, audioUrl, audioToken, lang, sender } = input.content;
  if (text === null || audioUrl !== null || audioToken !== undefined) return scheduleMessage(core, accountId, input);
  if (input.idempotencyKey && await core.store.autocommit.findMessageByIdempotencyKey(accountId, input.idempotencyKey)) {
    return scheduleMessage(core, accountId, { ...input, content: spokenContent(text, { lang }, sender).content });
  }
  const { content, speechToken } = await speechContent(core, accountId, { text, lang }, sender, input);
  return keepingSpeech(core, accountId, speechToken, () => scheduleMessage(core, accountId, { ...input, content }));
}

/** A campaign id not used by any message of the account (any batchId, native ones included). */
async function freeCampaignId(core: Core, accountId: number): Promise<string> {
  for (let draw = 0; draw < CAMPAIGN_ID_DRAWS; draw++) {
    const id = randomBase62(CAMPAIGN_ID_LENGTH);
    if ((await core.store.autocommit.listMessages({ accountId, batchId: id }, { limit: 1 })).length === 0) return id;
  }
  throw new RelaisError('conflict', 'no free campaign id was found');
}

/** Schedules one call to every recipient under a new campaign id, keeping its speech file only if it is scheduled. */
export async function scheduleVoiceCall(core: Core, accountId: number, input: VoiceCallInput & { content: VoiceContent }, speechToken?: string): Promise<Scheduled & { campaignId: string }> {
  return keepingSpeech(core, accountId, speechToken, async () => {
    const campaignId = await freeCampaignId(core, accountId);
    return { ...await scheduleMessage(core, accountId, { ...input, channel: 'voice', batchId: campaignId }), campaignId };
  });
}

/** The account's voice message of this campaign id; another account's, or none, is not found. */
export async function voiceCampaign(core: Core, accountId: number, campaignId: string): Promise<number> {
  const [found] = await core.store.autocommit.listMessages({ accountId, batchId: campaignId, channel: 'voice' }, { limit: 1 });
  if (!found) throw new RelaisError('not_found', `campaign ${campaignId} does not exist`, { campaignId });
  return found.id;
}

/** Cancels a campaign and refunds it, once whatever the concurrency (core/cancel.ts). */
export async function cancelVoiceCampaign(core: Core, accountId: number, campaignId: string, cutoffMs: number): Promise<CancelResult> {
  return cancelMessage(core, accountId, await voiceCampaign(core, accountId, campaignId), { cutoffMs });
}

export interface CountryTotal {
  /** The country calling code, e.g. `33`. */
  callingCode: string;
  /** ISO 3166 alpha-2, lower case (`fr`), or undefined when the number does not tell. */
  country: string | undefined;
  calls: number;
  unitPrice: Credits;
  price: Credits;
}

/** What the recipients cost per destination country calling code, in order of first appearance. */
export function byCallingCode(recipients: readonly PreparedRecipient[]): CountryTotal[] {
  const totals = new Map<string, CountryTotal>();
  for (const r of recipients) {
    const parsed = parsePhoneNumberFromString(r.address);
    const callingCode = parsed?.countryCallingCode ?? '';
    const t = totals.get(callingCode) ?? { callingCode, country: parsed?.country?.toLowerCase(), calls: 0, unitPrice: r.price, price: 0 };
    t.calls += 1;
    t.price += r.price;
    totals.set(callingCode, t);
  }
  return [...totals.values()];
}

/** Recipient statuses of a call that reached its number: the outbox reports `sent`, a provider may report `delivered`. */
const REACHED: readonly RecipientStatus[] = ['sent', 'delivered'];

/** Whether a recipient's status is a call that reached its number (false: not reached, or not yet settled). */
export const callReached = (status: string): boolean => (REACHED as readonly string[]).includes(status);

export interface CallTotals {
  campaignId: string;
  /** What the call plays (the drop's file, or the speech), 0 when unknown. */
  durationMs: number;
  reached: number;
  notReached: number;
  /** Recipients still waiting for their call. */
  pending: number;
}

/** A call's campaign id, duration and recipients by outcome at this moment, for its status callbacks (spec §8). */
export async function callTotals(core: Core, messageId: number): Promise<CallTotals> {
  const message = await core.store.autocommit.getMessage(messageId);
  if (!message || message.content.channel !== 'voice' || message.batchId === null) throw new Error(`message ${messageId} is not a voice call`);
  const totals: CallTotals = { campaignId: message.batchId, durationMs: message.content.durationMs ?? 0, reached: 0, notReached: 0, pending: 0 };
  for (const r of await core.store.autocommit.getRecipients(messageId)) {
    if (r.status === 'pending') totals.pending++;
    else if (callReached(r.status)) totals.reached++;
    else totals.notReached++;
  }
  return totals;
}
