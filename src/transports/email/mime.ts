import { createHash } from 'node:crypto';
import { htmlToText } from 'html-to-text';
import MailComposer, { type MailComposerOptions } from 'nodemailer/lib/mail-composer';
import { splitMailbox } from '../../core/content.js';
import type { EmailLinks } from '../../core/email-links.js';
import { personalizeEmail } from '../../core/email.js';
import type { OutgoingMessage } from '../../core/transport.js';
import type { EmailAttachment, OutboxEntry } from '../../core/types.js';

/** What the transports that write mail need besides the message: the signed links and the unsubscribe mailbox. */
export interface MailSettings {
  links: EmailLinks;
  /** RELAIS_UNSUBSCRIBE_MAILTO; null: the mail's own sender. */
  unsubscribeMailto: string | null;
}

/**
 * The headers fixed when a mail goes out, which depend on more than the recipient's copy: the
 * outbox keeps them with the copy to compose the same message again when it is read.
 */
export interface MailHeaders {
  'Message-ID': string;
  'List-Unsubscribe': string;
}

/**
 * A mail as the outbox keeps it for one recipient: the copy (placeholders replaced), its links,
 * the headers, but not the attachments, kept once in the message (composeKeptMime).
 */
export interface KeptMail {
  to: string;
  toName: string | null;
  from: string | null;
  replyTo: string | null;
  subject: string;
  /** As the client gave it: null when the mail has only html (the sent text part is derived). */
  text: string | null;
  html: string | null;
  unsubscribeUrl: string;
  viewUrl: string;
  headers: MailHeaders;
}

/** One recipient's mail, ready for nodemailer (`sendMail`), and what the outbox keeps of it. */
export interface RenderedMail {
  kept: KeptMail;
  options: MailComposerOptions;
}

/** A stored mailbox as nodemailer takes it: an object, so that its name is quoted, never parsed. */
const party = (value: string | null): { name: string; address: string } | undefined => {
  if (value === null) return undefined;
  const { name, address } = splitMailbox(value);
  return { name: name ?? '', address };
};

/** An address in a mailto: URI (RFC 6068): anything but the plain characters percent-encoded. */
const mailtoAddress = (address: string): string => address.replace(/[^A-Za-z0-9@._+-]/g, (c) => encodeURIComponent(c));

/**
 * The mail one recipient of `msg` gets: placeholders replaced by its own links, a text part
 * derived from the html when the content has none, the attachments, and the unsubscribe headers
 * of RFC 2369 and RFC 8058 (the https link Relais serves first, the mailto second). Relais
 * receives no mail, so the mailto goes to the operator's mailbox (RELAIS_UNSUBSCRIBE_MAILTO) or,
 * by default, to the sender, who reads the request as any reply. The Message-ID is the same on
 * every attempt at one recipient, so a receiver that sees a retry can tell it is one.
 */
export function renderMail(msg: OutgoingMessage, settings: MailSettings, now: number): RenderedMail {
  const content = msg.content;
  if (content.channel !== 'email') throw new Error(`a ${content.channel} message is not a mail`);
  const p = personalizeEmail(content, { accountId: msg.accountId, messageId: msg.messageId, recipientId: msg.recipientId, address: msg.address }, settings.links);
  const sender = p.from === null ? null : splitMailbox(p.from).address;
  const mailbox = settings.unsubscribeMailto ?? sender;
  const domain = sender?.split('@').pop() || 'relais.invalid';
  const kept: KeptMail = {
    to: p.to.address, toName: p.to.name, from: p.from, replyTo: p.replyTo, subject: p.subject, text: p.text, html: p.html,
    unsubscribeUrl: p.unsubscribeUrl, viewUrl: p.viewUrl,
    headers: {
      'Message-ID': `<${msg.messageId}.${msg.recipientId}.${msg.sendAt.toString(36)}@${domain}>`,
      'List-Unsubscribe': [`<${p.unsubscribeUrl}>`, ...(mailbox ? [`<mailto:${mailtoAddress(mailbox)}?subject=unsubscribe>`] : [])].join(', '),
    },
  };
  return { kept, options: composerOptions(kept, p.attachments, now) };
}

/** What MailComposer and nodemailer take: one builder for the SMTP transport and the outbox, so both send the same message. */
function composerOptions(mail: KeptMail, attachments: readonly EmailAttachment[], date: number): MailComposerOptions {
  return {
    from: party(mail.from),
    to: mail.toName ? { name: mail.toName, address: mail.to } : mail.to,
    replyTo: party(mail.replyTo),
    subject: mail.subject,
    text: mail.text ?? (mail.html === null ? '' : htmlToText(mail.html, { wordwrap: 78 })),
    html: mail.html ?? undefined,
    attachments: attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.base64, encoding: 'base64' })),
    messageId: mail.headers['Message-ID'],
    date: new Date(date),
    headers: {
      'List-Unsubscribe': { prepared: true, value: mail.headers['List-Unsubscribe'] },
      'List-Unsubscribe-Post': { prepared: true, value: 'List-Unsubscribe=One-Click' },
    },
    // The content is the client's: nothing in it may make Relais read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/**
 * The whole message as it went on the wire (RFC 5322, CRLF line ends), composed from what the
 * outbox kept of it, the time it was sent and the message's attachments (core's ComposeOutboxMime).
 * The multipart boundaries derive from the entry rather than from chance, so that every read of
 * an entry gives the same bytes.
 */
export async function composeKeptMime(entry: OutboxEntry, attachments: readonly EmailAttachment[]): Promise<string> {
  const mail = entry.rendered as unknown as KeptMail;
  const baseBoundary = createHash('sha256').update(`${entry.id} ${mail.headers['Message-ID']}`).digest('hex').slice(0, 32);
  const options = composerOptions(mail, attachments, entry.sentAt);
  return (await new MailComposer({ ...options, baseBoundary, newline: 'win' }).compile().build()).toString('utf8');
}
