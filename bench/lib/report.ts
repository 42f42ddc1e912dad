import { PEER_KEYS } from './peers.js';
import type { Recorded } from './results.js';
import { fixed, int, mb, median } from './stats.js';
import { markdownTable } from './table.js';

type Recs = Recorded[];
const num = (r: Recorded, k: string): number | null => (typeof r[k] === 'number' ? (r[k] as number) : null);
const med = (rs: Recs, k: string) => median(rs.map((r) => num(r, k)));
const nested = (r: Recorded, a: string, b: string): number | null => {
  const o = r[a] as Record<string, unknown> | undefined;
  return o && typeof o[b] === 'number' ? (o[b] as number) : null;
};

export interface Verdict { row: string; db: string; value: string; target: string; pass: boolean }

/** Targets are stated for the full sizes: a --quick or --size run's figures are only indicative. */
export const fullSize = (r: Recorded): boolean => !r.quick && !r.sizeOverrides;

/** The mark after a cell: ✓/✗ against the target for full-size figures, "indicative" otherwise, none when not judged. */
function judgement(rs: Recs, pass: boolean | undefined): { mark: string; verdict: boolean } {
  if (pass === undefined) return { mark: '', verdict: false };
  if (!rs.every(fullSize)) return { mark: ' (indicative)', verdict: false };
  return { mark: pass ? ' ✓' : ' ✗', verdict: true };
}

interface Row {
  label: string;
  target: string;
  /** Records of this row among one column's records. */
  pick(rs: Recs): Recs;
  cell(rs: Recs, db: string, all: Recs): string;
  /** Judged against the target for this database column (undefined: not judged). */
  judge?(rs: Recs, db: string, all: Recs): boolean | undefined;
}

const sel = (w: string, v: string) => (rs: Recs) => rs.filter((r) => r.workload === w && r.variant === v);
const rate = (rs: Recs) => int(med(rs, 'rate'));
const rateP99 = (rs: Recs) => `${int(med(rs, 'rate'))} (p99 ${fixed(median(rs.map((r) => nested(r, 'latencyMs', 'p99'))), 0)} ms)`;
function perMillion(rs: Recs): number | null {
  const n = med(rs, 'n'), size = med(rs, 'storeBytes'), empty = med(rs, 'storeEmptyBytes') ?? 0;
  if (n == null || size == null) return null;
  return n >= 1_000_000 ? size : empty + ((size - empty) * 1_000_000) / n;
}

