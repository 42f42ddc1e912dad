import { ClaimLost, readClaimSources, rendersAtClaim, settleClaim, type ClaimOutcome } from './braze-claim.js';
import type { Core } from './context.js';
import { refundReleased } from './ledger.js';
import type { NewEvent, ReleasedRecipient, StoreTx } from './ports.js';
import { observeSettlement, settleKept, type Settlement } from './receipts.js';
import { suppressionChannelOf } from './suppressions.js';
import type { OutgoingMessage, SendResult } from './transport.js';
import type { Channel, DueMessage, MessageStatus, Recipient, RecipientStatus, SuppressionChannel } from './types.js';

export interface DeliveryOptions {
  owner: string;
  leaseMs: number;
  maxAttempts: number;
  /** Delay before retry number `attempt` (1-based) of a transient failure. */
  backoffMs(attempt: number): number;
  /** Sends one recipient through its transport; a throw must come back as a retryable failure. */
  send(msg: OutgoingMessage): Promise<SendResult>;
  /**
   * Runs one recipient's turn once the caller's limits (concurrency, rate) let a send on this
   * channel go, and holds that slot until the turn ends. A turn checks the lease (waiting for a
   * slot may outlast it, and another worker may have taken the message over meanwhile), sends,
   * and records the result: at any instant, at most as many sends as there are slots have been
   * accepted by a transport and not yet recorded, which bounds the duplicates a crash can cause.
   * Default: no limits.
   */
  slot?<T>(channel: Channel, turn: () => Promise<T>): Promise<T>;
  /** The in-store delivery of a channel's transport, if it has one (the outbox's: TransportModule.inStore). */
  sendWithin?(channel: Channel): SendWithin | undefined;
  /**
   * A channel's transport when it reports receipts, its name and declared default sender
   * (Transport.defaultSender): its provider ids are then remembered with the handset and sender
   * (ReceiptsPort.awaitReceipt) and a receipt kept for one is applied; else undefined.
   */
  receiptsFrom?(channel: Channel): { name: string; defaultSender: string | null } | undefined;
  /** Hears a message whose delivery stopped on an error (a database that went away); its lease then runs out. */
  onError?(message: DueMessage, err: unknown): void;
}

/**
 * The outbox's fast path: delivers a chunk inside the transaction that records it, so that a
 * crash keeps or loses both, never duplicates. Returns the provider ids, in order; a throw rolls
 * the whole chunk back.
 */
export type SendWithin = (tx: StoreTx, msgs: OutgoingMessage[]) => Promise<string[]>;

export type DeliveryOutcome = { status: MessageStatus } | { retryAt: number } | { lostLease: true };

/** Claims due messages for `owner`: scheduled and due, or abandoned by a worker whose lease expired. */
export function claimDue(core: Core, owner: string, limit: number, leaseMs: number): Promise<DueMessage[]> {
  const now = core.clock.now();
  // One statement (expired leases, then due messages) that commits on its own: no transaction
  // around it, which on PostgreSQL is two round trips fewer per batch.
  return core.store.autocommit.claimDue(now, limit, owner, now + leaseMs);
}

/**
 * Recipients per transaction of an in-store transport, which bounds how long one holds SQLite's
 * writer; the largest message sendDueInStore takes (larger ones go by lease, in such chunks).
 */
export const IN_STORE_CHUNK = 250;

/**
 * Sends due messages of channels whose transport writes into the store (`within`) in the one
 * transaction that takes them, records them and writes their final status: no lease, one
 * commit, one change of each message row. The take has the claim's condition (`scheduled`,
 * `send_at <= now`; rows locked on PostgreSQL) and the final status is a conditional update on
 * `scheduled` in the same transaction, so a cancel racing it wins before it or is refused after.
 * At most `limit` messages and IN_STORE_CHUNK recipients per call. `more`: some such messages
 * were due and left for the next call.
 */
