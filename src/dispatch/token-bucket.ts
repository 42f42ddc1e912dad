import type { Clock } from '../core/clock.js';

/** Waits until the instant `at` of `clock`. */
export type SleepUntil = (at: number) => Promise<void>;

/** A real timer for the time `clock` says is left until `at`. */
export const timerSleep = (clock: Clock): SleepUntil => (at) => {
  const ms = at - clock.now();
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
};

/**
 * Paces sends at `rate` per second, a second's worth (at least one) at once after a quiet spell.
 * Each take reserves the next free instant and waits for it, so waiters go in arrival order and
 * never more than the rate goes through, however many wait side by side.
 */
export class TokenBucket {
  private readonly interval: number;
  private readonly capacity: number;
  /** The instant from which the bucket is empty when nothing is taken: the reservations so far. */
  private next = -Infinity;

  constructor(rate: number, private readonly clock: Clock, private readonly sleepUntil: SleepUntil) {
    this.interval = 1000 / rate;
    this.capacity = Math.max(1, Math.floor(rate));
  }

  async take(): Promise<void> {
    const now = this.clock.now();
    // A full bucket holds `capacity` tokens: the reservations start no earlier than that many intervals back.
    this.next = Math.max(this.next, now - (this.capacity - 1) * this.interval);
    const at = this.next;
    this.next += this.interval;
    if (at > now) await this.sleepUntil(at);
  }
}
