/**
 * Multi-node operation on PostgreSQL, with real processes: 2 `serve --role api` and 3
 * `serve --role worker` children of this test share one fresh database `relais_test_<hex>`.
 *
 * 1. race: ≥ 5 000 messages due within one second, cancels fired through both api nodes at
 *    the due instants while 3 workers claim: every message is exactly one of cancelled / sent,
 *    no recipient is in the outbox twice, ledger invariant.
 * 2. kill: SIGKILL one worker while the outbox fills: everything is still sent (its leases are
 *    reclaimed) and duplicates stay within the documented window, which is asserted and printed.
 * 3. restart: backends of the test database are terminated (pg_terminate_backend) a few times,
 *    once with connections refused for 2.5 s: requests get success or 503 problem+json, never a
 *    500 or a hang; /readyz says 503 then 200 again; nothing accepted is lost; ledger invariant.
 *
 * PostgreSQL only. Unreachable: skipped with a one-line notice, or a failure when CI=true.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { DIALECTS, postgresAvailable, testStore, type TestStore } from '../helpers/store.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CI = process.env.CI === 'true';
const ADMIN_TOKEN = 'multinode-admin-token';

// Small on purpose: a crashed worker leaves at most min(CONCURRENCY, 2 × BATCH) duplicates (see
// the kill test), and its messages wait LEASE_SECONDS. A live worker sends only with more than half of
// its lease left, so a send step (here an outbox INSERT queued behind the worker's other
// queries on a loaded machine) must stay under LEASE_SECONDS / 2 for "at most once" to hold.
const LEASE_SECONDS = 5;
const BATCH = 25;
const CONCURRENCY = 8;
const POOL_SIZE = 8;
const POLL_MS = 200;

const wanted = DIALECTS.includes('postgres');
const reachable = wanted ? await postgresAvailable() : false;
const where = process.env.RELAIS_TEST_PG_URL ? 'at RELAIS_TEST_PG_URL' : 'at 127.0.0.1:5432';
const skip = !wanted ? 'RELAIS_TEST_DIALECTS excludes postgres' : !reachable && !CI ? `PostgreSQL not reachable ${where}` : false;
if (wanted && !reachable && !CI) {
  console.error(`notice: PostgreSQL not reachable ${where}; test/e2e/multinode.test.ts is skipped (CI=true makes this a failure)`);
}

// ---------------------------------------------------------------------------------------------
// HTTP

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

interface Res {
  /** HTTP status; 0 = no answer within the timeout; -1 = connection error. */
  status: number;
  type: string;
  body: any;
  ms: number;
}

/**
 * One request through the keep-alive agent. A node closes a connection idle for its keep-alive
 * timeout, and on a loaded machine the agent may pick that socket for a request at the same
 * instant: the request then dies with ECONNRESET on a reused socket, unseen by the server. Node's
 * documented remedy is to retry it, which is safe for a GET and for a request the server
 * deduplicates (`idempotencyKey`), up to three times; anything else reports the reset.
 */
function call(base: string, method: string, path: string, o: { body?: unknown; key?: string; timeoutMs?: number; idempotencyKey?: string } = {}, resets = 0): Promise<Res> {
  return new Promise((resolve) => {
    const started = Date.now();
    const payload = o.body === undefined ? undefined : JSON.stringify(o.body);
    const headers: Record<string, string> = {};
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    if (o.key) headers.authorization = `Bearer ${o.key}`;
    if (o.idempotencyKey) headers['idempotency-key'] = o.idempotencyKey;
    let timedOut = false;
    const req = httpRequest(base + path, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try { body = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? -1, type: String(res.headers['content-type'] ?? ''), body, ms: Date.now() - started });
      });
      res.on('error', (err) => resolve({ status: -1, type: '', body: err.message, ms: Date.now() - started }));
    });
    const timer = setTimeout(() => { timedOut = true; req.destroy(new Error('timeout')); }, o.timeoutMs ?? 10_000);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (req.reusedSocket && err.code === 'ECONNRESET' && (method === 'GET' || o.idempotencyKey) && resets < 3) resolve(call(base, method, path, o, resets + 1));
      else resolve({ status: timedOut ? 0 : -1, type: '', body: err.message, ms: Date.now() - started });
    });
    req.end(payload);
  });
}

