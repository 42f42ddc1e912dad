import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { composeCore } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { createAccount } from '../../src/core/accounts.js';
import { cancelMessages } from '../../src/core/cancel.js';
import type { Core } from '../../src/core/context.js';
import { claimDue, deliverBatch, sendDueInStore } from '../../src/core/delivery.js';
import type { Store } from '../../src/core/ports.js';
import { recordReceipt } from '../../src/core/receipts.js';
import { scheduleMessage, type ScheduleInput } from '../../src/core/schedule.js';
import { addSuppression } from '../../src/core/suppressions.js';
import type { OutgoingMessage, SendResult } from '../../src/core/transport.js';
import type { DueMessage } from '../../src/core/types.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { OutboxTransport, outboxModule } from '../../src/transports/outbox.js';
import { FakeClock } from '../helpers/clock.js';
import { dialectBlocks, testStore, type TestStore } from '../helpers/store.js';

/**
 * PostgreSQL runs a schedule, a cancel of one message and a send's record as composite statements
 * (DECISIONS §14); a stepwise store runs the same operations as their steps, as SQLite does. The
 * same operations at the same instants on two fresh databases must leave the same rows, ids
 * included: both paths number rows in the same order.
 */
const TABLES = ['accounts', 'messages', 'recipients', 'ledger', 'events', 'webhook_deliveries', 'suppressions', 'outbox', 'provider_ids'] as const;
/** provider_ids has no id of its own. */
const orderOf = (table: (typeof TABLES)[number]): string => (table === 'provider_ids' ? 'recipient_id' : 'id');

const MIN = 60_000;
const sms = (text: string) => ({ channel: 'sms' as const, text, sender: null, unicode: false });
const CALLBACK = { url: 'http://127.0.0.1:9/status', format: 'native' };

function coreOf(store: Store): Core {
  const config = loadConfig({ RELAIS_DATABASE_URL: 'sqlite::memory:', RELAIS_ALLOW_PRIVATE_CALLBACKS: 'true', RELAIS_REFUND_UNDELIVERED: 'true' }, { dotenv: false });
  return composeCore(config, store, { clock: new FakeClock() });
}

const schedule = async (core: Core, accountId: number, input: ScheduleInput): Promise<number> =>
  (await scheduleMessage(core, accountId, input)).message.id;

