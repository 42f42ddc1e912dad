import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Observer } from './core/context.js';

export interface Metrics {
  registry: Registry;
  observer: Observer;
}

/** Prometheus counters of the message lifecycle and the dispatch lateness histogram. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['channel'] as const;
  const scheduled = new Counter({ name: 'relais_recipients_scheduled_total', help: 'Recipients scheduled', labelNames, registers: [registry] });
  const sent = new Counter({ name: 'relais_recipients_sent_total', help: 'Recipients handed to a transport', labelNames, registers: [registry] });
  const cancelled = new Counter({ name: 'relais_recipients_cancelled_total', help: 'Recipients cancelled before dispatch', labelNames, registers: [registry] });
  const failed = new Counter({ name: 'relais_recipients_failed_total', help: 'Recipients that failed permanently', labelNames, registers: [registry] });
  const skipped = new Counter({ name: 'relais_recipients_skipped_total', help: 'Recipients skipped (suppressed)', labelNames, registers: [registry] });
  const messagesScheduled = new Counter({ name: 'relais_messages_scheduled_total', help: 'Messages scheduled', labelNames, registers: [registry] });
  const messagesCancelled = new Counter({ name: 'relais_messages_cancelled_total', help: 'Messages cancelled', labelNames, registers: [registry] });
  const receipts = new Counter({
    name: 'relais_receipts_total', help: 'Delivery receipts: settled a recipient, repeated, or unknown (dropped)', labelNames: ['transport', 'outcome'], registers: [registry],
  });
  const lateness = new Histogram({
    name: 'relais_dispatch_lateness_seconds', help: 'Actual send time minus sendAt', labelNames, registers: [registry],
    buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  });
  return {
    registry,
    observer: {
      scheduled(channel, recipients) { messagesScheduled.inc({ channel }); scheduled.inc({ channel }, recipients); },
      cancelled(channel, recipients) { messagesCancelled.inc({ channel }); cancelled.inc({ channel }, recipients); },
      sent(channel, latenessMs) { sent.inc({ channel }); lateness.observe({ channel }, Math.max(0, latenessMs) / 1000); },
      failed(channel) { failed.inc({ channel }); },
      skipped(channel) { skipped.inc({ channel }); },
      receipt(transport, outcome) { receipts.inc({ transport, outcome }); },
    },
  };
}
