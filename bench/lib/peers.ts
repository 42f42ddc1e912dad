import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgAdmin } from './db.js';
import type { Progress } from './progress.js';
import { ROOT, type Measurement, type ResultLog } from './results.js';

/** bench.mjs keys and the names the peers' harness records. */
export const PEER_KEYS = { sqlite: 'naive-sqlite', bullmq: 'bullmq', graphile: 'graphile-worker', pgboss: 'pg-boss' } as const;
export type PeerKey = keyof typeof PEER_KEYS;
const ALIASES: Record<string, PeerKey> = { 'naive-sqlite': 'sqlite', naive: 'sqlite', 'graphile-worker': 'graphile', 'pg-boss': 'pgboss' };
export const DEFAULT_PEERS: PeerKey[] = ['sqlite', 'bullmq', 'graphile'];

export function parsePeers(list: string | undefined): PeerKey[] {
  if (!list || list === 'default') return DEFAULT_PEERS;
  if (list === 'all') return Object.keys(PEER_KEYS) as PeerKey[];
  return list.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const k = (ALIASES[s] ?? s) as PeerKey;
    if (!(k in PEER_KEYS)) throw new Error(`unknown peer "${s}" (use ${Object.keys(PEER_KEYS).join(', ')}, all)`);
    return k;
  });
}

export const PEERS_SRC = process.env.RELAIS_BENCH_PEERS_DIR || join(ROOT, '..', 'shared', 'bench-peers');

/** The peers' raw records, renamed to this harness's workloads and metrics. */
function toMeasurement(peer: string, r: Record<string, any>): Measurement | undefined {
  const db = `peer:${peer}`;
  const raw = { peerRecord: r };
  switch (r.measure) {
    case 'meta': return { db, workload: 'meta', variant: '', versions: r.versions, config: r.config };
    case 'enq_seq': return { db, workload: '1a', variant: 'core', rep: r.rep, n: r.n, seconds: r.seconds, rate: r.rate, ...raw };
    case 'enq_bulk': return { db, workload: '1b', variant: 'core', rep: r.rep, n: r.n, seconds: r.seconds, rate: r.rate, ...raw };
    case 'lateness': return { db, workload: '2', variant: r.config === 'fast' ? 'min-poll' : 'default', rep: r.rep, n: r.n, ran: r.ran, p50: r.p50, p99: r.p99, max: r.max, min: r.min, complete: r.ran >= r.n, enqueueLateMs: r.enqueueLateMs, ...raw };
    case 'burst': return { db, workload: '3', variant: 'default', n: r.n, completed: r.completed, seconds: r.seconds, rate: r.rate, capped: r.capped, firstMs: r.firstStartMs, ...raw };
    case 'cancel': return { db, workload: '4', variant: 'core', rep: r.rep, n: r.n, ok: r.ok, seconds: r.seconds, rate: r.rate, ...raw };
    case 'race': return { db, workload: '5', variant: `δ=${r.delta}`, delta: r.delta, rep: r.rep, n: r.n, okCount: r.okCount, violations: r.violations, refused: r.failed, timerSkewP99: r.timerSkewP99, ...raw };
    case 'memory': return {
      db, workload: '6', variant: 'default', n: r.n, scheduleSeconds: r.insertSeconds, scheduleRate: r.insertRate, rssBytes: r.rssLoadedMB * 2 ** 20,
      rssEmptyBytes: r.rssEmptyMB * 2 ** 20, storeBytes: r.storeAfterBytes, storeDetail: r.storeDetail, ...raw,
    };
    default: return undefined;
  }
}

function run(cmd: string, args: string[], cwd: string, logFile: string, env: NodeJS.ProcessEnv, onLine?: (line: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    const feed = (d: Buffer) => {
      out.write(d);
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) onLine?.(l);
    };
    child.stdout.on('data', feed);
    child.stderr.on('data', feed);
    child.on('error', reject);
    child.on('exit', (code) => { out.end(); resolve(code ?? 1); });
  });
}

