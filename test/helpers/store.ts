import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, type CompiledQuery } from 'kysely';
import SqliteDatabase from 'better-sqlite3';
import type { PaidMessage, Store } from '../../src/core/ports.js';
import { openStore } from '../../src/store/open.js';

export type Dialect = 'sqlite' | 'postgres';

export const DIALECTS: Dialect[] = (() => {
  const env = process.env.RELAIS_TEST_DIALECTS?.trim();
  if (!env) return ['sqlite', 'postgres'];
  const list = env.split(',').map((d) => d.trim()).filter(Boolean);
  for (const d of list) {
    if (d !== 'sqlite' && d !== 'postgres') throw new Error(`RELAIS_TEST_DIALECTS: unknown dialect "${d}" (use sqlite,postgres)`);
  }
  return list as Dialect[];
})();

/** Admin URLs tried in order; the first reachable one creates and drops the test databases. */
const ADMIN_CANDIDATES = process.env.RELAIS_TEST_PG_URL
  ? [process.env.RELAIS_TEST_PG_URL]
  : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://postgres@127.0.0.1:5432/postgres'];

let probe: Promise<{ url: string } | { error: string }> | undefined;

function probePostgres(): Promise<{ url: string } | { error: string }> {
  probe ??= (async () => {
    const errors: string[] = [];
    for (const url of ADMIN_CANDIDATES) {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query('select 1');
        return { url };
      } catch (err) {
        errors.push(`${redact(url)}: ${(err as Error).message || String(err)}`);
      } finally {
        await client.end().catch(() => {});
      }
    }
    return { error: errors.join('; ') };
  })();
  return probe;
}

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

export async function postgresAvailable(): Promise<boolean> {
  return 'url' in (await probePostgres());
}

async function adminQuery(adminUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end().catch(() => {});
  }
}

export interface TestStore {
  store: Store;
  url: string;
  cleanup(): Promise<void>;
}

/**
 * A fresh, migrated, empty store of this dialect; `cleanup` closes it and deletes its data.
 * `stepwise`: PostgreSQL without its composite statements (openStore).
 */
