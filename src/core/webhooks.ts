import type { Core } from './context.js';
import type { WebhookDelivery } from './types.js';

/** Status callbacks: when a failed delivery is tried again (which URLs may be called: callback-url.ts). */

export interface WebhookPolicy {
  maxAttempts: number;
  /** How long a claimed delivery stays with its sender before another may take it (longer than a request's timeout). */
  leaseMs: number;
  /** Delay before attempt number `attempt + 1`. */
  backoffMs(attempt: number): number;
}

export type WebhookAttempt = { ok: true } | { ok: false; retryable: boolean; reason: string };

/** Timeouts, network errors, 5xx, 408 and 429 are worth another try; any other non-2xx answer is final. */
export function classifyResponse(status: number): WebhookAttempt {
  if (status >= 200 && status < 300) return { ok: true };
  return { ok: false, retryable: status >= 500 || status === 408 || status === 429, reason: `HTTP ${status}` };
}

/**
 * Claims due deliveries under a lease, leaving out those whose URL starts with one of `skip` (the
 * origins of busy destinations); each claim counts as one attempt.
 */
export function claimWebhooks(core: Core, limit: number, policy: WebhookPolicy, skip: string[] = []): Promise<WebhookDelivery[]> {
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

/** Records one attempt: delivered, retried later with backoff, or given up after the last attempt. */
export async function recordWebhookAttempt(core: Core, d: WebhookDelivery, result: WebhookAttempt, policy: WebhookPolicy): Promise<'delivered' | 'retry' | 'failed'> {
  const now = core.clock.now();
  if (result.ok) {
    await core.store.autocommit.finishWebhook(d.id, d.attempts, { status: 'delivered', nextAttemptAt: now, error: null });
    return 'delivered';
  }
  if (result.retryable && d.attempts < policy.maxAttempts) {
    await core.store.autocommit.finishWebhook(d.id, d.attempts, { status: 'pending', nextAttemptAt: now + policy.backoffMs(d.attempts), error: result.reason });
    return 'retry';
  }
  await core.store.autocommit.finishWebhook(d.id, d.attempts, { status: 'failed', nextAttemptAt: now, error: result.reason });
  return 'failed';
}

/** The account's deliveries (oldest first), for tests and the operator. */
export const listWebhooks = (core: Core, q: { accountId?: number; messageId?: number }): Promise<WebhookDelivery[]> => core.store.autocommit.listWebhooks(q);

/**
 * The HTTP request of one callback, in the format its client expects: a POST of `body` (the
 * default), or a GET carrying `query` (URL-encoded, appended to the callback URL's own query)
 * and no body. The signature covers the body of a POST, the appended query of a GET.
 */
export type WebhookPayload =
  | { method?: 'POST'; contentType: string; body: string }
  | { method: 'GET'; query: string };

/**
 * Renders deliveries of one format (the dialect that received the callback URL); `core` is there
 * for a format that tells more than the delivery holds (a campaign's totals).
 */
export type WebhookRenderer = (d: WebhookDelivery, core: Core) => WebhookPayload | Promise<WebhookPayload>;