/**
 * Runs the peers' harness (../shared/bench-peers, read-only) from a copy in the temp directory,
 * one peer after another, and records their figures next to Relais's. The copy keeps its
 * node_modules between runs (npm install again only when package.json or the lockfile change).
 */
export async function runPeers(o: { peers: PeerKey[]; progress: Progress; log: ResultLog; reps?: number; measures?: string }): Promise<void> {
  if (!existsSync(join(PEERS_SRC, 'bench.mjs'))) throw new Error(`peers' harness not found at ${PEERS_SRC} (set RELAIS_BENCH_PEERS_DIR)`);
  const dir = process.env.RELAIS_BENCH_PEERS_COPY || join(tmpdir(), 'relais-bench-peers');
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(PEERS_SRC)) {
    const from = join(PEERS_SRC, f);
    if (!statSync(from).isFile() || /^(results\.jsonl|RESULTS\.md|log-.*)$/.test(f)) continue;
    rmSync(join(dir, f), { force: true });
    copyFileSync(from, join(dir, f));
    chmodSync(join(dir, f), f.endsWith('.sh') ? 0o755 : 0o644);
  }
  const lockHash = createHash('sha256').update(readFileSync(join(PEERS_SRC, 'package.json'))).update(readFileSync(join(PEERS_SRC, 'package-lock.json'))).digest('hex');
  const stamp = join(dir, 'node_modules', '.relais-bench-lock');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== lockHash) {
    // `npm install` as the peers' README says (their lockfile lacks some optional platform entries, so `npm ci` refuses it).
    o.progress.start(`peers: npm install in ${dir}`);
    const code = await run('npm', ['install', '--no-audit', '--no-fund'], dir, join(dir, 'npm-install.log'), process.env, (l) => o.progress.update(l.slice(0, 80)));
    if (code !== 0) throw new Error(`npm install failed in ${dir} (see npm-install.log)`);
    writeFileSync(stamp, lockHash);
  }
  const resultsFile = join(dir, 'results.jsonl');
  const needsPg = o.peers.some((p) => p === 'graphile' || p === 'pgboss');
  if (needsPg) {
    await pgAdmin('DROP DATABASE IF EXISTS peerbench WITH (FORCE)');
    await pgAdmin('CREATE DATABASE peerbench');
  }
  try {
    for (const key of o.peers) {
      const name = PEER_KEYS[key];
      const offset = existsSync(resultsFile) ? statSync(resultsFile).size : 0;
      o.progress.start(`peers: ${name}`);
      // The peers' harness records no load average: sample it here, attached to each of its records.
      const loads = [loadavg()[0]];
      const sampler = setInterval(() => loads.push(loadavg()[0]), 5000);
      const args = ['bench.mjs', key, ...(o.measures ? [o.measures] : [])];
      const code = await run(process.execPath, args, dir, join(dir, `log-${key}.txt`), { ...process.env, ...(o.reps ? { REPS: String(o.reps) } : {}) },
        (line) => o.progress.update(line.replace(/\{.*$/, '').slice(0, 100))).finally(() => clearInterval(sampler));
      const loadRange = [Math.min(...loads), Math.max(...loads)].map((x) => Math.round(x * 100) / 100);
      const text = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8').slice(offset) : '';
      let count = 0;
      for (const l of text.split('\n').filter(Boolean)) {
        const m = toMeasurement(name, JSON.parse(l));
        if (m) { o.log.add({ ...m, loadRange }); count++; }
      }
      o.progress.log(`peers: ${name} finished (exit ${code}, ${count} records; log ${join(dir, `log-${key}.txt`)})`);
    }
  } finally {
    if (needsPg) await pgAdmin('DROP DATABASE IF EXISTS peerbench WITH (FORCE)').catch(() => {});
    if (o.peers.includes('bullmq')) {
      try { execFileSync('redis-cli', ['-h', '127.0.0.1', '-n', '15', 'flushdb'], { stdio: 'ignore' }); } catch { /* redis-cli absent: the peers flush on reset */ }
    }
    rmSync(join(dir, 'data'), { recursive: true, force: true });
  }
}
