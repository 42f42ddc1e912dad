import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { addSuppression } from '../../src/core/suppressions.js';
import { systemClock } from '../../src/core/clock.js';
import { claimDue, deliverBatch, type DeliveryOutcome } from '../../src/core/delivery.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { cancelMessage } from '../../src/core/cancel.js';
import type { Core } from '../../src/core/context.js';
import type { RelaisError } from '../../src/core/errors.js';
import type { StoreTx } from '../../src/core/ports.js';
import type { OutgoingMessage, SendResult, Transport } from '../../src/core/transport.js';
import type { Channel, LedgerEntry } from '../../src/core/types.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { OutboxTransport } from '../../src/transports/outbox.js';
import { ledgerInvariant, startTestApp, type TestApp } from '../helpers/app.js';
import { allOutbox, countByRecipient, eachDialect, phone, scheduleSms, scheduleSmsBulk, ScriptedTransport, SMS_PRICE, waitFor, type Scripted } from '../helpers/dispatch.js';
import type { Dialect } from '../helpers/store.js';

const SEC = 1000;
const MIN = 60 * SEC;
const CREDITS = 100_000; // "100" EUR in thousandths

/** One app per test: fresh database, fake clock, optional scripted transport for SMS. */
async function withApp(
  dialect: Dialect,
  opts: {
    env?: Record<string, string>; script?: (msg: OutgoingMessage, n: number) => Scripted | Promise<Scripted>; realClock?: boolean;
    transports?: (core: Core) => Partial<Record<Channel, Transport>>;
  },
  fn: (t: TestApp, ctx: { accountId: number; apiKey: string; transport: ScriptedTransport | undefined }) => Promise<void>,
): Promise<void> {
  let transport: ScriptedTransport | undefined;
  const t = await startTestApp({
    dialect, env: opts.env, clock: opts.realClock ? systemClock : undefined,
    transports: opts.transports ?? (opts.script ? (core) => ({ sms: (transport = new ScriptedTransport(core, opts.script)) }) : undefined),
  });
  try {
    const { id, apiKey } = await t.account('100');
    await fn(t, { accountId: id, apiKey, transport });
  } finally {
    await t.close();
  }
}

async function refunds(t: TestApp, accountId: number, messageId?: number): Promise<LedgerEntry[]> {
  const all = await t.store.autocommit.listLedger(accountId, { limit: 100_000 });
  return all.filter((e) => e.kind === 'refund' && (messageId === undefined || e.messageId === messageId)).sort((a, b) => a.id - b.id);
}

async function assertLedger(t: TestApp, accountId: number, expectedBalance: number): Promise<void> {
  const { balance, sum } = await ledgerInvariant(t.store, accountId);
  assert.equal(sum, balance, 'balance equals the sum of the ledger');
  assert.equal(balance, expectedBalance);
}

/** Value of one Prometheus sample, e.g. metric(text, 'relais_dispatch_lateness_seconds_sum{channel="sms"}'). */
function metric(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  if (!line) throw new Error(`no sample ${sample} in /metrics`);
  return Number(line.slice(sample.length + 1));
}

/** A message's status and completion instant. */
async function completion(t: TestApp, id: number): Promise<[string, number | null]> {
  const m = (await t.store.autocommit.getMessage(id))!;
  return [m.status, m.completedAt];
}

/** Advances the fake clock to just past the earliest lease or send time the store knows, and drains. */
async function drainAfterNextWake(t: TestApp): Promise<number> {
  const next = await t.store.autocommit.nextWakeAt();
  assert.ok(next !== undefined, 'something is still due later');
  t.clock.set(Math.max(t.clock.now(), next + 1));
  return t.dispatcher.drain();
}

/** The outbox, with `hook` run in each of its in-store transactions before it writes; records the recipients of each. */
/**
 * The outbox, with `hook` run in each of its in-store transactions before it writes. Records each
 * chunk: its recipients, and the status of its message in that transaction (`dispatching` when
 * the message was claimed by lease, `scheduled` when the transaction took it itself).
 */
class HookedOutbox extends OutboxTransport {
  readonly chunks: { recipients: number[]; status: string }[] = [];

  constructor(core: Core, private readonly hook: (tx: StoreTx, msgs: OutgoingMessage[], status: string) => Promise<void> = async () => {}) {
    super(core.store.autocommit, core.clock, { links: core.links, unsubscribeMailto: null });
  }

  override async sendWithin(tx: StoreTx, msgs: OutgoingMessage[]): Promise<string[]> {
    const status = (await tx.getMessage(msgs[0].messageId))!.status;
    this.chunks.push({ recipients: msgs.map((m) => m.recipientId), status });
    await this.hook(tx, msgs, status);
    return super.sendWithin(tx, msgs);
  }
}

