import { sql, type Expression, type SqlBool } from 'kysely';
import type { Credits } from '../core/money.js';
import type { LedgerKind, MessageStatus, RecipientStatus, WebhookStatus } from '../core/types.js';

/**
 * The SQL of the rules that the step-by-step queries and PostgreSQL's composite statements
 * (cancel-one.ts, paid-message.ts, claim.ts) share, written once here: a composite statement is
 * assembled from the same pieces as the steps it replaces, so that a rule changes in one place
 * (test/store/differential.test.ts runs both and compares the rows). Pieces take SQL expressions
 * (`?`, `?::bigint`, a CTE's column) for what varies.
 */

/**
 * A word of core's vocabulary as an SQL literal: typed, so that no statement names a status core
 * does not have. Literals, not bound parameters: only then does SQLite use the partial lease and
 * due indexes (0003, 0004).
 */
export const word = (w: MessageStatus | RecipientStatus | LedgerKind | WebhookStatus): string => `'${w}'`;

/**
 * Still cancellable (or reschedulable): scheduled, and due no sooner than `minSendAt` (core's
 * `minSendAtFor`). The mirror of isDue: at the due instant exactly one of the two matches, so a
 * cancel and a claim can never both win.
 */
export const stillCancellable = (minSendAt: string): string =>
  `messages.status = ${word('scheduled')} and messages.send_at >= ${minSendAt}`;

/** Due: scheduled and `send_at` reached (the claim's and the take's condition). */
export const isDue = (now: string): string => `status = ${word('scheduled')} and send_at <= ${now}`;

/** The text of `build` before and after the one expression it is given (for lists and bound values to go there). */
export function around(build: (hole: string) => string): [string, string] {
  const [head, tail = ''] = build('\0').split('\0');
  return [head, tail];
}

/**
 * The text of a ledger cause before and after the message id, for a statement that learns the id
 * itself and writes `before || id || after`.
 */
export const causeAround = (cause: (messageId: number) => string): [string, string] =>
  around((id) => cause(id as unknown as number));

/** stillCancellable for a Kysely builder, with `minSendAt` bound. */
export function stillCancellableWhere(minSendAt: number): Expression<SqlBool> {
  const [head, tail] = around(stillCancellable);
  return sql<SqlBool>`${sql.raw(head)}${minSendAt}${sql.raw(tail)}`;
}

/** Cancels the still-cancellable messages matched by `which`; cancelled_at, updated_at, then `which`'s parameters, then minSendAt. */
export const cancelScheduled = (which: string): string => `update messages set status = ${word('cancelled')}, cancelled_at = ?, updated_at = ?
  where ${which} and ${stillCancellable('?')} returning *`;

/** What a released recipient says of itself (core's ReleasedRecipient). */
export const RELEASED_COLUMNS = ['id', 'message_id', 'account_id', 'address', 'price'] as const;

/** pending → status (?), updated_at (?), error (?) for the recipients of the messages `messageIds` (an SQL list or subquery). */
export const releasePending = (messageIds: string): string => `update recipients set status = ?, updated_at = ?, error = ?
  where status = ${word('pending')} and message_id in ${messageIds} returning ${RELEASED_COLUMNS.join(', ')}`;

/**
 * Adds `amount` (signed) to the balance of `account`; with `lowest`, only while the balance is at
 * least that beforehand (lowestBefore). Returns the new balance, or no row.
 */
export const moveBalance = (amount: string, account: string, lowest?: string): string =>
  `update accounts set balance = balance + ${amount} where id = ${account}${lowest === undefined ? '' : ` and balance >= ${lowest}`} returning balance`;

/** A recipient's units: its own when it has its own text, else its message's. */
export const UNITS = sql<number>`coalesce(recipients.units, messages.units)`;

/** The balance a move of `amount` needs beforehand to leave at least `floor`. */
export const lowestBefore = (floor: Credits, amount: Credits): Credits => floor - amount;

/**
 * An INSERT into `table` whose rows always start with `fixed` (a new message is scheduled, a new
 * recipient pending, …); the statement gives the other columns as SQL expressions, by name.
 */
function insertInto<C extends string, F extends C>(table: string, columns: readonly C[], fixed: Record<F, string>) {
  const head = `insert into ${table} (${columns.join(', ')})`;
  const list = (v: Record<Exclude<C, F>, string>): string =>
    columns.map((c) => (fixed as Record<string, string>)[c] ?? (v as Record<string, string>)[c]).join(', ');
  return {
    head,
    /** One row's `(…)`, for `values` lists (raw.ts multiRow). */
    tuple: (v: Record<Exclude<C, F>, string>): string => `(${list(v)})`,
    values: (v: Record<Exclude<C, F>, string>): string => `${head} values (${list(v)})`,
    select: (v: Record<Exclude<C, F>, string>, from: string): string => `${head} select ${list(v)} from ${from}`,
  };
}

export const newMessage = insertInto('messages', ['account_id', 'channel', 'status', 'send_at', 'created_at', 'updated_at', 'tag',
  'batch_id', 'idempotency_key', 'request_hash', 'metadata', 'content', 'units', 'price', 'recipient_count', 'callback_url',
  'callback_format'], { status: word('scheduled') });

export const newRecipient = insertInto('recipients', ['message_id', 'account_id', 'address', 'status', 'price', 'attempts',
  'updated_at', 'content', 'units'], { status: word('pending'), attempts: '0' });

/** A message's or a recipient's event (recipient_id null for the message's own). */
export const newEvent = insertInto('events', ['message_id', 'recipient_id', 'type', 'at', 'data'], {});

/** A ledger entry records the move and the balance it left (moveBalance's `returning balance`). */
export const newLedgerEntry = insertInto('ledger', ['account_id', 'kind', 'amount', 'balance_after', 'message_id', 'cause',
  'created_at'], {});
