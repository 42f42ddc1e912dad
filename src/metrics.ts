import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Observer } from './core/context.js';

export interface Metrics {
  registry: Registry;
  observer: Observer;
}

/** Prometheus counters of the message lifecycle, the dispatch lateness histogram, and each transport's sends and receipts. */
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
    name: 'relais_receipts_total', help: 'Delivery receipts: settled a recipient, repeated, kept for a send not recorded yet, unknown or unreadable (dropped)',
    labelNames: ['transport', 'outcome'], registers: [registry],
  });
  const lateness = new Histogram({
    name: 'relais_dispatch_lateness_seconds', help: 'Actual send time minus sendAt', labelNames, registers: [registry],
    buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  });
  const byTransport = ['transport'] as const;
  const submitted = new Counter({ name: 'relais_transport_submitted_total', help: 'Recipients handed to a transport by the dispatcher, retries included', labelNames: byTransport, registers: [registry] });
  const answered = new Counter({
    name: 'relais_transport_results_total', help: 'Transport answers per recipient: accepted, retryable or permanent', labelNames: ['transport', 'result'], registers: [registry],
  });
  const throttled = new Counter({ name: 'relais_transport_throttled_total', help: 'Times a provider asked its transport to slow down', labelNames: byTransport, registers: [registry] });
  const inFlight = new Gauge({ name: 'relais_transport_in_flight', help: 'Recipients handed to a transport and not answered yet', labelNames: byTransport, registers: [registry] });
  const settled = new Counter({
    name: 'relais_receipt_statuses_total', help: 'Recipients settled by a delivery receipt, by status', labelNames: ['transport', 'status'], registers: [registry],
  });
  const receiptLatency = new Histogram({
    name: 'relais_receipt_latency_seconds', help: 'Instant of a delivery receipt minus the send of its recipient', labelNames: byTransport, registers: [registry],
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 14_400, 86_400],
  });
  const inbound = new Counter({
    name: 'relais_inbound_total', help: 'Mobile-originated messages: a STOP applied, unattributed or ambiguous, another text, or a long one dropped incomplete', labelNames: ['transport', 'outcome'], registers: [registry],
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
      settled(transport, status, latencyMs) { settled.inc({ transport, status }); receiptLatency.observe({ transport }, Math.max(0, latencyMs) / 1000); },
      submitting(transport, delta) {
        if (delta > 0) submitted.inc({ transport });
        inFlight.inc({ transport }, delta);
      },
      answered(transport, result) { answered.inc({ transport, result }); },
      throttled(transport) { throttled.inc({ transport }); },
      inbound(transport, outcome) { inbound.inc({ transport, outcome }); },
    },
  };
}
