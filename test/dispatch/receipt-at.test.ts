import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scheduleMessage } from '../../src/core/schedule.js';
import { startTestApp } from '../helpers/app.js';
import { eachDialect, phone } from '../helpers/dispatch.js';
import { ProviderDouble } from '../helpers/provider.js';

const MIN = 60_000;
const DAY = 86_400_000;

eachDialect('the time a receipt reports', (dialect) => {
  test('a provider\'s `at` is believed within [now − 7 d, now + 5 min], else now; its callback is due, and retried for 24 h, from when Relais heard it', async () => {
    let provider: ProviderDouble | undefined;
    const t = await startTestApp({ dialect, transports: (core) => ({ sms: (provider = new ProviderDouble(core)) }) });
    try {
      const { id: accountId, apiKey } = await t.account('100');
      const { message: m } = await scheduleMessage(t.core, accountId, {
        channel: 'sms', recipients: [phone(1), phone(2), phone(3), phone(4), phone(5)], sendAt: t.clock.now() + MIN,
        content: { channel: 'sms', text: 'hi', sender: null, unicode: false }, callback: { url: 'http://127.0.0.1:9/receipts', format: 'smspartner' },
      });
      t.clock.set(m.sendAt);
      assert.equal(await t.dispatcher.drain(), 1);
      const now = t.clock.now();
      const told = [9e15, now + 365 * DAY, now - 8 * DAY, now - 2 * DAY, now + 4 * MIN];
      const recipients = await t.store.autocommit.getRecipients(m.id);
      for (const [i, r] of recipients.entries()) await provider!.report({ providerId: r.providerId!, status: 'delivered', at: told[i] });
      const settled = await t.store.autocommit.getRecipients(m.id);
      assert.deepEqual(settled.map((r) => [r.status, r.updatedAt]), [now, now, now, now - 2 * DAY, now + 4 * MIN].map((at) => ['delivered', at]));
      for (const path of [`/api/v1/messages/${m.id}`, `/api/v1/messages/${m.id}/recipients`, `/api/v1/messages/${m.id}/events`]) {
        const res = await t.request('GET', path, { key: apiKey });
        assert.equal(res.status, 200, `${path}: ${res.text}`);
      }
      const delivered = (await t.store.autocommit.listWebhooks({ messageId: m.id })).filter((w) => w.event === 'delivered');
      assert.deepEqual(delivered.map((w) => [w.at, w.nextAttemptAt, w.createdAt]),
        [now, now, now, now - 2 * DAY, now + 4 * MIN].map((at) => [at, now, now]), 'due now, the retry window counted from now');
    } finally {
      await t.close();
    }
  });
});