const ROWS: Row[] = [
  {
    label: '1a schedule 1-by-1, core (msg/s)', target: 'SQLite ≥ 16 000; PG ≥ 2× graphile-worker', pick: sel('1a', 'core'),
    cell: (rs, db, all) => {
      const g = med(all.filter((x) => x.db === 'peer:graphile-worker' && x.workload === '1a'), 'rate');
      const r = med(rs, 'rate');
      return `${int(r)}${db === 'postgres' && g && r != null ? ` (${(r / g).toFixed(2)}× graphile)` : ''}`;
    },
    judge: (rs, db, all) => {
      const r = med(rs, 'rate');
      if (r == null) return undefined;
      if (db === 'sqlite') return r >= 16_000;
      if (db === 'postgres') { const g = med(all.filter((x) => x.db === 'peer:graphile-worker' && x.workload === '1a'), 'rate'); return g == null ? undefined : r >= 2 * g; }
      return undefined;
    },
  },
  { label: '1a schedule 1-by-1, HTTP 1 conn (msg/s)', target: '–', pick: sel('1a', 'http-1'), cell: rateP99 },
  { label: '1a schedule 1-by-1, HTTP 32 conn (msg/s)', target: '≥ 5 000 (SQLite)', pick: sel('1a', 'http-32'), cell: rateP99, judge: (rs, db) => (db === 'sqlite' ? (med(rs, 'rate') ?? 0) >= 5_000 : undefined) },
  { label: '1b bulk, core (recipients/s)', target: 'SQLite ≥ 100 000; PG ≥ 50 000', pick: sel('1b', 'core'), cell: rate, judge: (rs, db) => bulkJudge(rs, db) },
  { label: '1b bulk, HTTP (recipients/s)', target: 'SQLite ≥ 100 000; PG ≥ 50 000', pick: sel('1b', 'http'), cell: rate, judge: (rs, db) => bulkJudge(rs, db) },
  {
    label: '2 lateness p50 / p99 / max (ms)', target: 'p99 ≤ 20 SQLite, ≤ 40 PG; max ≤ 100', pick: sel('2', 'default'),
    cell: (rs) => `${int(med(rs, 'p50'))} / ${int(med(rs, 'p99'))} / ${int(med(rs, 'max'))}${rs.some((r) => r.complete === false) ? ` (only ${int(med(rs, 'ran'))}/${int(med(rs, 'n'))} ran)` : ''}`,
    judge: (rs, db) => {
      const p99 = med(rs, 'p99'), max = med(rs, 'max');
      if (p99 == null || max == null || !['sqlite', 'postgres'].includes(db)) return undefined;
      return p99 <= (db === 'sqlite' ? 20 : 40) && max <= 100 && rs.every((r) => r.complete !== false);
    },
  },
  {
    label: '2 lateness, peers\' min-poll config', target: '', pick: sel('2', 'min-poll'),
    cell: (rs) => `${int(med(rs, 'p50'))} / ${int(med(rs, 'p99'))} / ${int(med(rs, 'max'))}`,
  },
  {
    label: '3 burst: s until all in outbox, msg/s', target: 'SQLite ≥ 20 000/s; PG ≥ 10 000/s', pick: sel('3', 'default'),
    cell: (rs) => `${fixed(med(rs, 'seconds'), 2)} s, ${int(med(rs, 'rate'))}/s${rs.some((r) => r.capped === true) ? ' (CAPPED)' : ''}`,
    judge: (rs, db) => { const r = med(rs, 'rate'); return r == null || !['sqlite', 'postgres'].includes(db) ? undefined : r >= (db === 'sqlite' ? 20_000 : 10_000) && rs.every((x) => x.capped !== true); },
  },
  { label: '4 cancel 1-by-1, core (cancels/s)', target: 'SQLite ≥ 16 000', pick: sel('4', 'core'), cell: rate, judge: (rs, db) => (db === 'sqlite' ? (med(rs, 'rate') ?? 0) >= 16_000 : undefined) },
  { label: '4 cancel 1-by-1, HTTP 1 conn (cancels/s)', target: '–', pick: sel('4', 'http-1'), cell: rateP99 },
  ...[100, 10, 0].map((d): Row => ({
    label: `5 race δ=${d} ms: violations / refused`, target: '0 violations', pick: sel('5', `δ=${d}`),
    cell: (rs) => `${rs.reduce((a, r) => a + (num(r, 'violations') ?? 0), 0)} / ${int(med(rs, 'refused'))}${rs.length > 1 ? ` (${rs.length} runs)` : ''}`,
    judge: (rs, db) => (['sqlite', 'postgres'].includes(db) ? rs.every((r) => r.violations === 0) : undefined),
  })),
  {
    label: '6 pending: server RSS after idling', target: '≤ 150 MB', pick: sel('6', 'default'),
    cell: (rs) => `${mb(med(rs, 'rssBytes'))}${med(rs, 'rssEmptyBytes') != null ? ` (empty ${mb(med(rs, 'rssEmptyBytes'))})` : ''}${med(rs, 'rssWorkerBytes') != null ? `; worker-only ${mb(med(rs, 'rssWorkerBytes'))}` : ''}`,
    judge: (rs, db) => (['sqlite', 'postgres'].includes(db) ? (med(rs, 'rssBytes') ?? Infinity) <= 150 * 2 ** 20 : undefined),
  },
  {
    label: '6 pending: database size on disk', target: '≤ 260 MB per 1 M', pick: sel('6', 'default'),
    cell: (rs) => `${mb(med(rs, 'storeBytes'))} for ${int(med(rs, 'n'))}${(med(rs, 'n') ?? 0) >= 100_000 && (med(rs, 'n') ?? 0) < 1_000_000 ? ` (→ ${mb(perMillion(rs))} per 1 M)` : ''}`,
    // Below 1 M the size is extrapolated (empty database + per-message growth × 1 M); not judged
    // below 100 000 (--quick), where page allocation granularity makes that meaningless.
    judge: (rs, db) => (['sqlite', 'postgres'].includes(db) && (med(rs, 'n') ?? 0) >= 100_000 ? (perMillion(rs) ?? Infinity) <= 260 * 2 ** 20 : undefined),
  },
  {
    label: '6 pending: time to schedule them', target: '–', pick: sel('6', 'default'),
    cell: (rs) => `${fixed(med(rs, 'scheduleSeconds'), 1)} s (${int(med(rs, 'scheduleRate'))}/s)`,
  },
  {
    label: '7 HTTP autocannon 100 conn: req/s (p99)', target: '≥ 5 000 req/s, p99 ≤ 50 ms (SQLite)', pick: sel('7', 'http-100'), cell: rateP99,
    judge: (rs, db) => (db === 'sqlite' ? (med(rs, 'rate') ?? 0) >= 5_000 && (median(rs.map((r) => nested(r, 'latencyMs', 'p99'))) ?? Infinity) <= 50 : undefined),
  },
];

