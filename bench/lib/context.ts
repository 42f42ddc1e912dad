import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BenchDb, type DbKind } from './db.js';
import { formatSummary, InProcessProfiler, summarizeFile } from './profile.js';
import type { Progress } from './progress.js';
import { ServerProcess, type ServerMode, type ServerOptions } from './relais.js';
import type { MeasurementBody, ResultLog } from './results.js';
import { sleep } from './stats.js';

/** Workload sizes: the figures, and the --quick ones (whole quick run, both databases: < 1 min). */
export interface Sizes {
  seqCore: number; seqHttp1: number; seqHttp32: number; httpWarmup: number;
  bulkRecipients: number; bulkPerMessage: number;
  latenessN: number; latenessSpanMs: number; latenessLeadMs: number;
  burstN: number;
  cancelCore: number; cancelHttp: number;
  raceN: number; raceSpanMs: number; raceLeadMs: number; raceDeltas: number[];
  memoryN: number; memoryIdleMs: number; memoryWorkerRole: boolean; memoryEmptyBaseline: boolean;
  /** Also the HTTP variants of 1b and 4 (each starts a server). */
  httpVariants: boolean;
  loadSeconds: number; loadConnections: number;
}

export const FULL: Sizes = {
  seqCore: 10_000, seqHttp1: 10_000, seqHttp32: 10_000, httpWarmup: 500,
  bulkRecipients: 100_000, bulkPerMessage: 10_000,
  latenessN: 5_000, latenessSpanMs: 5_000, latenessLeadMs: 3_000,
  burstN: 50_000,
  cancelCore: 20_000, cancelHttp: 20_000,
  raceN: 2_000, raceSpanMs: 5_000, raceLeadMs: 3_000, raceDeltas: [100, 10, 0],
  memoryN: 1_000_000, memoryIdleMs: 10_000, memoryWorkerRole: true, memoryEmptyBaseline: true, httpVariants: true,
  loadSeconds: 20, loadConnections: 100,
};

export const QUICK: Sizes = {
  seqCore: 200, seqHttp1: 100, seqHttp32: 200, httpWarmup: 30,
  bulkRecipients: 10_000, bulkPerMessage: 10_000,
  latenessN: 200, latenessSpanMs: 1_000, latenessLeadMs: 800,
  burstN: 300,
  cancelCore: 300, cancelHttp: 300,
  raceN: 60, raceSpanMs: 300, raceLeadMs: 700, raceDeltas: [100, 10, 0],
  memoryN: 500, memoryIdleMs: 500, memoryWorkerRole: false, memoryEmptyBaseline: false, httpVariants: false,
  loadSeconds: 2, loadConnections: 100,
};

export interface Ctx {
  db: DbKind;
  quick: boolean;
  /** Repetitions of the short measurements (1a core, 2, 4 core, 5); the table shows the median. */
  reps: number;
  sizes: Sizes;
  progress: Progress;
  serverMode: ServerMode;
  /** Setup scheduling rate (scheduleBatched) last seen on this database, to size the lead of timed workloads. */
  est: { scheduleRate: number };
  record(m: MeasurementBody): void;
  freshDb(): Promise<BenchDb>;
  server(db: BenchDb, opts?: Omit<ServerOptions, 'mode' | 'profiling'>): Promise<ServerHandle>;
  /**
   * A server on a fresh database with an account, for the HTTP scheduling workloads (1a, 7).
   * With --quick one server is shared by them (each start costs seconds); release() then keeps it.
   */
  apiServer(): Promise<{ h: ServerHandle; account: { id: number; apiKey: string }; release(): Promise<void> }>;
  /** Stops what apiServer() shared. */
  finish(): Promise<void>;
  /** Runs `fn` under the in-process CPU profiler when --profile is on. */
  profiled<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export interface ServerHandle {
  server: ServerProcess;
  /** Runs `fn` (a measurement against the server) under the server's CPU profiler when --profile is on. */
  profiled<T>(name: string, fn: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

export interface Workload {
  id: string;
  title: string;
  run(ctx: Ctx): Promise<void>;
}

/** Applies `--size key=value,...` overrides (numbers; raceDeltas as 100/10/0; booleans as true/false). */
export function overrideSizes(base: Sizes, spec: string | undefined): Sizes {
  if (!spec) return base;
  const out: Record<string, unknown> = { ...base };
  for (const part of spec.split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    if (!(k in base)) throw new Error(`--size: unknown size "${k}" (${Object.keys(base).join(', ')})`);
    const cur = (base as unknown as Record<string, unknown>)[k];
    out[k] = Array.isArray(cur) ? v.split('/').map(Number) : typeof cur === 'boolean' ? v === 'true' : Number(v);
  }
  return out as unknown as Sizes;
}

export function makeCtx(o: { db: DbKind; quick: boolean; sizes: Sizes; reps: number; progress: Progress; log: ResultLog; serverMode: ServerMode; profileDir?: string }): Ctx {
  const est = { scheduleRate: o.db === 'sqlite' ? 2_000 : 300 };
  let shared: { h: ServerHandle; db: BenchDb; account: { id: number; apiKey: string } } | undefined;
  const printProfile = (title: string, file: string) => o.progress.log(formatSummary(`profile ${title} (${file})`, summarizeFile(file)));
  return {
    db: o.db, quick: o.quick, reps: o.reps, sizes: o.sizes, progress: o.progress, serverMode: o.serverMode, est,
    record: (m) => void o.log.add({ db: o.db, ...m }),
    freshDb: () => BenchDb.create(o.db),
    async server(db, opts = {}) {
      const profiling = Boolean(o.profileDir);
      const server = await ServerProcess.start(db, { mode: o.serverMode, role: opts.role, env: opts.env, profiling });
      return {
        server,
        async profiled(name, fn) {
          if (!o.profileDir) return fn();
          mkdirSync(o.profileDir, { recursive: true });
          const file = join(o.profileDir, `${o.db}-server-${name}-${Date.now()}.cpuprofile`);
          await server.profileStart();
          try {
            return await fn();
          } finally {
            await server.profileStop(file);
            printProfile(`server ${o.db} ${name}`, file);
          }
        },
        stop: () => server.stop(),
      };
    },
    async apiServer() {
      if (shared) return { ...shared, release: async () => {} };
      const db = await BenchDb.create(o.db);
      try {
        const h = await this.server(db);
        const account = await h.server.createAccount();
        if (o.quick) {
          shared = { h, db, account };
          return { h, account, release: async () => {} };
        }
        return { h, account, release: async () => { await h.stop(); await db.drop(); } };
      } catch (err) {
        await db.drop();
        throw err;
      }
    },
    async finish() {
      const s = shared;
      shared = undefined;
      if (s) { await s.h.stop(); await s.db.drop(); }
    },
    async profiled(name, fn) {
      if (!o.profileDir) return fn();
      const prof = new InProcessProfiler(o.profileDir);
      await prof.start();
      try {
        return await fn();
      } finally {
        const r = await prof.stop(`${o.db}-${name}-${Date.now()}`);
        if (r) o.progress.log(formatSummary(`profile in-process ${o.db} ${name} (${r.file})`, r.summary));
      }
    },
  };
}

/** Polls `pred` every `stepMs` until it holds or `deadline` (epoch ms) passes; says which. */
export async function waitFor(pred: () => boolean | Promise<boolean>, deadline: number, stepMs = 20): Promise<boolean> {
  for (;;) {
    if (await pred()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(stepMs);
  }
}
