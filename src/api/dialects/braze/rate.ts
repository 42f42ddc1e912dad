import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../../core/clock.js';
import { FixedWindowLimiter, type Quota } from '../../rate-limit.js';

/**
 * Braze's rate-limit groups (spec/braze.md §0.6, Braze's api_limits page): the schedule endpoints,
 * scheduled_broadcasts and every endpoint without a limit of its own share `schedule`; the send
 * endpoints share `send`, or `broadcast` for a broadcast call; `/users/track` has its own.
 */
export type Bucket = 'schedule' | 'send' | 'broadcast' | 'usersTrack';

/** The limit of each bucket, from config (RELAIS_BRAZE_RATE_*). */
export interface BrazeRates {
  scheduleRate: number;
  sendRate: number;
  broadcastRate: number;
  usersTrackRate: number;
}

const HOUR = 3_600_000;

/**
 * One limiter per bucket, counting per API key (per client address for a request without a
 * valid key). Per process, as the Partner limits are: behind several API nodes a client gets up
 * to the limit from each (docs/dialects/braze.md).
 */
export class BrazeLimits {
  private readonly limiters: Record<Bucket, FixedWindowLimiter>;
  // A request is counted once, whichever of the handler or the error path gets to it first.
  private readonly taken = new WeakMap<FastifyRequest, Quota>();

  constructor(rates: BrazeRates, private readonly clock: Clock) {
    this.limiters = {
      schedule: new FixedWindowLimiter(rates.scheduleRate, HOUR, clock),
      send: new FixedWindowLimiter(rates.sendRate, HOUR, clock),
      broadcast: new FixedWindowLimiter(rates.broadcastRate, 60_000, clock),
      usersTrack: new FixedWindowLimiter(rates.usersTrackRate, 3_000, clock),
    };
  }

  /** Counts the request in `bucket` and sets the X-RateLimit-* headers (and Retry-After when refused). */
  take(request: FastifyRequest, reply: FastifyReply, bucket: Bucket): Quota {
    const earlier = this.taken.get(request);
    if (earlier) return earlier;
    const caller = request.auth ? `key:${request.auth.key.id}` : `ip:${request.ip}`;
    const quota = this.limiters[bucket].take(caller);
    this.taken.set(request, quota);
    reply.header('x-ratelimit-limit', String(quota.limit));
    reply.header('x-ratelimit-remaining', String(quota.remaining));
    reply.header('x-ratelimit-reset', String(Math.ceil(quota.resetAt / 1000)));
    if (!quota.allowed) reply.header('retry-after', String(Math.max(1, Math.ceil((quota.resetAt - this.clock.now()) / 1000))));
    return quota;
  }
}
