import type { Credits } from './money.js';
import type { Receipt } from './transport.js';
import type {
  Account, AccountProfile, ApiKey, Channel, DueMessage, LedgerEntry, LedgerKind, Message, MessageContent, MessageEvent, MessageStatus,
  AudioFile, BrazeSchedule, Campaign, CampaignKind, OutboxEntry, Recipient, RecipientStatus, StoredSuppression, Subaccount, Suppression, SuppressionChannel, User, UserAlias, UserProfile, WebhookAttemptRecord, WebhookDelivery, WebhookEndpoint,
} from './types.js';

export interface NewMessage {
  accountId: number;
  channel: Channel;
  sendAt: number;
  createdAt: number;
  tag: string | null;
  batchId: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  metadata: Record<string, unknown> | null;
  content: MessageContent;
  units: number;
  price: Credits;
  /** `units` and `content` per recipient only where they differ from the message's (per-recipient texts). */
  recipients: { address: string; price: Credits; units?: number; content?: MessageContent | null }[];
  /** Where status callbacks of this message go, and in which dialect's payload format. */
  callback?: { url: string; format: string } | null;
}

/** A message with what pays for it, stored all at once (MessagesPort.insertPaidMessage). */
export interface PaidMessage extends NewMessage {
  /** Its price is debited unless the balance would fall below `floor`; `cause` is given the new message's id. */
  debit: { floor: Credits; cause(messageId: number): string };
  /** The message's first event, at `createdAt`. */
  event: { type: string; data: Record<string, unknown> | null };
}

/** Selects messages of one account; every field narrows the set. */
export interface MessageFilter {
  accountId: number;
  ids?: number[];
  statuses?: MessageStatus[];
  channel?: Channel;
  tag?: string;
  batchId?: string;
  sendAtFrom?: number;
  sendAtTo?: number;
}

export interface ListQuery {
  limit: number;
  /** Continue after this message id (messages are listed newest id first). */
  beforeId?: number;
}

export interface MessagePatch {
  sendAt?: number;
  tag?: string | null;
  batchId?: string | null;
  metadata?: Record<string, unknown> | null;
  content?: MessageContent;
  units?: number;
  price?: Credits;
  updatedAt: number;
}

export interface NewLedgerEntry {
  accountId: number;
  kind: LedgerKind;
  amount: Credits;
  messageId: number | null;
  cause: string;
  createdAt: number;
}

/** Deliveries a claim leaves out: the account's whose URL starts with `prefix` (a busy destination). */
export interface WebhookSkip {
  accountId: number;
  prefix: string;
}

export interface NewEvent {
  messageId: number;
  recipientId: number | null;
  type: string;
  at: number;
  /**
   * When Relais learned of it, if not at `at` (a receipt tells when the network delivered): its
   * callbacks are due, and their retry window counted, from then.
   */
  heardAt?: number;
  data: Record<string, unknown> | null;
}

/** A recipient that left `pending` for a refunded state, with what it cost. */
export interface ReleasedRecipient {
  id: number;
  messageId: number;
  accountId: number;
  address: string;
  price: Credits;
}

export interface RecipientUpdate {
  status: RecipientStatus;
  at: number;
  providerId?: string | null;
  error?: string | null;
}

// Data access, one port per aggregate (DECISIONS §25): a service or dialect declares the ports it uses.

/** Accounts, their API keys, profiles and sub-accounts. */
export interface AccountsPort {
  createAccount(a: { name: string; parentId: number | null; currency: string; createdAt: number }): Promise<Account>;
  getAccount(id: number): Promise<Account | undefined>;
  listAccounts(parentId?: number | null): Promise<Account[]>;
  setDefaultSender(accountId: number, sender: string | null): Promise<void>;
  /**
   * Locks these accounts until the transaction ends, in id order (PostgreSQL; SQLite has one
   * writer). A transaction that moves money between two accounts takes both first: two moves in
   * opposite directions then queue instead of deadlocking.
   */
  lockAccounts(ids: number[]): Promise<void>;
  insertApiKey(k: { accountId: number; hash: string; prefix: string; scopes: string[] | null; createdAt: number }): Promise<ApiKey>;
  findApiKeyByHash(hash: string): Promise<ApiKey | undefined>;
  deleteApiKeys(accountId: number): Promise<number>;
  /** Profile of an account (absent: never set; read as all defaults). */
  getProfile(accountId: number): Promise<AccountProfile | undefined>;
  /** Creates or updates the profile with the given fields. */
  saveProfile(p: Partial<AccountProfile> & { accountId: number }): Promise<AccountProfile>;
  findProfileByEmail(email: string): Promise<AccountProfile | undefined>;
  /** An open sub-account of `parentId` with this token. */
  findSubaccount(parentId: number, token: string): Promise<Subaccount | undefined>;
  /** Open sub-accounts of `parentId` (those with a token), id ascending. */
  listSubaccounts(parentId: number, q: { limit: number; offset: number }): Promise<{ total: number; items: Subaccount[] }>;
  /** Every stored sub-account key, as stored (sealed, or clear from before encryption). */
  listSubaccountKeys(): Promise<{ accountId: number; apiKey: string }[]>;
}

