import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import type { Core } from '../../src/core/context.js';
import { recordReceipt } from '../../src/core/receipts.js';
import { scheduleMessage } from '../../src/core/schedule.js';
import type { Message } from '../../src/core/types.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { eachDialect, phone, scheduleSms } from '../helpers/dispatch.js';
import { sample } from '../helpers/metrics.js';
import { ProviderDouble } from '../helpers/provider.js';

const MIN = 60_000;
const KEEP_SECONDS = 120;
/** The id both providers give: an SMSC's short decimal counter and an HTTP provider's can meet. */
const SAME_ID = '42';

/** The voice provider: another transport, reporting receipts too. */
class VoiceProvider extends ProviderDouble {
  override readonly name = 'voice-provider';
}

/** SMS through `scripted`, voice through `voice-provider`; both answer every send with SAME_ID. */
async function withTwoProviders(dialect: 'sqlite' | 'postgres', fn: (t: TestApp, accountId: number) => Promise<void>): Promise<void> {
  const t = await startTestApp({
    dialect, env: { RELAIS_RECEIPT_KEEP_SECONDS: String(KEEP_SECONDS) },
    transports: (core) => ({
      sms: new ProviderDouble(core, () => ({ ok: true, providerId: SAME_ID })),
      voice: new VoiceProvider(core, () => ({ ok: true, providerId: SAME_ID })),
    }),
  });
  try {
    await fn(t, (await t.account('100')).id);
  } finally {
    await t.close();
  }
}

async function sendVoice(t: TestApp, accountId: number): Promise<Message> {
  const { message } = await scheduleMessage(t.core, accountId, {
    channel: 'voice', recipients: [phone(2)], sendAt: t.clock.now() + MIN, content: { channel: 'voice', text: 'bonjour', audioUrl: null, sender: null },
  });
  t.clock.set(message.sendAt);
  assert.equal(await t.dispatcher.drain(), 1);
  return message;
}

async function sendSms(t: TestApp, accountId: number): Promise<Message> {
  const m = await scheduleSms(t.core, accountId, [phone(1)], t.clock.now() + MIN);
  t.clock.set(m.sendAt);
  assert.equal(await t.dispatcher.drain(), 1);
  return m;
}

const statusOf = async (t: TestApp, m: Message) => (await t.store.autocommit.getRecipients(m.id)).map((r) => [r.status, r.providerId]);
const receipt = (core: Core, status: 'delivered' | 'undelivered') => ({ providerId: SAME_ID, status, at: core.clock.now() });

eachDialect('receipts are scoped by the transport that gave the provider id', (dialect) => {
  test('a receipt of another transport for an id only SMS used settles nothing and is kept; the same id from SMS\'s transport settles the SMS', async () => {
    await withTwoProviders(dialect, async (t, accountId) => {
      const m = await sendSms(t, accountId);
      assert.equal(await recordReceipt(t.core, 'voice-provider', receipt(t.core, 'undelivered')), 'kept');
      assert.deepEqual(await statusOf(t, m), [['sent', SAME_ID]]);
      t.clock.advance(1000);
      await t.dispatcher.drain();
      assert.deepEqual(await statusOf(t, m), [['sent', SAME_ID]], 'the sweep does not apply it to the SMS either');
      assert.equal(await t.store.autocommit.hasKeptReceipts(), true);

      assert.equal(await recordReceipt(t.core, 'scripted', receipt(t.core, 'delivered')), 'settled');
      assert.deepEqual(await statusOf(t, m), [['delivered', SAME_ID]]);
      // A repeat cannot be told from the early receipt of a send reusing the id: kept too (DECISIONS.md §38).
      assert.equal(await recordReceipt(t.core, 'scripted', receipt(t.core, 'delivered')), 'kept');

      t.clock.advance(KEEP_SECONDS * 1000 + 1);
      await t.dispatcher.drain();
      assert.equal(await t.store.autocommit.hasKeptReceipts(), false, 'the stray one and the repeat expire');
      assert.deepEqual(await statusOf(t, m), [['delivered', SAME_ID]]);
      const metrics = (await t.request('GET', '/metrics')).text;
      const count = (transport: string, outcome: string) => sample(metrics, 'relais_receipts_total', `transport="${transport}",outcome="${outcome}"`);
      assert.deepEqual([count('voice-provider', 'unknown'), count('scripted', 'repeated'), count('scripted', 'unknown')], [1, 1, undefined]);
    });
  });

  test('a receipt kept for one transport is applied to that transport\'s send with the id, never to another\'s', async () => {
    await withTwoProviders(dialect, async (t, accountId) => {
      assert.equal(await recordReceipt(t.core, 'voice-provider', receipt(t.core, 'delivered')), 'kept');
      const sms = await sendSms(t, accountId);
      assert.deepEqual(await statusOf(t, sms), [['sent', SAME_ID]], 'the SMS\'s record does not take the voice provider\'s receipt');
      const voice = await sendVoice(t, accountId);
      assert.deepEqual(await statusOf(t, voice), [['delivered', SAME_ID]], 'the call\'s record takes it');
      assert.equal(await t.store.autocommit.hasKeptReceipts(), false);
      assert.deepEqual(await statusOf(t, sms), [['sent', SAME_ID]]);
    });
  });

  test('the sweep applies a kept receipt to its own transport\'s send only', async () => {
    await withTwoProviders(dialect, async (t, accountId) => {
      const sms = await sendSms(t, accountId);
      const voice = await sendVoice(t, accountId);
      // What READ COMMITTED allows: each receipt's transaction saw no send and kept it, the sends' saw nothing kept.
      await t.store.autocommit.keepReceipt({ transport: 'voice-provider', receipt: receipt(t.core, 'undelivered'), keptAt: t.clock.now() });
      t.clock.advance(1000);
      await t.dispatcher.drain();
      assert.deepEqual(await statusOf(t, voice), [['undelivered', SAME_ID]]);
      assert.deepEqual(await statusOf(t, sms), [['sent', SAME_ID]]);
      assert.equal(await t.store.autocommit.hasKeptReceipts(), false);
    });
  });

  test('a provider id remembered before migration 0014 (no transport) is matched by any transport', async () => {
    await withTwoProviders(dialect, async (t, accountId) => {
      const m = await sendSms(t, accountId);
      await sql`update provider_ids set transport = null`.execute((t.store as KyselyStore).db);
      assert.equal(await recordReceipt(t.core, 'voice-provider', receipt(t.core, 'delivered')), 'settled');
      assert.deepEqual(await statusOf(t, m), [['delivered', SAME_ID]]);
    });
  });
});
