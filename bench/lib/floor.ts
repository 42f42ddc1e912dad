// The storage engine's floor under the targets re-based to it (DECISIONS.md §41): the writes the
// model requires, with nothing of Relais around them, on the same machine, in the same run.
import Database from 'better-sqlite3';
import pg from 'pg';
import { openStore } from '../../src/store/open.js';
import type { BenchDb } from './db.js';

export interface SqliteFloorOptions {
  synchronous: 'NORMAL' | 'OFF';
  /** Secondary indexes to drop before measuring (the ceiling lines of bench/analysis/sqlite-floor.ts). */
  dropIndexes?: string[];
  /** Also the `scheduled` event row (the Relais floor does; the ceiling does not). */
  withEvent?: boolean;
  /** Then cancel the first `cancels` of those messages. */
  cancels?: number;
}

export interface FloorRates {
  n: number;
  scheduleRate: number;
  scheduleUs: number;
  /** SQLite: the part of a schedule spent in COMMIT. */
  commitUs?: number;
  cancels?: number;
  cancelRate?: number;
}

/** Creates Relais's schema (migrations) in an empty database, and closes it. */
const migrate = async (url: string) => (await openStore({ url })).close();

/**
 * SQLite: the writes of one schedule (message, recipient, balance, ledger, event) as bare
 * better-sqlite3 prepared statements on Relais's schema, WAL, one transaction each, in a plain loop —
 * no event loop turn, no HTTP, no Kysely, no core. Then, optionally, the writes a cancel requires.
 */
