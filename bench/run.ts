// Relais benchmarks: the workloads of the performance issue on SQLite and PostgreSQL, optionally
// side by side with the peers (BullMQ, pg-boss, graphile-worker, a naive SQLite queue).
//
//   npm run bench                          full run, both databases (~15–25 min on 2 cores)
//   npm run bench -- --quick               every workload scaled down, both databases (< 1 min)
//   npm run bench -- --only 1a,3 --db sqlite
//   npm run bench -- --peers               then the peers (default: naive-sqlite, bullmq, graphile-worker)
//   npm run bench -- --peers-only --peers=sqlite,bullmq,graphile,pgboss
//   npm run bench -- --only 2 --db postgres --profile   CPU profiles (in-process and server) with a summary
//
// One JSON line per measurement is appended to bench/results/local.jsonl (git-ignored), or with
// --record to the tracked history bench/results/results.jsonl.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { cleanupAll } from './lib/cleanup.js';
import { FULL, makeCtx, overrideSizes, QUICK, type Workload } from './lib/context.js';
import { pgAdmin, PG_ADMIN_URL, type DbKind } from './lib/db.js';
import { parsePeers, runPeers, PEER_KEYS, type PeerKey } from './lib/peers.js';
import { Progress } from './lib/progress.js';
import { serverEntry, type ServerMode } from './lib/relais.js';
import { buildTable, fullSize, loadRange } from './lib/report.js';
import { LOCAL_RESULTS_FILE, readResults, RESULTS_FILE, ResultLog, resultsFile, runMeta, type Recorded } from './lib/results.js';
import { floor, FLOOR_JUDGED } from './workloads/w0-floor.js';
import { scheduleOne } from './workloads/w1a-schedule.js';
import { scheduleBulk } from './workloads/w1b-bulk.js';
import { lateness } from './workloads/w2-lateness.js';
import { burst } from './workloads/w3-burst.js';
import { cancel } from './workloads/w4-cancel.js';
import { race } from './workloads/w5-race.js';
import { memory } from './workloads/w6-memory.js';
import { httpLoad } from './workloads/w7-http-load.js';

const WORKLOADS: Workload[] = [floor, scheduleOne, scheduleBulk, lateness, burst, cancel, race, memory, httpLoad];

const HELP = `usage: npm run bench -- [options]
  --quick              scaled-down sizes (whole run < 1 min); figures are indicative, not judged against the targets
  --only 1a,1b,2,...   run these workloads (default: all: ${WORKLOADS.map((w) => w.id).join(',')}); 1a or 4 also measure the floor
  --db sqlite|postgres|both   (default both)
  --reps N             repetitions of 1a-core, 2, 4-core, 5 (median shown; default 3, --quick 1)
  --peers[=list]       afterwards run the peers' harness (${Object.keys(PEER_KEYS).join(',')}, all; default sqlite,bullmq,graphile)
  --peers-only         only the peers
  --peer-measures m,m  measures passed to the peers' bench.mjs (enq_seq,enq_bulk,lateness,burst,cancel,race,memory)
  --peer-reps N        REPS for the peers' harness (default 3)
  --profile            CPU-profile each measurement (in-process inspector; server children with --cpu-prof) and print the top functions
  --server build|tsx   how server children run src/: esbuild-compiled (default) or through tsx
  --size k=v,...       override sizes, e.g. --size memoryN=100000,burstN=10000 (names: bench/lib/context.ts); indicative, like --quick
  --record             an official run: append to the tracked history bench/results/results.jsonl
                       (default: bench/results/local.jsonl, git-ignored)
  --no-save            append nowhere
  --report[=run]       only print the table of a recorded run (default: the latest) from both files
env: RELAIS_BENCH_PG_URL (admin URL, default ${PG_ADMIN_URL}), RELAIS_BENCH_RESULTS, RELAIS_BENCH_PEERS_DIR; RELAIS_* settings apply to Relais.`;

interface Args {
  quick: boolean; only?: string[]; dbs: DbKind[]; reps?: number; peers?: PeerKey[]; peersOnly: boolean; peerMeasures?: string;
  peerReps?: number; profile: boolean; server: ServerMode; save: boolean; record: boolean; size?: string; report?: string;
}

