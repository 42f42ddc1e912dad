import type { Clock } from '../../../core/clock.js';

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
