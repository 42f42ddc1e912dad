import { createHash } from 'node:crypto';
import { normalizeAddress } from './addresses.js';
import { checkCallbackUrl } from './callback-url.js';
import type { Core } from './context.js';
import { RelaisError } from './errors.js';
import { formatCredits } from './money.js';
import { validateContent } from './content.js';
import { withEmailSender } from './email-sender.js';
import type { Credits } from './money.js';
import type { AccountsPort } from './ports.js';
import { priceOf } from './pricing.js';
import { DEFAULT_SPEECH_LANG, isSpoken } from './speech.js';
import { suppressionChannelOf } from './suppressions.js';
import type { Channel, Message, MessageContent } from './types.js';

export interface ScheduleInput {
  channel: Channel;
  recipients: string[];
  content: MessageContent;
  /** Epoch ms; absent means now. */
  sendAt?: number;
  tag?: string | null;
  batchId?: string | null;
  metadata?: Record<string, unknown> | null;
  idempotencyKey?: string | null;
  /** One content per recipient, aligned with `recipients` (bulk sends); `content` is then the default. */
  recipientContents?: MessageContent[];
  /** Where status callbacks go, in which dialect's format. */
  callback?: { url: string; format: string } | null;
}

export interface PreparedRecipient {
  address: string;
  units: number;
  price: Credits;
  /** Null when the message's content applies. */
  content: MessageContent | null;
}

/** A message validated and priced, not yet stored. */
export interface PreparedMessage {
  content: MessageContent;
  sendAt: number;
  /** Units per recipient; with per-recipient texts, the largest. */
  units: number;
  price: Credits;
  recipients: PreparedRecipient[];
  /** Addresses left out, unbilled, because they are on the account's suppression list. */
  skipped: string[];
  /** Its URL normalised, as the callback sender's claim compares destinations (DECISIONS §17). */
  callback: { url: string; format: string } | null;
}

export interface Scheduled {
  message: Message;
  /** False when an idempotent replay returned the message an earlier request created. */
  created: boolean;
  /** What was stored, per recipient (absent on an idempotent replay). */
  recipients?: PreparedRecipient[];
  skipped: string[];
}

/** How deep and how large (serialized, in bytes) a message's free `metadata` may be. */
const METADATA_LIMITS = { depth: 10, bytes: 8192 } as const;

/**
 * Metadata is the client's, stored and returned as is, but bounded: thousands of nested levels
 * overflowed the stack when it was serialized.
 */
export function checkMetadata(metadata: Record<string, unknown> | null | undefined, field = 'metadata'): void {
  if (metadata === null || metadata === undefined) return;
  // The Braze dialect keeps there whom a message renders for at its claim (core/braze-claim.ts): a client's own would be obeyed.
  if (Object.hasOwn(metadata, 'braze')) throw new RelaisError('invalid_request', `${field}.braze is reserved for the Braze dialect`, { field: `${field}.braze` });
  if (depthOf(metadata, METADATA_LIMITS.depth + 1) > METADATA_LIMITS.depth) {
    throw new RelaisError('invalid_request', `${field} is nested deeper than ${METADATA_LIMITS.depth} levels`, { field, maxDepth: METADATA_LIMITS.depth });
  }
  if (Buffer.byteLength(JSON.stringify(metadata)) > METADATA_LIMITS.bytes) {
    throw new RelaisError('invalid_request', `${field} is larger than ${METADATA_LIMITS.bytes} bytes as JSON`, { field, maxBytes: METADATA_LIMITS.bytes });
  }
}

/** Levels of objects and arrays in `value`, counting no further than `stop`. */
function depthOf(value: unknown, stop: number): number {
  if (value === null || typeof value !== 'object' || stop === 0) return 0;
  let deepest = 0;
  for (const v of Object.values(value)) {
    deepest = Math.max(deepest, depthOf(v, stop - 1));
    if (deepest >= stop - 1) break;
  }
  return 1 + deepest;
}

