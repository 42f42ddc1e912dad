import type { Core } from './context.js';
import type { LinkRef } from './email-links.js';
import { personalizeEmail, type PersonalEmail } from './email.js';
import { addSuppression, type SuppressionAdded } from './suppressions.js';

/**
 * What a recipient's signed links do (api/links.ts serves them): the one-click unsubscribe and
 * the copy read online. Each takes a reference EmailLinks.verify returned: the signature already
 * proved Relais wrote it for this account, message, recipient and address.
 */

/** The account's own list only; undefined when the account is gone or closed (nothing written). */
export async function unsubscribeByLink(core: Core, ref: LinkRef): Promise<SuppressionAdded | undefined> {
  const account = await core.store.autocommit.getAccount(ref.accountId);
  if (!account || (await core.store.autocommit.getProfile(ref.accountId))?.closedAt != null) return undefined;
  // No cutoff, as the native API: the vendors' 5 minutes guard their clients' cancels, while a
  // recipient who asks to stop must not get a mail the dispatcher has not taken yet.
  return addSuppression(core, ref.accountId, 'email', ref.address, 'unsubscribe link');
}

/**
 * The recipient's copy of the mail, its links filled in as when it was sent (its own content when
 * it had one). Undefined unless the message is an e-mail of that account and the recipient, with
 * that address, one of its own: one answer for all, so that a reference reveals nothing else.
 */
export async function readOnlineCopy(core: Core, ref: LinkRef): Promise<PersonalEmail | undefined> {
  const message = await core.store.autocommit.getMessage(ref.messageId);
  if (!message || message.accountId !== ref.accountId) return undefined;
  const [recipient] = await core.store.autocommit.getRecipients(ref.messageId, { limit: 1, afterId: ref.recipientId - 1 });
  if (!recipient || recipient.id !== ref.recipientId || recipient.address !== ref.address) return undefined;
  const content = recipient.content ?? message.content;
  return content.channel === 'email' ? personalizeEmail(content, ref, core.links) : undefined;
}
