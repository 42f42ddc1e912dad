import { isDeepStrictEqual } from 'node:util';
import { brazeUserOf, renderContext, renderOver, type BrazeSource } from './braze-render.js';
import type { Core } from './context.js';
import { RelaisError } from './errors.js';
import { renderTemplate, type RenderContext } from './liquid.js';
import { refundReleased } from './ledger.js';
import type { StoreTx } from './ports.js';
import { priceOf } from './pricing.js';
import type { CampaignMessages, DueMessage, MessageContent, Recipient, User } from './types.js';

/**
 * Braze content is rendered again when its message is claimed, with the user's attributes at that
 * instant (DECISIONS §35), and the price settled against what the create charged: a longer SMS is
 * debited the difference (floor 0) or, the balance short, fails and is refunded whole; a shorter
 * one is refunded the difference. A deleted user is skipped, a render past a limit fails; both
 * are refunded. Every ledger change is in the transaction of the recipient change it belongs to.
 */

/** Whether a claimed message renders again (a Braze message stored since rendering moved to the claim). */
export function rendersAtClaim(message: Pick<DueMessage, 'metadata'>): boolean {
  const braze = brazeUserOf(message);
  return braze !== undefined && (braze.scheduleId !== undefined || braze.source !== undefined);
}

/** What the claimed messages render from, read once per batch: their users as they are now, their schedules' templates. */
export interface ClaimSources {
  users: Map<number, User>;
  schedules: Map<string, BrazeSource>;
}

/** One read of users per account and one per schedule, for messages that all render at the claim. */
export async function readClaimSources(store: Pick<StoreTx, 'findUsersByIds' | 'findBrazeSchedule'>, messages: DueMessage[]): Promise<ClaimSources> {
  const users = new Map<number, User>();
  const schedules = new Map<string, BrazeSource>();
  const userIds = new Map<number, Set<number>>();
  for (const m of messages) {
    const braze = brazeUserOf(m)!;
    userIds.set(m.accountId, (userIds.get(m.accountId) ?? new Set()).add(braze.userId));
    if (braze.scheduleId === undefined || schedules.has(braze.scheduleId)) continue;
    const s = await store.findBrazeSchedule(m.accountId, braze.scheduleId);
    if (s) schedules.set(s.scheduleId, { kind: s.kind, templates: s.request.templates as CampaignMessages, properties: s.request.properties as Record<string, unknown> | undefined });
  }
  for (const [accountId, ids] of userIds) for (const u of await store.findUsersByIds(accountId, [...ids])) users.set(u.id, u);
  return { users, schedules };
}

/**
 * A render at the claim may take CLAIM_RENDER_LIMIT_MS: the fast path renders inside the
 * transaction that takes up to IN_STORE_CHUNK recipients, so its worst case is 250 × this. A
 * template that needs longer fails that recipient, refunded (creating it allowed some 20 ms a user).
 */
export const CLAIM_RENDER_LIMIT_MS = 50;
const claimRender = (source: string, ctx: RenderContext, field: string): string => renderTemplate(source, ctx, field, CLAIM_RENDER_LIMIT_MS);

/** What the claim makes of a recipient: sent with this (re-rendered, re-priced) recipient, or released. */
export type ClaimOutcome = { send: Recipient } | { released: 'skipped' | 'failed' };

/** The recipient left `pending` behind the claim's back (another worker took the message over): the caller rolls back. */
export class ClaimLost extends Error {
  constructor(readonly recipientId: number) {
    super(`recipient ${recipientId} left pending during its claim`);
  }
}

/**
 * Renders one pending recipient of a claimed Braze message again and settles its price in `tx`.
 * Unchanged text and price write nothing. Throws ClaimLost when the recipient is no longer pending
 * at the price read; `tx` must then be rolled back (a debit may already be in it).
 */
export async function settleClaim(core: Core, tx: StoreTx, sources: ClaimSources, message: DueMessage, r: Recipient, now: number): Promise<ClaimOutcome> {
  const braze = brazeUserOf(message)!;
  const source = braze.source ?? sources.schedules.get(braze.scheduleId!);
  const current = r.content ?? message.content;
  if (!source) return { send: r };
  const user = sources.users.get(braze.userId);
  if (!user) return release(tx, message, r, 'skipped', 'user deleted', now);
  let content: MessageContent;
  try {
    content = renderOver(current, source.templates, renderContext(source.kind, user, { ...source.properties, ...braze.properties }, now), claimRender);
  } catch (err) {
    // Whatever the stored templates are (none for this channel, a shape they should not have),
    // this recipient fails alone: a throw here would fail the whole claimed batch, again at each claim.
    return release(tx, message, r, 'failed', err instanceof RelaisError ? err.message : 'its content could not be rendered', now);
  }
  const { units, unitPrice: price } = priceOf(core.pricing, content);
  if (price === r.price && isDeepStrictEqual(content, current)) return { send: r };
  const ledger = { accountId: message.accountId, messageId: message.id, createdAt: now };
  if (price > r.price) {
    const debit = await tx.applyLedgerEntry({ ...ledger, kind: 'debit', amount: r.price - price, cause: `message ${message.id}: longer as rendered at the claim` }, 0);
    if (!debit) return release(tx, message, r, 'failed', 'insufficient credit for the text rendered at the claim', now);
  } else if (price < r.price) {
    await tx.applyLedgerEntry({ ...ledger, kind: 'refund', amount: r.price - price, cause: `message ${message.id}: shorter as rendered at the claim` });
  }
  if (!(await tx.repriceRecipient(r.id, r.price, { content, units, price }))) throw new ClaimLost(r.id);
  return { send: { ...r, content, units, price } };
}

async function release(tx: StoreTx, message: DueMessage, r: Recipient, status: 'skipped' | 'failed', reason: string, now: number): Promise<ClaimOutcome> {
  const released = await tx.releaseRecipient(r.id, status, now, reason);
  if (!released) throw new ClaimLost(r.id);
  await refundReleased(tx, [released], (id) => `message ${id}: ${reason}`, now);
  await tx.insertEvents([{ messageId: message.id, recipientId: r.id, type: status, at: now, data: { reason } }]);
  return { released: status };
}
