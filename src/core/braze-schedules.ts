import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { resolveAudience, type BrazeAudience, type Targeted } from './braze-audience.js';
import { brazeUserOf, renderContext, renderOver, type BrazeMessageUser } from './braze-render.js';
import { checkNotPassedEverywhere, checkTiming, isLocal, localInstant, userInstant } from './braze-timing.js';
import { cancelWithin, minSendAtFor, observeCancelled } from './cancel.js';
import type { Core } from './context.js';
import { withEmailSender } from './email-sender.js';
import { isRelaisError, RelaisError } from './errors.js';
import { RenderSession, type RenderContext } from './liquid.js';
import { formatCredits } from './money.js';
import type { PaidMessage, ReleasedRecipient, StoreTx } from './ports.js';
import { priceOf } from './pricing.js';
import { editWithin } from './reschedule.js';
import { keepsLegalWindow, loadLegalWindow } from './schedule.js';
import { suppressionChannelOf } from './suppressions.js';
import type { BrazeSchedule, BrazeScheduleKind, BrazeTiming, CampaignMessages, Channel, Message, MessageContent, User } from './types.js';

/**
 * Braze schedules (DECISIONS §35): one schedule is one batch of messages, ONE PER USER AND
 * CHANNEL, whose batchId is the schedule_id, each with its own sendAt (a local-time schedule is
 * just a different instant per message). Delete and update are bulk operations on the batch,
 * decided by the same conditional updates as every cancel and edit: a message already claimed is
 * left alone.
 */

export interface BrazeDispatch {
  kind: BrazeScheduleKind;
  /** The campaign or canvas id; for `messages`, the optional analytics campaign_id. */
  parentId: string | null;
  sendId: string | null;
  audience: BrazeAudience;
  /** Liquid per channel (core/liquid.ts): a campaign's, or the message objects of the call. */
  templates: CampaignMessages;
  /** trigger_properties (canvas: canvas_entry_properties) of the call; a recipient's own win key by key. */
  properties?: Record<string, unknown>;
  /** The request as given, kept with the schedule (with the templates and properties an update re-renders from). */
  request: Record<string, unknown>;
}

/** Which schedule a call names, and under what it must have been created. */
export interface BrazeScheduleRef {
  scheduleId: string;
  kind: BrazeScheduleKind;
  /** The campaign/canvas id the call gives (ignored for `messages`). */
  parentId?: string;
}

interface Planned {
  channel: Channel;
  address: string;
  sendAt: number;
  content: MessageContent;
  units: number;
  price: number;
  user: BrazeMessageUser;
}

const CHANNEL_ADDRESS: Record<'sms' | 'email', (u: User) => string | null> = { sms: (u) => u.phone, email: (u) => u.email };

/** A channel's templates rendered for one user, as the content to send (From filled in as for any mail). */
function renderContent(core: Core, accountId: number, channel: 'sms' | 'email', templates: CampaignMessages, ctx: RenderContext, defaultSender: string | null, session: RenderSession): Promise<MessageContent> {
  const base: MessageContent = channel === 'sms'
    ? { channel: 'sms', text: '', sender: templates.sms!.sender ?? defaultSender, unicode: false }
    : { channel: 'email', subject: '', html: null, text: null, from: templates.email!.from ?? null, replyTo: templates.email!.reply_to ?? null };
  return withEmailSender(core, accountId, renderOver(base, templates, ctx, session.render));
}

/** The account's default sender: what an SMS without its own sender is sent from, as on every other API. */
const defaultSender = async (core: Core, accountId: number): Promise<string | null> => (await core.store.autocommit.getAccount(accountId))?.defaultSender ?? null;

const channelsOf = (templates: CampaignMessages): ('sms' | 'email')[] => (['sms', 'email'] as const).filter((c) => templates[c] !== undefined);

/** Render time one call may spend per 50 users (the most a call names): 1 s for any named-user call, more for a broadcast. */
export const RENDER_BUDGET_MS_PER_50_USERS = 1000;
const renderSession = (users: number) => new RenderSession(RENDER_BUDGET_MS_PER_50_USERS * Math.max(1, Math.ceil(users / 50)));

