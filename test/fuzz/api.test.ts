import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as fc from 'fast-check';
import { ADMIN_TOKEN, dialectApp, type TestApp } from '../helpers/app.js';
import { appRoutes, describeRequest, documentedFields, fuzzRequest, ledgerProbe, send, type FuzzContext, type LedgerProbe } from '../helpers/fuzz.js';

/**
 * A hostile client against every route of the native, admin and SMS Partner APIs, on both
 * databases, for a bounded budget. Each request must get an answer below 500 on a connection
 * that is not reset; a refused request writes nothing (no message, no ledger entry, no balance
 * moved); every account's balance stays the sum of its ledger.
 *
 * The default seed is fixed so a CI run is repeatable; RELAIS_FUZZ_SEED changes it,
 * RELAIS_FUZZ_PATH (from a failure report) replays a counterexample, RELAIS_FUZZ_RUNS and
 * RELAIS_FUZZ_SECONDS widen a local hunt.
 */

const env = process.env;
const SEED = env.RELAIS_FUZZ_SEED ? Number(env.RELAIS_FUZZ_SEED) : 0x5e1a15;
const RUNS = Number(env.RELAIS_FUZZ_RUNS ?? 5000);
const BUDGET_MS = Number(env.RELAIS_FUZZ_SECONDS ?? 25) * 1000;
const REQUEST_TIMEOUT_MS = 10_000;
// A stack frame in an answer: `at fn (/path/file.ts:12:3)`.
const STACK = /\bat .*\.[cm]?[jt]s:\d+:\d+/;

async function context(t: TestApp): Promise<FuzzContext> {
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const main = await t.account('1000000', 'fuzz');
  // An account no generated request holds a key for: money moving into or out of it shows in the snapshots.
  await t.account('10', 'bystander');
  const profile = await t.request('PATCH', `/admin/v1/accounts/${main.id}`, { headers: admin, body: { subaccountsEnabled: true } });
  assert.equal(profile.status, 200, profile.text);
  const read = await t.request('POST', `/admin/v1/accounts/${main.id}/keys`, { headers: admin, body: { scopes: ['messages:read'] } });
  assert.equal(read.status, 201, read.text);
  const message = await t.request('POST', '/api/v1/messages', { key: main.apiKey, body: { channel: 'sms', to: ['0612345678'], text: 'hello', tag: 'fuzz' } });
  assert.equal(message.status, 201, message.text);
  return { key: main.apiKey, readKey: read.body.apiKey, adminToken: ADMIN_TOKEN, ids: [main.id, message.body.id] };
}

dialectApp('fuzz: hostile requests to every endpoint', ({ dialect, app }) => {
  it('answers every generated request below 500, writes nothing when it refuses, keeps the ledger exact', { timeout: BUDGET_MS + 120_000 }, async (t) => {
    const server = app();
    const routes = appRoutes(server.app);
    for (const [api, path] of [['native', '/api/v1/messages/:id'], ['admin', '/admin/v1/accounts/:id/topup'], ['partner', '/smspartner/v1/send']]) {
      assert.ok(routes.some((r) => r.api === api && r.path === path), `route list read from the app lacks ${path}`);
    }
    const ctx = await context(server);
    const probe: LedgerProbe = await ledgerProbe(server.config.db.url);
    t.diagnostic(`fuzz [${dialect}]: seed ${SEED}${env.RELAIS_FUZZ_PATH ? ` path ${env.RELAIS_FUZZ_PATH}` : ''}, ${routes.length} routes, up to ${RUNS} requests or ${BUDGET_MS / 1000} s (replay: RELAIS_FUZZ_SEED=${SEED} RELAIS_FUZZ_PATH=<path>)`);
    try {
      const details = await fc.check(fc.asyncProperty(fuzzRequest(routes, ctx, documentedFields(server.app)), async (req) => {
        const before = await probe.snapshot();
        const res = await send(server.url, req, REQUEST_TIMEOUT_MS);
        const what = `${describeRequest(req)} → ${res.status} ${res.text.slice(0, 400)}`;
        assert.ok(res.status >= 100 && res.status < 500, `server error: ${what}`);
        assert.doesNotMatch(res.text, STACK, `stack trace in the answer: ${what}`);
        const after = await probe.snapshot();
        if (res.status >= 400) assert.deepEqual(after, before, `refused request wrote: ${what}`);
        else if (after.ledgerEntries !== before.ledgerEntries || after.balances !== before.balances) {
          assert.deepEqual(await probe.ledgerViolations(), [], `ledger broken by: ${what}`);
        }
      }), {
        seed: SEED, path: env.RELAIS_FUZZ_PATH, numRuns: RUNS,
        interruptAfterTimeLimit: BUDGET_MS, markInterruptAsFailure: false, timeout: REQUEST_TIMEOUT_MS + 5000,
      });
      t.diagnostic(`fuzz [${dialect}]: ${details.numRuns} requests${details.interrupted ? ' (time budget reached)' : ''}`);
      // The report carries the seed, the path to replay and the shrunk request; the error, what went wrong.
      if (details.failed) assert.fail(`${fc.defaultReportMessage(details)}\n${(details.errorInstance as Error | null)?.message ?? ''}`);
      assert.deepEqual(await probe.ledgerViolations(), [], 'ledger invariant after the run');
    } finally {
      await probe.close();
    }
  });
});