export async function sqliteFloor(file: string, n: number, o: SqliteFloorOptions): Promise<FloorRates> {
  await migrate(`sqlite:${file}`);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${o.synchronous}`);
    for (const ix of o.dropIndexes ?? []) db.exec(`drop index ${ix}`);
    db.prepare(`insert into accounts (name, currency, balance, created_at) values ('a', 'EUR', 1000000000, 0)`).run();
    const begin = db.prepare('begin immediate');
    const commit = db.prepare('commit');
    const message = db.prepare(`insert into messages (account_id, channel, status, send_at, created_at, updated_at, content, units, price,
      recipient_count) values (1, 'sms', 'scheduled', ?, ?, ?, ?, 1, 40, 1) returning *`);
    const recipient = db.prepare(`insert into recipients (message_id, account_id, address, status, price, attempts, updated_at)
      values (?, 1, ?, 'pending', 40, 0, ?)`);
    const balance = db.prepare('update accounts set balance = balance - 40 where id = 1 and balance >= 40 returning balance');
    const ledger = db.prepare(`insert into ledger (account_id, kind, amount, balance_after, message_id, cause, created_at)
      values (1, 'debit', -40, ?, ?, ?, ?)`);
    const event = db.prepare(`insert into events (message_id, recipient_id, type, at, data) values (?, null, 'scheduled', ?, ?)`);
    let commitNs = 0n;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const now = Date.now();
      begin.run();
      const m = message.get(now + 600_000, now, now, JSON.stringify({ channel: 'sms', text: `hello ${i}`, sender: null })) as { id: number };
      recipient.run(m.id, `+336${String(10_000_000 + i)}`, now);
      const b = balance.get() as { balance: number };
      ledger.run(b.balance, m.id, `message ${m.id} scheduled`, now);
      if (o.withEvent) event.run(m.id, now, JSON.stringify({ sendAt: now, recipients: 1, price: 40 }));
      const c0 = process.hrtime.bigint();
      commit.run();
      commitNs += process.hrtime.bigint() - c0;
    }
    const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
    const out: FloorRates = { n, scheduleRate: 1e6 / us, scheduleUs: us, commitUs: Number(commitNs) / 1000 / n };
    if (o.cancels) Object.assign(out, sqliteCancelFloor(db, Math.min(o.cancels, n)));
    return out;
  } finally {
    db.close();
  }
}

/** The writes a cancel cannot do without: both statuses, the refund and its ledger entry, the recipient's event. */
function sqliteCancelFloor(db: Database.Database, n: number): Pick<FloorRates, 'cancels' | 'cancelRate'> {
  const begin = db.prepare('begin immediate');
  const commit = db.prepare('commit');
  const message = db.prepare(`update messages set status = 'cancelled', cancelled_at = ?, updated_at = ? where id = ? and status = 'scheduled'`);
  const recipients = db.prepare(`update recipients set status = 'cancelled', updated_at = ? where message_id = ? and status = 'pending' returning id, price`);
  const balance = db.prepare('update accounts set balance = balance + ? where id = 1 returning balance');
  const ledger = db.prepare(`insert into ledger (account_id, kind, amount, balance_after, message_id, cause, created_at)
    values (1, 'refund', ?, ?, ?, ?, ?)`);
  const event = db.prepare(`insert into events (message_id, recipient_id, type, at, data) values (?, ?, 'cancelled', ?, null)`);
  const t0 = process.hrtime.bigint();
  for (let id = 1; id <= n; id++) {
    const now = Date.now();
    begin.run();
    message.run(now, now, id);
    const r = recipients.get(now, id) as { id: number; price: number };
    const b = balance.get(r.price) as { balance: number };
    ledger.run(r.price, b.balance, id, `message ${id} cancelled`, now);
    event.run(id, r.id, now);
    commit.run();
  }
  return { cancels: n, cancelRate: 1e6 / (Number(process.hrtime.bigint() - t0) / 1000 / n) };
}

// PostgreSQL: the same writes as one composite statement each (data-modifying CTEs, an implicit
// transaction): one round trip and one WAL flush per schedule, cheaper than BEGIN, five statements
// and COMMIT awaited one after another, and the shape Relais itself uses (src/store/paid-message.ts).
const PG_SCHEDULE = `with debit as (
    update accounts set balance = balance - 40 where id = $1 and balance >= 40 returning balance
  ), message as (
    insert into messages (account_id, channel, status, send_at, created_at, updated_at, content, units, price, recipient_count)
    select $1, 'sms', 'scheduled', $2::bigint, $3::bigint, $3::bigint, $4::text, 1, 40, 1 from debit returning id
  ), recipient as (
    insert into recipients (message_id, account_id, address, status, price, attempts, updated_at)
    select message.id, $1, $5::text, 'pending', 40, 0, $3::bigint from message
  ), entry as (
    insert into ledger (account_id, kind, amount, balance_after, message_id, cause, created_at)
    select $1, 'debit', -40, debit.balance, message.id, 'message ' || message.id || ' scheduled', $3::bigint from debit, message
  ), event as (
    insert into events (message_id, recipient_id, type, at, data) select message.id, null, 'scheduled', $3::bigint, $6::text from message
  )
  select id from message`;

const PG_CANCEL = `with message as (
    update messages set status = 'cancelled', cancelled_at = $2::bigint, updated_at = $2::bigint where id = $1::bigint and status = 'scheduled'
    returning id
  ), recipient as (
    update recipients r set status = 'cancelled', updated_at = $2::bigint from message where r.message_id = message.id and r.status = 'pending'
    returning r.id, r.price, r.message_id, r.account_id
  ), credit as (
    update accounts a set balance = a.balance + recipient.price from recipient where a.id = recipient.account_id returning a.balance
  ), entry as (
    insert into ledger (account_id, kind, amount, balance_after, message_id, cause, created_at)
    select recipient.account_id, 'refund', recipient.price, credit.balance, recipient.message_id, 'message ' || recipient.message_id || ' cancelled', $2::bigint
    from recipient, credit
  ), event as (
    insert into events (message_id, recipient_id, type, at, data) select recipient.message_id, recipient.id, 'cancelled', $2::bigint, null from recipient
    returning message_id
  )
  select message_id from event`;

/**
 * PostgreSQL: the writes of one schedule, then of one cancel, as one prepared composite statement
 * each, awaited one after another on one connection, on Relais's schema in `url` (a fresh database).
 */
export async function pgFloor(url: string, n: number, cancels: number): Promise<FloorRates> {
  await migrate(url);
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows: [account] } = await client.query<{ id: string }>(`insert into accounts (name, currency, balance, created_at) values ('a', 'EUR', 1000000000, 0) returning id`);
    const ids: string[] = [];
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const now = Date.now();
      const r = await client.query<{ id: string }>({
        name: 'floor-schedule', text: PG_SCHEDULE,
        values: [account.id, now + 600_000, now, JSON.stringify({ channel: 'sms', text: `hello ${i}`, sender: null }), `+336${10_000_000 + i}`, JSON.stringify({ sendAt: now, recipients: 1, price: 40 })],
      });
      if (r.rows.length !== 1) throw new Error('PostgreSQL floor: a schedule wrote nothing');
      ids.push(r.rows[0].id);
    }
    const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
    const c = Math.min(cancels, n);
    const t1 = process.hrtime.bigint();
    for (const id of ids.slice(0, c)) {
      const r = await client.query({ name: 'floor-cancel', text: PG_CANCEL, values: [id, Date.now()] });
      if (r.rows.length !== 1) throw new Error(`PostgreSQL floor: the cancel of message ${id} wrote nothing`);
    }
    return { n, scheduleRate: 1e6 / us, scheduleUs: us, cancels: c, cancelRate: 1e6 / (Number(process.hrtime.bigint() - t1) / 1000 / c) };
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * What a pending message cannot do without (docs/BENCHMARKS.md, "Missed targets", 6): its row, its
 * recipient and its ledger debit, and the two indexes the model works through — the due index the
 * dispatcher claims by, the recipients' message index a cancel and a send find them by. Not the
 * `scheduled` event, nor the listing and search indexes.
 */
export const SIZE_FLOOR = { tables: ['messages', 'recipients', 'ledger'], indexes: ['messages_due', 'recipients_message'] } as const;

/**
 * The size floor of a filled database: the bytes of SIZE_FLOOR — SQLite: those b-trees (dbstat; a
 * rowid table is its primary key); PostgreSQL: the tables' heap (pg_table_size: with TOAST,
 * free-space and visibility maps), their primary-key indexes and the two indexes.
 */
export async function sizeFloor(db: BenchDb): Promise<{ bytes: number; detail: Record<string, number> }> {
  const list = (names: readonly string[]) => names.map((t) => `'${t}'`).join(', ');
  const tables = list(SIZE_FLOOR.tables), both = list([...SIZE_FLOOR.tables, ...SIZE_FLOOR.indexes]);
  const rows = db.kind === 'sqlite'
    ? await db.query<{ name: string; bytes: number }>(`select name, sum(pgsize) as bytes from dbstat where name in (${both}) group by name`)
    : await db.query<{ name: string; bytes: number }>(`select c.relname as name, (case when c.relkind = 'r' then pg_table_size(c.oid) else pg_relation_size(c.oid) end)::bigint as bytes
        from pg_class c where c.relnamespace = 'public'::regnamespace and (c.relname in (${both})
          or c.oid in (select i.indexrelid from pg_index i join pg_class t on t.oid = i.indrelid where i.indisprimary and t.relname in (${tables})))`);
  const detail = Object.fromEntries(rows.map((r) => [r.name, Number(r.bytes)]));
  return { bytes: Object.values(detail).reduce((a, b) => a + b, 0), detail };
}
