import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApp } from '../helpers/app.js';
import { eachDialect, phone, scheduleSms } from '../helpers/dispatch.js';
import { sample } from '../helpers/metrics.js';
import { ProviderDouble } from '../helpers/provider.js';

const MIN = 60_000;

eachDialect('per-transport metrics on /metrics', (dialect) => {
  test('submitted, results by kind, throttled, in flight, receipts by status and their latency, labelled by transport', async () => {
    let provider: ProviderDouble | undefined;
    let inFlightSeen: number | undefined;
    const t = await startTestApp({
      dialect, env: { RELAIS_MAX_ATTEMPTS: '3' },
      transports: (core) => ({
        sms: (provider = new ProviderDouble(core, async (msg) => {
          if (msg.address !== phone(4)) return undefined;
          // Read while this send is in flight: the gauge counts it.
          inFlightSeen = sample(await fetchMetrics(), 'relais_transport_in_flight', 'transport="scripted"');
          return undefined;
        })),
      }),
    });
    const fetchMetrics = async () => (await t.request('GET', '/metrics')).text;
    try {
      const { id } = await t.account('100');
      const m = await scheduleSms(t.core, id, [phone(1), phone(2), phone(3), phone(4)], t.clock.now() + MIN);
      provider!.plan.set(phone(2), [{ ok: false, retryable: true, reason: 'busy' }]);
      provider!.plan.set(phone(3), [{ ok: false, retryable: false, reason: 'unknown number', providerCode: 'E1' }]);
      provider!.throttle();
      t.clock.set(m.sendAt);
      await t.dispatcher.drain();
      t.clock.set((await t.store.autocommit.nextWakeAt())! + 1);
      await t.dispatcher.drain();
      const rs = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual(rs.map((r) => r.status), ['sent', 'sent', 'failed', 'sent']);
      const sentAt = rs[0].sentAt!;
      t.clock.advance(1000);
      await provider!.report({ providerId: rs[0].providerId!, status: 'delivered', at: sentAt + 3000 });
      await provider!.report({ providerId: rs[1].providerId!, status: 'undelivered', at: rs[1].sentAt! + 40_000 });

      const text = await fetchMetrics();
      const of = (name: string, labels = '') => sample(text, name, `transport="scripted"${labels}`);
      assert.equal(of('relais_transport_submitted_total'), 5, 'four recipients, one of them twice');
      assert.equal(of('relais_transport_results_total', ',result="accepted"'), 3);
      assert.equal(of('relais_transport_results_total', ',result="retryable"'), 1);
      assert.equal(of('relais_transport_results_total', ',result="permanent"'), 1);
      assert.equal(of('relais_transport_throttled_total'), 1);
      assert.equal(inFlightSeen, 1);
      assert.equal(of('relais_transport_in_flight'), 0);
      assert.equal(of('relais_receipt_statuses_total', ',status="delivered"'), 1);
      assert.equal(of('relais_receipt_statuses_total', ',status="undelivered"'), 1);
      assert.equal(sample(text, 'relais_receipt_latency_seconds_count', 'transport="scripted"'), 2);
      assert.equal(sample(text, 'relais_receipt_latency_seconds_sum', 'transport="scripted"'), 43);
      assert.equal(sample(text, 'relais_receipt_latency_seconds_bucket', 'le="5",transport="scripted"'), 1);
      assert.equal(sample(text, 'relais_receipt_latency_seconds_bucket', 'le="60",transport="scripted"'), 2);
    } finally {
      await t.close();
    }
  });
});
