import type { EmailLinks, LinkRef } from './email-links.js';
import type { EmailAttachment, MessageContent, OutboxEntry } from './types.js';

type EmailContent = Extract<MessageContent, { channel: 'email' }>;

/**
 * Placeholders a mail's html, text and subject may hold, replaced per recipient when it is sent
 * (and when it is read online): the recipient's own signed links. The vendor dialects translate
 * their tags (Mail Partner's `#UNSUBSCRIBE_LINK#`, `#READ_ONLINE#`) into these.
 */
export const EMAIL_PLACEHOLDERS = { unsubscribeUrl: '{{unsubscribe_url}}', viewUrl: '{{view_url}}' } as const;

/** One recipient's copy of a mail: the placeholders replaced by its links. */
export interface PersonalEmail {
  to: { address: string; name: string | null };
  from: string | null;
  replyTo: string | null;
  subject: string;
  html: string | null;
  text: string | null;
  attachments: NonNullable<EmailContent['attachments']>;
  /** The recipient's one-click unsubscribe URL (List-Unsubscribe, RFC 8058). */
  unsubscribeUrl: string;
  viewUrl: string;
}

export function personalizeEmail(content: EmailContent, ref: LinkRef, links: EmailLinks): PersonalEmail {
  const unsubscribeUrl = links.url('unsubscribe', ref);
  const viewUrl = links.url('view', ref);
  const fill = (s: string): string => s.replaceAll(EMAIL_PLACEHOLDERS.unsubscribeUrl, () => unsubscribeUrl).replaceAll(EMAIL_PLACEHOLDERS.viewUrl, () => viewUrl);
  return {
    to: { address: ref.address, name: content.names?.[ref.address] ?? null },
    from: content.from, replyTo: content.replyTo, subject: fill(content.subject),
    html: content.html === null ? null : fill(content.html), text: content.text === null ? null : fill(content.text),
    attachments: content.attachments ?? [], unsubscribeUrl, viewUrl,
  };
}

/**
 * Composes the whole MIME message of a mail the outbox kept (an entry of channel email) with the
 * attachments of its content, which the outbox keeps once per message rather than per recipient.
 * The transports' mail renderer provides it (transports/email/mime.ts), handed in by the
 * composition root, so that the API reads a mail as the SMTP transport would have sent it.
 */
export type ComposeOutboxMime = (entry: OutboxEntry, attachments: readonly EmailAttachment[]) => Promise<string>;
