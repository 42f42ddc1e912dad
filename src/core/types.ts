import type { Credits } from './money.js';

export const CHANNELS = ['sms', 'email', 'voice'] as const;
export type Channel = (typeof CHANNELS)[number];

export const MESSAGE_STATUSES = ['scheduled', 'dispatching', 'sent', 'partially_failed', 'failed', 'cancelled'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const RECIPIENT_STATUSES = ['pending', 'sent', 'delivered', 'undelivered', 'failed', 'skipped', 'cancelled'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

/** Recipient states that end a recipient's life with its price given back. */
export const REFUNDED_STATUSES = ['failed', 'skipped', 'cancelled'] as const satisfies readonly RecipientStatus[];
export type RefundedStatus = (typeof REFUNDED_STATUSES)[number];

export interface Account {
  id: number;
  name: string;
  parentId: number | null;
  currency: string;
  balance: Credits;
  defaultSender: string | null;
  createdAt: number;
}

export interface ApiKey {
  id: number;
  accountId: number;
  prefix: string;
  scopes: string[] | null;
  createdAt: number;
}

/** A file sent with an e-mail, its bytes in base64. */
export interface EmailAttachment {
  filename: string;
  contentType: string;
  base64: string;
}

/** What is sent, per channel. Stored as JSON; each transport renders it. */
export type MessageContent =
  | { channel: 'sms'; text: string; sender: string | null; unicode: boolean }
  | {
    channel: 'email'; subject: string; text: string | null; html: string | null; from: string | null; replyTo: string | null;
    /** Display names of recipients, by normalised address (the To header); absent: none. */
    names?: Record<string, string>;
    attachments?: EmailAttachment[];
  }
  | {
    channel: 'voice'; text: string | null; audioUrl: string | null; sender: string | null;
    /** The audio file the call plays (core/audio-files.ts): a dropped upload, or the WAV synthesised from `text`. */
    audioToken?: string;
    /** The voice `text` is spoken in (core/speech.ts SPEECH_LANGS) and its rate, 0.5..2. */
    lang?: string;
    rate?: number;
    /** How long the call plays: the audio file's, or the estimate when no synthesizer ran. */
    durationMs?: number;
  };

export interface Message {
  id: number;
  accountId: number;
  channel: Channel;
  status: MessageStatus;
  sendAt: number;
  createdAt: number;
  updatedAt: number;
  tag: string | null;
  batchId: string | null;
  idempotencyKey: string | null;
  metadata: Record<string, unknown> | null;
  content: MessageContent;
  /** Units billed per recipient (SMS segments, 1 for e-mail and voice). */
  units: number;
  /** Total debited at scheduling time. */
  price: Credits;
  recipientCount: number;
  dispatchedAt: number | null;
  completedAt: number | null;
  cancelledAt: number | null;
}

/** What delivering a message reads of it. */
export type DueMessage = Pick<Message, 'id' | 'accountId' | 'channel' | 'sendAt' | 'content' | 'metadata' | 'recipientCount'>;

export interface Recipient {
  id: number;
  messageId: number;
  address: string;
  status: RecipientStatus;
  price: Credits;
  providerId: string | null;
  error: string | null;
  attempts: number;
  sentAt: number | null;
  updatedAt: number;
  /** Present only when this recipient has its own text (bulk sends); otherwise the message's applies. */
  content?: MessageContent;
  /** Units billed for this recipient when it has its own text. */
  units?: number;
}

export interface MessageEvent {
  id: number;
  messageId: number;
  recipientId: number | null;
  type: string;
  at: number;
  data: Record<string, unknown> | null;
}

export const LEDGER_KINDS = ['topup', 'debit', 'refund', 'adjust'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export interface LedgerEntry {
  id: number;
  accountId: number;
  kind: LedgerKind;
  amount: Credits;
  balanceAfter: Credits;
  messageId: number | null;
  cause: string;
  createdAt: number;
}

export type SuppressionChannel = 'sms' | 'email';

export interface Suppression {
  accountId: number;
  channel: SuppressionChannel;
  address: string;
  reason: string | null;
  createdAt: number;
}

export interface OutboxEntry {
  id: number;
  accountId: number;
  messageId: number;
  recipientId: number;
  channel: Channel;
  address: string;
  rendered: Record<string, unknown>;
  sentAt: number;
}

/** A page of results and the opaque cursor of the next one. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A suppression as stored, with the id the SMS Partner STOP list shows and deletes by. */
export interface StoredSuppression extends Suppression {
  id: number;
}

export const SUBACCOUNT_TYPES = ['simple', 'advanced'] as const;
export type SubaccountType = (typeof SUBACCOUNT_TYPES)[number];

/**
 * What an account has besides its balance: a login e-mail, whether it may manage
 * sub-accounts, and, for a sub-account created through a vendor API, its vendor identity.
 */
export interface AccountProfile {
  accountId: number;
  email: string | null;
  subaccountsEnabled: boolean;
  /** E-mail waits for the legal sending window (core/legal-window.ts); off by default, not inherited. */
  legalWindow: boolean;
  /** Opaque identifier a parent uses to address this sub-account (null: not a vendor sub-account). */
  token: string | null;
  subType: SubaccountType | null;
  isBuyer: boolean;
  title: string | null;
  firstname: string | null;
  lastname: string | null;
  /**
   * The sub-account's API key, which the vendor's list endpoint returns to the parent: sealed
   * as the store holds it (core/secrets.ts), clear as core's sub-account services return it.
   * Null for every other account.
   */
  apiKey: string | null;
  closedAt: number | null;
}

export interface Subaccount {
  account: Account;
  profile: AccountProfile;
}

export const WEBHOOK_STATUSES = ['pending', 'delivered', 'failed'] as const;
/** The format of a native endpoint's deliveries (a message's callback URL has its dialect's). */
export const NATIVE_WEBHOOK_FORMAT = 'native';
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

/** One status callback to a client URL, derived from a recipient event; drained with retries. */
export interface WebhookDelivery {
  id: number;
  accountId: number;
  messageId: number;
  /** Null for an event of the message as a whole (native `scheduled`, a message's `cancelled`). */
  recipientId: number | null;
  /** The native endpoint (core/webhook-endpoints.ts) it goes to; null: the message's callback URL. */
  endpointId: number | null;
  /** The event that caused it: sent, delivered, undelivered, failed, skipped, cancelled, scheduled. */
  event: string;
  /** Which payload the client expects (the dialect that received the URL, or `native`). */
  format: string;
  url: string;
  address: string | null;
  tag: string | null;
  at: number;
  data: Record<string, unknown> | null;
  status: WebhookStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
}

/** One attempt of a webhook delivery: the receiver's HTTP status, or why there was none. */
export interface WebhookAttemptRecord {
  attempt: number;
  at: number;
  httpStatus: number | null;
  error: string | null;
}

/** A native status webhook endpoint of an account; its secret is only shown when created. */
export interface WebhookEndpoint {
  id: number;
  accountId: number;
  url: string;
  events: string[];
  description: string | null;
  createdAt: number;
}

/** The audio formats a voice call can play (Voice Partner's upload: WAV or MP3). */
export type AudioContentType = 'audio/wav' | 'audio/mpeg';

/** Where an audio file comes from: an account's upload, or the WAV synthesised for one call. */
export type AudioFileKind = 'upload' | 'speech';

/** An account's audio file, without its bytes (core/audio-files.ts). */
export interface AudioFile {
  id: number;
  accountId: number;
  kind: AudioFileKind;
  /** Opaque, 10 characters [A-Za-z0-9]: Voice Partner's `tokenAudio`. */
  token: string;
  name: string;
  contentType: AudioContentType;
  /** Bytes. */
  size: number;
  durationMs: number;
  createdAt: number;
}

/** Braze's two containers of API-triggered content; a Braze call names one by its UUID (core/campaigns.ts). */
export const CAMPAIGN_KINDS = ['campaign', 'canvas'] as const;
export type CampaignKind = (typeof CAMPAIGN_KINDS)[number];

/** Liquid templates per channel, with the field names of Braze's message objects (spec/braze.md §12). */
export interface CampaignMessages {
  sms?: { body: string; sender?: string };
  email?: { subject: string; body: string; plaintext_body?: string; from?: string; reply_to?: string };
}

export interface Campaign {
  /** UUID v4: Braze's `campaign_id` / `canvas_id`. */
  id: string;
  /** Creation order, for list cursors; never shown. */
  seq: number;
  /** Bumped by each update: an update applies only to the revision it was computed from. */
  revision: number;
  accountId: number;
  kind: CampaignKind;
  name: string;
  tags: string[];
  messages: CampaignMessages;
  createdAt: number;
  updatedAt: number;
}

/** A Braze-style alias: a user known by a name under a label (e.g. a device id) instead of an external id. */
export interface UserAlias {
  name: string;
  label: string;
}

/** The profile fields of a user that Relais reads itself; everything else is a custom attribute. */
export interface UserProfile {
  email: string | null;
  /** E.164. */
  phone: string | null;
  /** IANA zone. */
  timeZone: string | null;
  firstName: string | null;
  lastName: string | null;
  custom: Record<string, unknown>;
}

/** A user of an account's audience (core/users.ts): who an `external_user_id` or an alias resolves to. */
export interface User extends UserProfile {
  id: number;
  accountId: number;
  externalId: string | null;
  alias: UserAlias | null;
  createdAt: number;
  updatedAt: number;
}

/** What a Braze schedule sends: an API-triggered campaign or canvas, or API-defined messages (core/braze-schedules.ts). */
export const BRAZE_SCHEDULE_KINDS = ['campaign', 'canvas', 'messages'] as const;
export type BrazeScheduleKind = (typeof BRAZE_SCHEDULE_KINDS)[number];

/** Braze's schedule object (spec/braze.md §0.8), `time` as the client wrote it. */
export interface BrazeTiming {
  time: string;
  inLocalTime: boolean;
  atOptimalTime: boolean;
}

/** One Braze schedule: the handle of a batch of messages whose `batchId` is its `scheduleId`. */
export interface BrazeSchedule {
  /** UUID v4. */
  scheduleId: string;
  accountId: number;
  dispatchId: string;
  sendId: string | null;
  kind: BrazeScheduleKind;
  /** The campaign or canvas id; for `messages`, the optional analytics `campaign_id`. */
  parentId: string | null;
  timing: BrazeTiming;
  /** What the request asked for (targets, message templates, properties), kept as given. */
  request: Record<string, unknown>;
  /** The instant the schedule stands for while it has no message (it resolved to nobody). */
  sendAt: number;
  state: 'scheduled' | 'deleted';
  createdAt: number;
  updatedAt: number;
}
