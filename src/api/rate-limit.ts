import type { Clock } from '../core/clock.js';

/**
 * At most `limit` calls per key in any sliding `windowMs` (SMS Partner's statistics: 5 a
 * minute per account). Per process: behind several API nodes the effective limit is higher,
 * which only ever lets a client through more often than the vendor would.
 */
export class WindowLimiter {
  private readonly hits = new Map<string | number, number[]>();

  constructor(private readonly limit: number, private readonly windowMs: number, private readonly clock: Clock) {}

  take(key: string | number): boolean {
    const now = this.clock.now();
    if (this.hits.size > 10_000) this.prune(now);
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    const ok = recent.length < this.limit;
    if (ok) recent.push(now);
    this.hits.set(key, recent);
    return ok;
  }

  private prune(now: number): void {
    for (const [key, times] of this.hits) if (!times.some((t) => t > now - this.windowMs)) this.hits.delete(key);
  }
}

/** Where a caller stands in its window after one call: what the X-RateLimit-* headers say. */
export interface Quota {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the window ends: epoch milliseconds. */
  resetAt: number;
}

/**
 * At most `limit` calls per key in each fixed window of `windowMs` (aligned on the epoch: an hourly
 * window ends on the hour), counting one integer per key however high the limit: Braze's are
 * 250 000 an hour, which a log of call times (WindowLimiter) would hold in memory. Per process,
 * like WindowLimiter. A refused call is counted too: hammering does not bring the reset closer.
 * At most `maxKeys` callers are counted per window: past that the longest-counted one is
 * forgotten (and may call again), so that many callers cannot grow the map without bound.
 */
export class FixedWindowLimiter {
  private readonly counts = new Map<string, number>();
  private windowStart = Number.NaN;

  constructor(readonly limit: number, private readonly windowMs: number, private readonly clock: Clock, private readonly maxKeys = 100_000) {}

  take(key: string): Quota {
    const now = this.clock.now();
    const start = now - (now % this.windowMs);
    // Every key shares the window: a new one forgets all counts at once, not by a scan per call.
    if (start !== this.windowStart) {
      this.counts.clear();
      this.windowStart = start;
    }
    const known = this.counts.get(key);
    if (known === undefined && this.counts.size >= this.maxKeys) this.counts.delete(this.counts.keys().next().value!);
    const count = Math.min((known ?? 0) + 1, this.limit + 1);
    this.counts.set(key, count);
    return { allowed: count <= this.limit, limit: this.limit, remaining: Math.max(0, this.limit - count), resetAt: start + this.windowMs };
  }
}
