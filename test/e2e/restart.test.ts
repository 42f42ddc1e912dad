/**
 * Crash and restart of the real server: `node --import tsx src/cli/main.ts serve` as a child
 * process on 127.0.0.1, over a fresh database. A burst of messages falls due; while the outbox
 * fills, the child is SIGKILLed; a new child on the same database finishes the job.
 *
 * Asserted: every recipient ends `sent`, nothing accepted is lost, the ledger holds, and the
 * duplicates (one recipient twice in the outbox) are exactly recipients that were inside the
 * documented window at the kill (outbox row written, recipient not yet marked sent) and at most
 * RELAIS_TRANSPORT_CONCURRENCY of them: a worker holds a transport slot from the send until the
 * result is recorded, so no more sends than that can be unrecorded at any instant.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { eachDialect, phone, pool, SMS_PRICE, waitFor } from '../helpers/dispatch.js';
import { testStore, type Dialect, type TestStore } from '../helpers/store.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ADMIN_TOKEN = 'restart-admin-token';
const MESSAGES = 500;
const RECIPIENTS_EACH = 6;
const TOTAL = MESSAGES * RECIPIENTS_EACH;
const CONCURRENCY = 8;
const BATCH = 50;
/** The documented duplicate window of one crashed worker with one transport (the outbox). */
const DUPLICATE_BOUND = CONCURRENCY;

const children = new Set<Child>();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Child {
  proc: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function startChild(env: Record<string, string>): Child {
  // Only the variables this test sets: a RELAIS_* of the developer's shell must not change the run.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RELAIS_') && k !== 'PORT' && k !== 'HOST'));
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer) => { out = (out + chunk.toString()).slice(-20_000); };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const child: Child = { proc, output: () => out, exited };
  children.add(child);
  void exited.then(() => children.delete(child));
  return child;
}

async function stopChild(c: Child, signal: NodeJS.Signals): Promise<void> {
  if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill(signal);
  await c.exited;
}

const killAll = () => Promise.all([...children].map((c) => stopChild(c, 'SIGKILL')));
after(killAll);

async function http(base: string, method: string, path: string, o: { body?: unknown; key?: string } = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (o.key) headers.authorization = `Bearer ${o.key}`;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body), signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function waitHealthy(base: string, c: Child): Promise<void> {
  await waitFor('the server to answer /healthz', async () => {
    if (c.proc.exitCode !== null) throw new Error(`server exited with ${c.proc.exitCode}:\n${c.output()}`);
    try {
      return (await http(base, 'GET', '/healthz')).status === 200 ? true : undefined;
    } catch {
      return undefined;
    }
  }, 60_000, 50);
}

async function counts(store: KyselyStore) {
  const db = store.db;
  const outbox = await db.selectFrom('outbox').select(['id', 'recipient_id']).execute();
  const pending = new Set((await db.selectFrom('recipients').select('id').where('status', '=', 'pending').execute()).map((r) => r.id));
  return { outbox, pending };
}

