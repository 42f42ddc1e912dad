import { randomBytes } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Core } from '../core/context.js';
import { claimDue, deliverBatch, sendDueInStore, type SendWithin } from '../core/delivery.js';
import type { OutgoingMessage, SendResult, Transport, Wakeup } from '../core/ports.js';
import type { Channel, DueMessage } from '../core/types.js';
import type { TransportRegistry } from '../transports/registry.js';
import { backoffMs } from './backoff.js';
import { Limiter } from './limiter.js';
import { PollingLoop } from './polling-loop.js';

export interface DispatcherOptions {
  batchSize: number;
  leaseMs: number;
  pollIntervalMs: number;
  maxAttempts: number;
  concurrency: number;
  owner?: string;
}

/** In-store transactions per round: on PostgreSQL one runs its statements while the other waits for its round trips. */
const IN_STORE_LANES = 2;

/**
 * Sends due messages: sleeps until the earliest send_at it knows, is woken early by
 * `notify` when a sooner message is scheduled, polls as a fallback (another process may
 * schedule), claims due messages in batches under a lease and delivers them.
 */
export class Dispatcher extends PollingLoop implements Wakeup {
  readonly owner: string;
  private readonly limiters = new Map<string, Limiter>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Channels whose transport writes into the store. */
  private readonly inStore = new Map<Channel, SendWithin>();
  private burst = false;

  constructor(
    private readonly core: Core,
    private readonly transports: TransportRegistry,
    private readonly opts: DispatcherOptions,
    private readonly log?: Logger,
  ) {
    super();
    this.owner = opts.owner ?? `worker-${process.pid}-${randomBytes(4).toString('hex')}`;
    // One SendWithin per transport, so that channels sharing a transport share its transactions.
    const byTransport = new Map<Transport, SendWithin>();
    for (const [channel, t] of Object.entries(transports) as [Channel, Transport][]) {
      if (!t.sendWithin) continue;
      let within = byTransport.get(t);
      if (!within) byTransport.set(t, (within = (tx, msgs) => t.sendWithin!(tx, msgs)));
      this.inStore.set(channel, within);
    }
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
        slot: (channel, turn) => this.limiterOf(channel).run(turn),
        sendWithin: (channel) => this.inStore.get(channel),
        onError: (message, err) => this.log?.error({ err, messageId: message.id, owner: this.owner }, 'delivery failed'),
      });
      for (const outcome of outcomes) if ('retryAt' in outcome) this.notify(outcome.retryAt);
    } catch (err) {
      // The leases run out and another round (here or elsewhere) takes the messages up again.
      this.log?.error({ err, messageIds: batch.map((m) => m.id), owner: this.owner }, 'delivery failed');
    }
  }

  private limiterOf(channel: Channel): Limiter {
    const name = this.transports[channel].name;
    let limiter = this.limiters.get(name);
    if (!limiter) this.limiters.set(name, (limiter = new Limiter(this.opts.concurrency)));
    return limiter;
  }

  private async send(msg: OutgoingMessage): Promise<SendResult> {
    // On SQLite every query resolves at once: without a turn of the event loop per send, a burst
    // would run as one chain of microtasks and starve the HTTP API and the timers until its end.
    await yieldToEventLoop();
    try {
      return await this.transports[msg.channel].send(msg);
    } catch (err) {
      return { ok: false, retryable: true, reason: err instanceof Error ? err.message : String(err) };
    }
  }
}
