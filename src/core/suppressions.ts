import { normalizeAddress } from './addresses.js';
import type { Core } from './context.js';
import { RelaisError } from './errors.js';
import { minSendAtFor } from './cancel.js';
import { refundReleased } from './ledger.js';
import type { Credits } from './money.js';
import type { Channel, StoredSuppression, Suppression, SuppressionChannel } from './types.js';

/** Which message channels a suppression list covers: the STOP list is about SMS only. */
export const SUPPRESSED_CHANNELS: Record<SuppressionChannel, Channel[]> = { sms: ['sms'], email: ['email'] };

export const suppressionChannelOf = (channel: Channel): SuppressionChannel | undefined =>
  channel === 'sms' ? 'sms' : channel === 'email' ? 'email' : undefined;

export interface SuppressionAdded {
  suppression: Suppression;
  added: boolean;
  cancelledRecipients: number;
  refund: Credits;
}

/**
 * Puts an address on the account's list and, in the same transaction, cancels and refunds
 * that address in every message still scheduled (and outside the cutoff).
 */
export async function addSuppression(core: Core, accountId: number, channel: SuppressionChannel, rawAddress: string, reason: string | null = null, opts: { cutoffMs?: number } = {}): Promise<SuppressionAdded> {
  const address = normalizeAddress(channel, rawAddress, core.defaultRegion);
  const now = core.clock.now();
  const asked: Suppression = { accountId, channel, address, reason, createdAt: now };
  return core.store.transaction(async (tx) => {
    const added = await tx.addSuppression(asked);
    // Already listed: the entry as it was first added, not this request's time and reason.
    const stored = added ? undefined : await tx.findStoredSuppression(accountId, channel, address);
    const suppression: Suppression = stored
      ? { accountId, channel, address, reason: stored.reason, createdAt: stored.createdAt } : asked;
    // Scheduling leaves listed addresses out, so only a new entry has recipients to release; an
    // entry already there writes nothing (the vendors answer it as an error).
    const released = added ? await tx.releaseScheduledRecipientsByAddress(accountId, SUPPRESSED_CHANNELS[channel], address, minSendAtFor(now, opts.cutoffMs), now) : [];
    const refund = await refundReleased(tx, released, (id) => `message ${id}: ${address} suppressed`, now);
    await tx.insertEvents(released.map((x) => ({ messageId: x.messageId, recipientId: x.id, type: 'cancelled', at: now, data: { reason: 'suppressed' } })));
    return { suppression, added, cancelledRecipients: released.length, refund };
  });
}

/** Takes an address off the list; returns it normalized, as the list showed it. */
export async function removeSuppression(core: Core, accountId: number, channel: SuppressionChannel, rawAddress: string): Promise<string> {
  const address = normalizeAddress(channel, rawAddress, core.defaultRegion);
  if (!(await core.store.autocommit.removeSuppression(accountId, channel, address))) {
    throw new RelaisError('not_found', `${address} is not on the ${channel} suppression list`, { address });
  }
  return address;
}

export const listSuppressions = (core: Core, accountId: number, channel?: SuppressionChannel): Promise<Suppression[]> =>
  core.store.autocommit.listSuppressions(accountId, channel);

/** addSuppression, then the entry as stored, with the id lists show and deletes use. */
export async function addStoredSuppression(core: Core, accountId: number, channel: SuppressionChannel, rawAddress: string, reason: string | null = null): Promise<SuppressionAdded & { stored: StoredSuppression }> {
  const added = await addSuppression(core, accountId, channel, rawAddress, reason);
  const stored = await core.store.autocommit.findStoredSuppression(accountId, channel, added.suppression.address);
  // Only a concurrent delete between the two statements can get here.
  if (!stored) throw new RelaisError('conflict', `${added.suppression.address} was removed while being added`);
  return { ...added, stored };
}

/** The list with ids, oldest first. */
export const listStoredSuppressions = (core: Core, accountId: number, channel: SuppressionChannel): Promise<StoredSuppression[]> =>
  core.store.autocommit.listStoredSuppressions(accountId, channel);

export async function removeSuppressionById(core: Core, accountId: number, channel: SuppressionChannel, id: number): Promise<void> {
  if (!(await core.store.autocommit.removeSuppressionById(accountId, channel, id))) {
    throw new RelaisError('not_found', `no ${channel} suppression with id ${id}`, { id });
  }
}