/** Balances and the ledger that explains them. */
export interface LedgerPort {
  /** Adds `amount` (signed) to the balance unless the result would go below `floor`; writes the entry. */
  applyLedgerEntry(e: NewLedgerEntry, floor?: Credits): Promise<LedgerEntry | undefined>;
  listLedger(accountId: number, q: { limit: number; beforeId?: number }): Promise<LedgerEntry[]>;
  sumLedger(accountId: number): Promise<Credits>;
  /**
   * Net spend on `channel` from the ledger in [from, to), and the units it bought: debited minus
   * those of recipients released in a `refunded` status, and of those a receipt refunded
   * (`refunded_at`, set by settleByProviderId), at the instants the ledger books them.
   */
  usage(accountId: number, channel: Channel, from: number, to: number, refunded: readonly RecipientStatus[]): Promise<{ cost: Credits; units: number }>;
}

/** Messages, their recipients and their events, as clients schedule, change, cancel and read them. */
export interface MessagesPort {
  insertMessage(m: NewMessage): Promise<Message>;
  /**
   * Debits the message's price, then stores the message, its recipients, the debit entry and its
   * first event; writes nothing and answers undefined when the balance is short. Atomic on its
   * own (one statement on PostgreSQL), so it needs no transaction around it.
   */
  insertPaidMessage(m: PaidMessage): Promise<Message | undefined>;
  findMessageByIdempotencyKey(accountId: number, key: string): Promise<{ message: Message; requestHash: string | null } | undefined>;
  getMessage(id: number): Promise<Message | undefined>;
  listMessages(f: MessageFilter, q: ListQuery): Promise<Message[]>;
  countSelection(f: MessageFilter, minSendAt: number): Promise<{ messages: number; recipients: number; refund: Credits }>;
  /** Id ascending; with `page`, at most `limit` of them after `afterId`. */
  getRecipients(messageId: number, page?: { limit: number; afterId?: number }): Promise<Recipient[]>;
  /** Id ascending; with `page`, at most `limit` of them after `afterId`. */
  getEvents(messageId: number, page?: { limit: number; afterId?: number }): Promise<MessageEvent[]>;
  /**
   * Appends events. A recipient's event on a message that has a callback URL also enqueues its
   * webhook delivery in the same transaction: every recipient status change writes an event, so
   * no change can be missed and none is announced unless it committed.
   */
  insertEvents(events: NewEvent[]): Promise<void>;
  /** scheduled → cancelled for the selection, only where send_at >= minSendAt; returns the winners. */
  cancelMessages(f: MessageFilter, minSendAt: number, now: number): Promise<Message[]>;
  /**
   * Cancels one scheduled message of the account due no sooner than `minSendAt`, releases its
   * pending recipients as cancelled, refunds them in one ledger entry and writes `eventType`, as
   * one statement. Undefined when the message was not matched. Only where round trips cost more
   * than the work (PostgreSQL); elsewhere core runs `cancelWithin` in a transaction.
   */
  cancelOne?(c: { accountId: number; messageId: number; minSendAt: number; now: number; eventType: string; refundCause(messageId: number): string }):
    Promise<{ message: Message; released: ReleasedRecipient[] } | undefined>;
  /** pending → `status` for every pending recipient of these messages (optionally only `address`). */
  releasePendingRecipients(messageIds: number[], status: 'cancelled' | 'skipped' | 'failed', now: number, error?: string | null): Promise<ReleasedRecipient[]>;
  /** Pending recipients with this address in the account's still-scheduled messages (send_at >= minSendAt), released as cancelled. */
  releaseScheduledRecipientsByAddress(accountId: number, channel: Channel[], address: string, minSendAt: number, now: number): Promise<ReleasedRecipient[]>;
  /** Applies the patch only while the message is scheduled and send_at >= minSendAt. */
  patchScheduledMessage(id: number, accountId: number, minSendAt: number, patch: MessagePatch): Promise<Message | undefined>;
  setRecipientPrices(messageId: number, price: Credits): Promise<void>;
  findRecipient(messageId: number, address: string): Promise<Recipient | undefined>;
  /** Recipients of the account's messages with this tag, recipient id ascending. */
  listRecipientsByTag(accountId: number, tag: string, q: { limit: number; offset: number }): Promise<{ total: number; items: { message: Message; recipient: Recipient }[] }>;
  /** Units still to be sent: pending recipients of scheduled or dispatching messages. */
  pendingUnits(accountId: number, channel: Channel): Promise<number>;
  /**
   * Those of these recipients whose provider id was remembered with the send, i.e. sent through a
   * transport that reports receipts (DECISIONS.md §38). Asked only by the status reads.
   */
  rememberedForReceipts(recipientIds: number[]): Promise<Set<number>>;
}