eachDialect('dispatcher', (dialect) => {
  test('sends only when due, exactly once per recipient, and records the lateness', async () => {
    await withApp(dialect, {}, async (t, { accountId, apiKey }) => {
      const t0 = t.clock.now();
      const a = await scheduleSms(t.core, accountId, [phone(1), phone(2), phone(3)], t0 + 10 * MIN);
      const b = await scheduleSms(t.core, accountId, [phone(4), phone(5)], t0 + 20 * MIN);

      assert.equal(await t.dispatcher.drain(), 0);
      t.clock.set(a.sendAt - 1);
      assert.equal(await t.dispatcher.drain(), 0, 'one millisecond early: nothing is claimed');
      assert.equal((await t.store.autocommit.getMessage(a.id))!.status, 'scheduled');
      assert.deepEqual(await allOutbox(t.store), []);

      // 1.5 s late (a slow worker): sent now, and the lateness is what is recorded.
      t.clock.set(a.sendAt + 1500);
      assert.equal(await t.dispatcher.drain(), 1);
      const am = (await t.store.autocommit.getMessage(a.id))!;
      assert.equal(am.status, 'sent');
      assert.equal(am.dispatchedAt, a.sendAt + 1500);
      assert.equal(am.completedAt, a.sendAt + 1500);
      const ar = await t.store.autocommit.getRecipients(a.id);
      assert.deepEqual(ar.map((r) => [r.address, r.status, r.sentAt, r.attempts]), [
        [phone(1), 'sent', a.sendAt + 1500, 1], [phone(2), 'sent', a.sendAt + 1500, 1], [phone(3), 'sent', a.sendAt + 1500, 1],
      ]);
      assert.equal((await t.store.autocommit.getMessage(b.id))!.status, 'scheduled', 'b is not due yet');

      let outbox = await allOutbox(t.store);
      assert.deepEqual(outbox.map((o) => [o.messageId, o.recipientId, o.address, o.sentAt]), ar.map((r) => [a.id, r.id, r.address, a.sendAt + 1500]));
      assert.deepEqual(ar.map((r) => r.providerId), outbox.map((o) => `outbox-${o.id}`));

      // Exactly at b's instant: claimed (`send_at <= now`), lateness 0.
      t.clock.set(b.sendAt);
      assert.equal(await t.dispatcher.drain(), 1);
      t.clock.advance(10 * MIN);
      assert.equal(await t.dispatcher.drain(), 0, 'nothing is sent twice');
      outbox = await allOutbox(t.store);
      const recipients = [...ar, ...(await t.store.autocommit.getRecipients(b.id))];
      assert.equal(outbox.length, 5);
      assert.deepEqual([...countByRecipient(outbox)].sort((x, y) => x[0] - y[0]), recipients.map((r) => [r.id, 1]));
      assert.equal((await t.store.autocommit.getMessage(b.id))!.status, 'sent');

      const metrics = (await t.request('GET', '/metrics')).text;
      assert.equal(metric(metrics, 'relais_recipients_sent_total{channel="sms"}'), 5);
      assert.equal(metric(metrics, 'relais_dispatch_lateness_seconds_count{channel="sms"}'), 5);
      assert.equal(metric(metrics, 'relais_dispatch_lateness_seconds_sum{channel="sms"}'), 4.5, '3 × 1.5 s + 2 × 0 s');
      assert.equal(metric(metrics, 'relais_dispatch_lateness_seconds_bucket{le="1",channel="sms"}'), 2);

      // What the client sees.
      const view = await t.request('GET', `/api/v1/messages/${a.id}`, { key: apiKey });
      assert.equal(view.status, 200);
      assert.equal(view.body.status, 'sent');
      assert.equal(view.body.dispatchedAt, new Date(a.sendAt + 1500).toISOString());
      await assertLedger(t, accountId, CREDITS - 5 * SMS_PRICE);
    });
  });

  test('a transient failure is retried after backoff under a lease until the retry time; attempts are counted', async () => {
    const busy: SendResult = { ok: false, retryable: true, reason: 'throttled by provider' };
    await withApp(dialect, { script: (msg, n) => (msg.address === phone(1) && n <= 2 ? busy : undefined) }, async (t, { accountId, transport }) => {
      const m = await scheduleSms(t.core, accountId, [phone(1), phone(2)], t.clock.now() + MIN);
      const [x, y] = await t.store.autocommit.getRecipients(m.id);
      t.clock.set(m.sendAt);
      assert.equal(await t.dispatcher.drain(), 1);

      let rs = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual(rs.map((r) => [r.status, r.attempts, r.error]), [['pending', 1, 'throttled by provider'], ['sent', 1, null]]);
      assert.equal((await t.store.autocommit.getMessage(m.id))!.status, 'dispatching');
      // First retry: full-jitter backoff of attempt 1 is 500..1000 ms; the lease runs until then.
      const retryAt = (await t.store.autocommit.nextWakeAt())!;
      assert.ok(retryAt >= m.sendAt + 500 && retryAt <= m.sendAt + 1000, `retry at +${retryAt - m.sendAt} ms`);

      t.clock.set(retryAt);
      assert.equal(await t.dispatcher.drain(), 0, 'the lease holds until the retry time');
      assert.equal(transport!.callsFor(x.id), 1);

      t.clock.set(retryAt + 1);
      assert.equal(await t.dispatcher.drain(), 1);
      rs = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual(rs.map((r) => [r.status, r.attempts]), [['pending', 2], ['sent', 1]]);
      const retry2 = (await t.store.autocommit.nextWakeAt())!;
      assert.ok(retry2 >= retryAt + 1 + 1000 && retry2 <= retryAt + 1 + 2000, `second retry at +${retry2 - retryAt - 1} ms`);

      assert.equal(await drainAfterNextWake(t), 1);
      rs = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual(rs.map((r) => [r.status, r.attempts, r.error]), [['sent', 3, null], ['sent', 1, null]]);
      assert.equal((await t.store.autocommit.getMessage(m.id))!.status, 'sent');
      assert.equal(transport!.callsFor(x.id), 3);
      assert.equal(transport!.callsFor(y.id), 1, 'the recipient that succeeded is not sent again with the retry');
      assert.deepEqual([...countByRecipient(await allOutbox(t.store))].sort(), [[x.id, 1], [y.id, 1]]);
      assert.equal(await t.store.autocommit.nextWakeAt(), undefined);
      assert.deepEqual(await refunds(t, accountId), []);
      await assertLedger(t, accountId, CREDITS - 2 * SMS_PRICE);
    });
  });

  test('a thrown transport error counts as retryable', async () => {
    await withApp(dialect, { script: (_msg, n) => (n <= 2 ? { throw: 'socket hang up' } : undefined) }, async (t, { accountId, transport }) => {
      const m = await scheduleSms(t.core, accountId, [phone(1)], t.clock.now() + MIN);
      t.clock.set(m.sendAt);
      assert.equal(await t.dispatcher.drain(), 1);
      const [r1] = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual([r1.status, r1.attempts, r1.error], ['pending', 1, 'socket hang up']);
      assert.equal(await drainAfterNextWake(t), 1);
      assert.equal(await drainAfterNextWake(t), 1);
      const [r3] = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual([r3.status, r3.attempts, r3.error], ['sent', 3, null]);
      assert.equal(transport!.calls.length, 3);
      assert.equal((await t.store.autocommit.getMessage(m.id))!.status, 'sent');
      assert.equal((await allOutbox(t.store)).length, 1);
      await assertLedger(t, accountId, CREDITS - SMS_PRICE);
    });
  });

  test('a permanent failure fails the recipient, refunds exactly its price once, and the message ends partially_failed or failed', async () => {
    const rejected: SendResult = { ok: false, retryable: false, reason: 'number does not exist', providerCode: 'E404' };
    await withApp(dialect, { script: (msg) => (msg.address === phone(1) || msg.address === phone(3) ? rejected : undefined) }, async (t, { accountId, transport }) => {
      const mixed = await scheduleSms(t.core, accountId, [phone(1), phone(2)], t.clock.now() + MIN);
      const lost = await scheduleSms(t.core, accountId, [phone(3)], t.clock.now() + MIN);
      t.clock.set(mixed.sendAt);
      assert.equal(await t.dispatcher.drain(), 2);

      const mr = await t.store.autocommit.getRecipients(mixed.id);
      assert.deepEqual(mr.map((r) => [r.address, r.status, r.attempts, r.error]), [
        [phone(1), 'failed', 1, 'number does not exist'], [phone(2), 'sent', 1, null],
      ]);
      assert.equal((await t.store.autocommit.getMessage(mixed.id))!.status, 'partially_failed');
      const lr = await t.store.autocommit.getRecipients(lost.id);
      assert.deepEqual(lr.map((r) => [r.status, r.attempts]), [['failed', 1]]);
      assert.equal((await t.store.autocommit.getMessage(lost.id))!.status, 'failed');
      assert.equal(transport!.calls.length, 3, 'a permanent failure is not retried');

      const events = await t.store.autocommit.getEvents(mixed.id);
      assert.deepEqual(events.map((e) => [e.type, e.recipientId]), [['scheduled', null], ['failed', mr[0].id], ['sent', mr[1].id]]);
      assert.deepEqual(events[1].data, { reason: 'number does not exist', providerCode: 'E404' });

      // Nothing more happens later: no second send, no second refund.
      t.clock.advance(60 * MIN);
      assert.equal(await t.dispatcher.drain(), 0);
      // The two messages are sent side by side: their refunds come in either order.
      const r = (await refunds(t, accountId)).sort((a, b) => a.messageId! - b.messageId!);
      assert.deepEqual(r.map((e) => [e.messageId, e.amount, e.cause]), [
        [mixed.id, SMS_PRICE, `message ${mixed.id}: delivery to ${phone(1)} failed`],
        [lost.id, SMS_PRICE, `message ${lost.id}: delivery to ${phone(3)} failed`],
      ]);
      assert.deepEqual((await allOutbox(t.store)).map((o) => o.address), [phone(2)]);
      await assertLedger(t, accountId, CREDITS - 3 * SMS_PRICE + 2 * SMS_PRICE);
    });
  });

  test('exhausting RELAIS_MAX_ATTEMPTS fails and refunds the recipient', async () => {
    const busy: SendResult = { ok: false, retryable: true, reason: 'provider unavailable' };
    await withApp(dialect, { env: { RELAIS_MAX_ATTEMPTS: '3' }, script: (msg) => (msg.address === phone(1) ? busy : undefined) }, async (t, { accountId, transport }) => {
      const m = await scheduleSms(t.core, accountId, [phone(1), phone(2)], t.clock.now() + MIN);
      const [x] = await t.store.autocommit.getRecipients(m.id);
      t.clock.set(m.sendAt);
      assert.equal(await t.dispatcher.drain(), 1);
      assert.equal(await drainAfterNextWake(t), 1);
      assert.equal((await t.store.autocommit.getMessage(m.id))!.status, 'dispatching');
      assert.equal(await drainAfterNextWake(t), 1);

      const rs = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual(rs.map((r) => [r.status, r.attempts, r.error]), [['failed', 3, 'provider unavailable'], ['sent', 1, null]]);
      assert.equal(transport!.callsFor(x.id), 3);
      assert.equal((await t.store.autocommit.getMessage(m.id))!.status, 'partially_failed');
      assert.equal(await t.store.autocommit.nextWakeAt(), undefined, 'no lease left behind');
      t.clock.advance(60 * MIN);
      assert.equal(await t.dispatcher.drain(), 0);
      assert.equal(transport!.callsFor(x.id), 3);
      assert.deepEqual((await refunds(t, accountId)).map((e) => [e.messageId, e.amount, e.cause]), [
        [m.id, SMS_PRICE, `message ${m.id}: delivery to ${phone(1)} failed`],
      ]);
      await assertLedger(t, accountId, CREDITS - SMS_PRICE);
    });
  });

  test('suppressed recipients are skipped and refunded at dispatch', async () => {
    await withApp(dialect, { script: () => undefined }, async (t, { accountId, transport }) => {
      const some = await scheduleSms(t.core, accountId, [phone(1), phone(2), phone(3)], t.clock.now() + 2 * MIN);
      const all = await scheduleSms(t.core, accountId, [phone(2)], t.clock.now() + 2 * MIN);
      // A STOP received inside a vendor cutoff: too late to cancel the recipients, not too late to skip them.
      const added = await addSuppression(t.core, accountId, 'sms', phone(2), 'STOP', { cutoffMs: 5 * MIN });
      assert.deepEqual([added.added, added.cancelledRecipients, added.refund], [true, 0, 0]);

      t.clock.set(some.sendAt);
      assert.equal(await t.dispatcher.drain(), 2);
      const rs = await t.store.autocommit.getRecipients(some.id);
      assert.deepEqual(rs.map((r) => [r.address, r.status, r.error, r.attempts]), [
        [phone(1), 'sent', null, 1], [phone(2), 'skipped', 'suppressed', 0], [phone(3), 'sent', null, 1],
      ]);
      assert.equal((await t.store.autocommit.getMessage(some.id))!.status, 'sent', 'a skipped recipient is not a delivery failure');
      assert.deepEqual((await t.store.autocommit.getRecipients(all.id)).map((r) => r.status), ['skipped']);
      assert.equal((await t.store.autocommit.getMessage(all.id))!.status, 'failed');
      assert.deepEqual(transport!.calls.map((c) => c.address).sort(), [phone(1), phone(3)], 'a suppressed address never reaches the transport');
      assert.deepEqual((await allOutbox(t.store)).map((o) => o.address).sort(), [phone(1), phone(3)]);
      const skippedEvents = (await t.store.autocommit.getEvents(some.id)).filter((e) => e.type === 'skipped');
      assert.deepEqual(skippedEvents.map((e) => [e.recipientId, e.data]), [[rs[1].id, { reason: 'suppressed' }]]);

      t.clock.advance(60 * MIN);
      assert.equal(await t.dispatcher.drain(), 0);
      assert.deepEqual((await refunds(t, accountId)).map((e) => [e.messageId, e.amount, e.cause]).sort(), [
        [some.id, SMS_PRICE, `message ${some.id}: suppressed recipients skipped`],
        [all.id, SMS_PRICE, `message ${all.id}: suppressed recipients skipped`],
      ].sort());
      await assertLedger(t, accountId, CREDITS - 2 * SMS_PRICE);
    });
  });

  test('an expired lease of a crashed worker is reclaimed and delivered', async () => {
    await withApp(dialect, {}, async (t, { accountId }) => {
      const m = await scheduleSms(t.core, accountId, [phone(1), phone(2)], t.clock.now() + MIN);
      const leaseMs = t.config.dispatch.leaseMs;
      t.clock.set(m.sendAt);
      const claimed = await claimDue(t.core, 'dead-worker', 10, leaseMs);
      assert.deepEqual(claimed.map((c) => c.id), [m.id]);
      const held = (await t.store.autocommit.getMessage(m.id))!;
      assert.deepEqual([held.status, held.dispatchedAt], ['dispatching', m.sendAt]);
      // The worker dies here, without sending anything.

      assert.equal(await t.dispatcher.drain(), 0, 'a live lease is respected');
      t.clock.set(m.sendAt + leaseMs);
      assert.equal(await t.dispatcher.drain(), 0, 'still the dead worker\'s at the lease instant');
      assert.equal((await t.store.autocommit.getMessage(m.id))!.status, 'dispatching');

      t.clock.set(m.sendAt + leaseMs + 1);
      assert.equal(await t.dispatcher.drain(), 1);
      const done = (await t.store.autocommit.getMessage(m.id))!;
      assert.equal(done.status, 'sent');
      assert.equal(done.dispatchedAt, m.sendAt, 'the first claim\'s instant is kept');
      const rs = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual(rs.map((r) => [r.status, r.sentAt]), [['sent', m.sendAt + leaseMs + 1], ['sent', m.sendAt + leaseMs + 1]]);
      assert.deepEqual([...countByRecipient(await allOutbox(t.store))].sort(), rs.map((r) => [r.id, 1]));
      await assertLedger(t, accountId, CREDITS - 2 * SMS_PRICE);
    });
  });

  test('after a reclaim, a recipient already sent is never sent again, and the stale worker is fenced off', async () => {
    await withApp(dialect, { script: () => undefined }, async (t, { accountId, transport }) => {
      const m = await scheduleSms(t.core, accountId, [phone(1), phone(2), phone(3)], t.clock.now() + MIN);
      const [x, y, z] = await t.store.autocommit.getRecipients(m.id);
      const leaseMs = t.config.dispatch.leaseMs;
      t.clock.set(m.sendAt);
      const [claimed] = await claimDue(t.core, 'dead-worker', 10, leaseMs);

      // The stale worker sends x, then hangs inside the transport call for y.
      const staleSends: number[] = [];
      let hung!: () => void;
      const reachedY = new Promise<void>((r) => (hung = r));
      let releaseY!: (r: SendResult) => void;
      const stale: Promise<DeliveryOutcome[]> = deliverBatch(t.core, [claimed], {
        owner: 'dead-worker', leaseMs, maxAttempts: 5, backoffMs: () => 1000,
        send: (msg) => {
          staleSends.push(msg.recipientId);
          if (msg.recipientId === x.id) return Promise.resolve({ ok: true, providerId: 'stale-x' });
          hung();
          return new Promise<SendResult>((r) => (releaseY = r));
        },
      });
      await reachedY;
      assert.deepEqual((await t.store.autocommit.getRecipients(m.id)).map((r) => r.status), ['sent', 'pending', 'pending']);

      t.clock.set(m.sendAt + leaseMs + 1);
      assert.equal(await t.dispatcher.drain(), 1);
      assert.deepEqual(transport!.calls.map((c) => c.recipientId), [y.id, z.id], 'x was sent before the crash: not again');
      const rs = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual(rs.map((r) => [r.status, r.providerId?.startsWith('outbox-') ?? null]), [['sent', false], ['sent', true], ['sent', true]]);
      assert.equal(rs[0].providerId, 'stale-x');
      assert.equal((await t.store.autocommit.getMessage(m.id))!.status, 'sent');

      // The stale worker wakes up: its y result changes nothing, and it may not go on to z.
      releaseY({ ok: true, providerId: 'stale-y' });
      assert.deepEqual(await stale, [{ lostLease: true }]);
      assert.deepEqual(staleSends, [x.id, y.id]);
      const after = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual(after.map((r) => r.providerId), rs.map((r) => r.providerId));
      assert.equal((await t.store.autocommit.getEvents(m.id)).filter((e) => e.type === 'sent').length, 3);
      assert.deepEqual([...countByRecipient(await allOutbox(t.store))].sort(), [[y.id, 1], [z.id, 1]]);
      await assertLedger(t, accountId, CREDITS - 3 * SMS_PRICE);
    });
  });

  test('the outbox delivers in the recording transaction: a chunk with a recipient taken over is rolled back and sent again without its message', async () => {
    await withApp(dialect, {}, async (t, { accountId }) => {
      const a = await scheduleSms(t.core, accountId, [phone(1), phone(2)], t.clock.now() + MIN);
      const b = await scheduleSms(t.core, accountId, [phone(3)], t.clock.now() + MIN);
      const [ax] = await t.store.autocommit.getRecipients(a.id);
      t.clock.set(a.sendAt);
      const claimed = await claimDue(t.core, 'w', 10, t.config.dispatch.leaseMs);
      const outbox = new OutboxTransport(t.store.autocommit, t.clock, { links: t.core.links, unsubscribeMailto: null });
      const chunks: number[][] = [];
      const outcomes = await deliverBatch(t.core, claimed, {
        owner: 'w', leaseMs: t.config.dispatch.leaseMs, maxAttempts: 5, backoffMs: () => 1000,
        send: () => Promise.reject(new Error('the outbox is used in store')),
        sendWithin: () => async (tx, msgs) => {
          chunks.push(msgs.map((m) => m.recipientId));
          // Another worker, having taken `a` over, has just sent ax: this chunk must not record it.
          if (chunks.length === 1) await tx.updatePendingRecipient(ax.id, { status: 'sent', at: t.clock.now(), providerId: 'other' });
          return outbox.sendWithin(tx, msgs);
        },
      });
      assert.deepEqual(outcomes, [{ lostLease: true }, { status: 'sent' }]);
      const bx = (await t.store.autocommit.getRecipients(b.id))[0];
      assert.equal(chunks.length, 2);
      assert.deepEqual(chunks[1], [bx.id], 'sent again without the message taken over');
      assert.deepEqual((await allOutbox(t.store)).map((o) => o.recipientId), [bx.id], 'nothing of the rolled-back chunk stayed');
      assert.deepEqual((await t.store.autocommit.getRecipients(a.id)).map((r) => [r.status, r.providerId]), [['pending', null], ['pending', null]]);
      assert.equal((await t.store.autocommit.getEvents(a.id)).filter((e) => e.type === 'sent').length, 0);
      assert.equal((await t.store.autocommit.getMessage(a.id))!.status, 'dispatching', 'left to its lease');
      assert.deepEqual([bx.status, bx.providerId?.startsWith('outbox-')], ['sent', true]);
    });
  });

  test('by lease, the outbox transaction that records the last recipients of a message also completes it', async () => {
    await withApp(dialect, {}, async (t, { accountId }) => {
      const T = t.clock.now() + MIN;
      const small = await scheduleSms(t.core, accountId, [phone(1)], T);
      const big = await scheduleSms(t.core, accountId, Array.from({ length: 300 }, (_, i) => phone(100 + i)), T + 1);
      t.clock.set(T + 1);
      const claimed = await claimDue(t.core, 'w', 10, t.config.dispatch.leaseMs);
      const outbox = new OutboxTransport(t.store.autocommit, t.clock, { links: t.core.links, unsubscribeMailto: null });
      const seen: [number, string, string][] = [];
      const within = async (tx: StoreTx, msgs: OutgoingMessage[]) => {
        const status = async (id: number) => (await tx.getMessage(id))!.status;
        seen.push([msgs.length, await status(small.id), await status(big.id)]);
        return outbox.sendWithin(tx, msgs);
      };
      const outcomes = await deliverBatch(t.core, claimed, {
        owner: 'w', leaseMs: t.config.dispatch.leaseMs, maxAttempts: 5, backoffMs: () => 1000,
        send: () => Promise.reject(new Error('the outbox is used in store')), sendWithin: () => within,
      });
      assert.deepEqual(outcomes, [{ status: 'sent' }, { status: 'sent' }]);
      assert.deepEqual(seen, [[250, 'dispatching', 'dispatching'], [51, 'sent', 'dispatching']],
        'the first chunk completed the message it held whole; the second, the rest of the other');
      for (const m of [small, big]) assert.deepEqual(await completion(t, m.id), ['sent', T + 1]);
      assert.equal(countByRecipient(await allOutbox(t.store)).size, 301);
      await assertLedger(t, accountId, CREDITS - 301 * SMS_PRICE);
    });
  });

  test('at most RELAIS_TRANSPORT_CONCURRENCY sends are ever accepted by a transport and not yet recorded (the crash window)', async () => {
    let store: KyselyStore | undefined;
    const windows: number[] = [];
    // Each call first measures, in one statement, how many recipients are in the outbox but not yet marked sent.
    const script = async (): Promise<Scripted> => {
      const { rows } = await sql<{ n: number | string }>`select (select count(*) from outbox) - (select count(*) from recipients where status = 'sent') as n`.execute(store!.db);
      windows.push(Number(rows[0].n));
      return undefined;
    };
    await withApp(dialect, { env: { RELAIS_TRANSPORT_CONCURRENCY: '4' }, script }, async (t, { accountId }) => {
      store = t.store as KyselyStore;
      const burst = await scheduleSmsBulk(t.core, Array.from({ length: 300 }, (_, i) => ({ accountId, to: [phone(i)] })), t.clock.now() + MIN);
      t.clock.set(burst[0].sendAt);
      assert.equal(await t.dispatcher.drain(), 300);
      assert.equal(windows.length, 300);
      // The caller holds one of the 4 slots; each other holder has at most one send unrecorded.
      assert.ok(Math.max(...windows) <= 3, `window reached ${Math.max(...windows)}`);
      assert.ok(Math.min(...windows) >= 0);
      assert.equal((await allOutbox(t.store)).length, 300);
    });
  });

  // RELAIS_DISPATCH_BATCH=1: a lease claim of one message is full, so the next round is a burst's.
  const BURST_OF_ONE = { RELAIS_DISPATCH_BATCH: '1' };

  test('in a burst, an in-store message is sent in the transaction that takes it: no lease, and a cancel arriving meanwhile is refused after it', async () => {
    let hook: (tx: StoreTx, msgs: OutgoingMessage[], status: string) => Promise<void> = async () => {};
    let outbox: HookedOutbox | undefined;
    await withApp(dialect, { env: BURST_OF_ONE, transports: (core) => ({ sms: (outbox = new HookedOutbox(core, (...a) => hook(...a))) }) }, async (t, { accountId }) => {
      const first = await scheduleSms(t.core, accountId, [phone(1)], t.clock.now() + MIN);
      const m = await scheduleSms(t.core, accountId, [phone(2)], first.sendAt + 1);
      let cancelling: Promise<string> | undefined;
      let cancelAnsweredInside = true;
      hook = async (_tx, msgs, status) => {
        if (status !== 'scheduled') return;
        assert.equal(msgs[0].messageId, m.id);
        let answered = false;
        cancelling = cancelMessage(t.core, accountId, m.id).then(() => 'cancelled', (err: RelaisError) => err.code);
        void cancelling.then(() => { answered = true; });
        // Long enough for the cancel to reach the store: it waits for this transaction (the row lock on PostgreSQL, the writer on SQLite).
        await sleep(100);
        cancelAnsweredInside = answered;
      };
      t.clock.set(m.sendAt);
      assert.equal(await t.dispatcher.drain(), 2);
      assert.deepEqual(outbox!.chunks.map((c) => c.status), ['dispatching', 'scheduled'], 'the first by lease, then the burst in store');
      assert.equal(cancelAnsweredInside, false, 'the cancel waited for the sending transaction');
      assert.equal(await cancelling, 'already_dispatched');
      const done = (await t.store.autocommit.getMessage(m.id))!;
      assert.deepEqual([done.status, done.dispatchedAt, done.completedAt], ['sent', m.sendAt, m.sendAt]);
      assert.deepEqual((await t.store.autocommit.getRecipients(m.id)).map((r) => [r.status, r.attempts]), [['sent', 1]]);
      assert.equal((await allOutbox(t.store)).length, 2);
      assert.deepEqual(await refunds(t, accountId), []);
      await assertLedger(t, accountId, CREDITS - 2 * SMS_PRICE);
    });
  });

  test('outside a burst messages go by lease; in a burst, one with more recipients than an in-store transaction holds still does, in chunks of 250', async () => {
    let outbox: HookedOutbox | undefined;
    await withApp(dialect, { env: BURST_OF_ONE, transports: (core) => ({ sms: (outbox = new HookedOutbox(core)) }) }, async (t, { accountId }) => {
      const T = t.clock.now() + MIN;
      const first = await scheduleSms(t.core, accountId, [phone(1)], T);
      const big = await scheduleSms(t.core, accountId, Array.from({ length: 300 }, (_, i) => phone(100 + i)), T + 1);
      const small = await scheduleSms(t.core, accountId, [phone(2)], T + 2);
      t.clock.set(T + 2);
      assert.equal(await t.dispatcher.drain(), 3);
      assert.deepEqual(outbox!.chunks.map((c) => [c.recipients.length, c.status]), [
        [1, 'dispatching'], [1, 'scheduled'], [250, 'dispatching'], [50, 'dispatching'],
      ]);
      for (const x of [first, big, small]) assert.equal((await t.store.autocommit.getMessage(x.id))!.status, 'sent');
      assert.equal(countByRecipient(await allOutbox(t.store)).size, 302);
      await assertLedger(t, accountId, CREDITS - 302 * SMS_PRICE);
    });
  });

  test('when an in-store transaction fails, its messages are still sent in the same round, once', async () => {
    let failed = false;
    const failOnce = async (_tx: StoreTx, _msgs: OutgoingMessage[], status: string) => {
      if (status === 'scheduled' && !failed) {
        failed = true;
        throw new Error('disk I/O error');
      }
    };
    let outbox: HookedOutbox | undefined;
    await withApp(dialect, { env: BURST_OF_ONE, transports: (core) => ({ sms: (outbox = new HookedOutbox(core, failOnce)) }) }, async (t, { accountId }) => {
      const first = await scheduleSms(t.core, accountId, [phone(1)], t.clock.now() + MIN);
      const m = await scheduleSms(t.core, accountId, [phone(2), phone(3)], first.sendAt + 1);
      t.clock.set(m.sendAt);
      assert.equal(await t.dispatcher.drain(), 2);
      assert.ok(failed);
      const ofM = outbox!.chunks.filter((c) => c.recipients.length === 2);
      assert.equal(ofM.length, 2, 'tried in store, then again');
      assert.deepEqual(ofM[1].recipients, ofM[0].recipients);
      assert.equal((await t.store.autocommit.getMessage(m.id))!.status, 'sent');
      assert.deepEqual([...countByRecipient(await allOutbox(t.store)).values()], [1, 1, 1], 'nothing of the failed transaction stayed');
      await assertLedger(t, accountId, CREDITS - 3 * SMS_PRICE);
    });
  });

  test('the HTTP API keeps answering while a burst is dispatched', async () => {
    await withApp(dialect, {}, async (t, { accountId, apiKey }) => {
      // Large enough that the burst takes more turns of the event loop than two requests need.
      const burst = await scheduleSmsBulk(t.core, Array.from({ length: 2000 }, (_, i) => ({ accountId, to: [phone(i)] })), t.clock.now() + MIN);
      t.clock.set(burst[0].sendAt);
      let drained = false;
      const draining = t.dispatcher.drain().then((n) => { drained = true; return n; });
      // On SQLite every query resolves at once: a dispatcher that never yields the event loop
      // would answer this only after the last send.
      const health = await t.request('GET', '/healthz');
      const view = await t.request('GET', `/api/v1/messages/${burst[0].id}`, { key: apiKey });
      const answeredMidBurst = !drained;
      assert.equal(await draining, 2000);
      assert.equal(health.status, 200);
      assert.equal(view.status, 200);
      assert.ok(answeredMidBurst, 'answered while the burst was still being sent');
      assert.equal((await allOutbox(t.store)).length, 2000);
    });
  });

  test('start(): the running dispatcher is woken by notify when a sooner message is scheduled', async () => {
    // Real clock and timers; the fallback poll is a minute away, so only the wakeup can send in time.
    await withApp(dialect, { realClock: true, env: { RELAIS_POLL_INTERVAL_MS: '60000' } }, async (t, { apiKey }) => {
      t.dispatcher.start();
      try {
        const post = async (sendAt: number) => {
          const r = await t.request('POST', '/api/v1/messages', {
            key: apiKey, body: { channel: 'sms', to: [phone(1)], text: 'wake up', sendAt: new Date(sendAt).toISOString() },
          });
          assert.equal(r.status, 201, r.text);
          return r.body.id as number;
        };
        const later = await post(Date.now() + 60 * MIN);
        const soon = await post(Date.now() + 200);
        const sent = await waitFor('the soon message to be sent', async () => {
          const m = (await t.store.autocommit.getMessage(soon))!;
          return m.status === 'sent' ? m : undefined;
        }, 10_000);
        assert.ok(sent.dispatchedAt! >= sent.sendAt, 'not sent before its time');
        assert.equal((await t.store.autocommit.getMessage(later))!.status, 'scheduled');
        assert.deepEqual((await allOutbox(t.store)).map((o) => [o.messageId, o.address]), [[soon, phone(1)]]);
      } finally {
        await t.dispatcher.stop();
      }
    });
  });
});
