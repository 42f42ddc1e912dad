import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Dispatcher } from '../../src/dispatch/dispatcher.js';
import { TokenBucket } from '../../src/dispatch/token-bucket.js';
import { buildTransports, inStoreSenders } from '../../src/transports/registry.js';
import { startTestApp } from '../helpers/app.js';
import { FakeClock } from '../helpers/clock.js';
import { allOutbox, eachDialect, phone, scheduleSms, ScriptedTransport } from '../helpers/dispatch.js';

test('a token bucket lets a second\'s worth through at once, then one per interval, in arrival order', async () => {
  const clock = new FakeClock();
  const t0 = clock.now();
  const waits: number[] = [];
  const bucket = new TokenBucket(4, clock, async (at) => {
    waits.push(at - t0);
    clock.set(at);
  });
  for (let i = 0; i < 6; i++) await bucket.take();
  assert.deepEqual(waits, [250, 500], 'four at once, then every 250 ms');
  clock.advance(10_000);
  waits.length = 0;
  for (let i = 0; i < 4; i++) await bucket.take();
  assert.deepEqual(waits, [], 'full again after a quiet spell, but no fuller');
  await bucket.take();
  assert.equal(waits.length, 1);
});

eachDialect('dispatcher rate limits', (dialect) => {
  test('RELAIS_OUTBOX_RATE: the dispatcher sends at most that many per second, by lease, on the core clock', async () => {
    const t = await startTestApp({ dialect, env: { RELAIS_OUTBOX_RATE: '2', RELAIS_TRANSPORT_CONCURRENCY: '1' } });
    // The rate limit waits on the test clock: each wait moves it to the instant the bucket names.
    const transports = buildTransports(t.config.transports, { clock: t.clock, outbox: t.store.autocommit, links: t.core.links });
    // Handed the outbox's in-store delivery as main.ts does: a paced transport must not use it.
    const worker = new Dispatcher(t.core, transports, { ...t.config.dispatch, inStore: inStoreSenders(transports), sleepUntil: async (at) => t.clock.set(Math.max(at, t.clock.now())) });
    try {
      const { id } = await t.account('100');
      const T = t.clock.now() + 60_000;
      for (let i = 0; i < 5; i++) await scheduleSms(t.core, id, [phone(i)], T);
      t.clock.set(T);
      assert.equal(await worker.drain(), 5);
      assert.deepEqual((await allOutbox(t.store)).map((o) => o.sentAt - T), [0, 0, 500, 1000, 1500]);
    } finally {
      await worker.stop();
      await t.close();
    }
  });

  test('a transport that does not answer within half the lease: the send counts as retryable and its slot is freed', async () => {
    let transport: ScriptedTransport | undefined;
    const t = await startTestApp({
      dialect, env: { RELAIS_LEASE_SECONDS: '1' },
      transports: (core) => ({ sms: (transport = new ScriptedTransport(core, (_msg, n) => (n === 1 ? new Promise(() => {}) : undefined))) }),
    });
    try {
      const { id } = await t.account('100');
      const m = await scheduleSms(t.core, id, [phone(1)], t.clock.now() + 60_000);
      t.clock.set(m.sendAt);
      assert.equal(await t.dispatcher.drain(), 1);
      const [r] = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual([r.status, r.attempts, r.error], ['pending', 1, 'transport scripted did not answer in time']);
      t.clock.set((await t.store.autocommit.nextWakeAt())! + 1);
      assert.equal(await t.dispatcher.drain(), 1);
      assert.deepEqual((await t.store.autocommit.getRecipients(m.id)).map((x) => [x.status, x.attempts]), [['sent', 2]]);
      assert.equal(transport!.calls.length, 2);
    } finally {
      await t.close();
    }
  });
});
