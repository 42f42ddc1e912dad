import { mailbox } from './content.js';
import type { Core } from './context.js';
import { RelaisError } from './errors.js';
import type { MessageContent } from './types.js';

/** The account's default sender when it is a mailbox (it may be an SMS sender id such as `ACME`). */
function mailboxOrNull(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    return mailbox('from', value);
  } catch {
    return null;
  }
}

/**
 * A mail cannot leave without a From. One that names none takes its account's default sender
 * when that is an address (or `Name <address>`), else RELAIS_MAIL_FROM; with neither it is
 * refused before anything is written. Other channels pass through.
 */
export async function withEmailSender(core: Core, accountId: number, content: MessageContent): Promise<MessageContent> {
  if (content.channel !== 'email' || content.from !== null) return content;
  const account = await core.store.autocommit.getAccount(accountId);
  const from = mailboxOrNull(account?.defaultSender) ?? core.mailFrom;
  if (!from) {
    throw new RelaisError('sender_required', 'this mail has no From: give one, or set the account\'s default sender or RELAIS_MAIL_FROM', { field: 'from' });
  }
  return { ...content, from };
}