/** The dispatcher's side of messages: claims, leases, the record of each send, completion. */
export interface DispatchPort {
  /** Claims due messages (scheduled and due, or dispatching with an expired lease) for `owner` until `leaseUntil`. */
  claimDue(now: number, limit: number, owner: string, leaseUntil: number): Promise<DueMessage[]>;
  /**
   * Scheduled and due messages of these channels with at most `maxRecipients` recipients, earliest
   * first, for the caller's transaction to send and finish (finishTaken); locked until it ends
   * on PostgreSQL, skipping rows another transaction holds.
   */
  takeDue(now: number, limit: number, channels: Channel[], maxRecipients: number): Promise<DueMessage[]>;
  /** scheduled → final status for those of `ids` still scheduled (taken by takeDue in this transaction); returns their ids. */
  finishTaken(ids: number[], status: MessageStatus, now: number): Promise<number[]>;
  /** Extends or moves a lease; only while `owner` holds the message. */
  setLease(messageId: number, owner: string, leaseUntil: number): Promise<boolean>;
  /** Every recipient of these messages, by message then recipient id. */
  recipientsOf(messageIds: number[]): Promise<Recipient[]>;
  /** pending → update.status for one recipient; false when it had already left pending. */
  updatePendingRecipient(id: number, update: RecipientUpdate, incrementAttempts?: boolean): Promise<boolean>;
  /**
   * updatePendingRecipient with the event it causes (at `update.at`), atomic on its own (one
   * statement on PostgreSQL): the dispatcher's record of each send.
   */
  markRecipient(recipient: { id: number; messageId: number }, update: RecipientUpdate, incrementAttempts: boolean,
    event: { type: string; data: Record<string, unknown> | null }): Promise<boolean>;
  /**
   * Records sends that succeeded: pending → sent with their provider ids, and their `sent` events
   * (and callbacks). Returns the ids that were still pending; the others are left as they are.
   */
  markSent(sends: { id: number; messageId: number; providerId: string }[], at: number): Promise<number[]>;
  /**
   * Gives a pending recipient its own content, units and price (a text rendered again at the claim,
   * core/braze-claim.ts), only while it is still pending at `price`; false otherwise.
   */
  repriceRecipient(id: number, price: Credits, next: { content: MessageContent; units: number; price: Credits }): Promise<boolean>;
  /** pending → skipped/failed for one recipient; `incrementAttempts` when a transport attempt ended it. */
  releaseRecipient(id: number, status: 'skipped' | 'failed', now: number, error: string | null, incrementAttempts?: boolean): Promise<ReleasedRecipient | undefined>;
  /** dispatching → final status for those of `ids` that `owner` still holds; returns their ids. */
  completeMessages(ids: number[], owner: string, status: MessageStatus, now: number): Promise<number[]>;
  /** Earliest send_at of a scheduled message, or earliest lease expiry of a dispatching one. */
  nextWakeAt(): Promise<number | undefined>;
}

