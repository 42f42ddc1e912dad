import { htmlToText } from 'html-to-text';
import MailComposer, { type MailComposerOptions } from 'nodemailer/lib/mail-composer';
import { splitMailbox } from '../../core/content.js';
import type { EmailLinks } from '../../core/email-links.js';
import { personalizeEmail, type PersonalEmail } from '../../core/email.js';
import type { OutgoingMessage } from '../../core/transport.js';

/** What the transports that write mail need besides the message: the signed links and the unsubscribe mailbox. */
export interface MailSettings {
  links: EmailLinks;
  /** RELAIS_UNSUBSCRIBE_MAILTO; null: the mail's own sender. */
  unsubscribeMailto: string | null;
}

/** One recipient's mail, ready for nodemailer (`sendMail`) and MailComposer, and its signed links. */
export interface RenderedMail {
  personal: PersonalEmail;
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
  const personal = personalizeEmail(content, { accountId: msg.accountId, messageId: msg.messageId, recipientId: msg.recipientId, address: msg.address }, settings.links);
  const from = party(personal.from);
  const mailbox = settings.unsubscribeMailto ?? from?.address;
  const unsubscribe = [`<${personal.unsubscribeUrl}>`, ...(mailbox ? [`<mailto:${mailtoAddress(mailbox)}?subject=unsubscribe>`] : [])].join(', ');
  const domain = from?.address.split('@').pop() || 'relais.invalid';
  const options: MailComposerOptions = {
    from,
    to: personal.to.name ? { name: personal.to.name, address: personal.to.address } : personal.to.address,
    replyTo: party(personal.replyTo),
    subject: personal.subject,
    text: personal.text ?? (personal.html === null ? '' : htmlToText(personal.html, { wordwrap: 78 })),
    html: personal.html ?? undefined,
    attachments: personal.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.base64, encoding: 'base64' })),
    messageId: `<${msg.messageId}.${msg.recipientId}.${msg.sendAt.toString(36)}@${domain}>`,
    date: new Date(now),
    headers: {
      'List-Unsubscribe': { prepared: true, value: unsubscribe },
      'List-Unsubscribe-Post': { prepared: true, value: 'List-Unsubscribe=One-Click' },
    },
    // The content is the client's: nothing in it may make Relais read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  return { personal, options };
}

/** The whole message as it goes on the wire (RFC 5322, CRLF line ends), for the outbox. */
export async function composeMime(options: MailComposerOptions): Promise<string> {
  return (await new MailComposer({ ...options, newline: 'win' }).compile().build()).toString('utf8');
}
