import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NewMessage, Store } from '../../src/core/ports.js';
import type { Account, Message } from '../../src/core/types.js';
import { dialectSuite } from '../helpers/store.js';

const T = Date.UTC(2031, 0, 1, 12, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

async function account(store: Store, name: string): Promise<Account> {
  return store.autocommit.createAccount({ name, parentId: null, currency: 'EUR', createdAt: T });
}

function newMessage(accountId: number, over: Partial<NewMessage> & { to?: string[]; each?: number } = {}): NewMessage {
  const { to = ['+33600000001'], each = 45, ...rest } = over;
  return {
    accountId,
    channel: 'sms',
    sendAt: T + DAY,
    createdAt: T,
    tag: null,
    batchId: null,
    idempotencyKey: null,
    requestHash: null,
    metadata: null,
    content: { channel: 'sms', text: 'hello', sender: null, unicode: false },
    units: 1,
    price: each * to.length,
    recipients: to.map((address) => ({ address, price: each })),
    ...rest,
  };
}

const insert = (store: Store, m: NewMessage): Promise<Message> => store.transaction((tx) => tx.insertMessage(m));
const ids = (rows: { id: number }[]): number[] => rows.map((r) => r.id).sort((a, b) => a - b);

dialectSuite('store: accounts, messages, cancel, recipients, suppressions, outbox', ({ getStore }) => {
  test('ledger: balance moves with each entry, equals the ledger sum, and never goes below the floor', async () => {
    const store = getStore();
    const acc = await account(store, 'ledger');
    assert.deepEqual(acc, {
      id: acc.id, name: 'ledger', parentId: null, currency: 'EUR', balance: 0, defaultSender: null, createdAt: T,
    });
    assert.equal(typeof acc.id, 'number');

    const topup = await store.transaction((tx) => tx.applyLedgerEntry({
      accountId: acc.id, kind: 'topup', amount: 100_000, messageId: null, cause: 'initial', createdAt: T,
    }));
    assert.ok(topup);
    assert.deepEqual(topup, {
      id: topup.id, accountId: acc.id, kind: 'topup', amount: 100_000, balanceAfter: 100_000, messageId: null, cause: 'initial', createdAt: T,
    });

    const debit = await store.transaction((tx) => tx.applyLedgerEntry({
      accountId: acc.id, kind: 'debit', amount: -45, messageId: 7, cause: 'sms', createdAt: T + 1,
    }, 0));
    assert.ok(debit);
    assert.equal(debit.amount, -45);
    assert.equal(debit.balanceAfter, 99_955);
    assert.equal(debit.messageId, 7);
    assert.equal((await store.autocommit.getAccount(acc.id))?.balance, 99_955);
    assert.equal(await store.autocommit.sumLedger(acc.id), 99_955);

    // One credit more than the balance: refused, nothing written.
    const refused = await store.transaction((tx) => tx.applyLedgerEntry({
      accountId: acc.id, kind: 'debit', amount: -99_956, messageId: null, cause: 'too much', createdAt: T + 2,
    }, 0));
    assert.equal(refused, undefined);
    assert.equal((await store.autocommit.getAccount(acc.id))?.balance, 99_955);
    assert.equal(await store.autocommit.sumLedger(acc.id), 99_955);
    assert.deepEqual(ids(await store.autocommit.listLedger(acc.id, { limit: 10 })), [topup.id, debit.id]);

    // A rolled-back transaction leaves balance and ledger as they were.
    await assert.rejects(store.transaction(async (tx) => {
      await tx.applyLedgerEntry({ accountId: acc.id, kind: 'debit', amount: -5, messageId: null, cause: 'rollback', createdAt: T + 3 }, 0);
      throw new Error('boom');
    }), /boom/);
    assert.equal((await store.autocommit.getAccount(acc.id))?.balance, 99_955);
    assert.equal(await store.autocommit.sumLedger(acc.id), 99_955);

    // Exactly down to the floor is allowed.
    const all = await store.autocommit.applyLedgerEntry({
      accountId: acc.id, kind: 'debit', amount: -99_955, messageId: null, cause: 'all', createdAt: T + 4,
    }, 0);
    assert.equal(all?.balanceAfter, 0);
    assert.equal((await store.autocommit.getAccount(acc.id))?.balance, 0);
    assert.equal(await store.autocommit.sumLedger(acc.id), 0);

    const ledger = await store.autocommit.listLedger(acc.id, { limit: 10 });
    assert.deepEqual(ledger.map((e) => [e.kind, e.amount, e.balanceAfter]), [['debit', -99_955, 0], ['debit', -45, 99_955], ['topup', 100_000, 100_000]]);
    assert.deepEqual(await store.autocommit.listLedger(acc.id, { limit: 1, beforeId: ledger[0].id }), [ledger[1]]);
    assert.equal(await store.autocommit.sumLedger((await account(store, 'empty ledger')).id), 0);
  });

  test('insertMessage round-trips message and recipients; ids come from one sequence across accounts', async () => {
    const store = getStore();
    const a = await account(store, 'msg-a');
    const b = await account(store, 'msg-b');
    const content = { channel: 'sms', text: 'Bonjour ünïcødé € 👋', sender: 'RELAIS', unicode: true } as const;
    const metadata = { campaign: 'spring', nested: { n: 1, ok: true }, list: [1, 'two', null] };
    const m1 = await insert(store, newMessage(a.id, {
      to: ['+33600000001', '+33600000002', '+33600000003'], each: 90, units: 2, sendAt: T + HOUR,
      tag: 'promo', batchId: 'batch-1', metadata, content,
    }));
    assert.deepEqual(m1, {
      id: m1.id, accountId: a.id, channel: 'sms', status: 'scheduled', sendAt: T + HOUR, createdAt: T, updatedAt: T,
      tag: 'promo', batchId: 'batch-1', idempotencyKey: null, metadata, content, units: 2, price: 270, recipientCount: 3,
      dispatchedAt: null, completedAt: null, cancelledAt: null,
    });
    assert.deepEqual(await store.autocommit.getMessage(m1.id), m1);

    const recipients = await store.autocommit.getRecipients(m1.id);
    assert.deepEqual(recipients.map(({ id: _id, ...r }) => r), ['+33600000001', '+33600000002', '+33600000003'].map((address) => ({
      messageId: m1.id, address, status: 'pending', price: 90, providerId: null, error: null, attempts: 0, sentAt: null, updatedAt: T,
    })));
    assert.ok(recipients[0].id < recipients[1].id && recipients[1].id < recipients[2].id);
    assert.deepEqual(await store.autocommit.recipientsOf([m1.id]), recipients);

    const mb = await insert(store, newMessage(b.id, { channel: 'email', content: { channel: 'email', subject: 'S', text: null, html: '<p>x</p>', from: null, replyTo: 'r@example.test' }, to: ['x@example.test'] }));
    const m2 = await insert(store, newMessage(a.id));
    assert.equal(mb.id, m1.id + 1);
    assert.equal(m2.id, mb.id + 1);
    assert.equal((await store.autocommit.getMessage(mb.id))?.accountId, b.id);
    assert.deepEqual((await store.autocommit.recipientsOf([m2.id, m1.id])).map((r) => r.messageId), [m1.id, m1.id, m1.id, m2.id]);
    assert.deepEqual((await store.autocommit.getMessage(mb.id))?.content, { channel: 'email', subject: 'S', text: null, html: '<p>x</p>', from: null, replyTo: 'r@example.test' });
    assert.equal((await store.autocommit.getMessage(m2.id))?.metadata, null);
    assert.equal(await store.autocommit.getMessage(m2.id + 1000), undefined);
    assert.deepEqual(ids(await store.autocommit.listMessages({ accountId: a.id }, { limit: 10 })), [m1.id, m2.id]);
  });

  test('idempotency key is unique per account; findMessageByIdempotencyKey returns the request hash', async () => {
    const store = getStore();
    const a = await account(store, 'idem-a');
    const b = await account(store, 'idem-b');
    const ma = await insert(store, newMessage(a.id, { idempotencyKey: 'k-1', requestHash: 'hash-a' }));
    await assert.rejects(insert(store, newMessage(a.id, { idempotencyKey: 'k-1', requestHash: 'hash-other' })));
    const mb = await insert(store, newMessage(b.id, { idempotencyKey: 'k-1', requestHash: 'hash-b' }));
    // Messages without a key never collide.
    await insert(store, newMessage(a.id));
    await insert(store, newMessage(a.id));

    assert.deepEqual(await store.autocommit.findMessageByIdempotencyKey(a.id, 'k-1'), { message: ma, requestHash: 'hash-a' });
    assert.deepEqual(await store.autocommit.findMessageByIdempotencyKey(b.id, 'k-1'), { message: mb, requestHash: 'hash-b' });
    assert.equal(ma.idempotencyKey, 'k-1');
    assert.equal(await store.autocommit.findMessageByIdempotencyKey(a.id, 'k-2'), undefined);
    const listed = await store.autocommit.listMessages({ accountId: a.id }, { limit: 10 });
    assert.equal(listed.length, 3);
    assert.equal(listed.filter((m) => m.idempotencyKey === 'k-1').length, 1);
  });

  test('cancelOne (PostgreSQL) cancels, releases, refunds in one entry and logs, all at once; nothing when it does not match', async () => {
    const store = getStore();
    const cancelOne = store.autocommit.cancelOne;
    // SQLite has no round trips to save: core cancels one message as any selection, in a transaction.
    if (store.kind === 'sqlite') return assert.equal(cancelOne, undefined);
    assert.ok(cancelOne);
    const a = await account(store, 'cancel-one');
    const b = await account(store, 'cancel-one-b');
    await store.autocommit.applyLedgerEntry({ accountId: a.id, kind: 'topup', amount: 1000, messageId: null, cause: 'top-up', createdAt: T });
    const m = await insert(store, newMessage(a.id, { sendAt: T + HOUR, to: ['+33600000031', '+33600000032', '+33600000033'], each: 40 }));
    const [r1, r2, r3] = await store.autocommit.getRecipients(m.id);
    await store.autocommit.updatePendingRecipient(r2.id, { status: 'sent', at: T, providerId: 'p' });
    const ask = (over: Partial<Parameters<typeof cancelOne>[0]> = {}) => cancelOne({
      accountId: a.id, messageId: m.id, minSendAt: T + 5 * MIN, now: T + 1, eventType: 'cancelled', refundCause: (id) => `message ${id} cancelled`, ...over,
    });
    assert.equal(await ask({ accountId: b.id }), undefined, 'another account');
    assert.equal(await ask({ minSendAt: T + HOUR + 1 }), undefined, 'due too soon');
    const done = await ask();
    assert.deepEqual(done, {
      message: { ...m, status: 'cancelled', cancelledAt: T + 1, updatedAt: T + 1 },
      released: [r1, r3].map((r) => ({ id: r.id, messageId: m.id, accountId: a.id, address: r.address, price: 40 })),
    });
    assert.equal(await ask(), undefined, 'once');
    assert.deepEqual((await store.autocommit.getRecipients(m.id)).map((r) => r.status), ['cancelled', 'sent', 'cancelled']);
    const [refund] = await store.autocommit.listLedger(a.id, { limit: 1 });
    assert.deepEqual([refund.kind, refund.amount, refund.balanceAfter, refund.messageId, refund.cause, refund.createdAt],
      ['refund', 80, 1080, m.id, `message ${m.id} cancelled`, T + 1]);
    assert.equal(await store.autocommit.sumLedger(a.id), (await store.autocommit.getAccount(a.id))!.balance);
    assert.deepEqual((await store.autocommit.getEvents(m.id)).map((e) => [e.type, e.recipientId, e.at, e.data]), [['cancelled', null, T + 1, null]]);
  });

  test('cancelMessages changes only scheduled rows of the account with send_at >= minSendAt (inclusive)', async () => {
    const store = getStore();
    const a = await account(store, 'cancel-a');
    const b = await account(store, 'cancel-b');
    const now = T;
    const minSendAt = now + 5 * MIN;
    const past = await insert(store, newMessage(a.id, { sendAt: now - MIN }));
    const inCutoff = await insert(store, newMessage(a.id, { sendAt: now + 2 * MIN }));
    const boundary = await insert(store, newMessage(a.id, { sendAt: minSendAt }));
    const far = await insert(store, newMessage(a.id, { sendAt: now + 30 * DAY, tag: 't' }));
    const already = await insert(store, newMessage(a.id, { sendAt: now + DAY }));
    const other = await insert(store, newMessage(b.id, { sendAt: now + 30 * DAY }));

    const first = await store.transaction((tx) => tx.cancelMessages({ accountId: a.id, ids: [already.id] }, 0, now - 1000));
    assert.deepEqual(ids(first), [already.id]);
    assert.equal(first[0].status, 'cancelled');
    assert.equal(first[0].cancelledAt, now - 1000);

    const snapshot = new Map<number, Message | undefined>();
    for (const m of [past, inCutoff, already, other]) snapshot.set(m.id, await store.autocommit.getMessage(m.id));

    // Another account's id in the filter is not reachable.
    assert.deepEqual(await store.transaction((tx) => tx.cancelMessages({ accountId: a.id, ids: [other.id] }, 0, now)), []);
    // One id with another selector: both must match.
    for (const narrower of [{ tag: 'u' }, { tag: undefined, batchId: 'b' }, { channel: 'email' as const }, { sendAtTo: far.sendAt }]) {
      assert.deepEqual(await store.transaction((tx) => tx.cancelMessages({ accountId: a.id, ids: [far.id], ...narrower }, 0, now)), [], JSON.stringify(narrower));
    }

    const won = await store.transaction((tx) => tx.cancelMessages({ accountId: a.id }, minSendAt, now));
    assert.deepEqual(ids(won), [boundary.id, far.id]);
    for (const m of won) {
      assert.equal(m.status, 'cancelled');
      assert.equal(m.cancelledAt, now);
      assert.equal(m.updatedAt, now);
      assert.deepEqual(await store.autocommit.getMessage(m.id), m);
    }
    for (const [id, before] of snapshot) assert.deepEqual(await store.autocommit.getMessage(id), before, `message ${id} must be untouched`);
    assert.equal((await store.autocommit.getMessage(past.id))?.status, 'scheduled');
    assert.equal((await store.autocommit.getMessage(inCutoff.id))?.status, 'scheduled');
    assert.equal((await store.autocommit.getMessage(other.id))?.status, 'scheduled');
    assert.equal((await store.autocommit.getMessage(already.id))?.cancelledAt, now - 1000);

    // Nobody wins twice.
    assert.deepEqual(await store.transaction((tx) => tx.cancelMessages({ accountId: a.id }, minSendAt, now + 1)), []);

    // One millisecond before the boundary loses; at the boundary wins.
    const edge = await insert(store, newMessage(a.id, { sendAt: now + 10 * MIN }));
    assert.deepEqual(await store.transaction((tx) => tx.cancelMessages({ accountId: a.id, ids: [edge.id] }, now + 10 * MIN + 1, now)), []);
    assert.deepEqual(ids(await store.transaction((tx) => tx.cancelMessages({ accountId: a.id, ids: [edge.id] }, now + 10 * MIN, now))), [edge.id]);
  });

  test('markSent records the sends of still-pending recipients, with provider ids and sent events, once', async () => {
    const store = getStore();
    const a = await account(store, 'mark-sent');
    const m = await insert(store, newMessage(a.id, { to: ['+33600000021', '+33600000022', '+33600000023'], each: 50 }));
    const [r1, r2, r3] = await store.autocommit.getRecipients(m.id);
    await store.autocommit.releaseRecipient(r3.id, 'skipped', T + 1, 'suppressed');
    const sends = [r1, r2, r3].map((r, i) => ({ id: r.id, messageId: m.id, providerId: `p-${i + 1}` }));
    const won = await store.transaction((tx) => tx.markSent(sends, T + 7));
    assert.deepEqual([...won].sort((x, y) => x - y), [r1.id, r2.id]);
    const rs = await store.autocommit.getRecipients(m.id);
    assert.deepEqual(rs.map((r) => [r.status, r.providerId, r.sentAt, r.attempts, r.updatedAt]),
      [['sent', 'p-1', T + 7, 1, T + 7], ['sent', 'p-2', T + 7, 1, T + 7], ['skipped', null, null, 0, T + 1]]);
    const sent = () => store.autocommit.getEvents(m.id).then((es) => es.filter((e) => e.type === 'sent').map((e) => [e.recipientId, e.at, e.data]));
    assert.deepEqual(await sent(), [[r1.id, T + 7, { providerId: 'p-1' }], [r2.id, T + 7, { providerId: 'p-2' }]]);
    assert.deepEqual(await store.autocommit.markSent(sends, T + 8), []);
    assert.equal((await sent()).length, 2);
  });

  test('updatePendingRecipient / releasePendingRecipients / releaseRecipient only act on pending recipients, once', async () => {
    const store = getStore();
    const a = await account(store, 'recipients');
    const m = await insert(store, newMessage(a.id, { to: ['+33600000011', '+33600000012', '+33600000013'], each: 50 }));
    const [r1, r2, r3] = await store.autocommit.getRecipients(m.id);

    assert.equal(await store.autocommit.updatePendingRecipient(r1.id, { status: 'sent', at: T + 5, providerId: 'prov-1' }, true), true);
    assert.equal(await store.autocommit.updatePendingRecipient(r1.id, { status: 'failed', at: T + 6, error: 'late' }, true), false);
    const sent = (await store.autocommit.getRecipients(m.id))[0];
    assert.deepEqual(sent, { ...r1, status: 'sent', providerId: 'prov-1', sentAt: T + 5, attempts: 1, updatedAt: T + 5 });

    const released = await store.transaction((tx) => tx.releasePendingRecipients([m.id], 'cancelled', T + 10, 'cancelled by user'));
    assert.deepEqual(released.sort((x, y) => x.id - y.id), [r2, r3].map((r) => ({ id: r.id, messageId: m.id, accountId: a.id, address: r.address, price: 50 })));
    assert.deepEqual(await store.transaction((tx) => tx.releasePendingRecipients([m.id], 'cancelled', T + 11)), []);
    const after = await store.autocommit.getRecipients(m.id);
    assert.deepEqual(after[0], sent);
    for (const r of after.slice(1)) {
      assert.equal(r.status, 'cancelled');
      assert.equal(r.error, 'cancelled by user');
      assert.equal(r.updatedAt, T + 10);
    }
    assert.equal(await store.autocommit.updatePendingRecipient(r2.id, { status: 'sent', at: T + 12 }), false);
    assert.deepEqual(await store.autocommit.markSent([{ id: r2.id, messageId: m.id, providerId: 'late' }], T + 12), []);
    assert.equal(await store.autocommit.releaseRecipient(r1.id, 'failed', T + 12, 'x'), undefined);
    assert.deepEqual((await store.autocommit.recipientsOf([m.id])).filter((r) => r.status === 'pending'), []);

    const m2 = await insert(store, newMessage(a.id, { to: ['+33600000014'], each: 30 }));
    const [q] = await store.autocommit.getRecipients(m2.id);
    assert.deepEqual(await store.autocommit.releaseRecipient(q.id, 'skipped', T + 20, 'suppressed'),
      { id: q.id, messageId: m2.id, accountId: a.id, address: '+33600000014', price: 30 });
    assert.equal(await store.autocommit.releaseRecipient(q.id, 'failed', T + 21, 'again'), undefined);
    const final = (await store.autocommit.getRecipients(m2.id))[0];
    assert.equal(final.status, 'skipped');
    assert.equal(final.error, 'suppressed');
    assert.deepEqual(await store.transaction((tx) => tx.releasePendingRecipients([], 'failed', T)), []);
  });

  test('suppressions: add is idempotent, remove, suppressedAmong per account and channel', async () => {
    const store = getStore();
    const a = await account(store, 'supp-a');
    const b = await account(store, 'supp-b');
    const phone = '+33600000021';
    assert.equal(await store.autocommit.addSuppression({ accountId: a.id, channel: 'sms', address: phone, reason: 'STOP', createdAt: T }), true);
    assert.equal(await store.autocommit.addSuppression({ accountId: a.id, channel: 'sms', address: phone, reason: 'again', createdAt: T + 1 }), false);
    assert.equal(await store.autocommit.addSuppression({ accountId: a.id, channel: 'email', address: 'x@example.test', reason: null, createdAt: T + 2 }), true);
    assert.equal(await store.autocommit.addSuppression({ accountId: b.id, channel: 'sms', address: phone, reason: null, createdAt: T }), true);

    assert.deepEqual(await store.autocommit.listSuppressions(a.id, 'sms'), [{ accountId: a.id, channel: 'sms', address: phone, reason: 'STOP', createdAt: T }]);
    assert.equal((await store.autocommit.listSuppressions(a.id)).length, 2);
    assert.deepEqual([...await store.autocommit.suppressedAmong(a.id, 'sms', [phone, '+33600000022'])], [phone]);
    assert.deepEqual([...await store.autocommit.suppressedAmong(a.id, 'email', [phone])], []);
    assert.deepEqual([...await store.autocommit.suppressedAmong(a.id, 'sms', [])], []);

    assert.equal(await store.autocommit.removeSuppression(a.id, 'sms', phone), true);
    assert.equal(await store.autocommit.removeSuppression(a.id, 'sms', phone), false);
    assert.deepEqual([...await store.autocommit.suppressedAmong(a.id, 'sms', [phone])], []);
    assert.deepEqual([...await store.autocommit.suppressedAmong(b.id, 'sms', [phone])], [phone]);
    assert.equal(await store.autocommit.addSuppression({ accountId: a.id, channel: 'sms', address: phone, reason: 'STOP 2', createdAt: T + 3 }), true);
  });

  test('outbox: insert and list newest first, with filters and paging', async () => {
    const store = getStore();
    const a = await account(store, 'outbox-a');
    const b = await account(store, 'outbox-b');
    const m1 = await insert(store, newMessage(a.id, { to: ['+33600000031', '+33600000032'] }));
    const m2 = await insert(store, newMessage(a.id));
    const mb = await insert(store, newMessage(b.id));
    const [r11, r12] = await store.autocommit.getRecipients(m1.id);
    const [r2] = await store.autocommit.getRecipients(m2.id);
    const [rb] = await store.autocommit.getRecipients(mb.id);
    const entry = (m: Message, r: { id: number; address: string }, sentAt: number) => ({
      accountId: m.accountId, messageId: m.id, recipientId: r.id, channel: m.channel, address: r.address,
      rendered: { to: r.address, text: 'hello', parts: [1, 2], meta: { x: null } }, sentAt,
    });
    const [e1] = await store.autocommit.insertOutbox([entry(m1, r11, T + 1)]);
    const [e2, e3] = await store.autocommit.insertOutbox([entry(m1, r12, T + 2), entry(m2, r2, T + 3)]);
    const [eb] = await store.autocommit.insertOutbox([entry(mb, rb, T + 4)]);
    assert.deepEqual(e1, { id: e1.id, ...entry(m1, r11, T + 1) });
    assert.deepEqual([e2, e3], [{ id: e2.id, ...entry(m1, r12, T + 2) }, { id: e3.id, ...entry(m2, r2, T + 3) }]);
    assert.ok(e1.id < e2.id && e2.id < e3.id);

    assert.deepEqual(await store.autocommit.listOutbox({ accountId: a.id, limit: 10 }), [e3, e2, e1]);
    assert.deepEqual(await store.autocommit.listOutbox({ accountId: a.id, limit: 2 }), [e3, e2]);
    assert.deepEqual(await store.autocommit.listOutbox({ accountId: a.id, limit: 10, beforeId: e2.id }), [e1]);
    assert.deepEqual(await store.autocommit.listOutbox({ messageId: m1.id, limit: 10 }), [e2, e1]);
    assert.deepEqual(await store.autocommit.listOutbox({ accountId: b.id, limit: 10 }), [eb]);
  });

  test('countSelection counts scheduled messages past minSendAt, their pending recipients and total price', async () => {
    const store = getStore();
    const a = await account(store, 'count-a');
    const b = await account(store, 'count-b');
    const minSendAt = T + 5 * MIN;
    const m1 = await insert(store, newMessage(a.id, { sendAt: T + 10 * MIN, tag: 'x', to: ['+33600000041', '+33600000042', '+33600000043'], each: 90 }));
    const m2 = await insert(store, newMessage(a.id, { sendAt: T + HOUR, to: ['+33600000044', '+33600000045'], each: 45 }));
    const m3 = await insert(store, newMessage(a.id, { sendAt: T + MIN, tag: 'x', each: 1000 }));
    const m4 = await insert(store, newMessage(a.id, { sendAt: T + DAY, tag: 'x', each: 1000 }));
    await insert(store, newMessage(b.id, { sendAt: T + DAY, tag: 'x', each: 1000 }));
    await store.transaction((tx) => tx.cancelMessages({ accountId: a.id, ids: [m4.id] }, 0, T));
    const [first] = await store.autocommit.getRecipients(m1.id);
    assert.equal(await store.autocommit.updatePendingRecipient(first.id, { status: 'sent', at: T }), true);

    assert.deepEqual(await store.autocommit.countSelection({ accountId: a.id }, minSendAt), { messages: 2, recipients: 4, refund: 270 });
    assert.deepEqual(await store.autocommit.countSelection({ accountId: a.id, tag: 'x' }, minSendAt), { messages: 1, recipients: 2, refund: 180 });
    assert.deepEqual(await store.autocommit.countSelection({ accountId: a.id, ids: [m2.id, m3.id, m4.id] }, minSendAt), { messages: 1, recipients: 2, refund: 90 });
    assert.deepEqual(await store.autocommit.countSelection({ accountId: a.id, ids: [m3.id] }, T), { messages: 1, recipients: 1, refund: 1000 });
    assert.deepEqual(await store.autocommit.countSelection({ accountId: a.id, tag: 'none' }, minSendAt), { messages: 0, recipients: 0, refund: 0 });
    assert.deepEqual(await store.autocommit.countSelection({ accountId: a.id, sendAtFrom: T + 30 * MIN, sendAtTo: T + 2 * HOUR }, minSendAt), { messages: 1, recipients: 2, refund: 90 });
  });
});

// claimDue and nextWakeAt look at every account: these suites get stores of their own, and
// each test leaves nothing claimable behind for the next one.
dialectSuite('store: claimDue', ({ getStore }) => {
  test('claims only scheduled messages with send_at <= now (inclusive); cancel and claim exclude each other', async () => {
    const store = getStore();
    const a = await account(store, 'claim');
    const early = await insert(store, newMessage(a.id, { sendAt: T - 1000 }));
    const atNow = await insert(store, newMessage(a.id, { sendAt: T }));
    const later = await insert(store, newMessage(a.id, { sendAt: T + 1 }));
    const cancelledFirst = await insert(store, newMessage(a.id, { sendAt: T }));
    assert.deepEqual(ids(await store.transaction((tx) => tx.cancelMessages({ accountId: a.id, ids: [cancelledFirst.id] }, T, T))), [cancelledFirst.id]);

    const claimed = await store.transaction((tx) => tx.claimDue(T, 10, 'w1', T + 30_000));
    assert.deepEqual(ids(claimed), [early.id, atNow.id]);
    for (const m of claimed) {
      const stored = (await store.autocommit.getMessage(m.id))!;
      assert.deepEqual([stored.status, stored.dispatchedAt, stored.updatedAt], ['dispatching', T, T]);
      const { id, accountId, channel, sendAt, content, metadata, recipientCount } = stored;
      assert.deepEqual(m, { id, accountId, channel, sendAt, content, metadata, recipientCount }, 'what a delivery reads of the message');
    }
    assert.equal((await store.autocommit.getMessage(later.id))?.status, 'scheduled');
    assert.equal((await store.autocommit.getMessage(cancelledFirst.id))?.status, 'cancelled');

    // A claimed message cannot be cancelled, even with no cutoff at all.
    assert.deepEqual(await store.transaction((tx) => tx.cancelMessages({ accountId: a.id, ids: [early.id, atNow.id] }, 0, T)), []);
    assert.equal((await store.autocommit.getMessage(atNow.id))?.status, 'dispatching');
    // Still-scheduled `later` is cancelled at T (cutoff 0), then never claimed.
    assert.deepEqual(ids(await store.transaction((tx) => tx.cancelMessages({ accountId: a.id }, T, T))), [later.id]);
    assert.deepEqual(await store.transaction((tx) => tx.claimDue(T + 10, 10, 'w2', T + 30_000)), []);
    assert.equal(await store.autocommit.setLease(early.id, 'w2', T + 60_000), false);

    assert.deepEqual(await store.autocommit.completeMessages([early.id], 'w2', 'sent', T + 5), []);
    assert.deepEqual(await store.autocommit.completeMessages([early.id], 'w1', 'sent', T + 5), [early.id]);
    assert.deepEqual(await store.autocommit.completeMessages([early.id], 'w1', 'failed', T + 6), []);
    const done = await store.autocommit.getMessage(early.id);
    assert.equal(done?.status, 'sent');
    assert.equal(done?.completedAt, T + 5);
    assert.equal(done?.dispatchedAt, T);
    assert.equal(await store.autocommit.setLease(early.id, 'w1', T + 60_000), false);
    assert.deepEqual(await store.autocommit.completeMessages([atNow.id], 'w1', 'failed', T + 7), [atNow.id]);
    assert.equal((await store.autocommit.getMessage(atNow.id))?.status, 'failed');
  });

  test('an expired lease (lease_until < now) is re-claimed by another owner; only the owner completes', async () => {
    const store = getStore();
    const a = await account(store, 'lease');
    const t = T + 1_000_000;
    const m = await insert(store, newMessage(a.id, { sendAt: t }));
    assert.deepEqual(ids(await store.transaction((tx) => tx.claimDue(t, 10, 'w1', t + 100))), [m.id]);
    assert.deepEqual(await store.transaction((tx) => tx.claimDue(t + 50, 10, 'w2', t + 1000)), []);
    assert.deepEqual(await store.transaction((tx) => tx.claimDue(t + 100, 10, 'w2', t + 1000)), [], 'lease_until == now is not expired');
    assert.equal(await store.autocommit.setLease(m.id, 'w2', t + 1000), false);
    assert.equal(await store.autocommit.setLease(m.id, 'w1', t + 200), true);
    assert.deepEqual(await store.transaction((tx) => tx.claimDue(t + 150, 10, 'w2', t + 1000)), []);

    const reclaimed = await store.transaction((tx) => tx.claimDue(t + 201, 10, 'w2', t + 1000));
    assert.deepEqual(ids(reclaimed), [m.id]);
    const stored = (await store.autocommit.getMessage(m.id))!;
    assert.equal(stored.status, 'dispatching');
    assert.equal(stored.dispatchedAt, t, 'first dispatch time is kept');
    assert.equal(stored.updatedAt, t + 201);
    assert.equal(await store.autocommit.setLease(m.id, 'w1', t + 2000), false);
    assert.deepEqual(await store.autocommit.completeMessages([m.id], 'w1', 'sent', t + 300), []);
    assert.deepEqual(await store.autocommit.completeMessages([m.id], 'w2', 'sent', t + 300), [m.id]);
    assert.deepEqual(await store.transaction((tx) => tx.claimDue(t + 10_000, 10, 'w3', t + 20_000)), []);
  });

  test('limit is respected: earliest send_at first, expired leases before newly due', async () => {
    const store = getStore();
    const a = await account(store, 'limit');
    const t = T + 2_000_000;
    const ms: Message[] = [];
    for (let i = 5; i >= 1; i--) ms.push(await insert(store, newMessage(a.id, { sendAt: t - i })));
    assert.deepEqual(ids(await store.transaction((tx) => tx.claimDue(t, 2, 'w1', t + 1000))), ids(ms.slice(0, 2)));
    assert.deepEqual(ids(await store.transaction((tx) => tx.claimDue(t, 2, 'w1', t + 1000))), ids(ms.slice(2, 4)));
    assert.deepEqual(ids(await store.transaction((tx) => tx.claimDue(t, 2, 'w1', t + 1000))), ids(ms.slice(4)));
    assert.deepEqual(await store.transaction((tx) => tx.claimDue(t, 2, 'w1', t + 1000)), []);

    const fresh = await insert(store, newMessage(a.id, { sendAt: t + 1001 }));
    const c1 = await store.transaction((tx) => tx.claimDue(t + 1001, 3, 'w2', t + 5000));
    assert.equal(c1.length, 3);
    assert.ok(c1.every((m) => m.id !== fresh.id), 'expired leases are claimed before newly due messages');
    const c2 = await store.transaction((tx) => tx.claimDue(t + 1001, 3, 'w2', t + 5000));
    assert.deepEqual(ids([...c1, ...c2]), ids([...ms, fresh]));
    assert.ok(c2.some((m) => m.id === fresh.id));
    const all = [...ms, fresh].map((m) => m.id);
    assert.deepEqual((await store.autocommit.completeMessages(all, 'w2', 'sent', t + 2000)).sort((x, y) => x - y), [...all].sort((x, y) => x - y));
  });

  test('concurrent claims and cancels: every message is claimed once or cancelled, never both; limits hold', async () => {
    const store = getStore();
    const a = await account(store, 'race');
    const t = T + 2_500_000;
    const ms: Message[] = [];
    for (let i = 0; i < 60; i++) ms.push(await insert(store, newMessage(a.id, { sendAt: t })));
    const claims = new Map<number, string>();
    const cancels = new Set<number>();
    const worker = async (owner: string) => {
      for (;;) {
        const got = await store.transaction((tx) => tx.claimDue(t, 4, owner, t + 60_000));
        assert.ok(got.length <= 4, `claimDue(limit 4) returned ${got.length}`);
        for (const m of got) {
          assert.equal(claims.get(m.id), undefined, `message ${m.id} claimed twice`);
          claims.set(m.id, owner);
        }
        if (got.length === 0) return;
      }
    };
    const canceller = async () => {
      for (const m of ms.filter((_, i) => i % 2 === 0)) {
        for (const c of await store.transaction((tx) => tx.cancelMessages({ accountId: a.id, ids: [m.id] }, t, t))) cancels.add(c.id);
      }
    };
    await Promise.all([worker('w1'), worker('w2'), worker('w3'), canceller()]);
    for (const m of ms) {
      const final = await store.autocommit.getMessage(m.id);
      assert.equal(claims.has(m.id) !== cancels.has(m.id), true, `message ${m.id}: exactly one of claim/cancel must win`);
      assert.equal(final?.status, claims.has(m.id) ? 'dispatching' : 'cancelled');
    }
    assert.equal(claims.size + cancels.size, 60);
    for (const [id, owner] of claims) assert.deepEqual(await store.autocommit.completeMessages([id], owner, 'sent', t + 1), [id]);
  });

  test('releaseScheduledRecipientsByAddress only touches scheduled messages of that account/channel with send_at >= minSendAt', async () => {
    const store = getStore();
    const a = await account(store, 'release-a');
    const b = await account(store, 'release-b');
    const t = T + 3_000_000;
    const minSendAt = t + 5 * MIN;
    const X = '+33611111111';
    const Y = '+33622222222';
    const email = { channel: 'email' as const, content: { channel: 'email' as const, subject: 's', text: 't', html: null, from: null, replyTo: null } };
    const s1 = await insert(store, newMessage(a.id, { sendAt: t + HOUR, to: [X, Y], each: 45 }));
    const s2 = await insert(store, newMessage(a.id, { sendAt: t + MIN, to: [X] }));
    const s3 = await insert(store, newMessage(a.id, { sendAt: minSendAt, to: [X], each: 90 }));
    const e1 = await insert(store, newMessage(a.id, { ...email, sendAt: t + HOUR, to: [X] }));
    const d1 = await insert(store, newMessage(a.id, { sendAt: t, to: [X] }));
    const c1 = await insert(store, newMessage(a.id, { sendAt: t + HOUR, to: [X] }));
    const b1 = await insert(store, newMessage(b.id, { sendAt: t + HOUR, to: [X] }));
    assert.deepEqual(ids(await store.transaction((tx) => tx.claimDue(t, 10, 'w', t + 10_000))), [d1.id]);
    assert.deepEqual(ids(await store.transaction((tx) => tx.cancelMessages({ accountId: a.id, ids: [c1.id] }, 0, t))), [c1.id]);

    const untouched = [s2, e1, d1, c1, b1];
    const before = new Map<number, unknown>();
    for (const m of untouched) before.set(m.id, await store.autocommit.getRecipients(m.id));

    const r1 = (await store.autocommit.getRecipients(s1.id))[0];
    const r3 = (await store.autocommit.getRecipients(s3.id))[0];
    const released = await store.transaction((tx) => tx.releaseScheduledRecipientsByAddress(a.id, ['sms'], X, minSendAt, t + 1));
    assert.deepEqual(released.sort((x, y) => x.id - y.id), [
      { id: r1.id, messageId: s1.id, accountId: a.id, address: X, price: 45 },
      { id: r3.id, messageId: s3.id, accountId: a.id, address: X, price: 90 },
    ]);
    const s1r = await store.autocommit.getRecipients(s1.id);
    assert.deepEqual(s1r.map((r) => [r.address, r.status, r.error]), [[X, 'cancelled', 'suppressed'], [Y, 'pending', null]]);
    assert.equal((await store.autocommit.getRecipients(s3.id))[0].status, 'cancelled');
    for (const m of untouched) assert.deepEqual(await store.autocommit.getRecipients(m.id), before.get(m.id), `recipients of message ${m.id} must be untouched`);
    assert.equal((await store.autocommit.getMessage(s1.id))?.status, 'scheduled');
    assert.deepEqual(await store.transaction((tx) => tx.releaseScheduledRecipientsByAddress(a.id, ['sms'], X, minSendAt, t + 2)), []);

    // The e-mail channel when asked for it.
    const mail = await store.transaction((tx) => tx.releaseScheduledRecipientsByAddress(a.id, ['sms', 'email'], X, minSendAt, t + 3));
    assert.deepEqual(mail.map((r) => r.messageId), [e1.id]);

    assert.deepEqual(await store.autocommit.completeMessages([d1.id], 'w', 'sent', t + 4), [d1.id]);
    await store.transaction((tx) => tx.cancelMessages({ accountId: a.id }, 0, t + 5));
    await store.transaction((tx) => tx.cancelMessages({ accountId: b.id }, 0, t + 5));
  });
});

dialectSuite('store: nextWakeAt', ({ getStore }) => {
  test('is the minimum of scheduled send_at and dispatching lease_until', async () => {
    const store = getStore();
    assert.equal(await store.autocommit.nextWakeAt(), undefined);
    const a = await account(store, 'wake');
    const far = await insert(store, newMessage(a.id, { sendAt: T + 5000 }));
    assert.equal(await store.autocommit.nextWakeAt(), T + 5000);
    const soon = await insert(store, newMessage(a.id, { sendAt: T + 100 }));
    assert.equal(await store.autocommit.nextWakeAt(), T + 100);

    assert.deepEqual(ids(await store.transaction((tx) => tx.claimDue(T + 100, 10, 'w', T + 2000))), [soon.id]);
    assert.equal(await store.autocommit.nextWakeAt(), T + 2000, 'lease expiry comes before the next send_at');
    const mid = await insert(store, newMessage(a.id, { sendAt: T + 1500 }));
    assert.equal(await store.autocommit.nextWakeAt(), T + 1500);
    await store.transaction((tx) => tx.cancelMessages({ accountId: a.id, ids: [mid.id] }, 0, T));
    assert.equal(await store.autocommit.nextWakeAt(), T + 2000);
    assert.deepEqual(await store.autocommit.completeMessages([soon.id], 'w', 'sent', T + 200), [soon.id]);
    assert.equal(await store.autocommit.nextWakeAt(), T + 5000);
    await store.transaction((tx) => tx.cancelMessages({ accountId: a.id, ids: [far.id] }, 0, T));
    assert.equal(await store.autocommit.nextWakeAt(), undefined);
  });
});

dialectSuite('store: conflicting transactions', ({ dialect, getStore }) => {
  const entry = (accountId: number, amount: number) => ({ accountId, kind: 'adjust' as const, amount, messageId: null, cause: 'move', createdAt: T });

  test('PostgreSQL: a transaction that loses a real deadlock is run again, so both commit and the money adds up', { skip: dialect === 'sqlite' && 'one writer: no deadlock' }, async () => {
    const store = getStore();
    const [a, b] = [await account(store, 'dl-a'), await account(store, 'dl-b')];
    // Each holds one account and then wants the other: PostgreSQL aborts one with 40P01.
    let arrived = 0;
    let release!: () => void;
    const bothHoldOne = new Promise<void>((r) => (release = r));
    const attempts = [0, 0];
    const move = (i: number, first: number, second: number) => store.transaction(async (tx) => {
      attempts[i]++;
      await tx.applyLedgerEntry(entry(first, -1_000));
      if (++arrived === 2) release();
      await bothHoldOne;
      await tx.applyLedgerEntry(entry(second, 1_000));
    });
    await Promise.all([move(0, a.id, b.id), move(1, b.id, a.id)]);
    assert.equal(attempts[0] + attempts[1], 3, `attempts ${attempts}`);
    for (const id of [a.id, b.id]) {
      const acc = (await store.autocommit.getAccount(id))!;
      assert.deepEqual([acc.balance, await store.autocommit.sumLedger(id)], [0, 0]);
    }
    assert.equal((await store.autocommit.listLedger(a.id, { limit: 10 })).length, 2);
  });

  test('PostgreSQL: a conflict that persists ends as `busy` with retryAfter after a few attempts; any other error is not retried', { skip: dialect === 'sqlite' && 'the group committer does not retry' }, async () => {
    const store = getStore();
    let runs = 0;
    await assert.rejects(store.transaction(async () => {
      runs++;
      throw Object.assign(new Error('could not serialize access'), { code: '40001' });
    }), (err: any) => err.code === 'busy' && err.details.retryAfter === 1);
    assert.equal(runs, 5);
    runs = 0;
    await assert.rejects(store.transaction(async () => {
      runs++;
      throw Object.assign(new Error('unique violation'), { code: '23505' });
    }), /unique violation/);
    assert.equal(runs, 1);
  });
});
