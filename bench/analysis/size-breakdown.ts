// Bytes per pending single-recipient message, per table and index (SQLite dbstat, PostgreSQL
// relation sizes). Figures behind docs/BENCHMARKS.md (6).
//   npx tsx bench/analysis/size-breakdown.ts [N=100000]
import Database from 'better-sqlite3';
import { BenchDb } from '../lib/db.js';
import { openInProcess, scheduleBatched } from '../lib/relais.js';
const N = Number(process.argv[2] ?? 100_000);
for (const kind of ['sqlite', 'postgres'] as const) {
  const db = await BenchDb.create(kind);
  const p = await openInProcess(db, { accounts: 8 });
  const before = await db.sizeBytes();
  await scheduleBatched(p, N, () => Date.now() + 7_200_000, { concurrency: 8, batch: 500 });
  await p.close();
  await db.dropSetupBloat();
  const after = await db.sizeBytes();
  console.log(`\n${kind}: ${N} messages, ${((after.bytes - before.bytes) / N).toFixed(0)} bytes/message total growth`);
  if (kind === 'sqlite') {
    const d = new Database(db.name, { readonly: true });
    const rows = d.prepare("select name, sum(pgsize) as bytes, sum(ncell) as cells from dbstat group by name order by bytes desc").all() as { name: string; bytes: number }[];
    for (const r of rows.slice(0, 16)) console.log(`  ${(r.bytes / N).toFixed(1).padStart(7)} B/msg  ${r.name}`);
    d.close();
  } else {
    const rows = await db.query<{ name: string; bytes: number; kind: string }>(`select c.relname as name, pg_relation_size(c.oid)::bigint as bytes, c.relkind as kind from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' order by 2 desc limit 18`);
    for (const r of rows) console.log(`  ${(Number(r.bytes) / N).toFixed(1).padStart(7)} B/msg  ${r.name} (${r.kind === 'i' ? 'index' : r.kind})`);
  }
  await db.drop();
}
