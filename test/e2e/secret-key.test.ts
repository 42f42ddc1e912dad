/**
 * Sub-account keys at rest (startServer in this process, on both databases): sealed in the
 * column, clear in the vendor's list; the key comes from RELAIS_SECRET_KEY or a file made on
 * the first start; a restart with the same key works, another key stops the start clearly, and
 * keys stored in clear by an older version are sealed by the first start.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { ConfigError, loadConfig } from '../../src/config.js';
import { hashApiKey, newApiKey } from '../../src/core/accounts.js';
import { startServer, type Server } from '../../src/main.js';
import { dialectSuite } from '../helpers/store.js';

const K1 = 'a'.repeat(64);
const K2 = 'b'.repeat(64);

let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), 'relais-secret-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

/** A server over the suite's database; its log lines are kept in `lines`. */
async function start(url: string, dataDir: string, env: Record<string, string> = {}): Promise<{ server: Server; lines: any[] }> {
  const lines: any[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => { lines.push(JSON.parse(s)); } });
  const config = loadConfig({ RELAIS_DATABASE_URL: url, RELAIS_DATA_DIR: dataDir, RELAIS_ADMIN_TOKEN: 'admin', PORT: '0', ...env });
  return { server: await startServer(config, { role: 'api', logger }), lines };
}

async function call(server: Server, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(server.address + path, {
    method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.equal(res.status < 300, true, `${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

const listed = async (server: Server, apiKey: string): Promise<{ id: number; apiKey: string }[]> =>
  (await call(server, 'GET', `/smspartner/v1/subaccount/list?apiKey=${apiKey}`)).data;

dialectSuite('secret key: sealed sub-account keys', ({ getStore, url }) => {
  test('sealed in the column, clear in the list; clear legacy rows sealed on start; same key restarts, another key stops the start', async () => {
    const store = getStore();
    const db = (store as any).db;
    const dataDir = join(dir, `sealed-${Math.random().toString(36).slice(2)}`);

    // A sub-account written by a version that kept its key in clear.
    const parent = await store.autocommit.createAccount({ name: 'parent', parentId: null, currency: 'EUR', createdAt: 0 });
    const parentKey = newApiKey();
    await store.autocommit.insertApiKey({ accountId: parent.id, hash: hashApiKey(parentKey), prefix: 'x', scopes: null, createdAt: 0 });
    await store.autocommit.saveProfile({ accountId: parent.id, email: 'parent@example.com', subaccountsEnabled: true });
    const legacy = await store.autocommit.createAccount({ name: 'legacy', parentId: parent.id, currency: 'EUR', createdAt: 0 });
    const legacyKey = newApiKey();
    await store.autocommit.insertApiKey({ accountId: legacy.id, hash: hashApiKey(legacyKey), prefix: 'x', scopes: null, createdAt: 0 });
    await store.autocommit.saveProfile({ accountId: legacy.id, email: 'legacy@example.com', token: 'legacy-token', subType: 'simple', apiKey: legacyKey });

    let { server, lines } = await start(url(), dataDir, { RELAIS_SECRET_KEY: K1 });
    let fresh: { id: number; apiKey: string };
    try {
      assert.ok(lines.some((l) => l.sealed === 1 && /now sealed/.test(l.msg)), 'the start logs that it sealed the legacy key');
      await call(server, 'POST', '/smspartner/v1/subaccount/create', { apiKey: parentKey, type: 'simple' });
      const items = await listed(server, parentKey);
      assert.equal(items.length, 2);
      assert.equal(items[0].apiKey, legacyKey);
      fresh = items[1];
      assert.match(fresh.apiKey, /^[0-9A-Za-z]{40}$/);
      assert.equal((await call(server, 'GET', `/smspartner/v1/me?apiKey=${fresh.apiKey}`)).success, true, 'the listed key works');
    } finally {
      await server.close();
    }
    const rows: { account_id: number; api_key: string }[] = await db.selectFrom('account_profiles').select(['account_id', 'api_key'])
      .where('api_key', 'is not', null).orderBy('account_id').execute();
    assert.deepEqual(rows.map((r) => Number(r.account_id)), [legacy.id, fresh.id]);
    for (const [row, key] of [[rows[0], legacyKey], [rows[1], fresh.apiKey]] as const) {
      assert.match(row.api_key, /^enc1:[A-Za-z0-9_-]+$/);
      assert.ok(!row.api_key.includes(key), 'no plain key in the column');
    }

    ({ server } = await start(url(), dataDir, { RELAIS_SECRET_KEY: K1 }));
    try {
      assert.deepEqual((await listed(server, parentKey)).map((s) => s.apiKey), [legacyKey, fresh.apiKey]);
    } finally {
      await server.close();
    }

    await assert.rejects(start(url(), dataDir, { RELAIS_SECRET_KEY: K2 }),
      (err: Error) => err instanceof ConfigError && /secret key does not match this database/.test(err.message) && /RELAIS_SECRET_KEY/.test(err.message));
    // Nor does a node without the key, whose data directory makes one of its own.
    await assert.rejects(start(url(), join(dataDir, 'other-node')), ConfigError);
    assert.deepEqual((await db.selectFrom('account_profiles').select('api_key').where('api_key', 'is not', null).orderBy('account_id').execute())
      .map((r: { api_key: string }) => r.api_key), rows.map((r) => r.api_key), 'a refused start changes nothing');
  });
});

dialectSuite('secret key: generated into the data directory', ({ url }) => {
  test('unset RELAIS_SECRET_KEY: the first start writes 64 hex characters to secret.key (0600) and warns; the next start reuses it', async () => {
    const dataDir = join(dir, `generated-${Math.random().toString(36).slice(2)}`);
    const first = await start(url(), dataDir);
    await first.server.close();
    const file = join(dataDir, 'secret.key');
    const key = (await readFile(file, 'utf8')).trim();
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const warning = first.lines.find((l) => l.level === 40 && /RELAIS_SECRET_KEY/.test(l.msg));
    assert.ok(warning, 'a warning names RELAIS_SECRET_KEY');
    assert.match(warning.msg, /multi-node deployment must set RELAIS_SECRET_KEY, the same key on every node/);
    assert.equal(warning.file, file);

    const second = await start(url(), dataDir);
    await second.server.close();
    assert.equal((await readFile(file, 'utf8')).trim(), key);
    // The file's key is the database's key: setting it explicitly is the same key.
    const explicit = await start(url(), join(dataDir, 'elsewhere'), { RELAIS_SECRET_KEY: key });
    await explicit.server.close();
    assert.ok(!explicit.lines.some((l) => l.level === 40 && /RELAIS_SECRET_KEY/.test(l.msg)), 'no warning when the key is set');
  });
});