function parse(argv: string[]): Args {
  const a: Args = { quick: false, dbs: ['sqlite', 'postgres'], peersOnly: false, profile: false, server: 'build', save: true, record: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i] ?? (() => { throw new Error(`${flag} needs a value`); })();
    switch (flag) {
      case '--quick': a.quick = true; break;
      case '--only': a.only = value().split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--db': { const v = value(); a.dbs = v === 'both' ? ['sqlite', 'postgres'] : v === 'pg' ? ['postgres'] : [v as DbKind]; break; }
      case '--reps': a.reps = Number(value()); break;
      case '--peers': a.peers = parsePeers(inline ?? process.env.PEERS?.split(/\s+/).join(',')); break;
      case '--peers-only': a.peersOnly = true; a.peers ??= parsePeers(process.env.PEERS?.split(/\s+/).join(',')); break;
      case '--peer-measures': a.peerMeasures = value(); break;
      case '--peer-reps': a.peerReps = Number(value()); break;
      case '--profile': a.profile = true; break;
      case '--server': a.server = value() as ServerMode; break;
      case '--no-save': a.save = false; break;
      case '--record': a.record = true; break;
      case '--size': a.size = value(); break;
      case '--report': a.report = inline ?? 'latest'; break;
      case '--help': case '-h': console.log(HELP); process.exit(0);
      // falls through
      default: throw new Error(`unknown option ${argv[i]}\n${HELP}`);
    }
  }
  for (const d of a.dbs) if (d !== 'sqlite' && d !== 'postgres') throw new Error(`--db: unknown database "${d}"`);
  if (a.only) for (const id of a.only) if (!WORKLOADS.some((w) => w.id === id)) throw new Error(`--only: unknown workload "${id}"`);
  if (!['build', 'tsx'].includes(a.server)) throw new Error('--server must be build or tsx');
  if (a.record && (a.quick || a.size)) throw new Error('--record is for official, full-size runs: not with --quick or --size');
  if (a.record && !a.save) throw new Error('--record and --no-save contradict each other');
  return a;
}

/** The table of an earlier run (its Relais records; peers from that run, else their latest). */
function report(run: string): number {
  const all = readResults();
  const runs = [...new Set(all.filter((r) => r.db === 'sqlite' || r.db === 'postgres').map((r) => r.run))];
  const id = run === 'latest' ? runs[runs.length - 1] : run;
  if (!id || !runs.includes(id)) {
    console.error(`no recorded run ${run === 'latest' ? '' : `"${run}" `}with Relais measurements in ${process.env.RELAIS_BENCH_RESULTS || `${RESULTS_FILE} or ${LOCAL_RESULTS_FILE}`}`);
    return 1;
  }
  const records = all.filter((r) => r.run === id);
  const first = records[0];
  const { notes } = addLatestPeers(records, all);
  console.log(`Relais benchmark ${id} — ${first.date}, ${first.machine.cpus} × ${first.machine.model}, Node ${first.node}, commit ${first.commit.slice(0, 10)}${first.dirty ? ` + modified src/ (${first.srcHash})` : ''}${first.quick ? ' — QUICK' : ''}\n`);
  printTable(records, notes);
  return 0;
}

/** Adds each peer's latest recorded figures when the records hold none for it. */
function addLatestPeers(records: Recorded[], all: Recorded[]): { notes: string[] } {
  const missing = Object.values(PEER_KEYS).map((p) => `peer:${p}`).filter((db) => !records.some((r) => r.db === db));
  const byRun = new Map<string, string[]>();
  for (const db of missing) {
    const older = all.filter((r) => r.db === db);
    if (older.length === 0) continue;
    const last = older[older.length - 1];
    records.push(...older.filter((r) => r.run === last.run));
    byRun.set(`${last.run} (${last.date})`, [...(byRun.get(`${last.run} (${last.date})`) ?? []), db.replace(/^peer:/, '')]);
  }
  return { notes: [...byRun].map(([run, peers]) => `${peers.join(', ')}: from run ${run}, not this session`) };
}

