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
  /** A function for the targets re-based to the run's floor: of the whole table, or of one database's verdict. */
  target: string | ((all: Recs, db?: string) => string);
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

// Targets re-based to the storage engine's floor (DECISIONS.md §41): 1a and 4 core pass at 80 % of
// the floor's rate, the size when the floor's bytes are 80 % of it; the floor is the one measured
// in the same run on the same database (bench/lib/floor.ts). A run without one is not judged.
const FLOOR_SHARE = 0.8;
const EXTRAPOLATED = 100_000;
const DB_NAMES: Record<string, string> = { sqlite: 'SQLite', postgres: 'PG' };
const RELAIS = Object.keys(DB_NAMES);

/** The median floor of `variant` (of `key`) measured in the run of `rs`, on database `db`. */
function floorOf(rs: Recs, db: string, all: Recs, variant: string, key = 'rate'): number | null {
  const run = rs[0]?.run;
  return med(all.filter((r) => r.run === run && r.db === db && r.workload === 'floor' && r.variant === variant), key);
}

const sizeFloorPerMillion = (rs: Recs, db: string, all: Recs): number | null => {
  const perMessage = floorOf(rs, db, all, 'size', 'perMessage');
  return perMessage == null ? null : perMessage * 1_000_000;
};

/** Whole per cent, rounded down: "80 %" is shown exactly when the 80 % of the target is reached. */
const floorShare = (part: number, whole: number | null): string => (whole ? String(Math.floor((100 * part) / whole)) : '–');

const ofFloor = (r: number | null, f: number | null): string => (f == null ? 'no floor in this run: not judged' : r == null ? '' : `${floorShare(r, f)} % of floor`);

const atFloor = (r: number | null, f: number | null): boolean | undefined => (r == null || f == null ? undefined : r >= FLOOR_SHARE * f);

/** "≥ 80 % of floor (floor 5,006/s)", one floor per judged database that has one in the run (none: said so). */
function floorTarget(variant: 'schedule' | 'cancel' | 'size', judged: string[]): (all: Recs, db?: string) => string {
  return (all, db) => {
    const floors = (db ? [db] : judged).filter((d) => judged.includes(d)).flatMap((d) => {
      const rs = all.filter((r) => r.db === d && r.workload === 'floor' && r.variant === variant);
      const f = variant === 'size' ? sizeFloorPerMillion(rs, d, all) : floorOf(rs, d, all, variant);
      return f == null ? [] : [[DB_NAMES[d], variant === 'size' ? `${mb(f)} per 1 M` : `${int(f)}/s`]];
    }).map(([name, f], _, list) => (list.length > 1 ? `${name} ${f}` : f));
    const share = `${FLOOR_SHARE * 100} %`;
    const what = variant === 'size' ? `floor ≥ ${share} of size` : `${judged.length === 1 && !db ? `${DB_NAMES[judged[0]]} ` : ''}≥ ${share} of ${variant === 'cancel' ? 'cancel ' : ''}floor`;
    return `${what} (${floors.length ? `floor ${floors.join('; ')}` : 'no floor in this run'})`;
  };
}

const ROWS: Row[] = [
  {
    label: '1a schedule 1-by-1, core (msg/s)', target: floorTarget('schedule', ['sqlite', 'postgres']), pick: sel('1a', 'core'),
    cell: (rs, db, all) => {
      const g = med(all.filter((x) => x.db === 'peer:graphile-worker' && x.workload === '1a'), 'rate');
      const r = med(rs, 'rate');
      if (!RELAIS.includes(db)) return int(r);
      const notes = [db === 'postgres' && g && r != null ? `${(r / g).toFixed(2)}× graphile` : '', ofFloor(r, floorOf(rs, db, all, 'schedule'))];
      return `${int(r)} (${notes.filter(Boolean).join('; ')})`;
    },
    judge: (rs, db, all) => atFloor(med(rs, 'rate'), floorOf(rs, db, all, 'schedule')),
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
  {
    label: '4 cancel 1-by-1, core (cancels/s)', target: floorTarget('cancel', ['sqlite']), pick: sel('4', 'core'),
    cell: (rs, db, all) => {
      const f = floorOf(rs, db, all, 'cancel');
      return f == null && db !== 'sqlite' ? rate(rs) : `${rate(rs)} (${ofFloor(med(rs, 'rate'), f)})`;
    },
    judge: (rs, db, all) => (db === 'sqlite' ? atFloor(med(rs, 'rate'), floorOf(rs, db, all, 'cancel')) : undefined),
  },
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
    label: '6 pending: database size on disk', target: floorTarget('size', ['sqlite', 'postgres']), pick: sel('6', 'default'),
    cell: (rs, db, all) => {
      const n = med(rs, 'n') ?? 0, f = sizeFloorPerMillion(rs, db, all);
      const size = `${mb(med(rs, 'storeBytes'))} for ${int(n)}${n >= EXTRAPOLATED && n < 1_000_000 ? ` (→ ${mb(perMillion(rs))} per 1 M)` : ''}`;
      if (!RELAIS.includes(db)) return size;
      const floorNote = f == null ? 'no floor in this run: not judged' : n >= EXTRAPOLATED ? `floor ${floorShare(f, perMillion(rs))} % of it` : `floor ${fixed(f / 1_000_000, 0)} B/msg`;
      return `${size}; ${floorNote}`;
    },
    // Below 1 M the size is extrapolated (empty database + per-message growth × 1 M); not judged
    // below 100 000 (--quick), where page allocation granularity makes that meaningless.
    judge: (rs, db, all) => {
      const f = sizeFloorPerMillion(rs, db, all), size = perMillion(rs);
      return (med(rs, 'n') ?? 0) >= EXTRAPOLATED && f != null && size != null ? f >= FLOOR_SHARE * size : undefined;
    },
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

const targetOf = (row: Row, all: Recs, db?: string): string => (typeof row.target === 'string' ? row.target : row.target(all, db));

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
      if (verdict) verdicts.push({ row: row.label, db, value, target: targetOf(row, records, db), pass: pass === true });
      return value + mark;
    });
    if (cells.every((c) => c === '–')) continue;
    // Rows Relais did not run (--only) are left out rather than shown with peer figures alone.
    const relaisCols = dbs.map((d, i) => (d === 'sqlite' || d === 'postgres' ? i : -1)).filter((i) => i >= 0);
    if (relaisCols.length && relaisCols.every((i) => cells[i] === '–')) continue;
    rows.push([row.label, targetOf(row, records), ...cells]);
  }
  const header = ['workload', 'target (2 cores)', ...dbs.map((d) => COLUMN_NAMES[d] ?? d.replace(/^peer:/, ''))];
  return { markdown: markdownTable(header, rows), verdicts };
}

/** Load average (1 min) range over a set of records, e.g. "3.1–5.6". */
export function loadRange(rs: Recs): string {
  const l = rs.map((r) => r.load?.[0]).filter((x): x is number => typeof x === 'number');
  return l.length ? `${Math.min(...l).toFixed(1)}–${Math.max(...l).toFixed(1)}` : '–';
}
