// The floor under 1a and 4 on SQLite: the writes of one schedule (message, recipient, balance,
// ledger, event) as bare better-sqlite3 prepared statements on Relais's schema, one transaction
// each, in a plain loop — no event loop turn, no HTTP, no Kysely, no core. The last lines are the
// ceiling: only the rows the exact ledger requires (message, recipient, balance, ledger entry),
// no secondary index, synchronous = OFF, on disk and in RAM (/dev/shm), and then the cancels of
// those messages with only the writes a cancel requires. Figures behind
// docs/BENCHMARKS.md (1a, 4).
//   npx tsx bench/analysis/sqlite-floor.ts [N=10000]
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/open.js';

const N = Number(process.argv[2] ?? 10_000);
const SECONDARY = ['events_message', 'recipients_address', 'ledger_account', 'messages_account'];

async function floor(synchronous: string, dropIndexes: string[], withEvent: boolean, under = tmpdir(), cancels = false): Promise<string> {
  const dir = mkdtempSync(join(under, 'relais-floor-'));
  const file = join(dir, 'floor.db');
  await (await openStore({ url: `sqlite:${file}` })).close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  for (const ix of dropIndexes) db.exec(`drop index ${ix}`);
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
  for (let i = 0; i < N; i++) {
    const now = Date.now();
    begin.run();
    const m = message.get(now + 600_000, now, now, JSON.stringify({ channel: 'sms', text: `hello ${i}`, sender: null })) as { id: number };
    recipient.run(m.id, `+336${String(10_000_000 + i)}`, now);
    const b = balance.get() as { balance: number };
    ledger.run(b.balance, m.id, `message ${m.id} scheduled`, now);
    if (withEvent) event.run(m.id, now, JSON.stringify({ sendAt: now, recipients: 1, price: 40 }));
    const c0 = process.hrtime.bigint();
    commit.run();
    commitNs += process.hrtime.bigint() - c0;
  }
  const us = Number(process.hrtime.bigint() - t0) / 1000 / N;
  const cancelled = cancels ? `; then ${cancelFloor(db)}` : '';
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return `${(1e6 / us).toFixed(0).padStart(6)} schedules/s  ${us.toFixed(0).padStart(4)} µs each, commit ${(Number(commitNs) / 1000 / N).toFixed(0)} µs${cancelled}`;
}

/** The writes a cancel cannot do without: both statuses, the refund and its ledger entry, the recipient's event. */
function cancelFloor(db: Database.Database): string {
  const begin = db.prepare('begin immediate');
  const commit = db.prepare('commit');
  const message = db.prepare(`update messages set status = 'cancelled', cancelled_at = ?, updated_at = ? where id = ? and status = 'scheduled'`);
  const recipients = db.prepare(`update recipients set status = 'cancelled', updated_at = ? where message_id = ? and status = 'pending' returning id, price`);
  const balance = db.prepare('update accounts set balance = balance + ? where id = 1 returning balance');
  const ledger = db.prepare(`insert into ledger (account_id, kind, amount, balance_after, message_id, cause, created_at)
    values (1, 'refund', ?, ?, ?, ?, ?)`);
  const event = db.prepare(`insert into events (message_id, recipient_id, type, at, data) values (?, ?, 'cancelled', ?, null)`);
  const t0 = process.hrtime.bigint();
  for (let id = 1; id <= N; id++) {
    const now = Date.now();
    begin.run();
    message.run(now, now, id);
    const r = recipients.get(now, id) as { id: number; price: number };
    const b = balance.get(r.price) as { balance: number };
    ledger.run(r.price, b.balance, id, `message ${id} cancelled`, now);
    event.run(id, r.id, now);
    commit.run();
  }
  const us = Number(process.hrtime.bigint() - t0) / 1000 / N;
  return `${(1e6 / us).toFixed(0)} cancels/s`;
}

console.log(`SQLite floor, ${N} schedules, one transaction each, one after another:`);
console.log(`  Relais schema, synchronous=NORMAL        ${await floor('NORMAL', [], true)}`);
console.log(`  the same, synchronous=OFF                ${await floor('OFF', [], true)}`);
console.log(`  NORMAL, no event row                     ${await floor('NORMAL', ['events_message'], false)}`);
console.log(`  NORMAL, no event, no secondary indexes   ${await floor('NORMAL', SECONDARY, false)}`);
console.log(`  OFF, no event, no secondary indexes      ${await floor('OFF', SECONDARY, false, tmpdir(), true)}`);
if (existsSync('/dev/shm')) console.log(`  the same in RAM (/dev/shm)               ${await floor('OFF', SECONDARY, false, '/dev/shm', true)}`);
