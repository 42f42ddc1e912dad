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
 */
export class FixedWindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(readonly limit: number, private readonly windowMs: number, private readonly clock: Clock) {}

  take(key: string): Quota {
    const now = this.clock.now();
    const start = now - (now % this.windowMs);
    if (this.windows.size > 10_000) this.prune(start);
    const w = this.windows.get(key);
    const current = w && w.start === start ? w : { start, count: 0 };
    current.count = Math.min(current.count + 1, this.limit + 1);
    this.windows.set(key, current);
    return { allowed: current.count <= this.limit, limit: this.limit, remaining: Math.max(0, this.limit - current.count), resetAt: start + this.windowMs };
  }

  private prune(start: number): void {
    for (const [key, w] of this.windows) if (w.start !== start) this.windows.delete(key);
  }
}
