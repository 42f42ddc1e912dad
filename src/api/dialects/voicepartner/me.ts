import { RelaisError } from '../../../core/errors.js';
import { accountOverview } from '../../../core/statistics.js';
import { WindowLimiter } from '../../rate-limit.js';
import type { PartnerRouter } from '../partner/scope.js';
import { euros } from '../partner/values.js';
import type { DialectContext } from '../dialect.js';
import { keyed } from './keyed.js';

/** spec §0.2: 5 requests a minute on `/me`, counted per API key. */
const RATE = { limit: 5, windowMs: 60_000 };

/**
 * Relais prices a call, not its length (RELAIS_PRICE_VOICE): the airtime the balance buys is
 * the calls it pays for, at an assumed minute each (docs/dialects/voicepartner.md).
 */
export const ASSUMED_CALL_SECONDS = 60;

/** Seconds as the vendor's `{h, m, s}`, minutes and seconds 0–59 (spec §1: the vendor's sample has `s: 66`). */
export const hms = (seconds: number) => ({ h: Math.floor(seconds / 3600), m: Math.floor(seconds / 60) % 60, s: seconds % 60 });

/** What `/me` says about a balance at a price per call (0 when calls are free: nothing to count). */
export function voiceCredits(balance: number, pricePerCall: number) {
  const calls = pricePerCall > 0 ? Math.floor(Math.max(0, balance) / pricePerCall) : 0;
  const airtime = hms(calls * ASSUMED_CALL_SECONDS);
  // Landlines and mobiles cost the same call in Relais.
  return { success: true, credit: String(euros(balance)), currency: '€', details: { tts: airtime, tts_fixe: { ...airtime }, voice: { message: calls } } };
}

/** GET /v1/me/{apiKey} (and `/v1/me?apiKey=`), spec §1. */
export function meRoutes(route: PartnerRouter, opts: DialectContext): void {
  const limiter = new WindowLimiter(RATE.limit, RATE.windowMs, opts.core.clock);
  keyed(route, ['GET'], '/me', async ({ auth }) => {
    if (!limiter.take(auth.key.id)) throw new RelaisError('rate_limited', `at most ${RATE.limit} requests a minute per key`, { retryAfter: RATE.windowMs / 1000 });
    const { account } = await accountOverview(opts.core, auth.account.id);
    return voiceCredits(account.balance, opts.core.pricing.voice);
  }, { scope: 'account:read' });
}
