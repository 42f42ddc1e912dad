// Statements per dispatched message in a burst of N messages due now: native time on SQLite,
// round-trip latency on PostgreSQL. Figures behind docs/BENCHMARKS.md (2, 3).
//   npx tsx bench/analysis/stmts-dispatch.ts sqlite|postgres [N=5000] [one-by-one]
// `one-by-one` hides the outbox's in-store batches: every recipient then takes the path of a
// network transport (one send, one record, in a slot).
import Database from 'better-sqlite3';
import pg from 'pg';
import { BenchDb } from '../lib/db.js';
import { openInProcess, scheduleBatched } from '../lib/relais.js';
import { sleep } from '../lib/stats.js';
const kind = (process.argv[2] ?? 'sqlite') as 'sqlite' | 'postgres';
const N = Number(process.argv[3] ?? 5000);
const acc = new Map<string, { n: number; ms: number }>();
let on = false;
const note = (k: string, ms: number) => { const e = acc.get(k) ?? { n: 0, ms: 0 }; e.n++; e.ms += ms; acc.set(k, e); };
const key = (s: string) => s.replace(/\s+/g, ' ').replace(/\$\d+/g, '?').slice(0, 105);
const proto = Object.getPrototypeOf(new Database(':memory:').prepare('select 1'));
for (const m of ['run', 'all', 'get']) {
  const orig = proto[m];
  proto[m] = function (this: { source: string }, ...a: unknown[]) {
    if (!on) return orig.apply(this, a);
    const t = performance.now();
    try { return orig.apply(this, a); } finally { note(key(this.source), performance.now() - t); }
  };
}
const origQ = pg.Client.prototype.query as any;
(pg.Client.prototype as any).query = function (this: unknown, ...a: any[]) {
  const r = origQ.apply(this, a);
  if (!on || !r || typeof r.then !== 'function') return r;
  const t = performance.now();
  const text = typeof a[0] === 'string' ? a[0] : a[0]?.text ?? '?';
  return r.finally(() => note(key(String(text)), performance.now() - t));
};
const db = await BenchDb.create(kind);
const oneByOne = process.argv[4] === 'one-by-one';
const p = await openInProcess(db, { accounts: 4, oneByOne });
const T = Date.now() + 60_000;
await scheduleBatched(p, N, () => T, { concurrency: 4, batch: 250 });
p.startDispatcher();
while (Date.now() < T) await sleep(5);
on = true;
const t0 = performance.now();
while (p.sent() < N) await sleep(5);
const wall = performance.now() - t0;
on = false;
let tot = 0, cnt = 0; for (const e of acc.values()) { tot += e.ms; cnt += e.n; }
console.log(`${kind} burst ${N}${oneByOne ? ' (one by one)' : ''}: ${(wall / 1000).toFixed(2)} s = ${Math.round(N / wall * 1000)} msg/s, ${(wall * 1000 / N).toFixed(0)} µs/msg; ${(cnt / N).toFixed(1)} statements/msg, ${(tot * 1000 / N).toFixed(0)} µs/msg in statements (${kind === 'sqlite' ? 'native' : 'round-trip latency, overlapping'})`);
for (const [k, e] of [...acc.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 16)) console.log(`  ${(e.ms * 1000 / N).toFixed(0).padStart(6)} µs/msg  ${(e.n / N).toFixed(2)}×  ${k}`);
await p.close(); await db.drop();
