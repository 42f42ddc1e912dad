import type { Core } from './context.js';
import type { WebhookSkip } from './ports.js';
import type { WebhookDelivery } from './types.js';

/** Status callbacks: when a failed delivery is tried again (which URLs may be called: callback-url.ts). */

export interface WebhookPolicy {
  /** A cap on attempts; the retry window is what usually ends a delivery's retries. */
  maxAttempts: number;
  /** How long after its event a delivery is still tried (24 h, DECISIONS §40): a retry due later is not made. */
  retryWindowMs: number;
  /** How long a claimed delivery stays with its sender before another may take it (longer than a request's timeout). */
  leaseMs: number;
  /** Delay before attempt number `attempt + 1`. */
  backoffMs(attempt: number): number;
}

/** What one attempt got: the receiver's HTTP status when it answered. */
export type WebhookAttempt = { ok: true; httpStatus: number } | { ok: false; retryable: boolean; reason: string; httpStatus?: number };

/** A delivery that can never be made (its endpoint is gone): a renderer throws it, and the attempt is final. */
export class UndeliverableWebhook extends Error {}

/** Timeouts, network errors, 5xx, 408 and 429 are worth another try; any other non-2xx answer is final. */
export function classifyResponse(status: number): WebhookAttempt {
  if (status >= 200 && status < 300) return { ok: true, httpStatus: status };
  return { ok: false, retryable: status >= 500 || status === 408 || status === 429, reason: `HTTP ${status}`, httpStatus: status };
}

/**
 * Claims due deliveries under a lease, leaving out those of `skip` (busy destinations: an account
 * and an origin); each claim counts as one attempt.
 */
export function claimWebhooks(core: Core, limit: number, policy: WebhookPolicy, skip: WebhookSkip[] = []): Promise<WebhookDelivery[]> {
  const now = core.clock.now();
  return core.store.transaction((tx) => tx.claimWebhooks(now, limit, now + policy.leaseMs, skip));
}

/**
 * Hands back deliveries of one claim untried (their destination is busy): due again at once, and
 * the claim does not count as an attempt. Only rows still under that claim's lease are touched.
 */
export async function releaseWebhooks(core: Core, deliveries: WebhookDelivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  await core.store.autocommit.releaseWebhooks(deliveries.map((d) => d.id), deliveries[0]!.nextAttemptAt, core.clock.now());
}

/**
 * Records one attempt, and its outcome: delivered, retried later with backoff, or given up (a
 * final answer, the last attempt, or a retry that would fall past the retry window).
 */
export async function recordWebhookAttempt(core: Core, d: WebhookDelivery, result: WebhookAttempt, policy: WebhookPolicy): Promise<'delivered' | 'retry' | 'failed'> {
  const now = core.clock.now();
  const record = { at: now, httpStatus: result.httpStatus ?? null, error: result.ok ? null : result.reason };
  const finish = (outcome: Parameters<Core['store']['autocommit']['finishWebhook']>[2]) =>
    core.store.transaction((tx) => tx.finishWebhook(d.id, d.attempts, outcome, record));
  if (result.ok) {
    await finish({ status: 'delivered', nextAttemptAt: now, error: null });
    return 'delivered';
  }
  const retryAt = now + policy.backoffMs(d.attempts);
  if (result.retryable && d.attempts < policy.maxAttempts && retryAt <= d.createdAt + policy.retryWindowMs) {
    await finish({ status: 'pending', nextAttemptAt: retryAt, error: result.reason });
    return 'retry';
  }
  await finish({ status: 'failed', nextAttemptAt: now, error: result.reason });
  return 'failed';
}

/** The account's deliveries (oldest first), for tests and the operator. */
export const listWebhooks = (core: Core, q: { accountId?: number; messageId?: number }): Promise<WebhookDelivery[]> => core.store.autocommit.listWebhooks(q);

/**
 * The HTTP request of one callback, in the format its client expects: a POST of `body` (the
 * default), or a GET carrying `query` (URL-encoded, appended to the callback URL's own query)
 * and no body. The signature covers the body of a POST, the appended query of a GET. `headers`:
 * a format's own (the native format's Standard Webhooks signature).
 */
export type WebhookPayload =
  | { method?: 'POST'; contentType: string; body: string; headers?: Record<string, string> }
  | { method: 'GET'; query: string };

/**
 * Renders deliveries of one format (the dialect that received the callback URL); `core` is there
 * for a format that tells more than the delivery holds (a campaign's totals).
 */
export type WebhookRenderer = (d: WebhookDelivery, core: Core) => WebhookPayload | Promise<WebhookPayload>;