const isProblem503 = (r: Res) =>
  r.status === 503 && r.type.startsWith('application/problem+json') && r.body?.status === 503 && r.body?.code === 'unavailable';

/** Runs `fn` over `items` with at most `n` in flight. */
async function lanes<T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

// ---------------------------------------------------------------------------------------------
// Child processes

interface NodeProc {
  name: string;
  role: 'api' | 'worker';
  child: ChildProcess;
  base: string;
  /** Last lines of stdout+stderr, for diagnostics. */
  tail: string[];
  errorLines: number;
  /** Distinct `err.message`s of its error log lines (at most 10). */
  errors: Set<string>;
  exited: Promise<void>;
  expectedExit: boolean;
}

const procs: NodeProc[] = [];

// A test runner that dies must not leave servers behind.
process.once('exit', () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function startNode(role: 'api' | 'worker', name: string, dbUrl: string): Promise<NodeProc> {
  const port = role === 'api' ? await freePort() : 0;
  const env: NodeJS.ProcessEnv = {};
  // Only the variables under test: nothing RELAIS_* leaks in from the developer's shell.
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('RELAIS_') && k !== 'PORT' && k !== 'HOST') env[k] = v;
  Object.assign(env, {
    PORT: String(port), HOST: '127.0.0.1', RELAIS_DATABASE_URL: dbUrl, RELAIS_ADMIN_TOKEN: ADMIN_TOKEN,
    // Workers log at info only for their one "relais started" line (the readiness signal).
    RELAIS_LOG_LEVEL: role === 'worker' ? 'info' : 'warn',
    RELAIS_LEASE_SECONDS: String(LEASE_SECONDS), RELAIS_POLL_INTERVAL_MS: String(POLL_MS),
    RELAIS_DISPATCH_BATCH: String(BATCH), RELAIS_TRANSPORT_CONCURRENCY: String(CONCURRENCY),
    RELAIS_DB_POOL_SIZE: String(POOL_SIZE), RELAIS_DATA_DIR: join(ROOT, 'data', 'multinode-unused'),
  });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--role', role], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: NodeProc = {
    name, role, child, base: `http://127.0.0.1:${port}`, tail: [], errorLines: 0, errors: new Set(), expectedExit: false,
    exited: new Promise((r) => child.once('exit', () => r())),
  };
  procs.push(p);
  let started!: () => void;
  const startedLine = new Promise<void>((r) => (started = r));
  for (const stream of [child.stdout!, child.stderr!]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (/"level":(50|60)/.test(line)) {
          p.errorLines++;
          const m = /"message":"((?:[^"\\]|\\.)*)"/.exec(line);
          if (m && p.errors.size < 10) p.errors.add(m[1].slice(0, 160));
        }
        if (line.includes('"msg":"relais started"')) started();
        p.tail.push(line.length > 600 ? `${line.slice(0, 600)}…` : line);
        if (p.tail.length > 40) p.tail.shift();
      }
    });
  }
  const deadline = Date.now() + 60_000;
  const died = p.exited.then(() => { throw new Error(`${name} exited during startup (code ${child.exitCode}):\n${p.tail.join('\n')}`); });
  died.catch(() => {});
  if (role === 'worker') {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${name}: no "relais started" within 60 s`)), 60_000); });
    try {
      await Promise.race([startedLine, died, timeout]);
    } finally {
      clearTimeout(timer);
    }
    return p;
  }
  for (;;) {
    const r = await Promise.race([call(p.base, 'GET', '/healthz', { timeoutMs: 2000 }), died]);
    if (r.status === 200) return p;
    if (Date.now() > deadline) throw new Error(`${name}: /healthz did not answer 200 within 60 s`);
    await sleep(100);
  }
}

async function stopAll(): Promise<void> {
  await Promise.all(procs.map(async (p) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return;
    p.expectedExit = true;
    p.child.kill('SIGTERM');
    const t = setTimeout(() => p.child.kill('SIGKILL'), 5000);
    await p.exited;
    clearTimeout(t);
  }));
}

/** Nodes that died without the test asking: a crash under database errors shows up here. */
const unexpectedExits = () => procs.filter((p) => !p.expectedExit && (p.child.exitCode !== null || p.child.signalCode !== null))
  .map((p) => `${p.name} exited (code ${p.child.exitCode}, signal ${p.child.signalCode}):\n  ${p.tail.slice(-8).join('\n  ')}`);

// ---------------------------------------------------------------------------------------------
// Fixture

let db: TestStore | undefined;
let sql: pg.Pool | undefined;
let apis: NodeProc[] = [];
let workers: NodeProc[] = [];

const q = async <T = any>(text: string, params: unknown[] = []): Promise<T[]> => (await sql!.query(text, params)).rows as T[];

interface Acct { id: number; apiKey: string; credits: number }

async function createAccounts(n: number, prefix: string, credits: number): Promise<Acct[]> {
  const out: Acct[] = [];
  for (let i = 0; i < n; i++) {
    const r = await call(apis[i % apis.length].base, 'POST', '/admin/v1/accounts', { key: ADMIN_TOKEN, body: { name: `${prefix}-${i}`, credits: String(credits) } });
    assert.equal(r.status, 201, `admin create account: ${JSON.stringify(r.body)}`);
    out.push({ id: r.body.id, apiKey: r.body.apiKey, credits: credits * 1000 });
  }
  return out;
}

const phone = (n: number) => `+3361${String(n).padStart(7, '0')}`;
const api = (i: number) => apis[i % apis.length];

/** Waits (bounded) until no message of these accounts is scheduled or dispatching. */
async function waitFinal(accountIds: number[], deadlineMs: number): Promise<number> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const [{ n }] = await q<{ n: number }>(`select count(*)::int as n from messages where account_id = any($1) and status in ('scheduled', 'dispatching')`, [accountIds]);
    if (n === 0 || Date.now() > deadline) return n;
    await sleep(250);
  }
}

/** Ledger invariant (balance = sum of entries) and exact charging (balance = credits − price of sent recipients). */
async function ledgerViolations(accounts: Acct[]): Promise<string[]> {
  const ids = accounts.map((a) => a.id);
  const rows = await q<{ id: string; balance: string; total: string; charged: string }>(`
    select a.id, a.balance,
      (select coalesce(sum(l.amount), 0) from ledger l where l.account_id = a.id) as total,
      (select coalesce(sum(r.price), 0) from recipients r where r.account_id = a.id and r.status in ('sent', 'delivered', 'undelivered')) as charged
    from accounts a where a.id = any($1)`, [ids]);
  const out: string[] = [];
  for (const a of accounts) {
    const r = rows.find((x) => Number(x.id) === a.id);
    if (!r) { out.push(`account ${a.id} missing`); continue; }
    if (Number(r.balance) !== Number(r.total)) out.push(`account ${a.id}: balance ${r.balance} != sum(ledger) ${r.total}`);
    if (Number(r.balance) !== a.credits - Number(r.charged)) out.push(`account ${a.id}: balance ${r.balance} != credits ${a.credits} − charged ${r.charged}`);
  }
  return out;
}

/** Recipients of these accounts with more than one outbox row: [recipient id, rows]. */
async function duplicates(accountIds: number[]): Promise<{ recipient_id: number; message_id: number; n: number }[]> {
  return q(`select recipient_id::int, min(message_id)::int as message_id, count(*)::int as n from outbox
            where account_id = any($1) group by recipient_id having count(*) > 1`, [accountIds]);
}

/** Created, or (a retry after a reset the server had answered after all) the replay of the creation. */
const scheduled = (r: Res): boolean => r.status === 201 || (r.status === 200 && typeof r.body?.id === 'number');

/** Schedules `items` through both api nodes, 32 in flight, each with its Idempotency-Key; returns the answers in order. */
async function scheduleAll(accounts: Acct[], items: { account: number; to: string[]; sendAt: number; text: string }[]): Promise<Res[]> {
  const out: Res[] = new Array(items.length);
  await lanes(items, 32, async (m, i) => {
    out[i] = await call(api(i).base, 'POST', '/api/v1/messages', {
      key: accounts[m.account].apiKey, idempotencyKey: `${m.text}-${i}`,
      body: { channel: 'sms', to: m.to, text: m.text, sendAt: new Date(m.sendAt).toISOString() },
    });
  });
  return out;
}

describe('multi-node on PostgreSQL: 2 api + 3 worker processes, one database', { skip }, () => {
  before(async () => {
    if (!reachable) throw new Error(`PostgreSQL is required when CI=true and is not reachable ${where}`);
    db = await testStore('postgres');
    sql = new pg.Pool({ connectionString: db.url, max: 3 });
    // Our own connections are terminated with the others in the restart scenario.
    sql.on('error', () => {});
    sql.on('connect', (c) => c.on('error', () => {}));
    const started = await Promise.all([
      startNode('api', 'api-1', db.url), startNode('api', 'api-2', db.url),
      startNode('worker', 'worker-1', db.url), startNode('worker', 'worker-2', db.url), startNode('worker', 'worker-3', db.url),
    ]);
    apis = started.filter((p) => p.role === 'api');
    workers = started.filter((p) => p.role === 'worker');
    console.log(`multinode: database ${new URL(db.url).pathname.slice(1)}, nodes ${procs.map((p) => `${p.name}=${p.child.pid}`).join(' ')}`);
  });

  after(async () => {
    await stopAll();
    for (const p of procs) {
      if (p.errorLines > 0 || (p.child.exitCode !== 0 && !p.expectedExit)) {
        console.log(`multinode: ${p.name} (pid ${p.child.pid}) logged ${p.errorLines} error lines (${[...p.errors].join(' | ')}), exit ${p.child.exitCode ?? p.child.signalCode}${p.expectedExit ? '' : `:\n${p.tail.slice(-10).join('\n')}`}`);
      }
    }
    agent.destroy();
    await sql?.end().catch(() => {});
    await db?.cleanup();
  });

  /**
   * Scheduling thousands of messages over HTTP takes longer than one second on any machine (and
   * far longer on a loaded CI runner), so bursts are scheduled an hour ahead through the API and
   * then moved, keeping their spacing, to start at `t0` with one UPDATE — what a PATCH of sendAt
   * per message would do. Workers learn of it by polling (RELAIS_POLL_INTERVAL_MS).
   */
  const FAR = 3_600_000;
  async function retime(accountIds: number[], base: number, t0: number): Promise<void> {
    const r = await sql!.query(`update messages set send_at = $2::bigint + (send_at - $3::bigint) where account_id = any($1) and status = 'scheduled'`, [accountIds, t0, base]);
    assert.ok((r.rowCount ?? 0) > 0);
  }

  test('race: 5 000 messages due within one second, cancels at the due instants through both api nodes, 3 workers', { timeout: 300_000 }, async () => {
    const N = 5000;
    // Many accounts: every schedule and cancel updates its account's balance row.
    const accounts = await createAccounts(16, 'race', 1000);
    const ids = accounts.map((a) => a.id);
    const base = Date.now() + FAR;
    // Every 7th message has 3 recipients; due instants spread evenly over one second.
    const items = Array.from({ length: N }, (_, i) => ({
      account: i % accounts.length,
      to: i % 7 === 0 ? [phone(3 * i), phone(3 * i + 1), phone(3 * i + 2)] : [phone(3 * i)],
      sendAt: base + Math.floor((i * 1000) / N),
      text: `race ${i}`,
    }));
    const scheduling = Date.now();
    const created = await scheduleAll(accounts, items);
    const schedulingMs = Date.now() - scheduling;
    const bad = created.filter((r) => !scheduled(r));
    assert.equal(bad.length, 0, `scheduling: ${bad.length} non-201 answers, e.g. ${JSON.stringify(bad[0]?.body)}`);
    const t0 = Date.now() + 2000;
    await retime(ids, base, t0);
    for (const m of items) m.sendAt = t0 + (m.sendAt - base);

    // Cancel every 4th message at its own due instant (−250 … +50 ms), 64 in flight, alternating
    // api nodes: claims by 3 workers and cancels by 2 api nodes hit the same rows at the same time.
    // (1 250 cancels in one second is already more than a small machine answers in one second.)
    const targets = items.map((m, i) => ({ i, at: m.sendAt + ((i * 37) % 300) - 250 })).filter((x) => x.i % 4 === 1).sort((a, b) => a.at - b.at);
    const cancel = new Map<number, Res>();
    await lanes(targets, 64, async ({ i, at }) => {
      await sleep(at - Date.now());
      cancel.set(i, await call(api(i >> 1).base, 'DELETE', `/api/v1/messages/${created[i].body.id}`, { key: accounts[items[i].account].apiKey }));
    });

    const left = await waitFinal(ids, 120_000);
    assert.equal(left, 0, `${left} messages still scheduled/dispatching after 120 s`);

    const rows = await q<{ id: number; status: string; price: string; recipient_count: number; outbox_rows: number; outbox_recipients: number; sent_recipients: number; refunds: number; refunded: string }>(`
      with o as (select message_id, count(*)::int as n, count(distinct recipient_id)::int as recipients from outbox where account_id = any($1) group by 1),
           r as (select message_id, count(*)::int as sent from recipients where account_id = any($1) and status = 'sent' group by 1),
           l as (select message_id, count(*)::int as n, sum(amount) as amount from ledger where account_id = any($1) and kind = 'refund' group by 1)
      select m.id::int, m.status, m.price, m.recipient_count, coalesce(o.n, 0) as outbox_rows, coalesce(o.recipients, 0) as outbox_recipients,
        coalesce(r.sent, 0) as sent_recipients, coalesce(l.n, 0) as refunds, coalesce(l.amount, 0) as refunded
      from messages m left join o on o.message_id = m.id left join r on r.message_id = m.id left join l on l.message_id = m.id
      where m.account_id = any($1)`, [ids]);
    assert.equal(rows.length, N, 'every scheduled message is in the database');
    const byId = new Map(rows.map((r) => [r.id, r]));

    const violations: string[] = [];
    let cancelled = 0;
    let sentAfter409 = 0;
    let sentUntouched = 0;
    const answers: Record<string, number> = {};
    items.forEach((_, i) => {
      const id = created[i].body.id as number;
      const m = byId.get(id)!;
      const c = cancel.get(i);
      if (c) answers[`${c.status}${c.status === 409 ? ` ${c.body?.code}` : ''}`] = (answers[`${c.status}${c.status === 409 ? ` ${c.body?.code}` : ''}`] ?? 0) + 1;
      if (c && c.status !== 200 && c.status !== 409) violations.push(`message ${id}: cancel answered ${c.status} ${JSON.stringify(c.body)}`);
      if (c?.status === 200) {
        cancelled++;
        if (m.status !== 'cancelled') violations.push(`message ${id}: cancel answered 200 but status is ${m.status}`);
        if (m.outbox_rows !== 0) violations.push(`message ${id}: cancelled yet ${m.outbox_rows} outbox rows`);
        if (m.refunds !== 1 || Number(m.refunded) !== Number(m.price)) violations.push(`message ${id}: cancelled with ${m.refunds} refunds of ${m.refunded} (price ${m.price})`);
        return;
      }
      if (m.status !== 'sent') violations.push(`message ${id}: status ${m.status}, cancel answer ${c?.status ?? 'none'}`);
      if (m.outbox_rows !== m.recipient_count || m.outbox_recipients !== m.recipient_count || m.sent_recipients !== m.recipient_count) {
        violations.push(`message ${id}: ${m.recipient_count} recipients, ${m.sent_recipients} sent, ${m.outbox_rows} outbox rows`);
      }
      if (m.refunds !== 0) violations.push(`message ${id}: sent but refunded`);
      if (c?.status === 409) sentAfter409++;
      else sentUntouched++;
    });
    const dups = await duplicates(ids);
    console.log(`multinode race: ${N} messages (${items.reduce((s, m) => s + m.to.length, 0)} recipients) scheduled in ${schedulingMs} ms, due in [t0, t0+1s); `
      + `${targets.length} cancels → ${cancelled} cancelled, ${sentAfter409} sent after 409, ${sentUntouched} untouched sent; answers ${JSON.stringify(answers)}; `
      + `outbox duplicates ${dups.length}; violations ${violations.length}`);
    assert.deepEqual(violations.slice(0, 10), [], `${violations.length} violations`);
    assert.deepEqual(dups, [], 'a recipient is in the outbox at most once');
    assert.deepEqual(await ledgerViolations(accounts), []);
    assert.deepEqual(unexpectedExits(), []);
  });

  test('kill: SIGKILL one of 3 workers mid-burst; all sent, duplicates within the documented window', { timeout: 300_000 }, async () => {
    assert.deepEqual(unexpectedExits(), [], 'all 5 nodes alive before the kill');
    const M = 2000;
    const accounts = await createAccounts(8, 'kill', 1000);
    const ids = accounts.map((a) => a.id);
    const base = Date.now() + FAR;
    const items = Array.from({ length: M }, (_, i) => ({ account: i % accounts.length, to: [phone(2_000_000 + i)], sendAt: base + Math.floor((i * 1000) / M), text: `kill ${i}` }));
    const created = await scheduleAll(accounts, items);
    assert.equal(created.filter((r) => !scheduled(r)).length, 0, 'all scheduled');
    const t0 = Date.now() + 1000;
    await retime(ids, base, t0);

    // Kill once the outbox is filling and the victim holds leases (bounded wait).
    const victim = workers[0];
    const owner = `worker-${victim.child.pid}-%`;
    const deadline = Date.now() + (t0 - Date.now()) + 30_000;
    let atKill = { outbox: 0, leases: 0 };
    for (;;) {
      const [r] = await q<{ outbox: number; leases: number }>(`
        select (select count(*)::int from outbox where account_id = any($1)) as outbox,
               (select count(*)::int from messages where status = 'dispatching' and lease_owner like $2) as leases`, [ids, owner]);
      atKill = r;
      if ((r.outbox >= M * 0.15 && r.leases > 0) || r.outbox >= M * 0.6 || Date.now() > deadline) break;
      await sleep(10);
    }
    victim.expectedExit = true;
    victim.child.kill('SIGKILL');
    await victim.exited;
    // Nobody reclaims these before the lease runs out: they are exactly what the victim left.
    const orphans = await q<{ id: number }>(`select id::int from messages where status = 'dispatching' and lease_owner like $1`, [owner]);
    const orphanIds = new Set(orphans.map((o) => o.id));

    const left = await waitFinal(ids, 120_000);
    assert.equal(left, 0, `${left} messages still scheduled/dispatching after 120 s`);
    const [{ unsent, missing }] = await q<{ unsent: number; missing: number }>(`
      select (select count(*)::int from recipients r where r.account_id = any($1) and r.status <> 'sent') as unsent,
             (select count(*)::int from recipients r left join (select distinct recipient_id from outbox where account_id = any($1)) o
                on o.recipient_id = r.id where r.account_id = any($1) and o.recipient_id is null) as missing`, [ids]);
    const [{ notSent }] = await q<{ notSent: number }>(`select count(*)::int as "notSent" from messages where account_id = any($1) and status <> 'sent'`, [ids]);
    const dups = await duplicates(ids);
    const extraRows = dups.reduce((s, d) => s + d.n - 1, 0);
    // The bound, from src/core/delivery.ts and src/dispatch/dispatcher.ts: a recipient's turn —
    // lease check, transport call, recording of the result — holds one of its transport's
    // RELAIS_TRANSPORT_CONCURRENCY slots from start to end, so at the instant of a crash at most
    // CONCURRENCY recipients per transport have been accepted (here: have an outbox row) and not
    // yet marked sent. It is also at most 2 × RELAIS_DISPATCH_BATCH: a worker holds at most two
    // claimed batches (it claims the next while one is sent, then waits) and a message sends its
    // recipients one at a time. Every channel goes to the outbox here, so one transport.
    const bound = Math.min(CONCURRENCY, 2 * BATCH);
    console.log(`multinode kill: ${M} messages; killed ${victim.name} (pid ${victim.child.pid}) at outbox ${atKill.outbox}/${M} holding ${atKill.leases} leases; `
      + `${orphanIds.size} messages orphaned and reclaimed; duplicates ${dups.length} recipients / ${extraRows} extra outbox rows (bound ${bound})`);
    assert.equal(notSent, 0, 'every message sent');
    assert.equal(unsent, 0, 'every recipient sent');
    assert.equal(missing, 0, 'every recipient in the outbox');
    assert.ok(extraRows <= bound, `${extraRows} duplicates > bound ${bound}`);
    assert.ok(orphanIds.size <= 2 * BATCH, `the victim held ${orphanIds.size} messages > 2 batches`);
    assert.deepEqual(dups.filter((d) => !orphanIds.has(d.message_id)), [], 'duplicates only among the killed worker\'s messages');
    assert.deepEqual(await ledgerViolations(accounts), []);
    assert.deepEqual(unexpectedExits(), []);
  });

  test('restart: terminated backends and refused connections → 503 problem+json or success, /readyz 503 then 200, nothing lost', { timeout: 300_000 }, async () => {
    assert.deepEqual(unexpectedExits(), []);
    const accounts = await createAccounts(2, 'restart', 1000);
    const ids = accounts.map((a) => a.id);
    const dbName = new URL(db!.url).pathname.slice(1);
    // ALTER DATABASE … ALLOW_CONNECTIONS cannot target the database one is connected to.
    const adminUrl = new URL(db!.url);
    adminUrl.pathname = '/postgres';
    const control = new pg.Client({ connectionString: adminUrl.toString() });
    control.on('error', () => {});
    await control.connect();
    const terminate = async () => (await control.query(
      'select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [dbName])).rows[0].n as number;

    let stop = false;
    let n = 0;
    const accepted: number[] = [];
    const tally = { created: 0, unavailable: 0, other: [] as string[], slowest: 0 };
    const readyz = { ok: 0, unavailable: 0, other: [] as string[] };
    const load = Promise.all(Array.from({ length: 16 }, async (_, lane) => {
      while (!stop) {
        const i = n++;
        const r = await call(api(i).base, 'POST', '/api/v1/messages', {
          key: accounts[i % 2].apiKey, timeoutMs: 10_000,
          body: { channel: 'sms', to: [phone(4_000_000 + i)], text: `restart ${i}`, sendAt: new Date(Date.now() + 300 + ((i * 53) % 1500)).toISOString() },
        });
        tally.slowest = Math.max(tally.slowest, r.ms);
        if (r.status === 201) { tally.created++; accepted.push(r.body.id); continue; }
        if (isProblem503(r)) { tally.unavailable++; await sleep(50); continue; }
        tally.other.push(`lane ${lane}: ${r.status} ${r.type} ${JSON.stringify(r.body).slice(0, 300)}`);
        await sleep(50);
      }
    }));
    const probes = Promise.all(apis.map(async (a) => {
      while (!stop) {
        const r = await call(a.base, 'GET', '/readyz', { timeoutMs: 10_000 });
        if (r.status === 200) readyz.ok++;
        else if (isProblem503(r)) readyz.unavailable++;
        else readyz.other.push(`${a.name}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
        await sleep(100);
      }
    }));

    const terminated: number[] = [];
    try {
      await sleep(1500);
      terminated.push(await terminate());
      await sleep(1500);
      terminated.push(await terminate());
      await sleep(1500);
      // An outage rather than a blip: refuse new connections for 2.5 s, as a restarting server does.
      await control.query(`alter database "${dbName}" allow_connections false`);
      terminated.push(await terminate());
      await sleep(2500);
    } finally {
      await control.query(`alter database "${dbName}" allow_connections true`);
    }
    await sleep(1500);
    terminated.push(await terminate());
    await sleep(1500);
    stop = true;
    await Promise.all([load, probes]);
    await control.end();

    assert.deepEqual(unexpectedExits(), [], 'no node crashed');
    // Ready again, on both api nodes (bounded).
    for (const a of apis) {
      const deadline = Date.now() + 30_000;
      let r = await call(a.base, 'GET', '/readyz', { timeoutMs: 5000 });
      while (r.status !== 200 && Date.now() < deadline) {
        await sleep(200);
        r = await call(a.base, 'GET', '/readyz', { timeoutMs: 5000 });
      }
      assert.equal(r.status, 200, `${a.name} /readyz after the outage: ${JSON.stringify(r.body)}`);
    }

    const left = await waitFinal(ids, 120_000);
    assert.equal(left, 0, `${left} messages still scheduled/dispatching after 120 s`);
    const rows = await q<{ id: number; status: string; outbox_rows: number }>(`
      select m.id::int, m.status, coalesce(o.n, 0) as outbox_rows from messages m
      left join (select message_id, count(*)::int as n from outbox where account_id = any($1) group by 1) o on o.message_id = m.id
      where m.account_id = any($1)`, [ids]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const lost = accepted.filter((id) => !byId.has(id));
    const notSent = accepted.filter((id) => byId.get(id)?.status !== 'sent' || byId.get(id)!.outbox_rows < 1);
    const acceptedSet = new Set(accepted);
    const unacknowledged = rows.filter((r) => !acceptedSet.has(r.id));
    const dups = await duplicates(ids);
    const extraRows = dups.reduce((s, d) => s + d.n - 1, 0);
    // Each termination cuts every worker's database sessions like a crash: per worker and event, at
    // most min(CONCURRENCY, 2 × BATCH) recipients are between acceptance and their update (see the
    // kill test).
    const bound = terminated.length * workers.filter((w) => !w.expectedExit).length * Math.min(CONCURRENCY, 2 * BATCH);
    console.log(`multinode restart: terminated ${terminated.join('+')} backends in ${terminated.length} events (one with connections refused for 2.5 s); `
      + `POST /messages: ${tally.created} × 201, ${tally.unavailable} × 503 problem+json, ${tally.other.length} other, slowest ${tally.slowest} ms; `
      + `/readyz: ${readyz.ok} × 200, ${readyz.unavailable} × 503; committed without a 201: ${unacknowledged.length} `
      + `(${unacknowledged.filter((r) => r.status === 'sent').length} sent); duplicates ${extraRows} (bound ${bound})`);
    assert.deepEqual(tally.other.slice(0, 5), [], 'every request answers 201 or 503 problem+json within 10 s');
    assert.deepEqual(readyz.other.slice(0, 5), [], '/readyz answers 200 or 503 problem+json within 10 s');
    assert.ok(tally.unavailable > 0, 'requests during the outage got 503');
    assert.ok(readyz.unavailable > 0, '/readyz said 503 during the outage');
    assert.ok(tally.created > 0);
    assert.deepEqual(lost, [], 'every accepted message is in the database');
    assert.deepEqual(notSent.slice(0, 10), [], `${notSent.length} accepted messages not sent`);
    assert.deepEqual(unacknowledged.filter((r) => r.status !== 'sent' && r.status !== 'cancelled'), [], 'messages committed without a 201 are final too');
    assert.ok(extraRows <= bound, `${extraRows} duplicates > bound ${bound}`);
    assert.deepEqual(await ledgerViolations(accounts), []);
    assert.deepEqual(unexpectedExits(), [], 'no node crashed');
  });
});
