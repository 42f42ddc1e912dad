// The floor under 1a and 4 on SQLite: the writes of one schedule (message, recipient, balance,
// ledger, event) as bare better-sqlite3 prepared statements on Relais's schema, one transaction
// each, in a plain loop — no event loop turn, no HTTP, no Kysely, no core. The first line is the
// floor the harness measures in every run and judges 1a and 4 against (bench/lib/floor.ts,
// DECISIONS.md §41). The last lines are the ceiling: only the rows the exact ledger requires
// (message, recipient, balance, ledger entry), no secondary index, synchronous = OFF, on disk and
// in RAM (/dev/shm), and then the cancels of those messages with only the writes a cancel
// requires. Figures behind docs/BENCHMARKS.md (1a, 4).
//   npx tsx bench/analysis/sqlite-floor.ts [N=10000]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteFloor, type SqliteFloorOptions } from '../lib/floor.js';

const N = Number(process.argv[2] ?? 10_000);
const SECONDARY = ['events_message', 'recipients_address', 'ledger_account', 'messages_account'];

async function line(o: SqliteFloorOptions, under = tmpdir()): Promise<string> {
  const dir = mkdtempSync(join(under, 'relais-floor-'));
  try {
    const r = await sqliteFloor(join(dir, 'floor.db'), N, o);
    const cancelled = r.cancelRate ? `; then ${r.cancelRate.toFixed(0)} cancels/s` : '';
    return `${r.scheduleRate.toFixed(0).padStart(6)} schedules/s  ${r.scheduleUs.toFixed(0).padStart(4)} µs each, commit ${r.commitUs?.toFixed(0)} µs${cancelled}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`SQLite floor, ${N} schedules, one transaction each, one after another:`);
console.log(`  Relais schema, synchronous=NORMAL        ${await line({ synchronous: 'NORMAL', withEvent: true })}`);
console.log(`  the same, synchronous=OFF                ${await line({ synchronous: 'OFF', withEvent: true })}`);
console.log(`  NORMAL, no event row                     ${await line({ synchronous: 'NORMAL', dropIndexes: ['events_message'] })}`);
console.log(`  NORMAL, no event, no secondary indexes   ${await line({ synchronous: 'NORMAL', dropIndexes: SECONDARY })}`);
console.log(`  OFF, no event, no secondary indexes      ${await line({ synchronous: 'OFF', dropIndexes: SECONDARY, cancels: N })}`);
if (existsSync('/dev/shm')) console.log(`  the same in RAM (/dev/shm)               ${await line({ synchronous: 'OFF', dropIndexes: SECONDARY, cancels: N }, '/dev/shm')}`);
