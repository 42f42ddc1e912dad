import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, relative } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
export const RESULTS_DIR = join(ROOT, 'bench', 'results');
/** The tracked history: official runs, recorded with --record, that docs/BENCHMARKS.md cites. */
export const RESULTS_FILE = join(RESULTS_DIR, 'results.jsonl');
/** Every other run: git-ignored, so that a run leaves the tree clean. */
export const LOCAL_RESULTS_FILE = join(RESULTS_DIR, 'local.jsonl');

/** Where a run appends its measurements: RELAIS_BENCH_RESULTS, else the history with --record, else the local file. */
export const resultsFile = (record: boolean, env: NodeJS.ProcessEnv = process.env): string =>
  env.RELAIS_BENCH_RESULTS || (record ? RESULTS_FILE : LOCAL_RESULTS_FILE);

export interface RunMeta {
  run: string;
  date: string;
  machine: { cpus: number; model: string; totalmemGiB: number };
  commit: string;
  /** The working tree differs from the commit (others edit src/ while benchmarks run). */
  dirty: boolean;
  /** sha256 over src/**: which exact code was measured, dirty or not. */
  srcHash: string;
  node: string;
  quick: boolean;
  /** RELAIS_* settings given to the run (they apply to every Relais store and server it starts). */
  relaisEnv: Record<string, string>;
  /** Sizes overridden with --size, if any. */
  sizeOverrides?: string;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

function hashTree(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) h.update(relative(dir, p)).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  if (existsSync(dir)) walk(dir);
  return h.digest('hex').slice(0, 16);
}

export function runMeta(quick: boolean, sizeOverrides?: string): RunMeta {
  const date = new Date();
  return {
    run: `${date.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(2).toString('hex')}`,
    date: date.toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', totalmemGiB: Math.round(totalmem() / 2 ** 30) },
    commit: git(['rev-parse', 'HEAD']) || 'unknown',
    dirty: git(['status', '--porcelain', '--', 'src']) !== '',
    srcHash: hashTree(join(ROOT, 'src')),
    node: process.version,
    quick,
    relaisEnv: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('RELAIS_') && !k.startsWith('RELAIS_BENCH_')) as [string, string][]),
    ...(sizeOverrides ? { sizeOverrides } : {}),
  };
}

/** A measurement: what ran (db, workload, variant), its size and its figures. */
export interface MeasurementBody {
  workload: string;
  variant: string;
  n?: number;
  rep?: number;
  [metric: string]: unknown;
}

export type Measurement = MeasurementBody & { db: string };

export type Recorded = RunMeta & Measurement & { load: number[] };

/** Appends one JSON line per measurement to the file of `resultsFile`. */
export class ResultLog {
  readonly records: Recorded[] = [];

  constructor(readonly meta: RunMeta, readonly file: string, private readonly persist: boolean) {}

  add(m: Measurement): Recorded {
    const rec: Recorded = { ...this.meta, ...m, load: loadavg().map((x) => Math.round(x * 100) / 100) };
    this.records.push(rec);
    if (this.persist) {
      mkdirSync(join(this.file, '..'), { recursive: true });
      appendFileSync(this.file, JSON.stringify(rec) + '\n');
    }
    return rec;
  }
}

/**
 * Every recorded measurement (older runs included, for peer figures measured in an earlier
 * session): RELAIS_BENCH_RESULTS alone, else the history and the local runs, oldest run first.
 */
export function readResults(env: NodeJS.ProcessEnv = process.env): Recorded[] {
  const files = env.RELAIS_BENCH_RESULTS ? [env.RELAIS_BENCH_RESULTS] : [RESULTS_FILE, LOCAL_RESULTS_FILE];
  const records = files.flatMap(readLines);
  // Stable: a run's lines keep their order; runs are ordered by their start.
  return records.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

function readLines(file: string): Recorded[] {
  if (!existsSync(file) || statSync(file).size === 0) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).flatMap((l) => {
    try {
      return [JSON.parse(l) as Recorded];
    } catch {
      return [];
    }
  });
}