/** Resolves a requested send instant against the clock: absent or slightly past means now. */
export function resolveSendAt(core: Core, sendAt: number | undefined): number {
  const now = core.clock.now();
  if (sendAt === undefined) return now;
  if (!Number.isFinite(sendAt)) throw new RelaisError('invalid_date', 'sendAt is not a valid instant', { field: 'sendAt' });
  if (sendAt < now - core.limits.pastToleranceMs) {
    throw new RelaisError('send_at_in_past', 'sendAt is in the past', { field: 'sendAt', sendAt: new Date(sendAt).toISOString() });
  }
  if (sendAt > now + core.limits.maxHorizonMs) {
    throw new RelaisError('invalid_date', 'sendAt is too far in the future', { field: 'sendAt' });
  }
  return Math.max(sendAt, now);
}

/**
 * core/legal-window.ts, loaded on first use: its holiday calendar takes ~200 ms to load, which
 * every CLI command and every start would pay.
 */
export const loadLegalWindow = (): Promise<typeof import('./legal-window.js')> => import('./legal-window.js');

/**
 * Whether this account's messages on this channel wait for the legal sending window: e-mail of
 * an account with the flag on. Only e-mail reads the profile, so SMS pays no query for it.
 */
export async function keepsLegalWindow(tx: Pick<AccountsPort, 'getProfile'>, accountId: number, channel: Channel): Promise<boolean> {
  return channel === 'email' && Boolean((await tx.getProfile(accountId))?.legalWindow);
}

function normalizeRecipients(core: Core, channel: Channel, recipients: string[], keepDuplicates = false): string[] {
  if (recipients.length === 0) throw new RelaisError('invalid_request', 'at least one recipient is required', { field: 'recipients' });
  if (recipients.length > core.limits.maxRecipients) {
    throw new RelaisError('too_many_recipients', `at most ${core.limits.maxRecipients} recipients per message`, { field: 'recipients', max: core.limits.maxRecipients });
  }
  const addresses = recipients.map((r) => normalizeAddress(channel, r, core.defaultRegion));
  // The same address twice would be sent and billed twice for one intent: keep the first. With
  // per-recipient texts each entry is its own intent.
  return keepDuplicates ? addresses : [...new Set(addresses)];
}

/**
 * Validates and prices a message without writing anything: what scheduling would store and
 * debit. Also the whole of a sandbox send.
 */
export async function prepareMessage(core: Core, accountId: number, input: ScheduleInput): Promise<PreparedMessage> {
  const valid = validateContent(input.channel, input.content);
  checkMetadata(input.metadata);
  const callback = input.callback ? { ...input.callback, url: checkCallbackUrl(input.callback.url, { allowPrivate: core.allowPrivateCallbacks }) } : null;
  const own = input.recipientContents;
  if (own && own.length !== input.recipients.length) {
    throw new RelaisError('invalid_request', 'one content per recipient is required', { field: 'recipientContents' });
  }
  const addresses = normalizeRecipients(core, input.channel, input.recipients, own !== undefined);
  let recipients: PreparedRecipient[] = addresses.map((address, i) => {
    const mine = own?.[i] ? validateContent(input.channel, own[i]) : null;
    const { units, unitPrice } = priceOf(core.pricing, mine ?? valid);
    return { address, units, price: unitPrice, content: mine };
  });
  // Suppressed recipients are left out up front, unbilled; the dispatcher still skips and
  // refunds those suppressed after scheduling (core/delivery.ts).
  const skipped: string[] = [];
  const list = suppressionChannelOf(input.channel);
  if (list) {
    const distinct = [...new Set(addresses)];
    const suppressed = await core.store.autocommit.suppressedAmong(accountId, list, distinct);
    skipped.push(...distinct.filter((a) => suppressed.has(a)));
    recipients = recipients.filter((r) => !suppressed.has(r.address));
    if (recipients.length === 0) {
      throw new RelaisError('recipient_suppressed', 'every recipient is on the suppression list', { addresses: skipped });
    }
  }
  const asked = resolveSendAt(core, input.sendAt);
  const sendAt = await keepsLegalWindow(core.store.autocommit, accountId, input.channel) ? (await loadLegalWindow()).legalSendAt(asked) : asked;
  // Last: a mail's every other fault is reported before a missing From.
  const content = await withEmailSender(core, accountId, valid);
  return {
    content, sendAt, recipients, skipped, callback,
    units: Math.max(...recipients.map((r) => r.units)),
    price: recipients.reduce((sum, r) => sum + r.price, 0),
  };
}

