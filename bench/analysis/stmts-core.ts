// Per-statement cost of core scheduleMessage and cancelMessage awaited one by one: native time
// on SQLite, round-trip latency on PostgreSQL. Figures behind docs/BENCHMARKS.md (1a, 4).
//   npx tsx bench/analysis/stmts-core.ts sqlite|postgres [N=5000]
import { cancelMessage } from '../../src/core/cancel.js';
import { BenchDb } from '../lib/db.js';
import { openInProcess, scheduleMany } from '../lib/relais.js';
import { measuring, report } from './statements.js';

const kind = (process.argv[2] ?? 'sqlite') as 'sqlite' | 'postgres';
const N = Number(process.argv[3] ?? 5000);
const db = await BenchDb.create(kind);
const p = await openInProcess(db);
await scheduleMany(p, 500, () => Date.now() + 600_000); // warm-up
measuring(true);
let t = performance.now();
const r = await scheduleMany(p, N, () => Date.now() + 600_000);
report(`${kind} scheduleMessage (1 recipient)`, N, performance.now() - t, kind);
t = performance.now();
for (const id of r.ids) await cancelMessage(p.core, p.accountId, id);
report(`${kind} cancelMessage`, N, performance.now() - t, kind);
measuring(false);
await p.close();
await db.drop();
