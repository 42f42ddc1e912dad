// Per-statement native time of core scheduleMessage and cancelMessage on SQLite (wraps
// better-sqlite3's Statement methods). Figures behind docs/BENCHMARKS.md (1a, 4).
//   npx tsx bench/analysis/stmts-sqlite.ts [N=5000]
import Database from 'better-sqlite3';
import { BenchDb } from '../lib/db.js';
import { openInProcess, scheduleMany } from '../lib/relais.js';
import { cancelMessage } from '../../src/core/cancel.js';
const probe = new Database(':memory:');
const proto = Object.getPrototypeOf(probe.prepare('select 1'));
const acc = new Map<string, { n: number; ns: bigint }>();
let on = false;
for (const m of ['run', 'all', 'get']) {
  const orig = proto[m];
  proto[m] = function (this: { source: string }, ...a: unknown[]) {
    if (!on) return orig.apply(this, a);
    const t = process.hrtime.bigint();
    try { return orig.apply(this, a); } finally {
      const k = this.source.replace(/\s+/g, ' ').slice(0, 110);
      const e = acc.get(k) ?? { n: 0, ns: 0n }; e.n++; e.ns += process.hrtime.bigint() - t; acc.set(k, e);
    }
  };
}
const N = Number(process.argv[2] ?? 5000);
const db = await BenchDb.create('sqlite');
const p = await openInProcess(db);
const report = (label: string, wall: number) => {
  let tot = 0n; for (const e of acc.values()) tot += e.ns;
  console.log(`\n${label}: ${N} ops in ${wall.toFixed(0)} ms = ${(wall * 1000 / N).toFixed(0)} µs/op; statements ${(Number(tot) / 1e3 / N).toFixed(0)} µs/op (${(Number(tot) / 1e6 / wall * 100).toFixed(0)} % of wall)`);
  for (const [k, e] of [...acc.entries()].sort((a, b) => Number(b[1].ns - a[1].ns)).slice(0, 14)) console.log(`  ${(Number(e.ns) / 1e3 / N).toFixed(1).padStart(6)} µs/op  ${(e.n / N).toFixed(2)}×  ${k}`);
  acc.clear();
};
await scheduleMany(p, 500, () => Date.now() + 600000); // warm-up
on = true;
let t = performance.now();
const r = await scheduleMany(p, N, () => Date.now() + 600000);
report('scheduleMessage (1 recipient)', performance.now() - t);
t = performance.now();
for (const id of r.ids) await cancelMessage(p.core, p.accountId, id);
report('cancelMessage', performance.now() - t);
on = false;
await p.close(); await db.drop();
