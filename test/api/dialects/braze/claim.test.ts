import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ledgerInvariant, startTestApp, type TestApp } from '../../../helpers/app.js';
import { phone, scheduleSmsBulk, ScriptedTransport } from '../../../helpers/dispatch.js';
import { dialectBlocks } from '../../../helpers/store.js';
import { brazeAccount, bz, track } from './support.js';

/**
 * Rendering at the claim (DECISIONS §35), on every delivery path: the outbox's in-store fast path
 * in a burst (sendDueInStore), the outbox's leased path (deliverInStore), and a transport that is
 * not in-store (claimed, leased, sent one by one).
 */

const TOMORROW = '2026-06-02T08:00:00Z';
const SMS = { app_id: 'app', subscription_group_id: 'sg', body: 'Hi {{${first_name}}}' };
/** A single-segment SMS costs 45, a two-segment one 90; brazeAccount starts at 10.000 (10 000). */
const START = 10_000;
const LONG = 'L'.repeat(200);

type Path = 'burst' | 'leased' | 'oneByOne';
const PATHS: Path[] = ['burst', 'leased', 'oneByOne'];

async function users(t: TestApp, key: string, list: Record<string, unknown>[]) {
  const r = await track(t, key, { attributes: list });
  assert.equal(r.status, 201, r.text);
}

async function schedule(t: TestApp, key: string, body: Record<string, unknown> = {}): Promise<string> {
  const r = await bz(t, 'POST', '/messages/schedule/create', { key, body: { external_user_ids: ['ada'], messages: { sms: SMS }, schedule: { time: TOMORROW }, ...body } });
  assert.equal(r.status, 201, r.text);
  return r.body.schedule_id;
}

/**
 * Claims what is due at TOMORROW. On the burst app (one message per lease claim) a message of
 * another account due before everything fills the first claim, so the Braze messages after it go
 * by the in-store fast path.
 */
async function claim(t: TestApp) {
  if (t.config.dispatch.batchSize === 1) {
    const filler = await t.account('1', `filler-${Math.random().toString(36).slice(2, 8)}`);
    await scheduleSmsBulk(t.core, [{ accountId: filler.id, to: [phone(1)] }], 0);
  }
  t.clock.set(Date.parse(TOMORROW));
  await t.dispatcher.drain();
}

/** What a claim wrote for the account: recipients, ledger entries after the create's, outbox texts, message statuses. */
async function written(t: TestApp, accountId: number) {
  const messages = (await t.store.autocommit.listMessages({ accountId }, { limit: 100 })).reverse();
  const recipients = [];
  for (const m of messages) {
    for (const r of await t.store.autocommit.getRecipients(m.id)) {
      recipients.push({ status: r.status, price: r.price, units: r.units ?? null, text: (r.content as { text?: string } | undefined)?.text ?? null, error: r.error });
    }
  }
  const ledger = (await t.store.autocommit.listLedger(accountId, { limit: 100 })).reverse()
    .filter((e) => e.kind !== 'topup').map((e) => ({ kind: e.kind, amount: e.amount, cause: e.cause.replace(/message \d+/, 'message N') }));
  const outbox = (await t.store.autocommit.listOutbox({ accountId, limit: 100 })).reverse().map((e) => e.rendered.text ?? e.rendered.subject).sort();
  const l = await ledgerInvariant(t.store, accountId);
  assert.equal(l.balance, l.sum, 'balance = sum of the ledger');
  return { statuses: messages.map((m) => m.status), recipients, ledger, outbox, balance: l.balance };
}

/** Ada's first name is `before` when the schedule is created and `after` (unchanged if absent) when it is claimed. */
async function renamedBeforeClaim(t: TestApp, before: string, after?: string, credits?: string) {
  const a = credits ? await t.account(credits, 'poor') : await brazeAccount(t);
  await users(t, a.apiKey, [{ external_id: 'ada', first_name: before, phone: '+33612345678' }]);
  await schedule(t, a.apiKey);
  if (after !== undefined) await users(t, a.apiKey, [{ external_id: 'ada', first_name: after }]);
  await claim(t);
  return written(t, a.id);
}

