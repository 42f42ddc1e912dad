import { byCallingCode, dropContent, scheduleVoiceCall, speechContent, type CountryTotal } from '../../../core/voice.js';
import { RelaisError } from '../../../core/errors.js';
import { WindowLimiter } from '../../rate-limit.js';
import type { Params } from '../partner/params.js';
import type { PartnerRouter } from '../partner/scope.js';
import { euros } from '../partner/values.js';
import type { DialectContext } from '../dialect.js';
import { kilobytes } from './audio.js';
import { AUDIO_FILE_NOT_FOUND, TOKEN_AUDIO_REQUIRED, vp } from './errors.js';
import { DROP_CALLBACK_FORMAT, TTS_CALLBACK_FORMAT } from './callbacks.js';
import { seconds } from './values.js';
import { readNotifyUrl, readPhoneNumbers, readScheduledDate, readSender, readSpeechRate, readText } from './fields.js';

/** spec §0.2, per API key: 5 a minute and 2000 an hour on campaign/send, 2000 an hour on tts/send. */
const HOUR = 3_600_000;
const MINUTE = 60_000;

/** `.wav` or `.mp3`: the vendor's `audioFile.filename` has one, Relais names do not. */
const EXTENSIONS = { 'audio/wav': 'wav', 'audio/mpeg': 'mp3' } as const;

/** `detail`, keyed by country calling code (`"33"`): calls, price of one, price of all (+ country and duration for TTS). */
function detail(totals: CountryTotal[], tts?: { durationMs: number }): Record<string, Record<string, unknown>> {
  return Object.fromEntries(totals.map((t) => [t.callingCode, {
    nbSms: t.calls, cost_unity: euros(t.unitPrice), cost: euros(t.price),
    ...(tts ? { country_code: t.country ?? '', duration: seconds(tts.durationMs) } : {}),
  }]));
}

function limited(limiters: WindowLimiter[], keyId: number): void {
  if (!limiters.every((l) => l.take(keyId))) throw new RelaisError('rate_limited', 'too many requests for this key', { retryAfter: 60 });
}

/** What both sends read besides their content: numbers, date, caller id, callback. */
async function common(opts: DialectContext, accountId: number, params: Params, format: string) {
  const recipients = readPhoneNumbers(params);
  const sendAt = readScheduledDate(params, opts.core, opts.timezone);
  const sender = await readSender(params, opts.core, accountId);
  const callback = readNotifyUrl(params, opts.core, format);
  return { recipients, sendAt, sender, callback };
}

/** POST /v1/campaign/send (spec §5) and POST /v1/tts/send (spec §6). */
export function sendRoutes(route: PartnerRouter, opts: DialectContext): void {
  const { core } = opts;
  const drops = [new WindowLimiter(5, MINUTE, core.clock), new WindowLimiter(2000, HOUR, core.clock)];
  const calls = [new WindowLimiter(2000, HOUR, core.clock)];

  route(['POST'], '/campaign/send', async ({ auth, params }) => {
    limited(drops, auth.key.id);
    const token = params.str('tokenAudio');
    if (!token) throw vp(TOKEN_AUDIO_REQUIRED);
    const { sender, ...rest } = await common(opts, auth.account.id, params, DROP_CALLBACK_FORMAT);
    const { content, file } = await dropContent(core, auth.account.id, token, sender);
    const s = await scheduleVoiceCall(core, auth.account.id, { ...rest, content, metadata: { dialect: 'voicepartner' } });
    return {
      success: true, campaignId: s.campaignId, cost: euros(s.message.price), currency: 'EUR', nbSms: s.message.recipientCount,
      audioFile: { filename: `${file.name}.${EXTENSIONS[file.contentType]}`, size: kilobytes(file.size) },
      detail: detail(byCallingCode(s.recipients ?? [])),
    };
  }, { scope: 'messages:write', errors: { not_found: AUDIO_FILE_NOT_FOUND } });

  route(['POST'], '/tts/send', async ({ auth, params }) => {
    limited(calls, auth.key.id);
    const { sender, ...rest } = await common(opts, auth.account.id, params, TTS_CALLBACK_FORMAT);
    const call = { ...rest, metadata: { dialect: 'voicepartner' } };
    const { content, speechToken } = await speechContent(core, auth.account.id, {
      text: readText(params, 'text'), token: params.str('tokenAudio'), lang: readText(params, 'lang'), rate: readSpeechRate(params),
    }, sender, call);
    const s = await scheduleVoiceCall(core, auth.account.id, { ...call, content }, speechToken);
    const durationMs = content.durationMs ?? 0;
    return {
      success: true, campaignId: s.campaignId, cost: euros(s.message.price), currency: 'EUR', nbSms: s.message.recipientCount,
      lang: content.lang ?? 'fr', duration: seconds(durationMs),
      detail: detail(byCallingCode(s.recipients ?? []), { durationMs }),
    };
  }, { scope: 'messages:write', errors: { not_found: AUDIO_FILE_NOT_FOUND } });
}