const insufficientCredits = (price: Credits, balance: Credits): RelaisError =>
  new RelaisError('insufficient_credits', 'insufficient credit for this message', { required: formatCredits(price), balance: formatCredits(balance) });

/**
 * Refuses up front what scheduling this message now would refuse (bad input, too little credit),
 * for a caller with costly work to do before it schedules (synthesising a voice call).
 */
export async function checkSchedulable(core: Core, accountId: number, input: ScheduleInput): Promise<void> {
  const { price } = await prepareMessage(core, accountId, input);
  const balance = (await core.store.autocommit.getAccount(accountId))?.balance ?? 0;
  if (price > balance) throw insufficientCredits(price, balance);
}

/**
 * The content as the client asked for it: a spoken call's audio file and duration are made from
 * its text anew on each retry (core/voice.ts), and its default voice is what a request without
 * one meant (and what was hashed before calls were spoken).
 */
const askedContent = (c: MessageContent): MessageContent => (c.channel === 'voice' && isSpoken(c)
  ? { ...c, audioToken: undefined, durationMs: undefined, lang: c.lang === DEFAULT_SPEECH_LANG ? undefined : c.lang, rate: c.rate === 1 ? undefined : c.rate }
  : c);

const requestHash = (input: ScheduleInput): string =>
  createHash('sha256').update(JSON.stringify([input.channel, input.recipients, askedContent(input.content), input.sendAt ?? null,
    input.tag ?? null, input.batchId ?? null, input.metadata ?? null,
    ...(input.recipientContents ? [input.recipientContents] : []), ...(input.callback ? [input.callback] : [])])).digest('hex');

/**
 * Stores a message and debits its full price in one transaction, or refuses up front
 * (insufficient credit, bad input) without writing anything.
 */
export async function scheduleMessage(core: Core, accountId: number, input: ScheduleInput): Promise<Scheduled> {
  const prepared = await prepareMessage(core, accountId, input);
  const { content, sendAt, units, price } = prepared;
  const hash = input.idempotencyKey ? requestHash(input) : null;
  const now = core.clock.now();

  const replay = async (): Promise<Scheduled | undefined> => {
    if (!input.idempotencyKey) return undefined;
    const found = await core.store.autocommit.findMessageByIdempotencyKey(accountId, input.idempotencyKey);
    if (!found) return undefined;
    if (found.requestHash !== hash) {
      throw new RelaisError('idempotency_conflict', 'this Idempotency-Key was used with a different request', { idempotencyKey: input.idempotencyKey });
    }
    return { message: found.message, created: false, skipped: prepared.skipped };
  };

  const earlier = await replay();
  if (earlier) return earlier;
  let message: Message | undefined;
  try {
    message = await core.store.autocommit.insertPaidMessage({
      accountId, channel: input.channel, sendAt, createdAt: now, tag: input.tag ?? null, batchId: input.batchId ?? null,
      idempotencyKey: input.idempotencyKey ?? null, requestHash: hash, metadata: input.metadata ?? null, content, units,
      price, callback: prepared.callback,
      recipients: prepared.recipients.map((r) => (r.content ? { address: r.address, price: r.price, units: r.units, content: r.content } : { address: r.address, price: r.price })),
      debit: { floor: 0, cause: (id) => `message ${id} scheduled` },
      event: { type: 'scheduled', data: { sendAt, recipients: prepared.recipients.length, price } },
    });
  } catch (err) {
    // Two concurrent requests with one key: the loser's insert hits the unique index.
    const raced = err instanceof RelaisError ? undefined : await replay();
    if (raced) return raced;
    throw err;
  }
  if (!message) throw insufficientCredits(price, (await core.store.autocommit.getAccount(accountId))?.balance ?? 0);
  core.wakeup.notify(sendAt);
  core.observer.scheduled(input.channel, prepared.recipients.length);
  return { message, created: true, recipients: prepared.recipients, skipped: prepared.skipped };
}
