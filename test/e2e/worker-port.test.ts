/**
 * A worker-role server (startServer in this process, SQLite in a temp directory): without
 * RELAIS_WORKER_PORT it listens on nothing; with it, it answers /healthz, /readyz and /metrics
 * there, and its counters are the sends its dispatcher did. The API is not served on that port.
 * A port already taken fails the start and leaves no dispatcher behind. RELAIS_METRICS_TOKEN
 * guards its /metrics too. The start-up line of an API server tells a newcomer where to go.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { composeCore } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { createAccount } from '../../src/core/accounts.js';
import { startServer } from '../../src/main.js';
import { openStore } from '../../src/store/open.js';
import { scheduleSms, waitFor } from '../helpers/dispatch.js';

let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), 'relais-worker-port-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

const env = (extra: Record<string, string>) => loadConfig({
  RELAIS_DATABASE_URL: `sqlite:${join(dir, 'relais.db')}`, RELAIS_DATA_DIR: dir, RELAIS_LOG_LEVEL: 'silent', RELAIS_POLL_INTERVAL_MS: '50', ...extra,
});

test('a worker opens no port unless RELAIS_WORKER_PORT is set', async () => {
  const server = await startServer(env({}), { role: 'worker' });
  try {
    assert.equal(server.address, undefined);
    assert.equal(server.app, undefined);
  } finally {
    await server.close();
  }
});

test('a worker with RELAIS_WORKER_PORT serves health and the metrics of its own sends, and nothing else', async () => {
  const server = await startServer(env({ RELAIS_WORKER_PORT: '0' }), { role: 'worker' });
  try {
    assert.ok(server.address?.startsWith('http://127.0.0.1:'), `address ${server.address}`);
    const get = async (path: string) => {
      const res = await fetch(server.address + path);
      return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
    };
    assert.deepEqual(JSON.parse((await get('/healthz')).text), { status: 'ok' });
    const ready = await get('/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(JSON.parse(ready.text), { status: 'ready', database: 'sqlite' });

    const { account } = await createAccount(server.core, { name: 'w', credits: 1000 });
    await scheduleSms(server.core, account.id, ['+33612345678'], server.core.clock.now());
    const sent = /^relais_recipients_sent_total\{channel="sms"\} 1$/m;
    const metrics = await waitFor('the send in /metrics', async () => {
      const text = (await get('/metrics')).text;
      return sent.test(text) ? text : undefined;
    }, 5000, 50);
    assert.match(metrics, /^relais_dispatch_lateness_seconds_count\{channel="sms"\} 1$/m);

    const api = await get('/api/v1/messages');
    assert.equal(api.status, 404);
    assert.match(api.type, /^application\/problem\+json/);
  } finally {
    await server.close();
  }
});

test('a worker with RELAIS_METRICS_TOKEN serves /metrics only with it; health stays open', async () => {
  const server = await startServer(env({ RELAIS_WORKER_PORT: '0', RELAIS_METRICS_TOKEN: 'scrape-me' }), { role: 'worker' });
  try {
    const get = (path: string, token?: string) => fetch(server.address + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const refused = await get('/metrics');
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(((await refused.json()) as { code: string }).code, 'unauthorized');
    assert.equal((await get('/metrics', 'other')).status, 401);
    const ok = await get('/metrics', 'scrape-me');
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /^# TYPE relais_recipients_sent_total counter$/m);
    assert.equal((await get('/healthz')).status, 200);
  } finally {
    await server.close();
  }
});

test('the start-up line gives the API and docs URLs and says whether the admin API is on', async () => {
  for (const [token, admin] of [['', false], ['secret', true]] as const) {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString('utf8'))); done(); } });
    const server = await startServer(env({ PORT: '0', RELAIS_ADMIN_TOKEN: token }), { role: 'api', logger: pino({ level: 'info' }, sink) });
    try {
      const started = lines.find((l) => l.msg === 'relais started');
      assert.ok(started, JSON.stringify(lines));
      assert.equal(started.api, `${server.address}/api/v1`);
      assert.equal(started.docs, `${server.address}/docs`);
      assert.equal(started.admin, admin);
      if (!admin) assert.match(String(started.adminHint), /RELAIS_ADMIN_TOKEN/);
      assert.equal((await fetch(String(started.docs))).status, 200);
    } finally {
      await server.close();
    }
  }
});

test('RELAIS_WORKER_PORT must be a port number', () => {
  assert.throws(() => env({ RELAIS_WORKER_PORT: 'metrics' }), /RELAIS_WORKER_PORT must be an integer from 0 to 65535/);
});

test('a start that cannot listen stops its dispatcher: a message due after the failure is not sent', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const config = env({ RELAIS_WORKER_PORT: String((taken.address() as AddressInfo).port) });
  const store = await openStore({ url: config.db.url });
  try {
    const core = composeCore(config, store);
    const { account } = await createAccount(core, { name: 'busy-port', credits: 1000 });
    const sendAt = core.clock.now() + 1500;
    const message = await scheduleSms(core, account.id, ['+33612345679'], sendAt);
    await assert.rejects(startServer(config, { role: 'worker' }), /EADDRINUSE/);
    // Past the due instant a live dispatcher (polling every 50 ms) would have sent it.
    await new Promise((r) => setTimeout(r, Math.max(0, sendAt + 500 - core.clock.now())));
    assert.equal((await store.autocommit.getMessage(message.id))?.status, 'scheduled');
  } finally {
    await store.close();
    await new Promise((resolve) => taken.close(resolve));
  }
});
