import type { Core } from './context.js';
import type { LinkRef } from './email-links.js';
import { personalizeEmail, type PersonalEmail } from './email.js';
import { sentContent } from './queries.js';
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
  const sent = await sentContent(core, ref.messageId, ref.recipientId);
  if (!sent || sent.message.accountId !== ref.accountId || sent.recipient.address !== ref.address) return undefined;
  return sent.content.channel === 'email' ? personalizeEmail(sent.content, ref, core.links) : undefined;
}
