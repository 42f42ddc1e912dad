import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cancelMessage } from '../../src/core/cancel.js';
import { RelaisError } from '../../src/core/errors.js';
import { parseCredits } from '../../src/core/money.js';
import { Dispatcher } from '../../src/dispatch/dispatcher.js';
import { defaultTransports } from '../../src/main.js';
import { inStoreSenders } from '../../src/transports/registry.js';
import { ledgerInvariant, startTestApp } from '../helpers/app.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { allOutbox, countByRecipient, eachDialect, phone, pool, scheduleSmsBulk, ScriptedTransport } from '../helpers/dispatch.js';
import type { Core } from '../../src/core/context.js';

const MESSAGES = 2000;
const ACCOUNTS = 4;
const CREDITS = 1_000_000; // "1000" EUR each

/** mulberry32: a seeded shuffle, so that a failing interleaving can be replayed with RELAIS_RACE_SEED. */
function shuffle<T>(items: T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

type Answer =
  | { via: 'core' | 'http'; won: true; recipients: number; refund: number; messageIds: number[] }
  | { via: 'core' | 'http'; won: false; code: string; status?: number };

/**
 * The two ways a due message is taken: in a burst (here all 2 000 are due at once), by the
 * transaction that sends it into the outbox (an in-store transport); otherwise by a lease claim
 * before a transport sends it (here the outbox again, one recipient at a time, as a network
 * transport would).
 */
const PATHS = {
  'in store': undefined,
  'by lease': (core: Core) => ({ sms: new ScriptedTransport(core) }),
};

eachDialect('race: thousands of cancels at the due instant against two dispatchers', (dialect) => {
  for (const [path, transports] of Object.entries(PATHS)) test(`${MESSAGES} messages due at T, sent ${path}, cancelled through core and HTTP while they are dispatched: exactly one side wins each`, async (t) => {
    // Small batches: the claim frontier stays close to the delivery frontier, so that both sides win often.
    const app = await startTestApp({ dialect, env: { RELAIS_DISPATCH_BATCH: '20' }, transports });
    // A second worker on the same database: claims race each other as well as the cancels.
    const registry = { ...defaultTransports(app.core), ...transports?.(app.core) };
    const worker2 = new Dispatcher(app.core, registry, { ...app.config.dispatch, owner: 'worker-2', inStore: inStoreSenders(registry) });
    try {
      const accounts: { id: number; apiKey: string }[] = [];
      for (let i = 0; i < ACCOUNTS; i++) accounts.push(await app.account('1000', `race-${i}`));
      const T = app.clock.now() + 60_000;
      // 1 to 3 recipients each; set up through the store in chunks, one account per connection.
      const messages = (await Promise.all(accounts.map((a, n) => scheduleSmsBulk(app.core, Array.from({ length: MESSAGES / ACCOUNTS }, (_, j) => {
        const i = j * ACCOUNTS + n;
        return { accountId: a.id, to: Array.from({ length: 1 + (i % 3) }, (_, k) => phone(i * 3 + k)) };
      }), T)))).flat();
      assert.equal(new Set(messages.map((m) => m.id)).size, MESSAGES);
      const keyOf = new Map(accounts.map((a) => [a.id, a.apiKey]));

      app.clock.set(T);
      const seed = Number(process.env.RELAIS_RACE_SEED ?? Math.floor(Math.random() * 2 ** 31));
      const order = shuffle(messages, seed);
      const answers = new Map<number, Answer>();

      const draining = Promise.all([app.dispatcher.drain(), worker2.drain()]);
      await pool(order, 64, async (m, i) => {
        if (i % 2 === 0) {
          try {
            const r = await cancelMessage(app.core, m.accountId, m.id);
            answers.set(m.id, { via: 'core', won: true, recipients: r.recipients, refund: r.refund, messageIds: r.messageIds });
          } catch (err) {
            if (!(err instanceof RelaisError)) throw err;
            answers.set(m.id, { via: 'core', won: false, code: err.code });
          }
        } else {
          const r = await app.request('DELETE', `/api/v1/messages/${m.id}`, { key: keyOf.get(m.accountId) });
          if (r.status === 200) {
            assert.equal(r.body.status, 'cancelled');
            assert.equal(r.body.messages, 1);
            assert.equal(r.body.dryRun, false);
            answers.set(m.id, { via: 'http', won: true, recipients: r.body.recipients, refund: parseCredits(r.body.refund), messageIds: r.body.messageIds });
          } else {
            answers.set(m.id, { via: 'http', won: false, code: r.body?.code, status: r.status });
          }
        }
      });
      const [claimed1, claimed2] = await draining;
      // Every message was claimed or cancelled: nothing is left for a later round.
      assert.equal(await app.dispatcher.drain(), 0);

      // The final state, read in bulk.
      const db = (app.store as KyselyStore).db;
      const statusOf = new Map((await db.selectFrom('messages').select(['id', 'status']).execute()).map((r) => [r.id, r.status]));
      const recipientsOf = new Map<number, { id: number; status: string }[]>();
      for (const r of await db.selectFrom('recipients').select(['id', 'message_id', 'status']).orderBy('id').execute()) {
        recipientsOf.set(r.message_id, [...(recipientsOf.get(r.message_id) ?? []), { id: r.id, status: r.status }]);
      }
      const outbox = await allOutbox(app.store);
      const perRecipient = countByRecipient(outbox);
      const refundsByMessage = new Map<number, { amount: number; cause: string }[]>();
      for (const a of accounts) {
        for (const e of await app.store.autocommit.listLedger(a.id, { limit: 100_000 })) {
          if (e.kind !== 'refund') continue;
          refundsByMessage.set(e.messageId!, [...(refundsByMessage.get(e.messageId!) ?? []), { amount: e.amount, cause: e.cause }]);
        }
      }

      const violations: string[] = [];
      let cancelWins = 0;
      let sendWins = 0;
      let sentRecipients = 0;
      const sentPrice = new Map<number, number>();
      for (const m of messages) {
        const answer = answers.get(m.id);
        const status = statusOf.get(m.id);
        const rs = recipientsOf.get(m.id) ?? [];
        const rows = rs.map((r) => perRecipient.get(r.id) ?? 0);
        const refunds = refundsByMessage.get(m.id) ?? [];
        const cancelled = answer?.won === true
          && status === 'cancelled'
          && rs.length === m.recipientCount && rs.every((r) => r.status === 'cancelled')
          && rows.every((n) => n === 0)
          && answer.recipients === rs.length && answer.refund === m.price && answer.messageIds.length === 1 && answer.messageIds[0] === m.id
          && refunds.length === 1 && refunds[0].amount === m.price && refunds[0].cause === `message ${m.id} cancelled`;
        const sent = answer?.won === false
          && answer.code === 'already_dispatched' && (answer.via === 'core' || answer.status === 409)
          && status === 'sent'
          && rs.length === m.recipientCount && rs.every((r) => r.status === 'sent')
          && rows.every((n) => n === 1)
          && refunds.length === 0;
        if (cancelled) cancelWins++;
        else if (sent) {
          sendWins++;
          sentRecipients += rs.length;
          sentPrice.set(m.accountId, (sentPrice.get(m.accountId) ?? 0) + m.price);
        } else {
          violations.push(`message ${m.id}: answer ${JSON.stringify(answer)}, status ${status}, recipients ${rs.map((r) => r.status)}, outbox rows ${rows}, refunds ${JSON.stringify(refunds)}`);
        }
      }
      t.diagnostic(`[${dialect}, ${path}] seed ${seed}: cancel won ${cancelWins}, send won ${sendWins} (worker 1 claimed ${claimed1}, worker 2 claimed ${claimed2})`);
      assert.deepEqual(violations.slice(0, 10), [], `${violations.length} violations (seed ${seed})`);
      assert.equal(cancelWins + sendWins, MESSAGES);
      assert.equal(claimed1 + claimed2, sendWins, 'every claimed message was sent, every sent one claimed once');
      assert.ok(cancelWins > 0 && sendWins > 0, `both sides must win sometimes (cancel ${cancelWins}, send ${sendWins}, seed ${seed})`);
      assert.equal(outbox.length, sentRecipients, 'the outbox holds the sent recipients and nothing else');
      const httpWins = [...answers.values()].filter((a) => a.via === 'http' && a.won).length;
      const coreWins = [...answers.values()].filter((a) => a.via === 'core' && a.won).length;
      t.diagnostic(`[${dialect}, ${path}] cancels won through HTTP ${httpWins} / ${MESSAGES / 2}, through core ${coreWins} / ${MESSAGES / 2}`);
      assert.equal(httpWins + coreWins, cancelWins);

      for (const a of accounts) {
        const { balance, sum } = await ledgerInvariant(app.store, a.id);
        assert.equal(balance, sum, `account ${a.id}: balance equals the ledger sum`);
        assert.equal(balance, CREDITS - (sentPrice.get(a.id) ?? 0), `account ${a.id}: only sent messages are paid for`);
      }
    } finally {
      await worker2.stop();
      await app.close();
    }
  });
});
