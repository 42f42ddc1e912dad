import { EMAIL_PLACEHOLDERS } from '../../../core/email.js';
import type { EmailAttachment, MessageContent } from '../../../core/types.js';
import type { MailRecipient } from './fields.js';

/** Mail Partner's tags in HTML, as links to core's per-recipient URLs. */
const HTML_TAGS: Readonly<Record<string, string>> = {
  '#UNSUBSCRIBE_LINK#': `<a href="${EMAIL_PLACEHOLDERS.unsubscribeUrl}">Se désinscrire</a>`,
  '#READ_ONLINE#': `<a href="${EMAIL_PLACEHOLDERS.viewUrl}">Voir la version en ligne</a>`,
};

/** The same tags in a text part: the bare URLs. */
const TEXT_TAGS: Readonly<Record<string, string>> = {
  '#UNSUBSCRIBE_LINK#': EMAIL_PLACEHOLDERS.unsubscribeUrl,
  '#READ_ONLINE#': EMAIL_PLACEHOLDERS.viewUrl,
};

/** The tags first, so that a variable's value cannot become a link; then `#NAME#` for each variable. */
function fill(s: string, tags: Readonly<Record<string, string>>, variables: Readonly<Record<string, string>>): string {
  let out = s;
  // A function, not a string: a value's `$&` or `$'` is text, not a replacement pattern.
  for (const [tag, value] of Object.entries(tags)) out = out.replaceAll(tag, () => value);
  for (const [name, value] of Object.entries(variables)) out = out.replaceAll(`#${name}#`, () => value);
  return out;
}

export interface MailFields {
  subject: string;
  html: string;
  text: string | null;
  from: string | null;
  replyTo: string | null;
  variables: Record<string, string>;
  recipients: MailRecipient[];
  attachments: EmailAttachment[] | undefined;
}

/** The vendor's mail as core's e-mail content: variables substituted, tags as placeholders, names by address. */
export function mailContent(f: MailFields): MessageContent {
  const named = f.recipients.filter((r) => r.name !== null);
  return {
    channel: 'email',
    subject: fill(f.subject, {}, f.variables),
    html: fill(f.html, HTML_TAGS, f.variables),
    // Absent: the transport derives the text part from the HTML.
    text: f.text === null ? null : fill(f.text, TEXT_TAGS, f.variables),
    from: f.from,
    replyTo: f.replyTo,
    ...(named.length ? { names: Object.fromEntries(named.map((r) => [r.address, r.name!])) } : {}),
    ...(f.attachments?.length ? { attachments: f.attachments } : {}),
  };
}
