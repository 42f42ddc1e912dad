import { randomBytes } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import { verdictOf, type Core } from '../core/context.js';
import { claimDue, deliverBatch, sendDueInStore, type SendWithin } from '../core/delivery.js';
import type { Wakeup } from '../core/ports.js';
import { recordInbound } from '../core/inbound.js';
import { recordReceipt, sweepKeptReceipts } from '../core/receipts.js';
import type { InboundMessage, OutgoingMessage, Receipt, SendResult, Transport, TransportRegistry } from '../core/transport.js';
import type { Channel, DueMessage } from '../core/types.js';
import { backoffMs } from './backoff.js';
import { Limiter } from './limiter.js';
import { PollingLoop } from './polling-loop.js';
import { TokenBucket, timerSleep, type SleepUntil } from './token-bucket.js';

export interface DispatcherOptions {
  batchSize: number;
  leaseMs: number;
  pollIntervalMs: number;
  maxAttempts: number;
  concurrency: number;
  owner?: string;
  /**
   * The outbox's in-store delivery, by the transport it belongs to (TransportModule.inStore; the
   * composition root builds it). A channel whose transport has none sends by lease, one by one.
   */
  inStore?: ReadonlyMap<Transport, SendWithin>;
  /** How the rate limits wait; default: timers on the core clock. */
  sleepUntil?: SleepUntil;
}

/** In-store transactions per round: on PostgreSQL one runs its statements while the other waits for its round trips. */
const IN_STORE_LANES = 2;

/** How often a round looks for kept receipts to apply or drop (core/receipts.ts sweepKeptReceipts). */
const SWEEP_EVERY_MS = 1000;

/**
 * Sends due messages: sleeps until the earliest send_at it knows, is woken early by
 * `notify` when a sooner message is scheduled, polls as a fallback (another process may
 * schedule), claims due messages in batches under a lease and delivers them.
 */
export class Dispatcher extends PollingLoop implements Wakeup {
  readonly owner: string;
  private readonly limiters = new Map<Transport, Limiter>();
  private readonly buckets = new Map<Transport, TokenBucket>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Channels whose transport writes into the store. */
  private readonly inStore = new Map<Channel, SendWithin>();
  private burst = false;
  /** Whether a transport reports receipts, and so whether rounds sweep the kept ones. */
  private readonly sweeps: boolean;
  private nextSweepAt = 0;

  constructor(
    private readonly core: Core,
    private readonly transports: TransportRegistry,
    private readonly opts: DispatcherOptions,
    private readonly log?: Logger,
  ) {
    super();
    this.owner = opts.owner ?? `worker-${process.pid}-${randomBytes(4).toString('hex')}`;
    // One SendWithin per transport, so that channels sharing a transport share its transactions;
    // none for a paced transport, whose sends must each wait for the rate limit.
    for (const [channel, t] of Object.entries(transports) as [Channel, Transport][]) {
      const within = opts.inStore?.get(t);
      if (within && t.rate === undefined) this.inStore.set(channel, within);
    }
    const sleepUntil = opts.sleepUntil ?? timerSleep(core.clock);
    for (const t of new Set(Object.values(transports))) {
      if (t.rate !== undefined) this.buckets.set(t, new TokenBucket(t.rate, core.clock, sleepUntil));
      t.receipts?.((receipt) => this.receipt(t, receipt));
      t.inbound?.((message) => this.inbound(t, message));
    }
    this.sweeps = Object.values(transports).some((t) => t.receipts !== undefined);
  }

  /** Stops claiming, lets in-flight deliveries finish. */
  override async stop(): Promise<void> {
    await super.stop();
    await Promise.allSettled([...this.inFlight]);
  }

  notify(sendAt: number): void {
    this.sleeper.wake(sendAt);
  }

