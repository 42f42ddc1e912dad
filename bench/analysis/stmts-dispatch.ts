// Statements per dispatched message in a burst of N messages due now: native time on SQLite,
// round-trip latency on PostgreSQL. Figures behind docs/BENCHMARKS.md (2, 3).
//   npx tsx bench/analysis/stmts-dispatch.ts sqlite|postgres [N=5000] [one-by-one]
// `one-by-one` hides the outbox's in-store batches: every recipient then takes the path of a
// network transport (one send, one record, in a slot).
import { BenchDb } from '../lib/db.js';
import { openInProcess, scheduleBatched } from '../lib/relais.js';
import { sleep } from '../lib/stats.js';
import { measuring, report } from './statements.js';

const kind = (process.argv[2] ?? 'sqlite') as 'sqlite' | 'postgres';
const N = Number(process.argv[3] ?? 5000);
const oneByOne = process.argv[4] === 'one-by-one';
const db = await BenchDb.create(kind);
const p = await openInProcess(db, { accounts: 4, oneByOne });
const T = Date.now() + 60_000;
await scheduleBatched(p, N, () => T, { concurrency: 4, batch: 250 });
p.startDispatcher();
while (Date.now() < T) await sleep(5);
measuring(true);
const t0 = performance.now();
while (p.sent() < N) await sleep(5);
const wall = performance.now() - t0;
measuring(false);
report(`${kind} burst ${N}${oneByOne ? ' (one by one)' : ''}`, N, wall, kind, 'msg');
await p.close();
await db.drop();