function bulkJudge(rs: Recs, db: string): boolean | undefined {
  const r = med(rs, 'rate');
  if (r == null || !['sqlite', 'postgres'].includes(db)) return undefined;
  return r >= (db === 'sqlite' ? 100_000 : 50_000);
}

const COLUMN_NAMES: Record<string, string> = { sqlite: 'Relais SQLite', postgres: 'Relais PostgreSQL' };
const PEER_ORDER = Object.values(PEER_KEYS).map((p) => `peer:${p}`);

/** The side-by-side table (Relais per database, then each peer) and the verdict of every target. */
export function buildTable(records: Recs): { markdown: string; verdicts: Verdict[] } {
  const dbs = ['sqlite', 'postgres', ...PEER_ORDER].filter((d) => records.some((r) => r.db === d && r.workload !== 'meta'));
  const verdicts: Verdict[] = [];
  const rows: string[][] = [];
  for (const row of ROWS) {
    const cells = dbs.map((db) => {
      const rs = row.pick(records.filter((r) => r.db === db));
      if (rs.length === 0) return '–';
      const value = row.cell(rs, db, records);
      const pass = row.judge?.(rs, db, records);
      const { mark, verdict } = judgement(rs, pass);
      if (verdict) verdicts.push({ row: row.label, db, value, target: row.target, pass: pass === true });
      return value + mark;
    });
    if (cells.every((c) => c === '–')) continue;
    // Rows Relais did not run (--only) are left out rather than shown with peer figures alone.
    const relaisCols = dbs.map((d, i) => (d === 'sqlite' || d === 'postgres' ? i : -1)).filter((i) => i >= 0);
    if (relaisCols.length && relaisCols.every((i) => cells[i] === '–')) continue;
    rows.push([row.label, row.target, ...cells]);
  }
  const header = ['workload', 'target (2 cores)', ...dbs.map((d) => COLUMN_NAMES[d] ?? d.replace(/^peer:/, ''))];
  return { markdown: markdownTable(header, rows), verdicts };
}

/** Load average (1 min) range over a set of records, e.g. "3.1–5.6". */
export function loadRange(rs: Recs): string {
  const l = rs.map((r) => r.load?.[0]).filter((x): x is number => typeof x === 'number');
  return l.length ? `${Math.min(...l).toFixed(1)}–${Math.max(...l).toFixed(1)}` : '–';
}