export async function sendDueInStore(core: Core, limit: number, within: Map<Channel, SendWithin>): Promise<{ sent: number; more: boolean }> {
  const { runs, now, more } = await core.store.transaction(async (tx) => {
    const now = core.clock.now();
    let room = IN_STORE_CHUNK;
    const messages: DueMessage[] = [];
    const due = await tx.takeDue(now, limit, [...within.keys()], IN_STORE_CHUNK);
    for (const m of due) {
      if (m.recipientCount > room) break;
      room -= m.recipientCount;
      messages.push(m);
    }
    const more = due.length === limit || messages.length < due.length;
    if (messages.length === 0) return { runs: [], now, more };
    const runs = runsOf(messages, await tx.recipientsOf(messages.map((m) => m.id)), 0);
    await releaseSuppressed(core, runs, tx);
    await renderAtClaim(core, runs, tx);
    for (const [send, those] of groupBy(runs, (run) => within.get(run.message.channel)!)) {
      const items = those.flatMap((run) => run.pending.map((r) => ({ run, r })));
      if (items.length === 0) continue;
      const providerIds = await send(tx, items.map((x) => outgoing(x.run.message, x.r)));
      const won = await tx.markSent(items.map((x, k) => ({ id: x.r.id, messageId: x.run.message.id, providerId: providerIds[k] })), now);
      if (won.length !== items.length) throw new Error('a recipient of a message taken in this transaction left pending');
      for (const { run, r } of items) run.statuses.set(r.id, 'sent');
    }
    const finished = await finishRuns(runs, (run) => finalStatus([...run.statuses.values()]), (ids, status) => tx.finishTaken(ids, status, now));
    if (finished.size !== runs.length) throw new Error('a message taken in this transaction left scheduled');
    return { runs, now, more };
  });
  for (const run of runs) {
    for (const status of run.statuses.values()) if (status === 'sent') core.observer.sent(run.message.channel, now - run.message.sendAt);
  }
  return { sent: runs.length, more };
}

/**
 * A skipped (suppressed) recipient is the account's own choice, not a delivery failure: it does
 * not make a sent message partially_failed. Nothing delivered and something skipped or failed is
 * `failed`; every recipient cancelled (by suppressions before dispatch) is `cancelled`.
 */
export function finalStatus(statuses: RecipientStatus[]): MessageStatus {
  const count = (...of: RecipientStatus[]) => statuses.filter((s) => of.includes(s)).length;
  const sent = count('sent', 'delivered', 'undelivered');
  const failed = count('failed');
  if (sent > 0) return failed > 0 ? 'partially_failed' : 'sent';
  return failed + count('skipped') > 0 ? 'failed' : 'cancelled';
}

/** One claimed message on its way: what this delivery knows of its recipients. */
interface Run {
  message: DueMessage;
  pending: Recipient[];
  statuses: Map<number, RecipientStatus>;
  leaseUntil: number;
  /** Largest attempt number of a recipient to retry. */
  retry: number;
  lost: boolean;
  /** A recipient left `pending` behind this worker's back: read the statuses again before completing. */
  stale: boolean;
  /** Completed in the transaction that recorded its last sends (deliverInStore). */
  completed?: MessageStatus;
}

/**
 * Delivers the pending recipients of a batch of claimed messages and completes them. The reads
 * and the completions are one statement per batch. A transport that writes into the store
 * (DeliveryOptions.sendWithin) takes a chunk of recipients in the transaction that records them;
 * through any other, each send is recorded on its own, inside its slot (DeliveryOptions.slot),
 * so that a crash can duplicate at most one send per slot. A recipient already marked sent is
 * never sent again. Skips and permanent failures are refunded exactly once. Returns one outcome
 * per message, in order.
 */
export async function deliverBatch(core: Core, messages: DueMessage[], opts: DeliveryOptions): Promise<DeliveryOutcome[]> {
  const runs = runsOf(messages, await core.store.autocommit.recipientsOf(messages.map((m) => m.id)), core.clock.now() + opts.leaseMs);
  await releaseSuppressed(core, runs);
  await renderAtClaim(core, runs);
  const byWithin = groupBy(runs, (run) => opts.sendWithin?.(run.message.channel));
  const oneByOne = byWithin.get(undefined) ?? [];
  byWithin.delete(undefined);
  const slot = opts.slot ?? (<T>(_channel: Channel, turn: () => Promise<T>) => turn());
  await Promise.all([
    ...[...byWithin].map(([within, those]) => deliverInStore(core, those, within!, opts)),
    ...oneByOne.map(async (run) => {
      try {
        for (const r of run.pending) {
          await slot(run.message.channel, () => turn(core, run, r, opts));
          if (run.lost) return;
        }
      } catch (err) {
        lose(run, err, opts);
      }
    }),
  ]);
  return complete(core, runs, opts);
}