/** Minor errors a broadcast's success answer lists at most: one per skipped user would grow with the audience. */
export const MAX_REPORTED_SKIPS = 50;

// Math.min(...xs) throws RangeError past the engine's argument limit (about 125 000).
const earliest = (times: Iterable<number>): number => [...times].reduce((a, b) => Math.min(a, b), Infinity);

/** Ids per statement: SQLite allows 32 766 variables in one. */
const ID_CHUNK = 1000;
const chunks = <T>(xs: T[]): T[][] => Array.from({ length: Math.ceil(xs.length / ID_CHUNK) }, (_, i) => xs.slice(i * ID_CHUNK, (i + 1) * ID_CHUNK));

/** The schedule's own instant: in the server's zone, what scheduled_broadcasts shows while it has no message. */
const ownInstant = (timing: BrazeTiming, zone: string, now: number): number => (isLocal(timing) ? localInstant(timing, zone) : userInstant(timing, zone, now)!);

function checkHorizon(core: Core, instants: Iterable<number>, now: number): void {
  for (const at of instants) {
    if (at > now + core.limits.maxHorizonMs) throw new RelaisError('invalid_date', 'schedule.time is too far in the future', { field: 'schedule.time' });
  }
}

const userLabel = (u: User): string => (u.externalId !== null ? `external_id ${u.externalId}` : `alias ${u.alias?.label}/${u.alias?.name}`);

/**
 * The messages a dispatch makes: one per targeted user and channel with an address that is not
 * suppressed and a time not yet passed. A broadcast leaves out a user whose content cannot be
 * made (too long, no sender…) and says so in `skipped`; a named user's refuses the whole call.
 */
async function plan(core: Core, accountId: number, d: BrazeDispatch, targeted: Targeted[], timing: BrazeTiming | null, zone: string, now: number): Promise<{ planned: Planned[]; skipped: string[] }> {
  const planned: Planned[] = [];
  const skipped: string[] = [];
  const sender = await defaultSender(core, accountId);
  const session = renderSession(targeted.length);
  for (const channel of channelsOf(d.templates)) {
    const withAddress = targeted.filter((t) => CHANNEL_ADDRESS[channel](t.user) !== null);
    const suppressed = await core.store.autocommit.suppressedAmong(accountId, suppressionChannelOf(channel)!, [...new Set(withAddress.map((t) => CHANNEL_ADDRESS[channel](t.user)!))]);
    for (const { user, properties } of withAddress) {
      const address = CHANNEL_ADDRESS[channel](user)!;
      const timeZone = user.timeZone ?? zone;
      const sendAt = timing ? userInstant(timing, timeZone, now) : now;
      if (suppressed.has(address) || sendAt === undefined) continue;
      // Renders are synchronous work: other requests get the loop between two users.
      await nextTurn();
      let content: MessageContent;
      try {
        content = await renderContent(core, accountId, channel, d.templates, renderContext(d.kind, user, { ...d.properties, ...properties }, now), sender, session);
      } catch (err) {
        if (!d.audience.broadcast || !isRelaisError(err) || session.exhausted) throw err;
        skipped.push(`${userLabel(user)} skipped: ${err.message}`);
        continue;
      }
      const { units, unitPrice } = priceOf(core.pricing, content);
      planned.push({ channel, address, sendAt, content, units, price: unitPrice, user: { userId: user.id, externalId: user.externalId, timeZone, ...(properties && { properties }) } });
    }
  }
  return { planned, skipped };
}

const insufficient = (price: number) => new RelaisError('insufficient_credits', 'insufficient credit for these messages', { required: formatCredits(price) });

/**
 * Schedules (`timing`) or sends now (null) a Braze call's messages: every message and the debit
 * of the total in one transaction, or nothing. A schedule's row exists even when nobody resolved.
 */
