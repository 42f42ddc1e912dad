import type { Generated, Insertable, Selectable } from 'kysely';
import type { LedgerKind, MessageStatus, RecipientStatus, WebhookStatus } from '../core/types.js';

/**
 * Table types. Instants and credits are integers (epoch ms, thousandths) on both dialects,
 * so that SQLite and PostgreSQL compare and sum them identically; JSON is stored as text.
 * Status and kind columns are typed with core's vocabulary, so that no query names a word core
 * does not have. Change together with migrations/.
 */
export interface AccountTable {
  id: Generated<number>;
  name: string;
  parent_id: number | null;
  currency: string;
  balance: number;
  default_sender: string | null;
  created_at: number;
}

export interface ApiKeyTable {
  id: Generated<number>;
  account_id: number;
  hash: string;
  prefix: string;
  scopes: string | null;
  created_at: number;
}

export interface MessageTable {
  id: Generated<number>;
  account_id: number;
  channel: string;
  status: MessageStatus;
  send_at: number;
  created_at: number;
  updated_at: number;
  tag: string | null;
  batch_id: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  metadata: string | null;
  content: string;
  units: number;
  price: number;
  recipient_count: number;
  lease_owner: string | null;
  lease_until: number | null;
  dispatched_at: number | null;
  completed_at: number | null;
  cancelled_at: number | null;
  callback_url: string | null;
  callback_format: string | null;
}

export interface RecipientTable {
  id: Generated<number>;
  message_id: number;
  account_id: number;
  address: string;
  status: RecipientStatus;
  price: number;
  provider_id: string | null;
  error: string | null;
  attempts: number;
  sent_at: number | null;
  updated_at: number;
  /** JSON of this recipient's own content (bulk sends); null: the message's. */
  content: string | null;
  units: number | null;
  /** When a receipt refunded it undelivered (migration 0015); null: not refunded by a receipt. */
  refunded_at: number | null;
}

export interface EventTable {
  id: Generated<number>;
  message_id: number;
  recipient_id: number | null;
  type: string;
  at: number;
  data: string | null;
}

export interface LedgerTable {
  id: Generated<number>;
  account_id: number;
  kind: LedgerKind;
  amount: number;
  balance_after: number;
  message_id: number | null;
  cause: string;
  created_at: number;
}

export interface SuppressionTable {
  id: Generated<number>;
  account_id: number;
  channel: string;
  address: string;
  reason: string | null;
  created_at: number;
}

export interface OutboxTable {
  id: Generated<number>;
  account_id: number;
  message_id: number;
  recipient_id: number;
  channel: string;
  address: string;
  rendered: string;
  sent_at: number;
}

export interface AccountProfileTable {
  account_id: number;
  email: string | null;
  subaccounts_enabled: number;
  legal_window: number;
  token: string | null;
  sub_type: string | null;
  is_buyer: number;
  title: string | null;
  firstname: string | null;
  lastname: string | null;
  api_key: string | null;
  closed_at: number | null;
}

export interface WebhookDeliveryTable {
  id: Generated<number>;
  account_id: number;
  message_id: number;
  /** Null: an event of the message as a whole (migration 0012). */
  recipient_id: number | null;
  /** The native endpoint it goes to; null: the message's own callback URL. */
  endpoint_id: number | null;
  event: string;
  format: string;
  url: string;
  address: string | null;
  tag: string | null;
  at: number;
  data: string | null;
  status: WebhookStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
}

/** Values the server keeps about itself (the secret key's check value). */
export interface SettingTable {
  name: string;
  value: string;
}

/** The provider id of a send through a transport with receipts (migration 0006). */
export interface ProviderIdTable {
  provider_id: string;
  recipient_id: number;
  /** The transport that gave the id; null on rows from before migration 0014: any transport. */
  transport: string | null;
  /** The handset sent to; null on rows from before migration 0015 (DECISIONS.md §38). */
  address: string | null;
  /** The sender the send went out with; null: the transport's own default, unknown to Relais. */
  sender: string | null;
}

/** A receipt that came before its send was recorded (migration 0013, core/receipts.ts). */
export interface KeptReceiptTable {
  transport: string;
  provider_id: string;
  status: 'delivered' | 'undelivered';
  at: number;
  reason: string | null;
  provider_code: string | null;
  kept_at: number;
}

/** Voice Partner's audio files, their bytes included (migration 0008). */
export interface AudioFileTable {
  id: Generated<number>;
  account_id: number;
  kind: Generated<string>;
  token: string;
  name: string;
  content_type: string;
  bytes: Uint8Array;
  size: number;
  duration_ms: number;
  created_at: number;
}

/** Braze campaigns and canvases, tags and messages as JSON (migration 0009). */
export interface BrazeCampaignTable {
  seq: Generated<number>;
  id: string;
  account_id: number;
  kind: string;
  name: string;
  tags: string;
  messages: string;
  revision: number;
  created_at: number;
  updated_at: number;
}

/** An account's users, as POST /braze/users/track and /api/v1/users keep them (migration 0010). */
export interface UserTable {
  id: Generated<number>;
  account_id: number;
  external_id: string | null;
  alias_name: string | null;
  alias_label: string | null;
  email: string | null;
  phone: string | null;
  time_zone: string | null;
  first_name: string | null;
  last_name: string | null;
  /** JSON object of the custom attributes. */
  custom: string;
  created_at: number;
  updated_at: number;
}

/** Braze schedules, one per batch of messages; `schedule` and `request` as JSON (migration 0011). */
export interface BrazeScheduleTable {
  schedule_id: string;
  account_id: number;
  dispatch_id: string;
  send_id: string | null;
  kind: string;
  parent_id: string | null;
  schedule: string;
  request: string;
  send_at: number;
  state: string;
  created_at: number;
  updated_at: number;
}

/** An account's status webhook endpoint; `events` between commas, `secret` sealed (migration 0012). */
export interface WebhookEndpointTable {
  id: Generated<number>;
  account_id: number;
  url: string;
  events: string;
  description: string | null;
  secret: string;
  created_at: number;
}

/** One attempt of a webhook delivery: the HTTP status it got, or why it got none. */
export interface WebhookAttemptTable {
  id: Generated<number>;
  delivery_id: number;
  attempt: number;
  at: number;
  http_status: number | null;
  error: string | null;
}

export interface Database {
  accounts: AccountTable;
  api_keys: ApiKeyTable;
  messages: MessageTable;
  recipients: RecipientTable;
  events: EventTable;
  ledger: LedgerTable;
  suppressions: SuppressionTable;
  outbox: OutboxTable;
  account_profiles: AccountProfileTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_attempts: WebhookAttemptTable;
  settings: SettingTable;
  provider_ids: ProviderIdTable;
  kept_receipts: KeptReceiptTable;
  audio_files: AudioFileTable;
  braze_campaigns: BrazeCampaignTable;
  users: UserTable;
  braze_schedules: BrazeScheduleTable;
}

export type AccountRow = Selectable<AccountTable>;
export type MessageRow = Selectable<MessageTable>;
export type RecipientRow = Selectable<RecipientTable>;
export type LedgerRow = Selectable<LedgerTable>;
export type NewMessageRow = Insertable<MessageTable>;