dialectBlocks('Braze: content rendered again at the claim', async (dialect) => ({
  burst: await startTestApp({ dialect, env: { RELAIS_DISPATCH_BATCH: '1' } }),
  leased: await startTestApp({ dialect }),
  oneByOne: await startTestApp({ dialect, transports: (core) => ({ sms: new ScriptedTransport(core), email: new ScriptedTransport(core) }) }),
}), async (apps) => {
  for (const t of Object.values(apps)) await t.close();
}, (_dialect, get) => {
  /** Runs `scenario` on both paths, checks each gives what the test expects, and that both wrote the same rows. */
  async function onBothPaths(scenario: (t: TestApp) => Promise<Awaited<ReturnType<typeof written>>>, expected: Partial<Awaited<ReturnType<typeof written>>>) {
    const got = [];
    for (const path of PATHS) {
      const w = await scenario(get()[path]);
      for (const [k, v] of Object.entries(expected)) assert.deepEqual(w[k as keyof typeof w], v, `${path}: ${k}`);
      got.push(w);
    }
    for (const [i, w] of got.entries()) assert.deepEqual(w, got[0], `${PATHS[i]} writes what ${PATHS[0]} does`);
  }

  test('attributes changed between create and claim: the new text is sent; same length, no ledger change and nothing rewritten but the text', async () => {
    await onBothPaths((t) => renamedBeforeClaim(t, 'Ada', 'Adele'), {
      statuses: ['sent'], outbox: ['Hi Adele'],
      recipients: [{ status: 'sent', price: 45, units: 1, text: 'Hi Adele', error: null }],
      ledger: [{ kind: 'debit', amount: -45, cause: 'message N scheduled' }], balance: START - 45,
    });
  });

  test('unchanged attributes: nothing is written at the claim (the message\'s own content applies)', async () => {
    await onBothPaths((t) => renamedBeforeClaim(t, 'Ada'), { outbox: ['Hi Ada'], recipients: [{ status: 'sent', price: 45, units: null, text: null, error: null }], balance: START - 45 });
  });

  test('an SMS whose new render is longer: the difference is debited at the claim', async () => {
    await onBothPaths((t) => renamedBeforeClaim(t, 'Ada', LONG), {
      statuses: ['sent'], outbox: [`Hi ${LONG}`],
      recipients: [{ status: 'sent', price: 90, units: 2, text: `Hi ${LONG}`, error: null }],
      ledger: [{ kind: 'debit', amount: -45, cause: 'message N scheduled' }, { kind: 'debit', amount: -45, cause: 'message N: longer as rendered at the claim' }],
      balance: START - 90,
    });
  });

  test('an SMS whose new render is shorter: the difference is refunded at the claim', async () => {
    await onBothPaths((t) => renamedBeforeClaim(t, LONG, 'Ada'), {
      statuses: ['sent'], outbox: ['Hi Ada'],
      recipients: [{ status: 'sent', price: 45, units: 1, text: 'Hi Ada', error: null }],
      ledger: [{ kind: 'debit', amount: -90, cause: 'message N scheduled' }, { kind: 'refund', amount: 45, cause: 'message N: shorter as rendered at the claim' }],
      balance: START - 45,
    });
  });

  test('longer than the balance allows: the recipient fails and is refunded whole; nothing is sent', async () => {
    await onBothPaths((t) => renamedBeforeClaim(t, 'Ada', LONG, '0.05'), {
      statuses: ['failed'], outbox: [],
      recipients: [{ status: 'failed', price: 45, units: null, text: null, error: 'insufficient credit for the text rendered at the claim' }],
      ledger: [
        { kind: 'debit', amount: -45, cause: 'message N scheduled' },
        { kind: 'refund', amount: 45, cause: 'message N: insufficient credit for the text rendered at the claim' },
      ],
      balance: 50,
    });
  });

  test('templates that cannot render the message (none for its channel): that recipient fails, refunded; the rest of the batch is sent', async () => {
    await onBothPaths(async (t) => {
      const a = await brazeAccount(t);
      await users(t, a.apiKey, [{ external_id: 'ada', first_name: 'Ada', phone: '+33612345678' }, { external_id: 'bob', first_name: 'Bob', phone: '+33612345679' }]);
      const broken = await schedule(t, a.apiKey);
      await schedule(t, a.apiKey, { external_user_ids: ['bob'] });
      // A row as a bug or a hand edit could leave it: before, the TypeError failed the whole claimed batch, at every claim.
      assert.ok(await t.store.autocommit.updateBrazeSchedule(a.id, broken, { request: { templates: {} }, updatedAt: t.clock.now() }));
      await claim(t);
      return written(t, a.id);
    }, {
      statuses: ['failed', 'sent'], outbox: ['Hi Bob'],
      recipients: [{ status: 'failed', price: 45, units: null, text: null, error: 'its content could not be rendered' }, { status: 'sent', price: 45, units: null, text: null, error: null }],
      balance: START - 45,
    });
  });

  test('a native message cannot pose as a Braze one: metadata.braze is refused on create and on edit', async () => {
    const t = get().leased;
    const a = await brazeAccount(t);
    const body = { channel: 'sms', to: ['+33612345678'], text: 'Hi', sendAt: TOMORROW };
    const forged = { braze: { userId: 1, source: { kind: 'messages', templates: {} } } };
    const created = await t.request('POST', '/api/v1/messages', { key: a.apiKey, body: { ...body, metadata: forged } });
    assert.deepEqual([created.status, created.body.code, created.body.field], [400, 'invalid_request', 'metadata.braze']);
    const plain = await t.request('POST', '/api/v1/messages', { key: a.apiKey, body });
    assert.equal(plain.status, 201, plain.text);
    const edited = await t.request('PATCH', `/api/v1/messages/${plain.body.id}`, { key: a.apiKey, body: { metadata: forged } });
    assert.deepEqual([edited.status, edited.body.code], [400, 'invalid_request']);
  });

  test('a user deleted before the claim: skipped and refunded', async () => {
    await onBothPaths(async (t) => {
      const a = await brazeAccount(t);
      await users(t, a.apiKey, [{ external_id: 'ada', first_name: 'Ada', phone: '+33612345678' }, { external_id: 'bob', first_name: 'Bob', phone: '+33612345679' }]);
      await schedule(t, a.apiKey, { external_user_ids: ['ada', 'bob'] });
      const d = await t.request('DELETE', '/api/v1/users/ada', { key: a.apiKey });
      assert.equal(d.status, 204, d.text);
      await claim(t);
      return written(t, a.id);
    }, {
      statuses: ['failed', 'sent'], outbox: ['Hi Bob'],
      recipients: [{ status: 'skipped', price: 45, units: null, text: null, error: 'user deleted' }, { status: 'sent', price: 45, units: null, text: null, error: null }],
      ledger: [
        { kind: 'debit', amount: -45, cause: 'message N scheduled' }, { kind: 'debit', amount: -45, cause: 'message N scheduled' },
        { kind: 'refund', amount: 45, cause: 'message N: user deleted' },
      ],
      balance: START - 45,
    });
  });

  test('a render past a limit at the claim: the recipient fails and is refunded', async () => {
    await onBothPaths(async (t) => {
      const a = await brazeAccount(t);
      await users(t, a.apiKey, [{ external_id: 'ada', phone: '+33612345678', n: 1 }]);
      await schedule(t, a.apiKey, { messages: { sms: { ...SMS, body: 'x{% for i in (1..custom_attribute.${n}) %}{% endfor %}' } } });
      await users(t, a.apiKey, [{ external_id: 'ada', n: 1_000_000_000 }]);
      await claim(t);
      const w = await written(t, a.id);
      assert.match(w.recipients[0].error ?? '', /^messages\.sms\.body: the template could not be rendered: /);
      return { ...w, recipients: w.recipients.map((r) => ({ ...r, error: null })) };
    }, {
      statuses: ['failed'], outbox: [],
      recipients: [{ status: 'failed', price: 45, units: null, text: null, error: null }],
      balance: START,
    });
  });

  test('messages/send (no schedule row): the templates kept with the message render at the claim; e-mail is flat', async () => {
    await onBothPaths(async (t) => {
      const a = await brazeAccount(t);
      await users(t, a.apiKey, [{ external_id: 'ada', first_name: 'Ada', phone: '+33612345678', email: 'ada@example.com' }]);
      const email = { app_id: 'app', from: 'Relais <noreply@example.com>', subject: 'Hello {{${first_name}}}', body: '<p>{{api_trigger_properties.${code}}}</p>' };
      const r = await bz(t, 'POST', '/messages/send', { key: a.apiKey, body: { external_user_ids: ['ada'], messages: { sms: SMS, email } } });
      assert.equal(r.status, 201, r.text);
      await users(t, a.apiKey, [{ external_id: 'ada', first_name: LONG }]);
      await claim(t);
      return written(t, a.id);
    }, {
      statuses: ['sent', 'sent'], outbox: [`Hello ${LONG}`, `Hi ${LONG}`],
      balance: START - 90 - 2,
    });
  });
});
