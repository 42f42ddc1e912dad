import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { Core } from '../core/context.js';
import type { WebhookDelivery } from '../core/types.js';
import { claimWebhooks, classifyResponse, recordWebhookAttempt, type WebhookAttempt, type WebhookPolicy, type WebhookRenderer } from '../core/webhooks.js';
import { backoffMs } from './backoff.js';
import { PollingLoop } from './polling-loop.js';

export interface WebhookSenderOptions {
  /** HMAC-SHA256 key of the X-Relais-Signature header; null: callbacks are not signed. */
  secret: string | null;
  timeoutMs: number;
  maxAttempts: number;
  pollIntervalMs: number;
  batchSize?: number;
}

/** `sha256=<hex>` of the exact body bytes, as a receiver recomputes it. */
export const signBody = (secret: string, body: string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/**
 * Drains the status-callback outbox: claims due deliveries under a lease, POSTs each to its URL
 * with a timeout, records the outcome; transient failures come back with backoff. Deliveries
 * are durable rows, so a crash or restart loses none (at-least-once, like the dispatcher).
 */
export class WebhookSender extends PollingLoop {
  readonly policy: WebhookPolicy;

  constructor(
    private readonly core: Core,
    private readonly renderers: Record<string, WebhookRenderer>,
    private readonly opts: WebhookSenderOptions,
    private readonly log?: Logger,
  ) {
    super();
    this.policy = {
      maxAttempts: opts.maxAttempts,
      // Well past one request's timeout: a lease only runs out when its sender died.
      leaseMs: opts.timeoutMs * 2 + 30_000,
      backoffMs: (attempt) => backoffMs(attempt, 5_000, 3_600_000),
    };
  }

  /** Sends everything due at the clock's current instant; returns how many attempts were made. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await claimWebhooks(this.core, this.opts.batchSize ?? 50, this.policy);
      if (batch.length === 0) return total;
      total += batch.length;
      await Promise.all(batch.map((d) => this.deliver(d)));
    }
  }

  private async deliver(d: WebhookDelivery): Promise<void> {
    const render = this.renderers[d.format];
    let result: WebhookAttempt;
    if (!render) {
      result = { ok: false, retryable: false, reason: `no renderer for format "${d.format}"` };
    } else {
      result = await this.post(d, render);
    }
    try {
      const outcome = await recordWebhookAttempt(this.core, d, result, this.policy);
      if (outcome === 'failed') this.log?.warn({ deliveryId: d.id, url: d.url, reason: result.ok ? null : result.reason }, 'status callback given up');
    } catch (err) {
      // The lease runs out and the delivery is claimed again.
      this.log?.error({ err, deliveryId: d.id }, 'recording a status callback failed');
    }
  }

  private async post(d: WebhookDelivery, render: WebhookRenderer): Promise<WebhookAttempt> {
    const payload = render(d);
    const headers: Record<string, string> = {
      'content-type': payload.contentType,
      'user-agent': 'Relais-Webhooks/1',
      'x-relais-delivery': String(d.id),
      'x-relais-event': d.event,
    };
    if (this.opts.secret) headers['x-relais-signature'] = signBody(this.opts.secret, payload.body);
    try {
      // No redirects: a 3xx is the receiver's answer, not an instruction to post elsewhere.
      const res = await fetch(d.url, { method: 'POST', headers, body: payload.body, redirect: 'manual', signal: AbortSignal.timeout(this.opts.timeoutMs) });
      await res.arrayBuffer().catch(() => undefined);
      return classifyResponse(res.status);
    } catch (err) {
      const e = err as Error;
      return { ok: false, retryable: true, reason: e.name === 'TimeoutError' ? `timeout after ${this.opts.timeoutMs} ms` : (e.cause as Error | undefined)?.message ?? e.message };
    }
  }

  protected async run(): Promise<void> {
    while (this.running) {
      this.sleeper.beginRound();
      try {
        await this.drain();
      } catch (err) {
        this.log?.error({ err }, 'status callback round failed');
      }
      if (this.running) await this.sleeper.sleep(this.opts.pollIntervalMs, this.core.clock.now());
    }
  }
}