/** One run per message, with its recipients (all of those of `messages`, by message). */
function runsOf(messages: DueMessage[], recipients: Recipient[], leaseUntil: number): Run[] {
  const byMessage = groupBy(recipients, (r) => r.messageId);
  return messages.map((message) => {
    const of = byMessage.get(message.id) ?? [];
    return {
      message, pending: of.filter((r) => r.status === 'pending'), statuses: new Map(of.map((r) => [r.id, r.status])),
      leaseUntil, retry: 0, lost: false, stale: false,
    };
  });
}

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** The lease runs out and another round (here or elsewhere) takes the message up again. */
function lose(run: Run, err: unknown, opts: DeliveryOptions): void {
  run.lost = true;
  opts.onError?.(run.message, err);
}

const outgoing = (message: DueMessage, r: Recipient): OutgoingMessage => ({
  accountId: message.accountId, messageId: message.id, recipientId: r.id, channel: message.channel,
  address: r.address, content: r.content ?? message.content, sendAt: message.sendAt, metadata: message.metadata,
});

/**
 * Sends and records chunks of recipients, each in one transaction, which also completes the
 * messages whose last recipients it records (one commit fewer per message). A recipient that left
 * `pending` meanwhile (another worker took its message over) rolls the chunk back; the chunk is
 * then sent again without that message, whose lease is lost.
 */
async function deliverInStore(core: Core, runs: Run[], within: SendWithin, opts: DeliveryOptions): Promise<void> {
  const items = runs.flatMap((run) => run.pending.map((r) => ({ run, r })));
  for (let i = 0; i < items.length; i += IN_STORE_CHUNK) {
    let chunk = items.slice(i, i + IN_STORE_CHUNK);
    while (chunk.length > 0) {
      for (const run of new Set(chunk.map((x) => x.run))) if (!run.lost && !(await holdsLease(core, run, opts))) run.lost = true;
      chunk = chunk.filter((x) => !x.run.lost);
      if (chunk.length === 0) break;
      const now = core.clock.now();
      let taken = new Set<Run>();
      try {
        const completed = await core.store.transaction(async (tx) => {
          const providerIds = await within(tx, chunk.map((x) => outgoing(x.run.message, x.r)));
          const sends = chunk.map((x, k) => ({ id: x.r.id, messageId: x.run.message.id, providerId: providerIds[k] }));
          const won = new Set(await tx.markSent(sends, now));
          const lost = new Set(chunk.filter((x) => !won.has(x.r.id)).map((x) => x.run));
          if (lost.size > 0) throw new TakenOver(lost);
          // Every pending recipient of these runs is now marked sent: their final status is known.
          const ending = chunk.filter((x) => !x.run.stale && x.r === x.run.pending[x.run.pending.length - 1]).map((x) => x.run);
          return finishRuns(ending, (run) => finalStatus([...run.statuses.values()].map((st) => (st === 'pending' ? 'sent' : st))),
            (ids, status) => tx.completeMessages(ids, opts.owner, status, now));
        });
        for (const [run, status] of completed) run.completed = status;
      } catch (err) {
        if (!(err instanceof TakenOver)) {
          for (const run of new Set(items.slice(i).map((x) => x.run))) if (!run.lost) lose(run, err, opts);
          return;
        }
        taken = err.runs;
      }
      for (const run of taken) {
        run.lost = true;
        run.stale = true;
      }
      if (taken.size > 0) continue;
      for (const { run, r } of chunk) {
        run.statuses.set(r.id, 'sent');
        core.observer.sent(run.message.channel, now - run.message.sendAt);
      }
      break;
    }
  }
}

/**
 * Writes the final status of each run with `finish`, a conditional update that returns the ids
 * it changed: one statement per status. Returns the runs it finished, with their status.
 */
async function finishRuns(
  runs: Run[], statusOf: (run: Run) => MessageStatus, finish: (ids: number[], status: MessageStatus) => Promise<number[]>,
): Promise<Map<Run, MessageStatus>> {
  const finished = new Map<Run, MessageStatus>();
  for (const [status, those] of groupBy(runs, statusOf)) {
    const done = new Set(await finish(those.map((run) => run.message.id), status));
    for (const run of those) if (done.has(run.message.id)) finished.set(run, status);
  }
  return finished;
}

/** Rolls back a chunk in which another worker had already taken some recipients. */
class TakenOver extends Error {
  constructor(readonly runs: Set<Run>) {
    super('recipients taken over by another worker');
  }
}

