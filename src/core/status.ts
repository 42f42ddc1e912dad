import { normalizeAddress } from './addresses.js';
import type { Core } from './context.js';
import { RelaisError } from './errors.js';
import { getOwnMessage } from './queries.js';
import { suppressionChannelOf } from './suppressions.js';
import type { Message, Recipient } from './types.js';

/** One recipient of one message, and whether its address is on the suppression list now. */
export interface RecipientState {
  message: Message;
  recipient: Recipient;
  suppressed: boolean;
  /**
   * Sent through a transport that reports delivery receipts (the one it went through, not the
   * one configured now), and none came yet: the vendor vocabularies read it as waiting, not
   * delivered (DECISIONS.md §38).
   */
  awaitingReceipt: boolean;
}

const stateOf = (message: Message, recipient: Recipient, suppressed: boolean, awaiting: Set<number>): RecipientState =>
  ({ message, recipient, suppressed, awaitingReceipt: awaiting.has(recipient.id) });

/**
 * Which of these recipients await a receipt: `sent`, with a provider id remembered with the send.
 * One batched read per page, asked only here: the other reads of recipients (voice totals,
 * delivery, reschedule) do not need it.
 */
function awaitingAmong(core: Core, recipients: Recipient[]): Promise<Set<number>> {
  const sent = recipients.filter((r) => r.status === 'sent').map((r) => r.id);
  return sent.length ? core.store.autocommit.rememberedForReceipts(sent) : Promise.resolve(new Set());
}

async function suppressedOf(core: Core, accountId: number, message: Message, addresses: string[]): Promise<Set<string>> {
  const list = suppressionChannelOf(message.channel);
  return list && addresses.length ? core.store.autocommit.suppressedAmong(accountId, list, [...new Set(addresses)]) : new Set();
}

/**
 * The state of one address in one of the account's messages. Not found — for a message of
 * another account, an address the message does not have, or an address that is not valid — is
 * one answer, so that a lookup reveals nothing about other accounts.
 */
export async function recipientState(core: Core, accountId: number, messageId: number, rawAddress: string): Promise<RecipientState> {
  const message = await getOwnMessage(core, accountId, messageId);
  let address: string;
  try {
    address = normalizeAddress(message.channel, rawAddress, core.defaultRegion);
  } catch {
    throw new RelaisError('not_found', `${rawAddress} is not a recipient of message ${messageId}`, { messageId, address: rawAddress });
  }
  const recipient = await core.store.autocommit.findRecipient(messageId, address);
  if (!recipient) throw new RelaisError('not_found', `${address} is not a recipient of message ${messageId}`, { messageId, address });
  const suppressed = await suppressedOf(core, accountId, message, [address]);
  return stateOf(message, recipient, suppressed.has(address), await awaitingAmong(core, [recipient]));
}

/** Every recipient of one of the account's messages, in the order they were given. */
export async function messageStates(core: Core, accountId: number, messageId: number): Promise<RecipientState[]> {
  const message = await getOwnMessage(core, accountId, messageId);
  const recipients = await core.store.autocommit.getRecipients(messageId);
  const suppressed = await suppressedOf(core, accountId, message, recipients.map((r) => r.address));
  const awaiting = await awaitingAmong(core, recipients);
  return recipients.map((recipient) => stateOf(message, recipient, suppressed.has(recipient.address), awaiting));
}

/** One page of the recipients of every message of the account with this tag. */
export async function tagStates(core: Core, accountId: number, tag: string, page: { limit: number; offset: number }): Promise<{ total: number; items: RecipientState[] }> {
  const { total, items } = await core.store.autocommit.listRecipientsByTag(accountId, tag, page);
  const bySuppression = new Map<string, Set<string>>();
  for (const { message, recipient } of items) {
    const list = suppressionChannelOf(message.channel) ?? 'none';
    if (!bySuppression.has(list)) {
      const addresses = items.filter((x) => (suppressionChannelOf(x.message.channel) ?? 'none') === list).map((x) => x.recipient.address);
      bySuppression.set(list, await suppressedOf(core, accountId, message, addresses));
    }
  }
  const awaiting = await awaitingAmong(core, items.map((x) => x.recipient));
  return {
    total,
    items: items.map(({ message, recipient }) =>
      stateOf(message, recipient, bySuppression.get(suppressionChannelOf(message.channel) ?? 'none')?.has(recipient.address) ?? false, awaiting)),
  };
}
