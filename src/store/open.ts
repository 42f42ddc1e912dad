import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { RelaisError } from '../core/errors.js';
import type { Database } from './schema.js';
import { KyselyStore } from './kysely-store.js';

export type StoreKind = 'sqlite' | 'postgres';

export interface StoreOptions {
  url: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  /** Apply pending migrations on open (the server does; `relais migrate` does it explicitly). */
  migrate?: boolean;
}

export function storeKind(url: string): StoreKind {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgres';
  if (url.startsWith('sqlite:')) return 'sqlite';
  throw new RelaisError('invalid_request', `unsupported database URL "${url}": use sqlite:<path> or postgres://…`);
}

/** Opens the database named by `url`, migrating it first unless told not to. */
export async function openStore(opts: StoreOptions): Promise<KyselyStore> {
  const kind = storeKind(opts.url);
  const db = kind === 'sqlite' ? openSqlite(opts.url) : openPostgres(opts);
  const store = new KyselyStore(db, kind);
  try {
    if (opts.migrate !== false) await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}


function openSqlite(url: string): Kysely<Database> {
  const file = resolve(url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, ''));
  mkdirSync(dirname(file), { recursive: true });
  const database = new SqliteDatabase(file);
  database.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a commit survives a process crash; a power loss can lose the last
  // commits since the previous checkpoint (docs/OPERATIONS.md states it).
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
}

function openPostgres(opts: StoreOptions): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    statement_timeout: opts.statementTimeoutMs,
    // bigint columns hold epoch ms and credits, both far below 2^53.
    types: { getTypeParser: (oid: number, format?: any) => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) } as any,
  });
  // An idle client that loses its server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