/** One recipient's turn: checks the lease (the wait for a slot may have outlasted it), sends, records. */
async function turn(core: Core, run: Run, r: Recipient, opts: DeliveryOptions): Promise<void> {
  if (run.lost || !(await holdsLease(core, run, opts))) {
    run.lost = true;
    return;
  }
  const result = await opts.send(outgoing(run.message, r));
  await recordResult(core, run, r, result, opts);
}

/** True while this worker holds the lease with more than half of it left; renews it otherwise. */
async function holdsLease(core: Core, run: Run, opts: DeliveryOptions): Promise<boolean> {
  const now = core.clock.now();
  if (run.leaseUntil - now > opts.leaseMs / 2) return true;
  run.leaseUntil = now + opts.leaseMs;
  return core.store.autocommit.setLease(run.message.id, opts.owner, run.leaseUntil);
}

/** Retries keep the lease until their instant; the rest are completed, one statement per final status. */
async function complete(core: Core, runs: Run[], opts: DeliveryOptions): Promise<DeliveryOutcome[]> {
  const now = core.clock.now();
  const outcomes: DeliveryOutcome[] = runs.map(() => ({ lostLease: true }));
  const statuses = new Map<Run, MessageStatus>();
  for (const [i, run] of runs.entries()) {
    if (run.completed) outcomes[i] = { status: run.completed };
    if (run.completed || run.lost) continue;
    if (run.retry > 0) {
      const retryAt = now + opts.backoffMs(run.retry);
      if (await core.store.autocommit.setLease(run.message.id, opts.owner, retryAt)) outcomes[i] = { retryAt };
      continue;
    }
    const of = run.stale
      ? (await core.store.autocommit.getRecipients(run.message.id)).map((r) => r.status)
      : [...run.statuses.values()];
    statuses.set(run, finalStatus(of));
  }
  const done = await finishRuns([...statuses.keys()], (run) => statuses.get(run)!,
    (ids, status) => core.store.autocommit.completeMessages(ids, opts.owner, status, now));
  for (const [i, run] of runs.entries()) {
    const status = done.get(run);
    if (status) outcomes[i] = { status };
  }
  return outcomes;
}

/**
 * Skips (and refunds) the pending recipients on their account's suppression list: one lookup per
 * account and list; in `inTx` when given, else in a transaction of its own.
 */
async function releaseSuppressed(core: Core, runs: Run[], inTx?: StoreTx): Promise<void> {
  const lookups = new Map<string, { accountId: number; list: SuppressionChannel; runs: Run[] }>();
  for (const run of runs) {
    const list = suppressionChannelOf(run.message.channel);
    if (!list || run.pending.length === 0) continue;
    const key = `${run.message.accountId}:${list}`;
    const l = lookups.get(key) ?? { accountId: run.message.accountId, list, runs: [] };
    l.runs.push(run);
    lookups.set(key, l);
  }
  const hits: { run: Run; r: Recipient }[] = [];
  for (const { accountId, list, runs: those } of lookups.values()) {
    const addresses = [...new Set(those.flatMap((run) => run.pending.map((r) => r.address)))];
    const suppressed = await (inTx ?? core.store.autocommit).suppressedAmong(accountId, list, addresses);
    if (suppressed.size === 0) continue;
    for (const run of those) {
      for (const r of run.pending) if (suppressed.has(r.address)) hits.push({ run, r });
      run.pending = run.pending.filter((r) => !suppressed.has(r.address));
    }
  }
  if (hits.length === 0) return;
  const now = core.clock.now();
  const release = async (tx: StoreTx): Promise<ReleasedRecipient[]> => {
    const out: ReleasedRecipient[] = [];
    for (const { run, r } of hits) {
      const x = await tx.releaseRecipient(r.id, 'skipped', now, 'suppressed');
      if (x) out.push(x);
      else run.stale = true;
    }
    await refundReleased(tx, out, (id) => `message ${id}: suppressed recipients skipped`, now);
    await tx.insertEvents(out.map((x) => ({ messageId: x.messageId, recipientId: x.id, type: 'skipped', at: now, data: { reason: 'suppressed' } })));
    return out;
  };
  const released = await (inTx ? release(inTx) : core.store.transaction(release));
  const skipped = new Set(released.map((x) => x.id));
  for (const { run, r } of hits) {
    if (!skipped.has(r.id)) continue;
    run.statuses.set(r.id, 'skipped');
    core.observer.skipped(run.message.channel);
  }
}