export async function dispatchBraze(core: Core, accountId: number, d: BrazeDispatch, timing: BrazeTiming | null, zone: string): Promise<{ dispatchId: string; scheduleId?: string; messages: number; errors: string[] }> {
  if (timing) checkTiming(timing);
  const now = core.clock.now();
  if (timing) checkHorizon(core, [ownInstant(timing, zone, now)], now);
  const targeted = await resolveAudience(core, accountId, d.audience);
  if (timing) checkNotPassedEverywhere(timing, targeted.map((t) => t.user.timeZone ?? zone), now);
  const { planned, skipped } = await plan(core, accountId, d, targeted, timing, zone, now);
  if (timing) checkHorizon(core, planned.map((p) => p.sendAt), now);
  if (planned.some((p) => p.channel === 'email') && await keepsLegalWindow(core.store.autocommit, accountId, 'email')) {
    const legal = await loadLegalWindow();
    for (const p of planned) if (p.channel === 'email') p.sendAt = legal.legalSendAt(p.sendAt);
  }
  const dispatchId = randomUUID();
  const scheduleId = timing ? randomUUID() : undefined;
  const batchId = scheduleId ?? dispatchId;
  // Where the claim finds the templates again: the schedule's row, or (a send has none) the message itself.
  const renders: Partial<BrazeMessageUser> = scheduleId ? { scheduleId } : { source: { kind: d.kind, templates: d.templates, ...(d.properties && { properties: d.properties }) } };
  await core.store.transaction(async (tx) => {
    if (timing) {
      const sendAt = planned.length ? earliest(planned.map((p) => p.sendAt)) : ownInstant(timing, zone, now);
      await tx.insertBrazeSchedule({
        scheduleId: scheduleId!, accountId, dispatchId, sendId: d.sendId, kind: d.kind, parentId: d.parentId, timing,
        request: { ...d.request, templates: d.templates, ...(d.properties && { properties: d.properties }) },
        sendAt, state: 'scheduled', createdAt: now, updatedAt: now,
      });
    }
    for (const p of planned) {
      const paid: PaidMessage = {
        accountId, channel: p.channel, sendAt: p.sendAt, createdAt: now, tag: null, batchId, idempotencyKey: null, requestHash: null,
        metadata: { braze: { ...p.user, ...renders } }, content: p.content, units: p.units, price: p.price, recipients: [{ address: p.address, price: p.price }],
        debit: { floor: 0, cause: (id) => `message ${id} scheduled` },
        event: { type: 'scheduled', data: { sendAt: p.sendAt, recipients: 1, price: p.price } },
      };
      if (!(await tx.insertPaidMessage(paid))) throw insufficient(planned.reduce((sum, x) => sum + x.price, 0));
    }
  });
  if (planned.length) core.wakeup.notify(earliest(planned.map((p) => p.sendAt)));
  for (const p of planned) core.observer.scheduled(p.channel, 1);
  const errors = skipped.length > MAX_REPORTED_SKIPS ? [...skipped.slice(0, MAX_REPORTED_SKIPS), `and ${skipped.length - MAX_REPORTED_SKIPS} more users skipped`] : skipped;
  return { dispatchId, ...(scheduleId && { scheduleId }), messages: planned.length, errors };
}

/** The schedule a call names, or not_found: unknown, another account's, or created under another kind or parent. */
function namedSchedule(s: BrazeSchedule | undefined, ref: BrazeScheduleRef): BrazeSchedule {
  // Campaign ids are UUIDs, which a client may spell in upper case.
  if (!s || s.kind !== ref.kind || (ref.kind !== 'messages' && s.parentId?.toLowerCase() !== ref.parentId?.toLowerCase())) {
    throw new RelaisError('not_found', `schedule ${ref.scheduleId} does not exist`, { scheduleId: ref.scheduleId });
  }
  return s;
}

/**
 * Cancels every message of the schedule not yet claimed and refunds each recipient once, in one
 * transaction with the schedule's move to `deleted`. Answers the recipients this call cancelled:
 * 0 for a late or repeated delete, which still succeeds.
 */