export async function testStore(dialect: Dialect, opts: { stepwise?: boolean } = {}): Promise<TestStore> {
  if (dialect === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'relais-test-'));
    const url = `sqlite:${join(dir, 'relais.db')}`;
    try {
      const store = await openStore({ url, migrate: true });
      return {
        store, url,
        async cleanup() {
          try { await store.close(); } finally { await rm(dir, { recursive: true, force: true }); }
        },
      };
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  const p = await probePostgres();
  if ('error' in p) throw new Error(`PostgreSQL not reachable: ${p.error}`);
  const name = `relais_test_${randomBytes(6).toString('hex')}`;
  const url = databaseUrl(p.url, name);
  // The test runner's migrated template (scripts/run-tests.mjs) makes a copy in a fifth of the
  // time migrating takes; the migrations still run below, and find nothing to do.
  const template = process.env.RELAIS_TEST_PG_TEMPLATE;
  await adminQuery(p.url, `CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  const drop = () => adminQuery(p.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  try {
    const store = await openStore({ url, migrate: true, poolSize: 5, ...opts });
    return {
      store, url,
      async cleanup() {
        try { await store.close(); } finally { await drop(); }
      },
    };
  } catch (err) {
    await drop().catch(() => {});
    throw err;
  }
}

/**
 * An empty database of this dialect, no migration applied (for the migrations' own tests);
 * `ran` sees each query run; `cleanup` deletes it.
 */
export async function blankDatabase(dialect: Dialect, ran?: (q: CompiledQuery) => void): Promise<{ db: Kysely<any>; cleanup(): Promise<void> }> {
  const log = ran && ((e: { query: CompiledQuery }) => ran(e.query));
  if (dialect === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'relais-test-'));
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new SqliteDatabase(join(dir, 'relais.db')) }), log });
    return { db, async cleanup() { try { await db.destroy(); } finally { await rm(dir, { recursive: true, force: true }); } } };
  }
  const p = await probePostgres();
  if ('error' in p) throw new Error(`PostgreSQL not reachable: ${p.error}`);
  const name = `relais_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(p.url, `CREATE DATABASE "${name}"`);
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl(p.url, name), max: 2 }) }), log });
  return { db, async cleanup() { try { await db.destroy(); } finally { await adminQuery(p.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`); } } };
}

const databaseUrl = (adminUrl: string, name: string): string => {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
};

/**
 * Creates a migrated PostgreSQL database for the test files of one run to copy (`CREATE DATABASE
 * … TEMPLATE`), and returns its name; undefined when PostgreSQL is not tested or not reachable.
 */
export async function createMigratedTemplate(): Promise<string | undefined> {
  if (!DIALECTS.includes('postgres')) return undefined;
  const p = await probePostgres();
  if ('error' in p) return undefined;
  const name = `relais_template_${randomBytes(6).toString('hex')}`;
  await adminQuery(p.url, `CREATE DATABASE "${name}"`);
  try {
    // Closed before any copy: PostgreSQL copies only a database nobody is connected to.
    await (await openStore({ url: databaseUrl(p.url, name), migrate: true })).close();
  } catch (err) {
    await dropTemplate(name).catch(() => {});
    throw err;
  }
  return name;
}

export async function dropTemplate(name: string): Promise<void> {
  const p = await probePostgres();
  if ('url' in p) await adminQuery(p.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

export interface DialectContext {
  dialect: Dialect;
  getStore(): Store;
  url(): string;
}

const CI = process.env.CI === 'true';
// Resolved once per test process, so that `describe` can be skipped synchronously.
const pgReachable = DIALECTS.includes('postgres') ? await postgresAvailable() : false;
let noticePrinted = false;

/**
 * Declares `describe(\`${name} [${dialect}]\`)` once per dialect in DIALECTS, with one fresh
 * store per block (tests inside use their own accounts). PostgreSQL unreachable: skipped
 * locally, a failure when CI=true.
 */
export function dialectSuite(name: string, fn: (ctx: DialectContext) => void): void {
  dialectBlocks(name, testStore, (s) => s.cleanup(), (dialect, get) => fn({
    dialect,
    getStore: () => get().store,
    url: () => get().url,
  }), 'store');
}

/**
 * The per-dialect skeleton shared by dialectSuite and dialectApp: one `describe` per dialect,
 * a resource opened in `before` and closed in `after`, PostgreSQL skipped locally or failed
 * under CI=true when it cannot be reached.
 */
export function dialectBlocks<T>(
  name: string,
  open: (dialect: Dialect) => Promise<T>,
  close: (resource: T) => Promise<void>,
  fn: (dialect: Dialect, get: () => T) => void,
  what = 'resource',
): void {
  for (const dialect of DIALECTS) {
    const title = `${name} [${dialect}]`;
    if (dialect === 'postgres' && !pgReachable && !CI) {
      if (!noticePrinted) {
        noticePrinted = true;
        console.error(`notice: PostgreSQL not reachable (${ADMIN_CANDIDATES.map(redact).join(', ')}); postgres suites are skipped (CI=true makes this a failure)`);
      }
      describe(title, { skip: 'PostgreSQL not reachable at 127.0.0.1:5432' }, () => {});
      continue;
    }
    describe(title, () => {
      let current: T | undefined;
      before(async () => {
        if (dialect === 'postgres' && !pgReachable) {
          const p = await probePostgres();
          throw new Error(`PostgreSQL is required when CI=true: ${'error' in p ? p.error : 'not reachable'}`);
        }
        current = await open(dialect);
      });
      after(async () => {
        const c = current;
        current = undefined;
        if (c !== undefined) await close(c);
      });
      fn(dialect, () => {
        if (current === undefined) throw new Error(`${title}: ${what} not open (before hook failed or test ran outside the suite)`);
        return current;
      });
    });
  }
}

/** A one-recipient SMS as core hands it to `insertPaidMessage`: 40 thousandths, debited down to zero. */
export const paidMessage = (accountId: number, fields: Partial<PaidMessage> = {}): PaidMessage => ({
  accountId, channel: 'sms', sendAt: 0, createdAt: 0, tag: null, batchId: null, idempotencyKey: null, requestHash: null,
  metadata: null, content: { channel: 'sms', text: 'hello', sender: null, unicode: false }, units: 1, price: 40,
  recipients: [{ address: '+33600000001', price: 40 }],
  debit: { floor: 0, cause: (id) => `message ${id} scheduled` },
  event: { type: 'scheduled', data: null },
  ...fields,
});