/** The per-account suppression lists (by address, and by id as the vendor STOP lists address them). */
export interface SuppressionsPort {
  addSuppression(s: Suppression): Promise<boolean>;
  removeSuppression(accountId: number, channel: SuppressionChannel, address: string): Promise<boolean>;
  listSuppressions(accountId: number, channel?: SuppressionChannel): Promise<Suppression[]>;
  suppressedAmong(accountId: number, channel: SuppressionChannel, addresses: string[]): Promise<Set<string>>;
  listStoredSuppressions(accountId: number, channel: SuppressionChannel): Promise<StoredSuppression[]>;
  findStoredSuppression(accountId: number, channel: SuppressionChannel, address: string): Promise<StoredSuppression | undefined>;
  removeSuppressionById(accountId: number, channel: SuppressionChannel, id: number): Promise<boolean>;
}

/** What the outbox transport put on the wire. */
export interface OutboxPort {
  /** Stores what a send put on the wire, one entry per recipient; returns them with their ids, in order. */
  insertOutbox(entries: Omit<OutboxEntry, 'id'>[]): Promise<OutboxEntry[]>;
  listOutbox(q: { accountId?: number; messageId?: number; limit: number; beforeId?: number }): Promise<OutboxEntry[]>;
  getOutbox(id: number): Promise<OutboxEntry | undefined>;
}

/** The outbox of status callbacks (enqueued by MessagesPort.insertEvents). */
export interface WebhooksPort {
  /**
   * Takes due webhook deliveries (pending, next attempt due, not of an account whose URL starts
   * with a prefix `skip` pairs it with) and counts the attempt; the lease is `nextAttemptAt`.
   */
  claimWebhooks(now: number, limit: number, leaseUntil: number, skip?: WebhookSkip[]): Promise<WebhookDelivery[]>;
  /** Undoes a claim of these deliveries that is still theirs (lease `leaseUntil`): due at `now`, attempt not counted. */
  releaseWebhooks(ids: number[], leaseUntil: number, now: number): Promise<void>;
  /**
   * Records an attempt's outcome, only if no later attempt claimed the delivery meanwhile, and
   * the attempt itself (what GET /webhooks/{id}/deliveries shows).
   */
  finishWebhook(id: number, attempt: number, outcome: { status: 'pending' | 'delivered' | 'failed'; nextAttemptAt: number; error: string | null },
    record: Omit<WebhookAttemptRecord, 'attempt'>): Promise<boolean>;
  listWebhooks(q: { accountId?: number; messageId?: number }): Promise<WebhookDelivery[]>;
}

/** Native status webhook endpoints (core/webhook-endpoints.ts). */
export interface WebhookEndpointsPort {
  /** Adds an endpoint unless the account has `max` already; undefined then. `secret` is sealed. */
  insertWebhookEndpoint(e: Omit<WebhookEndpoint, 'id'> & { secret: string }, max: number): Promise<WebhookEndpoint | undefined>;
  /** Id ascending, at most `limit` after `afterId`. */
  listWebhookEndpoints(accountId: number, page: { limit: number; afterId?: number }): Promise<WebhookEndpoint[]>;
  findWebhookEndpoint(accountId: number, id: number): Promise<WebhookEndpoint | undefined>;
  /** The sealed secret of an endpoint, whatever its account (the sender signs with it). */
  webhookEndpointSecret(id: number): Promise<{ accountId: number; secret: string } | undefined>;
  /** Removes the endpoint with its deliveries (pending ones never go) and their attempts; false when it was not the account's. */
  deleteWebhookEndpoint(accountId: number, id: number): Promise<boolean>;
  /** The endpoint's deliveries, newest first, at most `limit` before `beforeId`, each with its attempts in order. */
  listEndpointDeliveries(endpointId: number, page: { limit: number; beforeId?: number }): Promise<(WebhookDelivery & { attemptLog: WebhookAttemptRecord[] })[]>;
}

/** Values the server keeps about itself. */
export interface SettingsPort {
  /** Stores `value` under `name` unless one is there already; returns the stored one. */
  claimSetting(name: string, value: string): Promise<string>;
}

/**
 * Every port, inside one transaction (Store.transaction) or outside one (Store.autocommit). Every
 * state change is a conditional update whose result says whether it won: callers never
 * check-then-act across two statements.
 */
export interface StoreTx extends AccountsPort, LedgerPort, MessagesPort, DispatchPort, SuppressionsPort, OutboxPort, WebhooksPort, WebhookEndpointsPort, SettingsPort, ReceiptsPort, InboundPort, AudioFilesPort, CampaignsPort, UsersPort, BrazeSchedulesPort {}