export async function deleteBrazeSchedule(core: Core, accountId: number, ref: BrazeScheduleRef): Promise<number> {
  const now = core.clock.now();
  const result = await core.store.transaction(async (tx) => {
    // The schedule's row first, as an update takes it: the two never wait on each other's locks in opposite orders.
    const s = namedSchedule(await tx.lockBrazeSchedule(accountId, ref.scheduleId), ref);
    const r = await cancelWithin(tx, { accountId, batchId: s.scheduleId }, minSendAtFor(now, undefined), now);
    await tx.updateBrazeSchedule(accountId, s.scheduleId, { state: 'deleted', updatedAt: now });
    return r;
  });
  observeCancelled(core, result);
  return result.released.length;
}

/** Every message of the batch still scheduled, read a page at a time (a batch is as big as its create's audience allowed). */
async function scheduledOfBatch(tx: Pick<StoreTx, 'listMessages'>, accountId: number, batchId: string): Promise<Message[]> {
  const all: Message[] = [];
  for (let beforeId: number | undefined; ;) {
    const page = await tx.listMessages({ accountId, batchId, statuses: ['scheduled'] }, { limit: ID_CHUNK, beforeId });
    all.push(...page);
    if (page.length < ID_CHUNK) return all;
    beforeId = page[page.length - 1]!.id;
  }
}

export interface BrazeScheduleChange {
  timing?: BrazeTiming;
  /** Templates replacing the stored ones, per channel. */
  templates?: CampaignMessages;
  /** What the request asked for, merged over the stored one. */
  request: Record<string, unknown>;
}

/** The still-scheduled messages of the changed channels rendered again with each user's attributes now; a user deleted since keeps the old content. */
async function renderAgain(core: Core, accountId: number, s: BrazeSchedule, pending: Message[], templates: CampaignMessages, now: number): Promise<Map<number, MessageContent>> {
  const contents = new Map<number, MessageContent>();
  const retemplated = channelsOf(templates);
  const relevant = pending.filter((m) => retemplated.includes(m.channel as 'sms' | 'email'));
  if (!relevant.length) return contents;
  const users = new Map<number, User>();
  for (const ids of chunks([...new Set(relevant.map((m) => brazeUserOf(m)!.userId))])) {
    for (const u of await core.store.autocommit.findUsersByIds(accountId, ids)) users.set(u.id, u);
  }
  const properties = s.request.properties as Record<string, unknown> | undefined;
  const sender = await defaultSender(core, accountId);
  const session = renderSession(users.size);
  for (const m of relevant) {
    const user = users.get(brazeUserOf(m)!.userId);
    if (!user) continue;
    await nextTurn();
    contents.set(m.id, await renderContent(core, accountId, m.channel as 'sms' | 'email', templates, renderContext(s.kind, user, { ...properties, ...brazeUserOf(m)!.properties }, now), sender, session));
  }
  return contents;
}

/**
 * Replaces the schedule object (and templates, per channel) and moves every still-scheduled
 * message of the batch to its user's new instant, re-rendered and re-priced when its template
 * changed, in one transaction. Without a new schedule object each message keeps its time. A
 * message already claimed is left alone; one whose new local time has passed is cancelled and
 * refunded, as a create would have left its user out. Answers the recipients this call changed:
 * 0 for a late update, or one of a deleted schedule, which succeed.
 */
