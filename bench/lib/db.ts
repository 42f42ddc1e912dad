import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { onCleanup } from './cleanup.js';

export type DbKind = 'sqlite' | 'postgres';

/** Admin connection that creates and drops the benchmark databases. */
export const PG_ADMIN_URL = process.env.RELAIS_BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export async function pgAdmin(text: string, url = PG_ADMIN_URL): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * A fresh, empty database: a SQLite file in a new temp directory, or a PostgreSQL database
 * `relais_bench_<hex>`. Dropped/removed by `drop()` or, failing that, when the run ends.
 */
export class BenchDb {
  private dropped = false;
  private readonly unregister: () => void;

  private constructor(readonly kind: DbKind, readonly url: string, readonly name: string, private readonly dir?: string) {
    this.unregister = onCleanup(() => this.drop());
  }

  static async create(kind: DbKind): Promise<BenchDb> {
    if (kind === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'relais-bench-'));
      return new BenchDb(kind, `sqlite:${join(dir, 'relais.db')}`, join(dir, 'relais.db'), dir);
    }
    const name = `relais_bench_${randomBytes(6).toString('hex')}`;
    await pgAdmin(`CREATE DATABASE "${name}"`);
    const u = new URL(PG_ADMIN_URL);
    u.pathname = `/${name}`;
    return new BenchDb(kind, u.toString(), name);
  }

  /** Bytes on disk: SQLite file + -wal + -shm; PostgreSQL pg_database_size (catalogs included). */
  async sizeBytes(): Promise<{ bytes: number; detail: Record<string, number> }> {
    if (this.kind === 'sqlite') {
      const sz = (f: string) => { try { return statSync(f).size; } catch { return 0; } };
      const detail = { db: sz(this.name), wal: sz(`${this.name}-wal`), shm: sz(`${this.name}-shm`) };
      return { bytes: detail.db + detail.wal, detail };
    }
    const tables = ['messages', 'recipients', 'events', 'ledger', 'outbox'];
    const r = await this.query<{ db: number } & Record<string, number>>(
      `select pg_database_size(current_database())::bigint as db, ${tables.map((t) => `pg_total_relation_size('${t}')::bigint as "${t}"`).join(', ')}`);
    const row = r[0];
    const detail: Record<string, number> = {};
    for (const [k, v] of Object.entries(row)) detail[k] = Number(v);
    return { bytes: detail.db, detail };
  }

  /**
   * Removes what only the harness's setup leaves on disk, and returns the bytes it took.
   * scheduleBatched debits one balance row up to 500 times in one transaction: PostgreSQL keeps
   * every version until the commit, ~65 B per message in `accounts`. One schedule per commit, as
   * every real client path does, updates the row in place (HOT, pruned): 20 000 schedules awaited
   * one by one leave `accounts` at one 8 kB page. SQLite updates in place: nothing to remove.
   */
  async dropSetupBloat(): Promise<number> {
    if (this.kind === 'sqlite') return 0;
    const before = await this.sizeBytes();
    await this.query('vacuum full accounts');
    return before.bytes - (await this.sizeBytes()).bytes;
  }

  /** A query on a separate connection (never through the store under test). */
  async query<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    if (this.kind === 'sqlite') {
      const db = new Database(this.name, { readonly: true, fileMustExist: true });
      try {
        db.pragma('busy_timeout = 5000');
        return db.prepare(text).all(...params) as T[];
      } finally {
        db.close();
      }
    }
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5000 });
    client.on('error', () => {});
    await client.connect();
    try {
      const types = { getTypeParser: (oid: number, format?: any) => (oid === 20 || oid === 1700 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) };
      return (await client.query({ text, values: params, types: types as any })).rows as T[];
    } finally {
      await client.end().catch(() => {});
    }
  }

  async drop(): Promise<void> {
    if (this.dropped) return;
    this.dropped = true;
    this.unregister();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    else await pgAdmin(`DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`);
  }
}