export interface Store {
  /**
   * Runs `fn` in one transaction; a throw rolls everything back. On PostgreSQL `fn` runs again
   * when the transaction lost a deadlock (store/retry.ts): it must do nothing but database work,
   * and leave effects outside the database (metrics, sends) to after it returns.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /**
   * The same operations outside an explicit transaction: reads, and writes that commit on their
   * own, one statement each (on SQLite they share a group commit with their neighbours).
   */
  readonly autocommit: StoreTx;
  readonly kind: 'sqlite' | 'postgres';
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Tells the dispatcher that a message may be due sooner than it planned. */
export interface Wakeup {
  notify(sendAt: number): void;
}

/** Receipts: a provider's later word on a recipient, matched by the provider id it gave (store/receipts.ts). */
export interface ReceiptsPort {
  /**
   * Remembers the provider id `transport` gave a send (a transport with receipts), before the send
   * is recorded, with the handset it went to and the sender it went out with (null: the
   * transport's own default, unknown): what a STOP is attributed by (InboundPort.smsSentTo).
   */
  awaitReceipt(sent: { recipientId: number; transport: string; providerId: string; address: string; sender: string | null }): Promise<void>;
  /**
   * sent → `status` for the recipients `transport` sent with this provider id (one, unless the
   * provider reused the id), with the instant they were sent; none when no such recipient is
   * `sent` (unknown id, or settled already). Ids remembered before migration 0014 match any transport.
   * `refundedAt`: the instant the caller refunds them, recorded on them (what usage counts as
   * refunded, whatever RELAIS_REFUND_UNDELIVERED says later); null when it does not.
   */
  settleByProviderId(transport: string, providerId: string, status: 'delivered' | 'undelivered', at: number, error: string | null, refundedAt: number | null): Promise<SettledRecipient[]>;
  /** Keeps a receipt whose send is not recorded (yet); false when one is kept for its id already. */
  keepReceipt(kept: KeptReceipt): Promise<boolean>;
  /** Removes and returns the receipt kept for this transport's provider id, if any. */
  takeKeptReceipt(transport: string, providerId: string): Promise<KeptReceipt | undefined>;
  /** Removes and returns (oldest first, at most `limit`) the kept receipts a recipient their transport sent with their id is still `sent` for. */
  takeAwaitedKeptReceipts(limit: number): Promise<KeptReceipt[]>;
  /** Removes and returns (oldest first, at most `limit`) the receipts kept before `before`. */
  dropKeptReceipts(before: number, limit: number): Promise<DroppedReceipt[]>;
  /** Removes and returns each transport's kept receipts beyond its `cap` oldest. */
  dropKeptOverflow(cap: number): Promise<DroppedReceipt[]>;
  /** Whether any receipt is kept: the sweep's cheap first look. */
  hasKeptReceipts(): Promise<boolean>;
}

/** Mobile-originated messages: who sent to a handset, so that its STOP finds the account (store/inbound.ts). */
export interface InboundPort {
  /**
   * The latest SMS recipients with this address that `transport` sent at or after `since` (most
   * recent first, at most `limit`): their account, and the sender recorded with the send
   * (ReceiptsPort.awaitReceipt; null: the transport's own default). Sends recorded before
   * migration 0015 have no address: none of them.
   */
  smsSentTo(address: string, transport: string, since: number, limit: number): Promise<{ accountId: number; sender: string | null }[]>;
}

/** A recipient a receipt settled, with the instant it was sent. */
export interface SettledRecipient extends ReleasedRecipient {
  sentAt: number | null;
}

/** A receipt kept for a send not recorded yet, from `transport`, heard at `keptAt`. */
export interface KeptReceipt {
  transport: string;
  receipt: Receipt & { at: number };
  keptAt: number;
}

/** A kept receipt dropped, and whether its transport ever recorded a send with its id (then it was a repeat). */
export interface DroppedReceipt extends KeptReceipt {
  known: boolean;
}

/** An account's audio files (Voice Partner's `tokenAudio`), bytes kept in the database (store/audio-files.ts). */
export interface AudioFilesPort {
  /** Stores a file; undefined when its token is taken already (the caller draws another). */
  insertAudioFile(file: Omit<AudioFile, 'id'> & { bytes: Uint8Array }): Promise<AudioFile | undefined>;
  /** The account's uploads (never a call's synthesised speech), oldest first. */
  listAudioFiles(accountId: number): Promise<AudioFile[]>;
  findAudioFile(accountId: number, token: string): Promise<AudioFile | undefined>;
  /** The bytes of one of the account's files. */
  audioFileBytes(accountId: number, token: string): Promise<Uint8Array | undefined>;
  /** Renames one of the account's uploads; undefined when it has none with that token (a speech file is not renamable). */
  renameAudioFile(accountId: number, token: string, name: string): Promise<AudioFile | undefined>;
  /** Removes one of the account's files (a call's speech whose call was refused). */
  deleteAudioFile(accountId: number, token: string): Promise<void>;
}

/** Braze campaigns and canvases of an account (store/campaigns.ts); another account's id is never found. */
export interface CampaignsPort {
  insertCampaign(c: Omit<Campaign, 'seq' | 'revision'>): Promise<Campaign>;
  findCampaign(accountId: number, kind: CampaignKind, id: string): Promise<Campaign | undefined>;
  /** Newest first; with `beforeSeq`, those created before it. */
  listCampaigns(accountId: number, kind: CampaignKind, q: { limit: number; beforeSeq?: number }): Promise<Campaign[]>;
  /** Replaces the fields while the campaign is still at `revision`; undefined when it is gone or changed since. */
  updateCampaign(c: Pick<Campaign, 'accountId' | 'kind' | 'id' | 'revision' | 'name' | 'tags' | 'messages' | 'updatedAt'>): Promise<Campaign | undefined>;
  deleteCampaign(accountId: number, kind: CampaignKind, id: string): Promise<boolean>;
}

/** How a user is named in a request: by external id, else by alias. */
export type UserKey = { externalId: string } | { alias: UserAlias };

/** An account's users (store/users.ts); a user is found by its external id or its alias, both unique per account. */
export interface UsersPort {
  /**
   * The user, locked until the transaction ends (PostgreSQL; SQLite has one writer): a
   * read-modify-write of its attributes cannot lose a concurrent one.
   */
  lockUser(accountId: number, key: UserKey): Promise<User | undefined>;
  /** Creates the user; undefined when its external id or alias is taken already (the caller locks that one instead). */
  insertUser(u: { accountId: number; externalId: string | null; alias: UserAlias | null; profile: UserProfile; at: number }): Promise<User | undefined>;
  updateUser(id: number, profile: UserProfile, at: number): Promise<User>;
  /** The account's users with these external ids (absent ones are left out). */
  findUsersByExternalIds(accountId: number, externalIds: string[]): Promise<User[]>;
  findUserByAlias(accountId: number, alias: UserAlias): Promise<User | undefined>;
  /** The account's users with these ids (absent ones are left out). */
  findUsersByIds(accountId: number, ids: number[]): Promise<User[]>;
  /** Id ascending, at most `limit` after `afterId`. */
  listUsers(accountId: number, q: { limit: number; afterId?: number }): Promise<User[]>;
  deleteUser(accountId: number, externalId: string): Promise<boolean>;
}

/** A Braze schedule with its next send (BrazeSchedulesPort.pendingBrazeSchedules). */
export interface PendingBrazeSchedule {
  schedule: BrazeSchedule;
  /** Earliest send_at of its still-scheduled messages; its own send_at while it has no message at all. */
  nextSendAt: number;
  /** Its campaign's or canvas's name and tags, when it has one. */
  parent: { name: string; tags: string[] } | null;
}

/** Braze schedules (store/braze-schedules.ts); another account's schedule is never found. */
export interface BrazeSchedulesPort {
  insertBrazeSchedule(s: BrazeSchedule): Promise<void>;
  findBrazeSchedule(accountId: number, scheduleId: string): Promise<BrazeSchedule | undefined>;
  /** As findBrazeSchedule, the row locked until the transaction ends (PostgreSQL; SQLite has one writer), as lockUser. */
  lockBrazeSchedule(accountId: number, scheduleId: string): Promise<BrazeSchedule | undefined>;
  /** Applies the change only while the schedule is `scheduled`; false when it was not. */
  updateBrazeSchedule(accountId: number, scheduleId: string, change: Partial<Pick<BrazeSchedule, 'timing' | 'request' | 'sendAt' | 'state'>> & { updatedAt: number }): Promise<boolean>;
  /**
   * The account's `scheduled` schedules with something to send up to `until`: a still-scheduled
   * message by then, or, having no message at all, their own send_at between `from` and `until`.
   */
  pendingBrazeSchedules(accountId: number, window: { from: number; until: number }): Promise<PendingBrazeSchedule[]>;
}