export async function updateBrazeSchedule(core: Core, accountId: number, ref: BrazeScheduleRef, change: BrazeScheduleChange, zone: string): Promise<number> {
  if (change.timing) checkTiming(change.timing);
  const now = core.clock.now();
  const s = namedSchedule(await core.store.autocommit.findBrazeSchedule(accountId, ref.scheduleId), ref);
  if (s.state === 'deleted') return 0;
  const stored = s.request.templates as CampaignMessages;
  const added = channelsOf(change.templates ?? {}).find((c) => stored[c] === undefined);
  if (added) {
    throw new RelaisError('invalid_request', `messages.${added}: this schedule has no ${added} messages, and an update cannot add a channel`, { field: `messages.${added}` });
  }
  const pending = await scheduledOfBatch(core.store.autocommit, accountId, s.scheduleId);
  const zoneOf = (m: Message) => brazeUserOf(m)?.timeZone ?? zone;
  const times = new Map<number, number | undefined>();
  if (change.timing) {
    checkHorizon(core, [ownInstant(change.timing, zone, now)], now);
    checkNotPassedEverywhere(change.timing, pending.map(zoneOf), now);
    for (const m of pending) times.set(m.id, userInstant(change.timing, zoneOf(m), now));
    checkHorizon(core, [...times.values()].filter((t) => t !== undefined), now);
  }
  // Rendered before the transaction (the default From is read from the account), with each user's attributes now.
  const contents = await renderAgain(core, accountId, s, pending, change.templates ?? {}, now);
  const legal = await loadLegalWindow();
  const minSendAt = minSendAtFor(now, undefined);
  const none = { moved: [] as Message[], cancelled: { cancelled: [] as Message[], released: [] as ReleasedRecipient[] } };
  const outcome = await core.store.transaction(async (tx) => {
    // Read again under the row's lock: a concurrent update's templates are merged, not overwritten.
    const current = namedSchedule(await tx.lockBrazeSchedule(accountId, s.scheduleId), ref);
    if (current.state === 'deleted') return none;
    const dropped: number[] = [];
    const moved: Message[] = [];
    for (const m of pending) {
      const sendAt = times.get(m.id);
      if (change.timing && sendAt === undefined) {
        dropped.push(m.id);
        continue;
      }
      if (!change.timing && !contents.has(m.id)) continue;
      const edited = await editWithin(core, tx, { accountId, messageId: m.id, edit: { sendAt, content: contents.get(m.id) }, minSendAt, legal, now });
      if (edited) moved.push(edited);
    }
    const cancelled = { cancelled: [] as Message[], released: [] as ReleasedRecipient[] };
    for (const ids of chunks(dropped)) {
      const r = await cancelWithin(tx, { accountId, ids }, minSendAt, now);
      cancelled.cancelled.push(...r.cancelled);
      cancelled.released.push(...r.released);
    }
    const timing = change.timing ?? current.timing;
    const templates = { ...current.request.templates as CampaignMessages, ...change.templates };
    await tx.updateBrazeSchedule(accountId, s.scheduleId, {
      timing, request: { ...current.request, ...change.request, templates }, updatedAt: now,
      ...(change.timing && { sendAt: moved.length ? earliest(moved.map((m) => m.sendAt)) : ownInstant(timing, zone, now) }),
    });
    return { moved, cancelled };
  });
  observeCancelled(core, outcome.cancelled);
  if (outcome.moved.length) core.wakeup.notify(earliest(outcome.moved.map((m) => m.sendAt)));
  return outcome.moved.length + outcome.cancelled.released.length;
}

/** A pending schedule as GET /messages/scheduled_broadcasts lists it. */
export interface ScheduledBroadcast {
  schedule: BrazeSchedule;
  nextSendAt: number;
  /** The campaign's or canvas's, when the schedule has one. */
  name: string;
  tags: string[];
}

/**
 * The account's schedules with something still to send between now and `until`: the earliest
 * still-scheduled message, or the schedule's own instant while it has no message at all. One
 * whose every message was sent or cancelled is done.
 */
export async function scheduledBroadcasts(core: Core, accountId: number, until: number): Promise<ScheduledBroadcast[]> {
  const pending = await core.store.autocommit.pendingBrazeSchedules(accountId, { from: core.clock.now(), until });
  return pending.map((p) => ({ schedule: p.schedule, nextSendAt: p.nextSendAt, name: p.parent?.name ?? '', tags: p.parent?.tags ?? [] }))
    .sort((a, b) => a.nextSendAt - b.nextSendAt);
}
