import {
  Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler,
  type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult,
} from 'kysely';
import type SqliteDatabase from 'better-sqlite3';
import type { Database } from './schema.js';

type Prepare = (text: string) => SqliteDatabase.Statement;

/**
 * Kysely on SQLite's one connection, with neither a mutex nor transactions of its own: the group
 * committer (group-commit.ts) opens and ends every transaction, and every store query runs
 * inside one. With Kysely's own driver each transaction is a new Kysely object, to which the
 * store's queries had to be bound anew: that binding alone was a sixth of a request's CPU.
 */
export function directSqlite(prepare: Prepare): Kysely<Database> {
  const connection: DatabaseConnection = {
    async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
      const stmt = prepare(q.sql);
      if (stmt.reader) return { rows: stmt.all(q.parameters) as R[] };
      const { changes, lastInsertRowid } = stmt.run(q.parameters);
      return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
    },
    // eslint-disable-next-line require-yield
    async *streamQuery() {
      throw new Error('streaming is not used on the direct SQLite connection');
    },
  };
  const refuse = async () => {
    throw new Error('transactions on SQLite belong to the group committer');
  };
  const driver: Driver = {
    async init() {},
    async acquireConnection() { return connection; },
    beginTransaction: refuse,
    commitTransaction: refuse,
    rollbackTransaction: refuse,
    async releaseConnection() {},
    async destroy() {},
  };
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => driver,
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
}