/** Every operation whose rows the two paths write: schedule, cancel one, bulk cancel, suppression cancel, send, fail, refund, receipt. */
async function scenario(core: Core): Promise<void> {
  const clock = core.clock as FakeClock;
  const now = clock.now();
  const { account: a } = await createAccount(core, { name: 'a', credits: 2_000 });
  const { account: poor } = await createAccount(core, { name: 'poor', credits: 50 });

  const later = now + 60 * MIN;
  const promo = await schedule(core, a.id, {
    channel: 'sms', recipients: ['+33600000001', '+33600000002', '+33600000003'], content: sms('promo'), sendAt: later, tag: 'promo', callback: CALLBACK,
  });
  await schedule(core, a.id, {
    channel: 'sms', recipients: ['+33600000002', '+33600000004'], content: sms('default'), sendAt: later, tag: 'promo',
    recipientContents: [sms('for two'), sms('for four, a longer text that still fits in one segment')], metadata: { campaign: 7 },
  });
  const keyed = await schedule(core, a.id, {
    channel: 'sms', recipients: ['+33600000005', '+33600000006'], content: sms('keyed'), sendAt: later + MIN, idempotencyKey: 'k-1', callback: CALLBACK,
  });
  await schedule(core, a.id, { channel: 'sms', recipients: ['+33600000005', '+33600000006'], content: sms('keyed'), sendAt: later + MIN, idempotencyKey: 'k-1', callback: CALLBACK });
  const soon = await schedule(core, a.id, { channel: 'sms', recipients: ['+33600000007'], content: sms('soon'), sendAt: now + 2000 });
  const lonely = await schedule(core, a.id, { channel: 'sms', recipients: ['+33600000008'], content: sms('lonely'), sendAt: later });
  const mail = await schedule(core, a.id, {
    channel: 'email', recipients: ['one@example.com', 'two@example.com', 'three@example.com'], sendAt: now, callback: CALLBACK,
    content: { channel: 'email', subject: 'hi', text: 'hello', html: null, from: 'shop@example.com', replyTo: null },
  });
  const burst = await schedule(core, a.id, { channel: 'sms', recipients: ['+33600000009', '+33600000010'], content: sms('burst'), sendAt: now, callback: CALLBACK });
  await assert.rejects(schedule(core, poor.id, { channel: 'sms', recipients: ['+33600000001', '+33600000002'], content: sms('short') }), { code: 'insufficient_credits' });

  clock.advance(1000);
  // Cancel one: won, then already cancelled, then too late for a 5-minute cutoff.
  assert.equal((await cancelMessages(core, a.id, { ids: [keyed] })).refund, 90);
  assert.equal((await cancelMessages(core, a.id, { ids: [keyed] })).messages, 0);
  assert.equal((await cancelMessages(core, a.id, { ids: [soon] }, { cutoffMs: 5 * MIN })).messages, 0);

  clock.advance(1000);
  // Suppression cancel: one recipient of each promo message, and the only one of `lonely`, whose
  // cancel then refunds nothing.
  assert.equal((await addSuppression(core, a.id, 'sms', '+33600000002', 'stop')).cancelledRecipients, 2);
  assert.equal((await addSuppression(core, a.id, 'sms', '+33600000008')).cancelledRecipients, 1);
  assert.equal((await cancelMessages(core, a.id, { ids: [lonely] })).refund, 0);

  clock.advance(1000);
  assert.deepEqual((await cancelMessages(core, a.id, { tag: 'promo' })).messages, 2);
  assert.equal((await core.store.autocommit.getMessage(promo))?.status, 'cancelled');

  clock.advance(1000);
  // Send through core as the dispatcher does: the SMS ones in store, in the transaction that takes
  // them (markSent); the e-mails by lease, each recorded on its own (markRecipient), with a retry,
  // a permanent failure and its refund; then receipts for two of the sent ones.
  const outbox = new OutboxTransport(core.store.autocommit, clock, { links: core.links, unsubscribeMailto: null });
  const within = outboxModule.inStore!(outbox)!;
  assert.deepEqual(await sendDueInStore(core, 10, new Map([['sms', within]])), { sent: 2, more: false });
  const at = clock.now();
  const claimed = await claimDue(core, 'worker', 10, MIN);
  assert.deepEqual(claimed.map((m) => m.id), [mail]);
  const send = scripted();
  const deliver = (messages: DueMessage[]) => deliverBatch(core, messages, {
    owner: 'worker', leaseMs: MIN, maxAttempts: 2, backoffMs: () => 1000, send, receiptsFrom: () => ({ name: 'scripted', defaultSender: 'Relais' }),
  });
  assert.deepEqual(await deliver(claimed), [{ retryAt: at + 1000 }]);
  const [one] = await core.store.autocommit.getRecipients(mail);
  // A late record of a send recorded already (a worker whose lease ran out): the conditional mark refuses it.
  assert.equal(await core.store.autocommit.markRecipient(one, { status: 'sent', at, providerId: 'p-9', error: null }, true, { type: 'sent', data: { providerId: 'p-9' } }), false);
  clock.advance(1001);
  assert.deepEqual(await deliver(await claimDue(core, 'worker', 10, MIN)), [{ status: 'partially_failed' }]);
  clock.advance(1000);
  assert.equal(await recordReceipt(core, 'scripted', { providerId: 'p-3', status: 'undelivered', reason: 'bounced' }), 'settled');
  assert.equal(await recordReceipt(core, 'scripted', { providerId: 'p-1', status: 'delivered' }), 'settled');
}

/**
 * A provider's answers, by address and in order: one accepted, two busy then refused for good,
 * three accepted (and later bounced).
 */
function scripted(): (msg: OutgoingMessage) => Promise<SendResult> {
  const answers = new Map<string, SendResult[]>([
    ['one@example.com', [{ ok: true, providerId: 'p-1' }]],
    ['two@example.com', [{ ok: false, retryable: true, reason: 'busy' }, { ok: false, retryable: false, reason: 'unknown mailbox' }]],
    ['three@example.com', [{ ok: true, providerId: 'p-3' }]],
  ]);
  return async (msg) => answers.get(msg.address)?.shift() ?? assert.fail(`no answer left for ${msg.address}`);
}

async function rows(store: Store): Promise<Record<string, unknown[]>> {
  const { db } = store as KyselyStore;
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) out[table] = (await sql`select * from ${sql.table(table)} order by ${sql.ref(orderOf(table))}`.execute(db)).rows;
  return out;
}

