// Per-statement round-trip time of core scheduleMessage and cancelMessage on PostgreSQL (wraps
// pg Client.query). Figures behind docs/BENCHMARKS.md (1a PostgreSQL).
//   npx tsx bench/analysis/stmts-pg.ts [N=2000]
import pg from 'pg';
import { BenchDb } from '../lib/db.js';
import { openInProcess, scheduleMany } from '../lib/relais.js';
import { cancelMessage } from '../../src/core/cancel.js';
const acc = new Map<string, { n: number; ms: number }>();
let on = false;
const orig = pg.Client.prototype.query as any;
(pg.Client.prototype as any).query = function (this: unknown, ...a: any[]) {
  const r = orig.apply(this, a);
  if (!on || !r || typeof r.then !== 'function') return r;
  const text = typeof a[0] === 'string' ? a[0] : a[0]?.text ?? '?';
  const t = performance.now();
  const k = String(text).replace(/\s+/g, ' ').slice(0, 100);
  return r.finally(() => { const e = acc.get(k) ?? { n: 0, ms: 0 }; e.n++; e.ms += performance.now() - t; acc.set(k, e); });
};
const N = Number(process.argv[2] ?? 2000);
const db = await BenchDb.create('postgres');
const p = await openInProcess(db);
const report = (label: string, wall: number) => {
  let tot = 0; for (const e of acc.values()) tot += e.ms;
  console.log(`\n${label}: ${N} ops in ${wall.toFixed(0)} ms = ${(wall * 1000 / N).toFixed(0)} µs/op; round trips ${(tot * 1000 / N).toFixed(0)} µs/op (${(tot / wall * 100).toFixed(0)} % of wall)`);
  for (const [k, e] of [...acc.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) console.log(`  ${(e.ms * 1000 / N).toFixed(0).padStart(6)} µs/op  ${(e.n / N).toFixed(2)}×  ${k}`);
  acc.clear();
};
await scheduleMany(p, 200, () => Date.now() + 600000);
on = true;
let t = performance.now();
const r = await scheduleMany(p, N, () => Date.now() + 600000);
report('scheduleMessage (1 recipient)', performance.now() - t);
t = performance.now();
for (const id of r.ids) await cancelMessage(p.core, p.accountId, id);
report('cancelMessage', performance.now() - t);
on = false;
await p.close(); await db.drop();