/**
 * Renders the pending recipients of claimed Braze messages again (core/braze-claim.ts) before any
 * of them is sent: in `inTx` when given; else each message in a small transaction of its own, so
 * a message another worker took over meanwhile is lost alone. A batch without such a message
 * reads nothing.
 */
async function renderAtClaim(core: Core, runs: Run[], inTx?: StoreTx): Promise<void> {
  // In account order: a settlement locks its account's balance row, as refunds do (no deadlock between two lanes).
  const rendering = runs.filter((run) => run.pending.length > 0 && rendersAtClaim(run.message))
    .sort((a, b) => a.message.accountId - b.message.accountId || a.message.id - b.message.id);
  if (rendering.length === 0) return;
  const sources = await readClaimSources(inTx ?? core.store.autocommit, rendering.map((run) => run.message));
  const now = core.clock.now();
  for (const run of rendering) {
    const settle = async (tx: StoreTx) => {
      const outcomes: ClaimOutcome[] = [];
      for (const r of run.pending) outcomes.push(await settleClaim(core, tx, sources, run.message, r, now));
      return outcomes;
    };
    let outcomes: ClaimOutcome[];
    try {
      outcomes = inTx ? await settle(inTx) : await core.store.transaction(settle);
    } catch (err) {
      if (inTx || !(err instanceof ClaimLost)) throw err;
      run.lost = true;
      continue;
    }
    run.pending = outcomes.flatMap((o, k) => {
      if ('send' in o) return [o.send];
      run.statuses.set(run.pending[k].id, o.released);
      core.observer[o.released](run.message.channel);
      return [];
    });
  }
}

/** Applies one transport result; a recipient to retry raises the run's attempt number. */
async function recordResult(core: Core, run: Run, r: Recipient, result: SendResult, opts: DeliveryOptions): Promise<void> {
  const { message } = run;
  const now = core.clock.now();
  const event = (type: string, data: Record<string, unknown> | null): NewEvent => ({ messageId: message.id, recipientId: r.id, type, at: now, data });
  if (result.ok) {
    // `awaitsReceipt` travels with the event: its callback may be rendered after a restart under
    // another configuration, and must still say what this send does (DECISIONS.md §38).
    const mark = (tx: StoreTx, awaitsReceipt: boolean) => tx.markRecipient(r, { status: 'sent', at: now, providerId: result.providerId, error: null }, true,
      { type: 'sent', data: { providerId: result.providerId, ...(awaitsReceipt ? { awaitsReceipt } : {}) } });
    const from = opts.receiptsFrom?.(message.channel);
    let early: Settlement | undefined;
    // The provider id and the `sent` mark commit together: a receipt never finds the one without
    // the other. A receipt that came first was kept for this id: it is applied in the same commit.
    const recorded = from === undefined
      ? await mark(core.store.autocommit, false)
      : await core.store.transaction(async (tx) => {
        const content = r.content ?? message.content;
        const sender = ('sender' in content ? content.sender : null) ?? from.defaultSender;
        await tx.awaitReceipt({ recipientId: r.id, transport: from.name, providerId: result.providerId, address: r.address, sender });
        if (!(await mark(tx, true))) return false;
        early = await settleKept(core, tx, from.name, result.providerId, now);
        return true;
      });
    if (recorded) run.statuses.set(r.id, 'sent');
    else run.stale = true;
    core.observer.sent(message.channel, now - message.sendAt);
    if (early) observeSettlement(core, early);
    return;
  }
  const attempt = r.attempts + 1;
  if (result.retryable && attempt < opts.maxAttempts) {
    if (await core.store.autocommit.updatePendingRecipient(r.id, { status: 'pending', at: now, error: result.reason }, true)) run.retry = Math.max(run.retry, attempt);
    else run.stale = true;
    return;
  }
  const failed = await core.store.transaction(async (tx) => {
    const released = await tx.releaseRecipient(r.id, 'failed', now, result.reason, true);
    if (!released) return false;
    await refundReleased(tx, [released], (id) => `message ${id}: delivery to ${r.address} failed`, now);
    await tx.insertEvents([event('failed', { reason: result.reason, providerCode: result.providerCode ?? null })]);
    return true;
  });
  if (failed) run.statuses.set(r.id, 'failed');
  else run.stale = true;
  core.observer.failed(message.channel);
}
