import type { Core } from './context.js';
import { RelaisError } from './errors.js';
import type { WebhookDelivery } from './types.js';

/** Status callbacks: what counts as a valid URL, and when a failed delivery is tried again. */

export interface WebhookPolicy {
  maxAttempts: number;
  /** How long a claimed delivery stays with its sender before another may take it (longer than a request's timeout). */
  leaseMs: number;
  /** Delay before attempt number `attempt + 1`. */
  backoffMs(attempt: number): number;
}

export type WebhookAttempt = { ok: true } | { ok: false; retryable: boolean; reason: string };

/** A callback URL: absolute http(s), no credentials in it (they would end up in logs). */
export function validateCallbackUrl(url: string, field = 'callbackUrl'): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RelaisError('invalid_request', `${field} is not an absolute URL`, { field });
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.username || parsed.password || url.length > 2000) {
    throw new RelaisError('invalid_request', `${field} must be an http(s) URL without credentials, at most 2000 characters`, { field });
  }
  return url;
}

/** Timeouts, network errors, 5xx, 408 and 429 are worth another try; any other non-2xx answer is final. */
export function classifyResponse(status: number): WebhookAttempt {
  if (status >= 200 && status < 300) return { ok: true };
  return { ok: false, retryable: status >= 500 || status === 408 || status === 429, reason: `HTTP ${status}` };
}

/** Claims due deliveries under a lease; each claim counts as one attempt. */
export function claimWebhooks(core: Core, limit: number, policy: WebhookPolicy): Promise<WebhookDelivery[]> {
  const now = core.clock.now();
  return core.store.transaction((tx) => tx.claimWebhooks(now, limit, now + policy.leaseMs));
}

/** Records one attempt: delivered, retried later with backoff, or given up after the last attempt. */
export async function recordWebhookAttempt(core: Core, d: WebhookDelivery, result: WebhookAttempt, policy: WebhookPolicy): Promise<'delivered' | 'retry' | 'failed'> {
  const now = core.clock.now();
  if (result.ok) {
    await core.store.read.finishWebhook(d.id, d.attempts, { status: 'delivered', nextAttemptAt: now, error: null });
    return 'delivered';
  }
  if (result.retryable && d.attempts < policy.maxAttempts) {
    await core.store.read.finishWebhook(d.id, d.attempts, { status: 'pending', nextAttemptAt: now + policy.backoffMs(d.attempts), error: result.reason });
    return 'retry';
  }
  await core.store.read.finishWebhook(d.id, d.attempts, { status: 'failed', nextAttemptAt: now, error: result.reason });
  return 'failed';
}

/** The account's deliveries (oldest first), for tests and the operator. */
export const listWebhooks = (core: Core, q: { accountId?: number; messageId?: number }): Promise<WebhookDelivery[]> => core.store.read.listWebhooks(q);

/** The HTTP body of one callback, in the format its client expects. */
export interface WebhookPayload {
  contentType: string;
  body: string;
}

/** Renders deliveries of one format (the dialect that received the callback URL). */
export type WebhookRenderer = (d: WebhookDelivery) => WebhookPayload;