function printTable(records: Recorded[], notes: string[]): void {
  const { markdown, verdicts } = buildTable(records);
  console.log(markdown);
  for (const db of ['sqlite', 'postgres']) {
    const rs = records.filter((r) => r.db === db && r.workload !== 'meta');
    if (rs.length) console.log(`load average (1 min) during ${db}: ${loadRange(rs)}`);
  }
  for (const n of notes) console.log(`peer figures — ${n}`);
  const missed = verdicts.filter((v) => !v.pass);
  if (records.some((r) => (r.db === 'sqlite' || r.db === 'postgres') && !fullSize(r))) {
    console.log('\nindicative: sizes scaled down (--quick or --size), so no figure is judged against its target');
  }
  if (verdicts.length) console.log(`\ntargets: ${verdicts.length - missed.length}/${verdicts.length} met${missed.length ? '; missed:\n' + missed.map((v) => `  - ${v.row} [${v.db}]: ${v.value} (target ${v.target})`).join('\n') : ''}`);
}

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2));
  if (args.report) return report(args.report);
  const meta = runMeta(args.quick, args.size);
  const sizes = overrideSizes(args.quick ? QUICK : FULL, args.size);
  const log = new ResultLog(meta, resultsFile(args.record), args.save);
  const progress = new Progress();
  const profileDir = args.profile ? join(tmpdir(), 'relais-bench-profiles', meta.run) : undefined;
  const t0 = performance.now();
  let failures = 0;
  progress.log(`relais bench ${meta.run}: ${meta.machine.cpus} × ${meta.machine.model}, ${meta.machine.totalmemGiB} GiB, node ${meta.node}, commit ${meta.commit.slice(0, 10)}${meta.dirty ? ' (src/ modified, tree ' + meta.srcHash + ')' : ''}${args.quick ? ', QUICK' : ''}`);
  if (profileDir) progress.log(`CPU profiles: ${profileDir}`);

  if (!args.peersOnly) {
    if (args.dbs.includes('postgres')) {
      try {
        await pgAdmin('select 1');
      } catch (err) {
        progress.log(`PostgreSQL not reachable at ${PG_ADMIN_URL} (${(err as Error).message}): skipping postgres`);
        args.dbs = args.dbs.filter((d) => d !== 'postgres');
        failures++;
      }
    }
    // 1a and 4 are judged against the floor measured in the same run: --only of either measures it.
    const wanted = (id: string) => !args.only || args.only.includes(id) || (id === floor.id && args.only.some((o) => FLOOR_JUDGED.includes(o)));
    const selected = WORKLOADS.filter((w) => wanted(w.id));
    // Compiled now, so that every server child of the run runs the code the run started with.
    if (selected.some((w) => ['1a', '1b', '4', '6', '7'].includes(w.id))) await serverEntry(args.server);
    for (const db of args.dbs) {
      if (db === 'postgres') {
        const r = await pgAdmin("select version() as version, current_setting('synchronous_commit') as synchronous_commit, current_setting('fsync') as fsync, current_setting('shared_buffers') as shared_buffers, current_setting('max_connections') as max_connections");
        log.add({ db, workload: 'meta', variant: '', settings: r.rows[0] });
      }
      const ctx = makeCtx({ db, quick: args.quick, sizes, reps: args.reps ?? (args.quick ? 1 : 3), progress, log, serverMode: args.server, profileDir });
      for (const w of selected) {
        const ws = performance.now();
        try {
          progress.start(`[${db}] ${w.id} ${w.title}`);
          await w.run(ctx);
          progress.log(`[${db}] ${w.id} ${w.title}: done in ${((performance.now() - ws) / 1000).toFixed(1)} s`);
        } catch (err) {
          failures++;
          progress.log(`[${db}] ${w.id} FAILED: ${(err as Error).stack ?? err}`);
          log.add({ db, workload: w.id, variant: 'error', error: String((err as Error).message ?? err) });
        }
      }
      await ctx.finish();
    }
  }

  if (args.peers) {
    try {
      await runPeers({ peers: args.peers, progress, log, reps: args.peerReps, measures: args.peerMeasures });
    } catch (err) {
      failures++;
      progress.log(`peers FAILED: ${(err as Error).message}`);
    }
  }
  progress.done();

  // Peers not run now: their latest figures from earlier runs in the results file, labelled as such.
  const records: Recorded[] = [...log.records];
  const { notes } = addLatestPeers(records, readResults());
  console.log(`\nRelais benchmark ${meta.run} — ${meta.date}, ${meta.machine.cpus} × ${meta.machine.model}, ${meta.machine.totalmemGiB} GiB, Node ${meta.node}, commit ${meta.commit.slice(0, 10)}${meta.dirty ? ` + modified src/ (${meta.srcHash})` : ''}${args.quick ? ' — QUICK (sizes scaled down, indicative only)' : ''}\n`);
  printTable(records, notes);
  if (args.save) console.log(`\n${log.records.length} measurements appended to ${log.file}`);
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return failures ? 1 : 0;
}

let exiting = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (exiting) process.exit(130);
    exiting = true;
    process.stderr.write(`\n${sig}: cleaning up (temp databases, server children)…\n`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

main().then(
  async (code) => { await cleanupAll(); process.exit(code); },
  async (err) => { console.error(err instanceof Error ? err.message : err); await cleanupAll(); process.exit(2); },
);
