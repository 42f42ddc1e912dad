import { randomUUID } from 'node:crypto';
import { checkSmsSender, mailbox } from './content.js';
import type { Core } from './context.js';
import { RelaisError } from './errors.js';
import { checkTemplate } from './liquid.js';
import { decodeCursor, encodeCursor } from './queries.js';
import type { Campaign, CampaignKind, CampaignMessages, Page } from './types.js';

/** Bounds of a campaign's fields (docs/API.md, "Campaigns and canvases"). */
export const CAMPAIGN_LIMITS = {
  name: 200,
  tags: 50,
  tag: 100,
  /** Ten concatenated SMS of 160 characters: the longest SMS Relais sends (content.ts MAX_SMS_SEGMENTS). */
  smsBody: 1600,
  /** RFC 5322's line limit. */
  subject: 998,
  emailBody: 1_000_000,
  plaintextBody: 100_000,
} as const;

const CONTROL = /\p{Cc}/u;

const refused = (field: string, message: string) => new RelaisError('invalid_request', message, { field });

function notFound(kind: CampaignKind, id: string): RelaisError {
  return new RelaisError('not_found', `${kind} ${id} does not exist`, { id });
}

function checkLength(value: string, max: number, field: string): void {
  if (value.length === 0) throw refused(field, `${field} must not be empty`);
  if (value.length > max) throw refused(field, `${field} is at most ${max} characters`);
}

function checkName(name: string): string {
  const trimmed = name.trim();
  checkLength(trimmed, CAMPAIGN_LIMITS.name, 'name');
  if (CONTROL.test(trimmed)) throw refused('name', 'name must be one line without control characters');
  return trimmed;
}

function checkTags(tags: string[]): string[] {
  const unique = [...new Set(tags.map((t) => t.trim()))];
  if (unique.length > CAMPAIGN_LIMITS.tags) throw refused('tags', `tags holds at most ${CAMPAIGN_LIMITS.tags} tags`);
  for (const tag of unique) {
    checkLength(tag, CAMPAIGN_LIMITS.tag, 'tags');
    if (CONTROL.test(tag)) throw refused('tags', 'a tag must be one line without control characters');
  }
  return unique;
}

function checkBody(source: string, max: number, field: string): void {
  checkLength(source, max, field);
  checkTemplate(source, field);
}

/**
 * Each channel's templates parse and fit their bounds; senders follow the rules of scheduled
 * messages. Returns the messages as stored (mailboxes normalised, absent fields left out).
 */
export function checkMessages(messages: CampaignMessages): CampaignMessages {
  const { sms, email } = messages;
  if (!sms && !email) throw refused('messages', 'messages needs at least one channel: sms or email');
  const checked: CampaignMessages = {};
  if (sms) {
    checkBody(sms.body, CAMPAIGN_LIMITS.smsBody, 'messages.sms.body');
    if (sms.sender !== undefined) checkSmsSender(sms.sender, 'messages.sms.sender');
    checked.sms = { body: sms.body, ...(sms.sender !== undefined && { sender: sms.sender }) };
  }
  if (email) {
    checkBody(email.subject, CAMPAIGN_LIMITS.subject, 'messages.email.subject');
    if (CONTROL.test(email.subject)) throw refused('messages.email.subject', 'messages.email.subject must be one line without control characters');
    checkBody(email.body, CAMPAIGN_LIMITS.emailBody, 'messages.email.body');
    if (email.plaintext_body !== undefined) checkBody(email.plaintext_body, CAMPAIGN_LIMITS.plaintextBody, 'messages.email.plaintext_body');
    const from = email.from === undefined ? undefined : mailbox('messages.email.from', email.from)!;
    const replyTo = email.reply_to === undefined ? undefined : mailbox('messages.email.reply_to', email.reply_to)!;
    checked.email = {
      subject: email.subject, body: email.body,
      ...(email.plaintext_body !== undefined && { plaintext_body: email.plaintext_body }),
      ...(from !== undefined && { from }),
      ...(replyTo !== undefined && { reply_to: replyTo }),
    };
  }
  return checked;
}

export interface NewCampaign {
  name: string;
  tags?: string[];
  messages: CampaignMessages;
}

export async function createCampaign(core: Core, accountId: number, kind: CampaignKind, input: NewCampaign): Promise<Campaign> {
  const name = checkName(input.name);
  const tags = checkTags(input.tags ?? []);
  const messages = checkMessages(input.messages);
  const now = core.clock.now();
  return core.store.autocommit.insertCampaign({ id: randomUUID(), accountId, kind, name, tags, messages, createdAt: now, updatedAt: now });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The account's campaign or canvas with this id, or undefined (another account's id, the other kind's, or no UUID at all). */
export async function findCampaign(core: Core, accountId: number, kind: CampaignKind, id: string): Promise<Campaign | undefined> {
  if (!UUID.test(id)) return undefined;
  return core.store.autocommit.findCampaign(accountId, kind, id.toLowerCase());
}

/** As findCampaign, not_found when there is none. */
export async function getCampaign(core: Core, accountId: number, kind: CampaignKind, id: string): Promise<Campaign> {
  const found = await findCampaign(core, accountId, kind, id);
  if (!found) throw notFound(kind, id);
  return found;
}

/** The account's campaigns (or canvases), newest first. */
export async function listCampaigns(core: Core, accountId: number, kind: CampaignKind, q: { limit: number; cursor?: string }): Promise<Page<Campaign>> {
  const rows = await core.store.autocommit.listCampaigns(accountId, kind, { limit: q.limit + 1, beforeSeq: decodeCursor(q.cursor) });
  const items = rows.slice(0, q.limit);
  return { items, nextCursor: rows.length > q.limit ? encodeCursor(items[items.length - 1].seq) : null };
}

/** A PATCH: each field given replaces the stored one; a channel given replaces that channel whole, null removes it. */
export interface CampaignPatch {
  name?: string;
  tags?: string[];
  messages?: { sms?: CampaignMessages['sms'] | null; email?: CampaignMessages['email'] | null };
}

/** How often an update is computed again when a concurrent one changed the campaign first. */
const UPDATE_ATTEMPTS = 5;

export async function updateCampaign(core: Core, accountId: number, kind: CampaignKind, id: string, patch: CampaignPatch): Promise<Campaign> {
  const name = patch.name === undefined ? undefined : checkName(patch.name);
  const tags = patch.tags === undefined ? undefined : checkTags(patch.tags);
  for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
    const current = await getCampaign(core, accountId, kind, id);
    const merged: CampaignMessages = { ...current.messages };
    for (const channel of ['sms', 'email'] as const) {
      const given = patch.messages?.[channel];
      if (given === null) delete merged[channel];
      else if (given !== undefined) Object.assign(merged, { [channel]: given });
    }
    const updated = await core.store.autocommit.updateCampaign({
      accountId, kind, id: current.id, revision: current.revision, updatedAt: core.clock.now(),
      name: name ?? current.name, tags: tags ?? current.tags, messages: patch.messages ? checkMessages(merged) : current.messages,
    });
    if (updated) return updated;
  }
  throw new RelaisError('conflict', `${kind} ${id} is being changed by other requests; try again`, { id });
}

export async function deleteCampaign(core: Core, accountId: number, kind: CampaignKind, id: string): Promise<void> {
  const deleted = UUID.test(id) && await core.store.autocommit.deleteCampaign(accountId, kind, id.toLowerCase());
  if (!deleted) throw notFound(kind, id);
}