  /** Claims and delivers until nothing is due at the clock's current instant; returns how many messages it handled. */
  async drain(): Promise<number> {
    this.nextSweepAt = 0;
    await this.sweep();
    let total = 0;
    for (;;) {
      const { sent, batch } = await this.take();
      if (sent + batch.length === 0) return total;
      total += sent + batch.length;
      await this.deliver(batch);
    }
  }

  protected async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.sleeper.beginRound();
      await this.sweep();
      try {
        const { sent, batch } = await this.take();
        failures = 0;
        if (batch.length > 0) {
          // Claim the next batch while this one is sent, but never hold more than two batches.
          const sending = this.deliver(batch);
          this.track(sending);
          if (this.inFlight.size > 1) await sending;
        }
        if (sent + batch.length > 0) continue;
        const next = await this.core.store.autocommit.nextWakeAt();
        const delay = next === undefined ? this.opts.pollIntervalMs : Math.min(this.opts.pollIntervalMs, Math.max(0, next - this.core.clock.now()));
        await this.sleep(delay);
      } catch (err) {
        failures++;
        // Off to a backoff rather than hot-looping against a database that is down.
        const delay = Math.min(30_000, 100 * 2 ** Math.min(failures, 9));
        this.log?.error({ err, owner: this.owner, retryInMs: delay }, 'dispatcher round failed');
        await this.sleep(delay);
      }
    }
  }

  /**
   * One round's take: while a burst is due (the last lease claim was full), the in-store channels'
   * messages are sent in the transactions that take them (sendInStore), and the lease claim waits
   * until none is left, since it would take them too; otherwise a lease claim, whose batch the
   * caller delivers. Outside bursts the lease claim is the better path on PostgreSQL: it holds
   * no row lock beyond its own statement, so cancels of messages about to be due never queue
   * behind a sending transaction (DECISIONS.md §16).
   */
  private async take(): Promise<{ sent: number; batch: DueMessage[] }> {
    let sent = 0;
    if (this.burst) {
      const inStore = await this.sendInStore();
      sent = inStore.sent;
      this.burst = inStore.more;
      if (this.burst) return { sent, batch: [] };
    }
    const batch = await claimDue(this.core, this.owner, this.opts.batchSize, this.opts.leaseMs);
    this.burst = this.inStore.size > 0 && batch.length >= this.opts.batchSize;
    return { sent, batch };
  }

  /**
   * Sends what the in-store channels have due, in IN_STORE_LANES transactions side by side (on
   * PostgreSQL, two connections; on SQLite, one shared commit). If that fails, the messages are
   * left to this round's lease claim, which takes any that keep failing out of the way.
   */
  private async sendInStore(): Promise<{ sent: number; more: boolean }> {
    const lanes = await Promise.allSettled(Array.from({ length: IN_STORE_LANES }, () => sendDueInStore(this.core, this.opts.batchSize, this.inStore)));
    let sent = 0;
    let more = true;
    for (const lane of lanes) {
      if (lane.status === 'fulfilled') {
        sent += lane.value.sent;
        more &&= lane.value.more;
      } else {
        this.log?.error({ err: lane.reason, owner: this.owner }, 'in-store delivery failed; the due messages go by lease');
        more = false;
      }
    }
    return { sent, more };
  }

  private track(p: Promise<unknown>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private sleep(ms: number): Promise<void> {
    return this.running ? this.sleeper.sleep(ms, this.core.clock.now()) : Promise.resolve();
  }

  private async deliver(batch: DueMessage[]): Promise<void> {
    try {
      const outcomes = await deliverBatch(this.core, batch, {
        owner: this.owner,
        leaseMs: this.opts.leaseMs,
        maxAttempts: this.opts.maxAttempts,
        backoffMs: (attempt) => backoffMs(attempt),
        send: (msg) => this.send(msg),
        slot: (channel, turn) => this.limiterOf(channel).run(async () => {
          await this.buckets.get(this.transports[channel])?.take();
          return turn();
        }),
        sendWithin: (channel) => this.inStore.get(channel),
        receiptsFrom: (channel) => {
          const t = this.transports[channel];
          return t.receipts ? { name: t.name, defaultSender: t.defaultSender ?? null } : undefined;
        },
        onError: (message, err) => this.log?.error({ err, messageId: message.id, owner: this.owner }, 'delivery failed'),
      });
      for (const outcome of outcomes) if ('retryAt' in outcome) this.notify(outcome.retryAt);
    } catch (err) {
      // The leases run out and another round (here or elsewhere) takes the messages up again.
      this.log?.error({ err, messageIds: batch.map((m) => m.id), owner: this.owner }, 'delivery failed');
    }
  }

  private limiterOf(channel: Channel): Limiter {
    const t = this.transports[channel];
    let limiter = this.limiters.get(t);
    if (!limiter) this.limiters.set(t, (limiter = new Limiter(t.concurrency ?? this.opts.concurrency)));
    return limiter;
  }

  /**
   * One recipient through its transport. The turn began with more than half the lease left
   * (core/delivery.ts holdsLease): an answer later than that is not waited for, so that the send
   * ends while the message is still this worker's.
   */
  private async send(msg: OutgoingMessage): Promise<SendResult> {
    // On SQLite every query resolves at once: without a turn of the event loop per send, a burst
    // would run as one chain of microtasks and starve the HTTP API and the timers until its end.
    await yieldToEventLoop();
    const { recipientId, address, content, ...message } = msg;
    const transport = this.transports[msg.channel];
    const signal = AbortSignal.timeout(this.opts.leaseMs / 2);
    const { observer } = this.core;
    observer.submitting(transport.name, 1);
    let result: SendResult;
    try {
      [result] = await untilAborted(transport.send(message, [{ recipientId, address, content }], { signal }), signal);
      if (!result) throw new Error(`transport ${transport.name} answered no result`);
    } catch (err) {
      result = { ok: false, retryable: true, reason: signal.aborted ? `transport ${transport.name} did not answer in time` : err instanceof Error ? err.message : String(err) };
    }
    observer.submitting(transport.name, -1);
    observer.answered(transport.name, verdictOf(result));
    return result;
  }

  /** Records a receipt; a throw reaches the transport, which then leaves the receipt unacknowledged. */
  private async receipt(transport: Transport, receipt: Receipt): Promise<void> {
    const outcome = await recordReceipt(this.core, transport.name, receipt);
    if (outcome === 'kept') this.log?.info({ transport: transport.name, providerId: receipt.providerId, owner: this.owner }, 'receipt before its send was recorded: kept for it');
  }

  /** Records a mobile-originated message; a throw reaches the transport, which then leaves it unacknowledged. */
  private async inbound(transport: Transport, message: InboundMessage): Promise<void> {
    const { outcome, accountId } = await recordInbound(this.core, transport.name, message);
    const fields = { transport: transport.name, from: message.from, to: message.to, outcome, accountId, owner: this.owner };
    if (outcome === 'unattributed' || outcome === 'ambiguous') this.log?.warn(fields, 'STOP by SMS not attributed to one account: not applied');
    else this.log?.info(fields, outcome === 'stopped' ? 'STOP by SMS applied' : 'mobile-originated message ignored');
  }

  /** At most every SWEEP_EVERY_MS: applies the kept receipts whose send is recorded now, drops the expired ones. */
  private async sweep(): Promise<void> {
    const now = this.core.clock.now();
    if (!this.sweeps || now < this.nextSweepAt) return;
    this.nextSweepAt = now + SWEEP_EVERY_MS;
    try {
      const dropped = await sweepKeptReceipts(this.core);
      if (Object.keys(dropped).length > 0) this.log?.warn({ dropped, owner: this.owner }, 'kept receipts dropped: no send claimed them within RELAIS_RECEIPT_KEEP_SECONDS, or beyond the cap');
    } catch (err) {
      this.log?.error({ err, owner: this.owner }, 'sweep of kept receipts failed');
    }
  }
}

/** `work`, or a rejection as soon as `signal` aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