eachDialect('restart: SIGKILL mid-burst, then a new server on the same database', (dialect: Dialect) => {
  test(`${MESSAGES} messages × ${RECIPIENTS_EACH} recipients: all sent, nothing lost, duplicates only from the kill window`, async (t) => {
    let db: TestStore | undefined;
    const dataDir = await mkdtemp(join(tmpdir(), 'relais-restart-'));
    try {
      db = await testStore(dialect);
      const store = db.store as KyselyStore;
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const env = {
        PORT: String(port), HOST: '127.0.0.1', RELAIS_DATABASE_URL: db.url, RELAIS_DATA_DIR: dataDir, RELAIS_ADMIN_TOKEN: ADMIN_TOKEN,
        RELAIS_LOG_LEVEL: 'warn', RELAIS_LEASE_SECONDS: '2', RELAIS_TRANSPORT_CONCURRENCY: String(CONCURRENCY),
        RELAIS_DISPATCH_BATCH: String(BATCH), RELAIS_POLL_INTERVAL_MS: '200',
      };

      const first = startChild(env);
      await waitHealthy(base, first);
      const acc = await http(base, 'POST', '/admin/v1/accounts', { body: { name: 'burst', credits: '1000' }, key: ADMIN_TOKEN });
      assert.equal(acc.status, 201);
      const { id: accountId, apiKey } = acc.body as { id: number; apiKey: string };

      // The burst is due at one instant ~3 s ahead (on a slow machine, what is scheduled later is due at once).
      const sendAt = new Date(Date.now() + 3000).toISOString();
      const ids: number[] = [];
      await pool([...Array(MESSAGES).keys()], 16, async (i) => {
        const r = await http(base, 'POST', '/api/v1/messages', {
          key: apiKey, body: { channel: 'sms', to: Array.from({ length: RECIPIENTS_EACH }, (_, k) => phone(i * RECIPIENTS_EACH + k)), text: 'burst', sendAt },
        });
        assert.equal(r.status, 201);
        ids.push(r.body.id);
      });

      // Kill as soon as a tenth of the burst is in the outbox. Read from the database, not through
      // the server: its answers wait behind the burst's transactions, by then most of the burst.
      await waitFor('the outbox to fill', async () => {
        const { rows } = await sql<{ n: number }>`select count(*) as n from outbox`.execute(store.db);
        return Number(rows[0].n) >= TOTAL / 10 ? true : undefined;
      }, 60_000, 10);
      await stopChild(first, 'SIGKILL');
      if (dialect === 'postgres') {
        // A statement the child sent just before dying still runs (and commits) in its backend.
        await waitFor('the killed server\'s statements to finish', async () => {
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid() and state <> 'idle'`.execute(store.db);
          return rows[0].n === 0 ? true : undefined;
        }, 30_000);
      }

      const atKill = await counts(store);
      const inWindow = new Set(atKill.outbox.filter((o) => atKill.pending.has(o.recipient_id)).map((o) => o.recipient_id));
      t.diagnostic(`[${dialect}] at the kill: ${atKill.outbox.length} of ${TOTAL} in the outbox, ${inWindow.size} sent but not yet recorded`);
      assert.ok(atKill.outbox.length < TOTAL, 'the kill came in the middle of the burst');
      assert.ok(inWindow.size <= DUPLICATE_BOUND, `${inWindow.size} sends in the window at the kill (bound ${DUPLICATE_BOUND})`);

      const second = startChild(env);
      await waitHealthy(base, second);
      await waitFor('every message to be final', async () => {
        for (const status of ['scheduled', 'dispatching']) {
          const r = await http(base, 'GET', `/api/v1/messages?status=${status}&limit=1`, { key: apiKey });
          assert.equal(r.status, 200);
          if (r.body.items.length > 0) return undefined;
        }
        return true;
      }, 120_000, 100);
      await stopChild(second, 'SIGTERM');
      assert.equal(second.proc.exitCode, 0, second.output());

      // Nothing lost: every accepted message and every recipient is sent.
      const messages = await store.db.selectFrom('messages').select(['id', 'status', 'price']).execute();
      assert.deepEqual(messages.map((m) => m.id).sort((a, b) => a - b), [...ids].sort((a, b) => a - b));
      assert.deepEqual([...new Set(messages.map((m) => m.status))], ['sent']);
      const recipients = await store.db.selectFrom('recipients').select(['id', 'status']).execute();
      assert.equal(recipients.length, TOTAL);
      assert.deepEqual([...new Set(recipients.map((r) => r.status))], ['sent']);

      // Duplicates: only recipients that were inside the window at the kill, each at most twice.
      const outbox = await store.db.selectFrom('outbox').select(['recipient_id']).execute();
      const perRecipient = new Map<number, number>();
      for (const o of outbox) perRecipient.set(o.recipient_id, (perRecipient.get(o.recipient_id) ?? 0) + 1);
      assert.deepEqual([...perRecipient.keys()].sort((a, b) => a - b), recipients.map((r) => r.id).sort((a, b) => a - b), 'every recipient reached the outbox');
      const duplicated = [...perRecipient].filter(([, n]) => n > 1);
      const duplicates = outbox.length - perRecipient.size;
      t.diagnostic(`[${dialect}] duplicates after restart: ${duplicates} (bound ${DUPLICATE_BOUND}: RELAIS_TRANSPORT_CONCURRENCY)`);
      assert.ok(duplicated.every(([id, n]) => n === 2 && inWindow.has(id)), `duplicates outside the kill window: ${JSON.stringify(duplicated.filter(([id]) => !inWindow.has(id)))}`);
      assert.equal(duplicates, inWindow.size, 'each recipient caught in the window is sent again once, no other');
      assert.ok(duplicates <= DUPLICATE_BOUND);

      // Ledger: every recipient was paid for once, nothing refunded.
      const account = await store.autocommit.getAccount(accountId);
      assert.equal(await store.autocommit.sumLedger(accountId), account!.balance);
      assert.equal(account!.balance, 1_000_000 - TOTAL * SMS_PRICE);
      assert.equal(messages.reduce((n, m) => n + m.price, 0), TOTAL * SMS_PRICE);
    } finally {
      await killAll();
      await db?.cleanup();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
