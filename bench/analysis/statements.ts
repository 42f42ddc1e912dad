// Times every better-sqlite3 statement (native time) and every pg query (round-trip latency)
// while `on`, keyed by its SQL text. Shared by the per-statement analyses.
import Database from 'better-sqlite3';
import pg from 'pg';

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

export const measuring = (value: boolean): void => { on = value; };

/** Prints the statements' share of `n` operations that took `wallMs`, costliest first, and starts afresh. */
export function report(label: string, n: number, wallMs: number, kind: 'sqlite' | 'postgres', unit = 'op'): void {
  let tot = 0, cnt = 0;
  for (const e of acc.values()) { tot += e.ms; cnt += e.n; }
  console.log(`${label}: ${(wallMs / 1000).toFixed(2)} s = ${Math.round(n / wallMs * 1000)} ${unit}/s, ${(wallMs * 1000 / n).toFixed(0)} µs/${unit}; `
    + `${(cnt / n).toFixed(1)} statements/${unit}, ${(tot * 1000 / n).toFixed(0)} µs/${unit} in statements (${kind === 'sqlite' ? 'native' : 'round-trip latency, overlapping'})`);
  for (const [k, e] of [...acc.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14)) {
    console.log(`  ${(e.ms * 1000 / n).toFixed(1).padStart(7)} µs/${unit}  ${(e.n / n).toFixed(2)}×  ${k}`);
  }
  acc.clear();
}
