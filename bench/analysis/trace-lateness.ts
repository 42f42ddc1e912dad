// Workload 2 with every dispatcher store call timed: the lateness percentiles, each call's
// latency, and for the latest messages what was running between their due instant and their send.
// Figures behind docs/BENCHMARKS.md (2, item 14).
//   npx tsx bench/analysis/trace-lateness.ts sqlite|postgres [N=5000] [worst=3]
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BenchDb } from '../lib/db.js';
import { openInProcess, scheduleBatched } from '../lib/relais.js';
import { percentile, sleep } from '../lib/stats.js';

const kind = (process.argv[2] ?? 'postgres') as 'sqlite' | 'postgres';
const N = Number(process.argv[3] ?? 5000);
const WORST = Number(process.argv[4] ?? 3);
const SPAN_MS = 5000;
const LEAD_MS = 8000;

interface Call { name: string; t0: number; t1: number; rows?: number }
const calls: Call[] = [];

/** Replaces `target[name]` by a version that records each call's start, end and row count. */
function timed(target: object, name: string, label = name): void {
  const t = target as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const inner = t[name].bind(target);
  t[name] = async (...args) => {
    const t0 = Date.now();
    const result = await inner(...args);
    calls.push({ name: label, t0, t1: Date.now(), rows: Array.isArray(result) ? result.length : undefined });
    return result;
  };
}

const db = await BenchDb.create(kind);
const p = await openInProcess(db, { accounts: 4 });
for (const name of ['claimDue', 'takeDue', 'recipientsOf', 'suppressedAmong', 'completeMessages', 'nextWakeAt']) timed(p.store.autocommit, name);
timed(p.store, 'transaction');
p.startDispatcher();
await sleep(1000);
const base = Date.now() + LEAD_MS;
await scheduleBatched(p, N, (i) => base + Math.floor((i * SPAN_MS) / N), { batch: 250, concurrency: 4 });
if (Date.now() > base) throw new Error('scheduling outlasted the lead: use a smaller N');
calls.length = 0;
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const cpu = process.cpuUsage();
while (p.sent() < N) await sleep(20);
loop.disable();
const used = process.cpuUsage(cpu);
await p.close();

const rows = await db.query<{ send_at: number; sent_at: number }>('select m.send_at, o.sent_at from outbox o join messages m on m.id = o.message_id');
await db.drop();
const ms = (ns: number) => (ns / 1e6).toFixed(1);
const late = rows.map((r) => ({ due: Number(r.send_at), late: Number(r.sent_at) - Number(r.send_at) }));
const sorted = late.map((x) => x.late).sort((a, b) => a - b);
console.log(`${kind}, ${N} messages over ${SPAN_MS} ms: lateness p50 ${percentile(sorted, 50)} p99 ${percentile(sorted, 99)} max ${sorted[sorted.length - 1]} ms`);
console.log(`event-loop delay p50 ${ms(loop.percentile(50))} p99 ${ms(loop.percentile(99))} max ${ms(loop.max)} ms; process CPU user ${(used.user / 1000).toFixed(0)} ms, system ${(used.system / 1000).toFixed(0)} ms`);
const byName = new Map<string, number[]>();
for (const c of calls) byName.set(c.name, [...(byName.get(c.name) ?? []), c.t1 - c.t0]);
for (const [name, d] of byName) {
  d.sort((a, b) => a - b);
  console.log(`  ${name.padEnd(18)} ${String(d.length).padStart(5)} calls, ms p50 ${percentile(d, 50)} p99 ${percentile(d, 99)} max ${d[d.length - 1]}`);
}
for (const w of late.sort((a, b) => b.late - a.late).slice(0, WORST)) {
  console.log(`late ${w.late} ms (due at +${w.due - base} ms); calls around it, ms from its due instant:`);
  for (const c of calls.filter((c) => c.t1 >= w.due - 5 && c.t0 <= w.due + w.late)) {
    console.log(`  ${c.name.padEnd(18)} ${c.t0 - w.due} .. ${c.t1 - w.due} (${c.t1 - c.t0} ms)${c.rows === undefined ? '' : `, ${c.rows} rows`}`);
  }
}
