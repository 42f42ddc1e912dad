import { normalizeEmail } from '../../../core/addresses.js';
import type { PartnerError } from '../partner/errors.js';
import type { Params } from '../partner/params.js';
import { MSG, mp, senderRequired } from './errors.js';

/** The send fields Mail Partner gives codes of their own (spec §2), read in its order. */

const MAX_RECIPIENTS = 500;
const MAX_VARIABLES = 8;
const TAG = /^[^\sA-Z]{3,20}$/u;

export interface MailRecipient {
  address: string;
  name: string | null;
}

/** A value sent as text: strings, and numbers written out. */
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/**
 * `{email, name}` (or a bare address): the email when given as non-blank text; the name as given
 * (blank included, so that it can be refused), undefined when absent or null.
 */
function party(value: unknown): { email?: string; name?: string } {
  if (typeof value === 'string') return { email: value.trim() || undefined };
  if (typeof value !== 'object' || value === null) return {};
  const o = value as Record<string, unknown>;
  const name = o.name === undefined || o.name === null ? undefined : (text(o.name) ?? '');
  return { email: text(o.email)?.trim() || undefined, name };
}

/** `address`, or `Name <address>` when a name is given: what core stores as a From or Reply-To. */
function mailbox(value: unknown, errors: { missing: PartnerError; invalid: PartnerError; blankName: PartnerError }): string {
  const { email, name } = party(value);
  if (email === undefined) throw errors.missing;
  let address: string;
  try {
    address = normalizeEmail(email);
  } catch {
    throw errors.invalid;
  }
  if (name !== undefined && !name.trim()) throw errors.blankName;
  return name === undefined ? address : `${name.trim()} <${address}>`;
}

/** A JSON array, also when sent as a JSON string or PHP-style `to[0][email]=…` keys. */
function array(params: Params, name: string): unknown[] | undefined {
  const v = params.get(name);
  return Array.isArray(v) ? v : typeof v === 'string' ? params.list(name) : undefined;
}

/** `params.to`, else top-level `to` (spec §2: the examples nest it, the parameter table does not). */
export function readRecipients(params: Params): MailRecipient[] {
  const nested = params.object('params')?.to;
  const list = Array.isArray(nested) ? nested : array(params, 'to');
  if (!list || list.length === 0) throw mp(22, MSG.recipientsRequired);
  if (list.length > MAX_RECIPIENTS) throw mp(50, MSG.tooManyMails);
  const seen = new Set<string>();
  return list.map((item) => {
    const { email, name } = party(item);
    if (email === undefined) throw mp(18, MSG.recipientEmailRequired);
    let address: string;
    try {
      address = normalizeEmail(email);
    } catch {
      throw mp(19, MSG.recipientEmailInvalid);
    }
    if (name !== undefined && !name.trim()) throw mp(21, MSG.recipientNameBlank);
    if (seen.has(address)) throw mp(15, MSG.duplicateRecipient);
    seen.add(address);
    return { address, name: name?.trim() ?? null };
  });
}

const SENDER_ERRORS = { missing: senderRequired(), invalid: senderRequired(), blankName: mp(5, MSG.senderNameBlank) };

/**
 * The sender, undocumented by the vendor (spec §2): the first given of `from: {email, name}`,
 * `senderEmail`/`senderName`, `sender: {email, name}`. None: null, and core applies the
 * account's default sender or RELAIS_MAIL_FROM.
 */
export function readSender(params: Params): string | null {
  if (params.has('from')) return mailbox(params.get('from'), SENDER_ERRORS);
  if (params.has('senderEmail') || params.has('senderName')) {
    return mailbox({ email: params.get('senderEmail'), name: params.body.senderName ?? params.query.senderName }, SENDER_ERRORS);
  }
  if (params.has('sender')) return mailbox(params.get('sender'), SENDER_ERRORS);
  return null;
}

export function readReplyTo(params: Params): string | null {
  if (!params.has('replyTo')) return null;
  return mailbox(params.get('replyTo'), {
    missing: mp(23, MSG.replyToEmailRequired), invalid: mp(24, MSG.replyToEmailInvalid), blankName: mp(25, MSG.replyToNameBlank),
  });
}

/** `variables`: at most 8 text values, keyed by the name `#NAME#` gives in upper case [inferred code 2]. */
export function readVariables(params: Params): Record<string, string> {
  if (!params.has('variables')) return {};
  const v = params.object('variables');
  const entries = Object.entries(v ?? {});
  if (!v || entries.length > MAX_VARIABLES || entries.some(([, x]) => text(x) === undefined)) throw mp(2, MSG.contentRequired);
  return Object.fromEntries(entries.map(([k, x]) => [k.toUpperCase(), text(x)!]));
}

/** `tag`: lower case, no spaces, 3 to 20 characters [inferred code 9]. */
export function readTag(params: Params): string | null {
  const tag = params.str('tag');
  if (tag === undefined) return null;
  if (!TAG.test(tag) || tag !== tag.toLowerCase()) throw mp(9, MSG.tagInvalid);
  return tag;
}
