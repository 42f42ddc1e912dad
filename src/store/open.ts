import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDialectConfig } from 'kysely';
import pg from 'pg';
import { isRelaisError, RelaisError } from '../core/errors.js';
import type { Database } from './schema.js';
import { kindOf, type StoreKind } from './kind.js';
import { KyselyStore } from './kysely-store.js';
import { preparedName } from './raw.js';

export interface StoreOptions {
  url: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  /** Apply pending migrations on open (the server does; `relais migrate` does it explicitly). */
  migrate?: boolean;
  /** PostgreSQL: without composite statements (KyselyStore); for the differential test. */
  stepwise?: boolean;
}

export function storeKind(url: string): StoreKind {
  const kind = kindOf(url);
  if (!kind) throw new RelaisError('invalid_request', `unsupported database URL "${url}": use sqlite:<path> or postgres://…`);
  return kind;
}

/** Opens the database named by `url`, migrating it first unless told not to. */
export async function openStore(opts: StoreOptions): Promise<KyselyStore> {
  const kind = storeKind(opts.url);
  let store: KyselyStore | undefined;
  try {
    store = kind === 'sqlite' ? openSqlite(opts.url) : new KyselyStore(openPostgres(opts), kind, undefined, { stepwise: opts.stepwise });
    if (opts.migrate !== false) await store.migrate();
    return store;
  } catch (err) {
    await store?.close();
    throw storeError(err);
  }
}

/**
 * Why the database could not be opened or migrated, in words an operator can act on: the
 * migrator only says `database migration failed`, and Node `connect ECONNREFUSED …`.
 */
export function storeError(err: unknown): RelaisError {
  if (isRelaisError(err)) return err;
  const root = rootCause(err);
  const code = root.code;
  // Node's socket errors (E…), and PostgreSQL's connection (08), authentication (28) and
  // unknown-database (3D) classes: the database was never reached, whatever was being done.
  const unreachable = typeof code === 'string' && (/^E[A-Z]+$/.test(code) || /^(08|28|3D)/.test(code) || code.startsWith('SQLITE_CANTOPEN'));
  if (unreachable) return new RelaisError('unavailable', `cannot open the database: ${describe(root)}`, {}, { cause: err });
  const what = err instanceof Error && err !== root ? `${err.message}: ` : '';
  return new RelaisError('unavailable', `${what}${describe(root)}`, {}, { cause: err });
}

type DriverError = Error & { code?: unknown; address?: unknown; port?: unknown; hostname?: unknown };

/** The innermost error: the migrator wraps the driver's, and Node an attempt per address in an AggregateError. */
function rootCause(err: unknown): DriverError {
  let e = err as DriverError & { errors?: unknown[] };
  for (;;) {
    if (e?.cause instanceof Error) e = e.cause as typeof e;
    else if (Array.isArray(e?.errors) && e.errors[0] instanceof Error) e = e.errors[0] as typeof e;
    else return e instanceof Error ? e : new Error(String(err));
  }
}

function describe(e: DriverError): string {
  switch (e.code) {
    case 'ECONNREFUSED':
      return `connection refused at ${String(e.address)}:${String(e.port)}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found: ${String(e.hostname)}`;
    default:
      // PostgreSQL's own messages name the culprit: database "x" does not exist, password
      // authentication failed for user "y", role "y" does not exist.
      return e.message || String(e.code ?? 'unknown error');
  }
}

function openSqlite(url: string): KyselyStore {
  const file = resolve(url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, ''));
  mkdirSync(dirname(file), { recursive: true });
  const database = new SqliteDatabase(file);
  database.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a commit survives a process crash; a power loss can lose the last
  // commits since the previous checkpoint (docs/OPERATIONS.md states it).
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  // Each request in a group commit runs in a savepoint, whose copies of the pages it changes
  // (the sub-journal) SQLite spills to a temp file past 64 KiB: that made every insert 2–3×
  // dearer under concurrent load (docs/BENCHMARKS.md, 12). Relais builds no large temp tables or sorts.
  database.pragma('temp_store = MEMORY');
  database.pragma('foreign_keys = ON');
  const prepare = statementCache(database);
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: { close: () => database.close(), prepare } as unknown as SqliteDialectConfig['database'] }),
  });
  return new KyselyStore(db, 'sqlite', { database, prepare });
}

const STATEMENT_CACHE_SIZE = 1000;

/**
 * Kysely prepares every query anew, which costs more than running it on the hot path; the
 * same SQL text reuses one prepared statement here. `begin` becomes `begin immediate` so a
 * transaction takes the write lock up front and waits (busy_timeout) instead of failing with
 * SQLITE_BUSY when another process (the CLI, a restarted server) writes at the same time.
 */
function statementCache(database: SqliteDatabase.Database): (text: string) => SqliteDatabase.Statement {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return (text) => {
    let stmt = cache.get(text);
    if (!stmt) {
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
      stmt = database.prepare(text === 'begin' ? 'begin immediate' : text);
      cache.set(text, stmt);
    }
    return stmt;
  };
}

function openPostgres(opts: StoreOptions): Kysely<Database> {
  const pool = new pg.Pool({
    Client: PreparingClient,
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    statement_timeout: opts.statementTimeoutMs,
    // A database host that stops answering must fail requests (503), not hang them on TCP timeouts.
    connectionTimeoutMillis: 10_000,
    // bigint columns hold epoch ms and credits, both far below 2^53.
    types: { getTypeParser: (oid: number, format?: any) => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) } as any,
  });
  // An idle client that loses its server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Nor may a checked-out one (inside a transaction, between two queries): pg emits 'error' on
  // the client itself, which throws without a listener. The query in progress still rejects
  // (→ 503), and the pool discards the dead client when it is released.
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Hot-path statements are planned once per connection: a schedule's one statement (a CTE of
 * five writes) spent more time in parse and plan than in execution when sent unnamed.
 */
class PreparingClient extends pg.Client {
  /** Statements whose plan PostgreSQL refused inside a transaction: deallocated before their next use. */
  private readonly stale = new Set<string>();

  override query(config: any, values?: any, callback?: any): any {
    const name = typeof config === 'string' && !callback ? preparedName(config) : undefined;
    if (!name) return super.query(config, values, callback);
    const run = () => super.query({ name, text: config, values });
    return (this.stale.has(name) ? this.deallocate(name).then(run) : run()).catch((err: unknown) => this.replanned(err, name, run));
  }

  /**
   * A migration run by another process (deploys that migrate first) can change what a prepared
   * `select *` returns; PostgreSQL then refuses the old plan (0A000) until it is deallocated.
   * Outside a transaction that happens at once and the statement runs again; inside one, which
   * the error aborted, the caller sees the error (a 503, store/unavailable.ts) and the next use
   * deallocates first.
   */
  private async replanned(err: unknown, name: string, run: () => Promise<unknown>): Promise<unknown> {
    if ((err as { code?: string }).code !== '0A000') throw err;
    this.stale.add(name);
    await this.deallocate(name).catch(() => { throw err; });
    return run();
  }

  private async deallocate(name: string): Promise<void> {
    // pg remembers the names this connection has parsed (pg 8 internals, no public API): forgotten
    // here, the next use sends Parse again instead of only Bind.
    delete (this as any).connection.parsedStatements[name];
    await super.query(`deallocate ${name}`);
    this.stale.delete(name);
  }
}