dialectBlocks('store: composite statements and their steps leave the same rows', async (dialect): Promise<TestStore[]> =>
  dialect === 'postgres' ? [await testStore(dialect), await testStore(dialect, { stepwise: true })] : [],
async (stores) => {
  for (const s of stores) await s.cleanup();
}, (dialect, get) => {
  test('schedule, cancel one, bulk cancel, suppression cancel, send, fail and refund', { skip: dialect === 'sqlite' && 'SQLite has only the steps' }, async () => {
    const [composite, stepwise] = get().map((s) => s.store);
    // What the comparison is between: core's cancel takes the one-statement path only where it exists.
    assert.equal(typeof composite.autocommit.cancelOne, 'function');
    assert.equal(stepwise.autocommit.cancelOne, undefined);
    await scenario(coreOf(composite));
    await scenario(coreOf(stepwise));
    const [expected, actual] = [await rows(composite), await rows(stepwise)];
    for (const table of TABLES) assert.deepEqual(actual[table], expected[table], `${table}: the stepwise rows differ from the composite ones`);

    // And the rows are the ones the operations must leave, so that two empty tables cannot agree.
    const ledger = expected.ledger as { kind: string; amount: string | number; cause: string }[];
    assert.deepEqual(ledger.map((e) => [e.kind, Number(e.amount), e.cause]), [
      ['topup', 2_000, 'opening balance'], ['topup', 50, 'opening balance'],
      ['debit', -135, 'message 1 scheduled'], ['debit', -90, 'message 2 scheduled'], ['debit', -90, 'message 3 scheduled'],
      ['debit', -45, 'message 4 scheduled'], ['debit', -45, 'message 5 scheduled'], ['debit', -6, 'message 6 scheduled'],
      ['debit', -90, 'message 7 scheduled'],
      ['refund', 90, 'message 3 cancelled'],
      ['refund', 45, 'message 1: +33600000002 suppressed'], ['refund', 45, 'message 2: +33600000002 suppressed'],
      ['refund', 45, 'message 5: +33600000008 suppressed'],
      ['refund', 90, 'message 1 cancelled'], ['refund', 45, 'message 2 cancelled'],
      ['refund', 2, 'message 6: delivery to two@example.com failed'], ['refund', 2, 'message 6: undelivered'],
    ]);
    const balance = (expected.accounts as { id: number | string; balance: number | string }[]).map((r) => Number(r.balance));
    assert.deepEqual(balance, [2_000 - 501 + 364, 50]);
    const callbacks = expected.webhook_deliveries as { event: string; address: string }[];
    assert.deepEqual(callbacks.map((c) => [c.event, c.address]), [
      ['cancelled', '+33600000002'], ['sent', '+33600000009'], ['sent', '+33600000010'],
      ['sent', 'one@example.com'], ['sent', 'three@example.com'], ['failed', 'two@example.com'],
      ['undelivered', 'three@example.com'], ['delivered', 'one@example.com'],
    ]);
    const messages = expected.messages as { status: string }[];
    assert.deepEqual(messages.map((m) => m.status), ['cancelled', 'cancelled', 'cancelled', 'sent', 'cancelled', 'partially_failed', 'sent']);
    const recipients = expected.recipients as { address: string; status: string; provider_id: string | null; attempts: number; error: string | null }[];
    assert.deepEqual(recipients.filter((r) => !r.address.startsWith('+')).map((r) => [r.address, r.status, r.provider_id, r.attempts, r.error]), [
      ['one@example.com', 'delivered', 'p-1', 1, null], ['two@example.com', 'failed', null, 2, 'unknown mailbox'],
      ['three@example.com', 'undelivered', 'p-3', 1, 'bounced'],
    ]);
    const outbox = expected.outbox as { id: number | string; address: string }[];
    assert.deepEqual(outbox.map((o) => o.address), ['+33600000009', '+33600000010', '+33600000007']);
    assert.deepEqual(new Map(recipients.filter((r) => r.provider_id?.startsWith('outbox-')).map((r) => [r.address, r.provider_id])),
      new Map(outbox.map((o) => [o.address, `outbox-${o.id}`])), 'each in-store send carries its outbox row\'s id');
    // What a STOP and the status word read later: the handset and the sender each send went out with.
    assert.deepEqual((expected.provider_ids as { provider_id: string; address: string | null; sender: string | null }[]).map((p) => [p.provider_id, p.address, p.sender]),
      [['p-1', 'one@example.com', 'Relais'], ['p-3', 'three@example.com', 'Relais']]);
    // The receipt's refund is recorded on its recipient, at the instant the ledger books it.
    const refund = (expected.ledger as { cause: string; created_at: number | string }[]).find((e) => e.cause === 'message 6: undelivered')!;
    assert.deepEqual((recipients as unknown as { address: string; refunded_at: number | string | null }[]).filter((r) => !r.address.startsWith('+'))
      .map((r) => [r.address, r.refunded_at === null ? null : Number(r.refunded_at)]),
    [['one@example.com', null], ['two@example.com', null], ['three@example.com', Number(refund.created_at)]]);
  });
});
