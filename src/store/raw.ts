import { CompiledQuery, type Kysely } from 'kysely';
import type SqliteDatabase from 'better-sqlite3';
import type { Database } from './schema.js';

/**
 * A hot-path statement, written once in SQLite's `?` style; PostgreSQL's `$n` text is derived
 * once. Building and compiling a Kysely query costs more than running it on SQLite (profiles
 * in docs/BENCHMARKS.md): the statements that every schedule, cancel and dispatch runs are
 * written out here instead. Placeholders are the only difference the two dialects see.
 */
export class Statement {
  readonly pg: string;

  /**
   * `prepare`: PostgreSQL connections parse and plan it once, under a name (open.ts). Off for the
   * variable-length variants below, which would leave one plan per length in every connection.
   */
  constructor(readonly sqlite: string, prepare = true) {
    let n = 0;
    this.pg = sqlite.replace(/\?/g, () => `$${++n}`);
    if (prepare && !preparedNames.has(this.pg)) preparedNames.set(this.pg, `relais_${preparedNames.size}`);
  }
}

const preparedNames = new Map<string, string>();

/** The name PostgreSQL connections prepare `text` under, if it is a fixed hot-path statement. */
export function preparedName(text: string): string | undefined {
  return preparedNames.get(text);
}

/** `insert … values (…), (…)` with `rows` copies of `tuple` (e.g. `(?, ?, 0)`), memoized per row count. */
export function multiRow(head: string, tuple: string, tail = ''): (rows: number) => Statement {
  const made = new Map<number, Statement>();
  return (rows) => {
    let s = made.get(rows);
    if (!s) made.set(rows, (s = new Statement(`${head} values ${Array.from({ length: rows }, () => tuple).join(', ')}${tail}`, false)));
    return s;
  };
}

/** `head (?, ?, …) tail` with `n` placeholders in the list, memoized per list length. */
export function inList(head: string, tail = ''): (n: number) => Statement {
  const made = new Map<number, Statement>();
  return (n) => {
    let s = made.get(n);
    if (!s) made.set(n, (s = new Statement(`${head} (${Array.from({ length: n }, () => '?').join(', ')})${tail}`, false)));
    return s;
  };
}

/** Runs statements inside the caller's transaction (or alone, outside one). */
export interface Raw {
  all<R>(s: Statement, params: unknown[]): Promise<R[]>;
  /** Returns how many rows the statement changed. */
  run(s: Statement, params: unknown[]): Promise<number>;
}

/**
 * SQLite: the store's one connection, called directly. Every StoreTx call on SQLite runs inside
 * the transaction that the group committer opened on that connection, so a direct call is part
 * of it; skipping Kysely's driver also skips a promise per statement.
 */
export function sqliteRaw(database: SqliteDatabase.Database): Raw {
  const prepared = new Map<Statement, SqliteDatabase.Statement>();
  const prepare = (s: Statement) => {
    let p = prepared.get(s);
    if (!p) prepared.set(s, (p = database.prepare(s.sqlite)));
    return p;
  };
  return {
    async all<R>(s: Statement, params: unknown[]) {
      return prepare(s).all(...params) as R[];
    },
    async run(s: Statement, params: unknown[]) {
      return prepare(s).run(...params).changes;
    },
  };
}

/** PostgreSQL: on the transaction's connection (or the pool), as precompiled text. */
export function pgRaw(db: Kysely<Database>): Raw {
  return {
    async all<R>(s: Statement, params: unknown[]) {
      return (await db.executeQuery<R>(CompiledQuery.raw(s.pg, params))).rows as R[];
    },
    async run(s: Statement, params: unknown[]) {
      return Number((await db.executeQuery(CompiledQuery.raw(s.pg, params))).numAffectedRows ?? 0);
    },
  };
}
