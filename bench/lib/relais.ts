import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { composeCore } from '../../src/compose.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createAccount } from '../../src/core/accounts.js';
import type { Core } from '../../src/core/context.js';
import type { Store, StoreTx } from '../../src/core/ports.js';
import { scheduleMessage } from '../../src/core/schedule.js';
import { Dispatcher } from '../../src/dispatch/dispatcher.js';
import { defaultTransports } from '../../src/main.js';
import { openStore } from '../../src/store/open.js';
import type { SendWithin } from '../../src/core/delivery.js';
import type { Transport, TransportRegistry } from '../../src/core/transport.js';
import { inStoreSenders } from '../../src/transports/registry.js';
import { onCleanup } from './cleanup.js';
import type { BenchDb } from './db.js';
import { ROOT } from './results.js';
import { sleep } from './stats.js';

/** Credits of the benchmark account (thousandths): enough for every workload at 0.045 per SMS. */
export const BENCH_CREDITS = 1_000_000_000_000;
export const SMS_TEXT = 'Relais benchmark message';

/** Distinct, valid French mobile numbers (+33 61…). */
export const phone = (i: number): string => `+336${10_000_000 + (i % 89_999_999)}`;

/** The environment a Relais process of the benchmark sees: the caller's RELAIS_* tuning, this database, quiet logs. */
export function relaisEnv(db: BenchDb, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith('RELAIS_') && !k.startsWith('RELAIS_BENCH_') && v !== undefined) env[k] = v;
  return { RELAIS_LOG_LEVEL: 'warn', ...env, RELAIS_DATABASE_URL: db.url, ...extra };
}

export interface InProcess {
  core: Core;
  store: Store;
  config: Config;
  /** The first benchmark account. */
  accountId: number;
  apiKey: string;
  /**
   * Every benchmark account. Setup phases spread their scheduling over several accounts: each
   * schedule debits its account's balance row, and on PostgreSQL one row lock held until the
   * commit's fsync would serialize all concurrent calls of a single account.
   */
  accounts: { id: number; apiKey: string }[];
  dispatcher: Dispatcher | undefined;
  /** Transport sends so far (the outbox rows written), counted in memory to know when a run is done. */
  readonly sent: () => number;
  startDispatcher(): void;
  close(): Promise<void>;
}

/**
 * loadConfig + openStore + composeCore (+ a Dispatcher over the outbox transports), in this
 * process. `oneByOne` sends through the outbox as through a network transport (no in-store batches).
 */
export async function openInProcess(db: BenchDb, opts: { accounts?: number; oneByOne?: boolean } = {}): Promise<InProcess> {
  const config = loadConfig(relaisEnv(db));
  const store = await openStore({ url: config.db.url, poolSize: config.db.poolSize, statementTimeoutMs: config.db.statementTimeoutMs });
  let dispatcher: Dispatcher | undefined;
  const core = composeCore(config, store, { wakeup: { notify: (sendAt) => dispatcher?.notify(sendAt) } });
  let sent = 0;
  const base = defaultTransports(core);
  const baseInStore = inStoreSenders(base);
  const wrapped = new Map<Transport, Transport>();
  const inStore = new Map<Transport, SendWithin>();
  const transports = Object.fromEntries(Object.entries(base).map(([channel, t]) => {
    let w = wrapped.get(t);
    if (!w) {
      w = { name: t.name, close: () => t.close(), send: async (message, recipients, o) => { const r = await t.send(message, recipients, o); sent += r.length; return r; } };
      const within = baseInStore.get(t);
      if (within && !opts.oneByOne) inStore.set(w, async (tx, msgs) => { const r = await within(tx, msgs); sent += msgs.length; return r; });
      wrapped.set(t, w);
    }
    return [channel, w];
  })) as TransportRegistry;
  const accounts: { id: number; apiKey: string }[] = [];
  for (let i = 0; i < (opts.accounts ?? 1); i++) {
    const created = await createAccount(core, { name: `bench ${i}`, credits: BENCH_CREDITS });
    accounts.push({ id: created.account.id, apiKey: created.apiKey });
  }
  const log = pino({ level: 'warn' }, pino.destination(2));
  let closed = false;
  const self: InProcess = {
    core, store, config, accounts, accountId: accounts[0]?.id ?? 0, apiKey: accounts[0]?.apiKey ?? '',
    get dispatcher() { return dispatcher; },
    sent: () => sent,
    startDispatcher() {
      if (dispatcher) return;
      dispatcher = new Dispatcher(core, transports, { ...config.dispatch, inStore }, log);
      dispatcher.start();
    },
    async close() {
      if (closed) return;
      closed = true;
      await dispatcher?.stop();
      dispatcher = undefined;
      await store.close();
    },
  };
  return self;
}

export interface ScheduleManyResult {
  ids: number[];
  /** The account of each message. */
  accountOf: number[];
  seconds: number;
  failures: number;
  lastError?: string;
}

/**
 * Schedules `count` single-recipient SMS through core scheduleMessage with `concurrency`
 * calls in flight (1 = awaited one after another); call k of the in-flight ones uses
 * account k mod accounts (see InProcess.accounts).
 */
export async function scheduleMany(
  p: InProcess, count: number, sendAtOf: (i: number) => number,
  opts: { concurrency?: number; onProgress?: (done: number) => void; offset?: number } = {},
): Promise<ScheduleManyResult> {
  const ids = new Array<number>(count);
  const accountOf = new Array<number>(count);
  const concurrency = opts.concurrency ?? 1;
  const offset = opts.offset ?? 0;
  let next = 0;
  let done = 0;
  let failures = 0;
  let lastError: string | undefined;
  const t0 = performance.now();
  const worker = async (w: number) => {
    const accountId = p.accounts[w % p.accounts.length].id;
    for (;;) {
      const i = next++;
      if (i >= count) return;
      accountOf[i] = accountId;
      try {
        const { message } = await scheduleMessage(p.core, accountId, {
          channel: 'sms', recipients: [phone(offset + i)],
          content: { channel: 'sms', text: SMS_TEXT, sender: null, unicode: false }, sendAt: sendAtOf(i),
        });
        ids[i] = message.id;
      } catch (err) {
        failures++;
        lastError = (err as Error).message;
        ids[i] = -1;
      }
      done++;
      if ((done & 255) === 0) opts.onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, (_, w) => worker(w)));
  opts.onProgress?.(done);
  return { ids, accountOf, seconds: (performance.now() - t0) / 1000, failures, lastError };
}

/**
 * Setup path for workloads that need many messages but do not measure scheduling them one
 * transaction at a time: core scheduleMessage unchanged, but `batch` calls share one store
 * transaction (a Store whose transaction() runs inside the open one), `concurrency` batches in
 * flight, batch k on account k mod accounts. Rows written are exactly those of the real path.
 */
export async function scheduleBatched(
  p: InProcess, count: number, sendAtOf: (i: number) => number,
  opts: { batch?: number; concurrency?: number; onProgress?: (done: number) => void; offset?: number } = {},
): Promise<ScheduleManyResult> {
  const ids = new Array<number>(count);
  const accountOf = new Array<number>(count);
  const batch = opts.batch ?? 500;
  const offset = opts.offset ?? 0;
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  const worker = async (w: number) => {
    const accountId = p.accounts[w % p.accounts.length].id;
    for (;;) {
      const from = next;
      if (from >= count) return;
      next = Math.min(count, from + batch);
      const to = next;
      await p.store.transaction(async (tx: StoreTx) => {
        const store: Store = Object.assign(Object.create(p.store) as Store, { autocommit: tx, transaction: <T>(fn: (t: StoreTx) => Promise<T>) => fn(tx) });
        const core: Core = { ...p.core, store };
        for (let i = from; i < to; i++) {
          const { message } = await scheduleMessage(core, accountId, {
            channel: 'sms', recipients: [phone(offset + i)],
            content: { channel: 'sms', text: SMS_TEXT, sender: null, unicode: false }, sendAt: sendAtOf(i),
          });
          ids[i] = message.id;
          accountOf[i] = accountId;
        }
      });
      done += to - from;
      opts.onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, Math.ceil(count / batch)) }, (_, w) => worker(w)));
  return { ids, accountOf, seconds: (performance.now() - t0) / 1000, failures: 0 };
}

// ---------------------------------------------------------------------------------------------
// The real server, in a child process.

export type ServerMode = 'build' | 'tsx';
let builtEntry: string | undefined;

/**
 * Compiles src/ once per run into node_modules/.cache/relais-bench/<id>/ (esbuild, ~1 s; the
 * shared dist/ is left alone since others build it too), so that the server child runs plain
 * JavaScript: tsx's loader would add ~50 MB of RSS and seconds of startup.
 */
export async function serverEntry(mode: ServerMode): Promise<string[]> {
  if (mode === 'tsx') return ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts')];
  if (builtEntry) return [builtEntry];
  const out = join(ROOT, 'node_modules', '.cache', 'relais-bench', `build-${process.pid}-${randomBytes(3).toString('hex')}`);
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) files.push(p);
    }
  };
  walk(join(ROOT, 'src'));
  const esbuild = await import('esbuild');
  mkdirSync(out, { recursive: true });
  onCleanup(() => rmSync(out, { recursive: true, force: true }));
  // The repository's layout (out/src/…), so that what src reads beside itself (the CLI's version
  // in ../../package.json) is where it looks.
  await esbuild.build({ entryPoints: files, outdir: out, outbase: ROOT, format: 'esm', platform: 'node', target: 'node20', logLevel: 'error' });
  // Inside node_modules the nearest package.json scope stops: say it is ESM.
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  writeFileSync(join(out, 'package.json'), `${JSON.stringify({ type: 'module', version })}\n`);
  builtEntry = join(out, 'src', 'cli', 'main.js');
  return [builtEntry];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface ServerOptions {
  mode: ServerMode;
  role?: 'all' | 'api' | 'worker';
  /** Run under bench/lib/server-child.mjs, whose CPU profiler profileStart/profileStop drive over IPC. */
  profiling?: boolean;
  env?: Record<string, string>;
}

/** `relais serve` in a child process, so the load generator and the server don't share an event loop. */
export class ServerProcess {
  private exited = false;
  private stderrTail = '';
  private readonly unregister: () => void;

  private constructor(readonly child: ChildProcess, readonly baseUrl: string, readonly adminToken: string, readonly role: string) {
    child.on('exit', () => { this.exited = true; });
    child.stderr?.on('data', (d: Buffer) => { this.stderrTail = (this.stderrTail + d.toString()).slice(-4000); });
    this.unregister = onCleanup(() => this.stop());
  }

  get pid(): number { return this.child.pid ?? 0; }

  static async start(db: BenchDb, opts: ServerOptions): Promise<ServerProcess> {
    const role = opts.role ?? 'all';
    const port = await freePort();
    const adminToken = randomBytes(16).toString('hex');
    const entry = await serverEntry(opts.mode);
    const wrapper = opts.profiling ? [new URL('./server-child.mjs', import.meta.url).pathname] : [];
    const [first, ...others] = entry;
    const args = opts.mode === 'tsx' ? [...entry.slice(0, 2), ...wrapper, ...entry.slice(2)] : [...wrapper, first, ...others];
    // The worker role has no HTTP to poll: its 'relais started' log line (info) says it is up.
    const env = {
      ...process.env, ...relaisEnv(db, { PORT: String(port), HOST: '127.0.0.1', RELAIS_ADMIN_TOKEN: adminToken, RELAIS_ROLE: role }),
      ...(role === 'worker' ? { RELAIS_LOG_LEVEL: 'info' } : {}), ...opts.env,
    };
    const child = spawn(process.execPath, [...args, 'serve'], { cwd: ROOT, env, stdio: opts.profiling ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'] });
    const server = new ServerProcess(child, `http://127.0.0.1:${port}`, adminToken, role);
    let stdout = '';
    child.stdout?.on('data', (d: Buffer) => { stdout = (stdout + d.toString()).slice(-8000); });
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (server.exited) throw new Error(`relais serve exited during startup: ${server.stderrTail || stdout}`);
      if (Date.now() > deadline) { await server.stop(); throw new Error('relais serve did not become ready within 120 s'); }
      if (role === 'worker') {
        if (stdout.includes('relais started')) break;
      } else {
        try {
          const r = await fetch(`${server.baseUrl}/readyz`);
          if (r.ok) break;
        } catch { /* not listening yet */ }
      }
      await sleep(50);
    }
    return server;
  }

  /** Resident set (and its peak) of the server process, from /proc. */
  memory(): { rssBytes: number; hwmBytes: number } {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') };
  }

  private ipcSeq = 0;

  private ipc(msg: Record<string, unknown>): Promise<void> {
    const id = ++this.ipcSeq;
    return new Promise((resolve, reject) => {
      const onMessage = (m: { id: number; ok: boolean; error?: string }) => {
        if (m.id !== id) return;
        this.child.off('message', onMessage);
        if (m.ok) resolve(); else reject(new Error(m.error));
      };
      this.child.on('message', onMessage);
      this.child.send({ ...msg, id });
    });
  }

  /** CPU profile of the server over a measurement window (needs `profiling: true`). */
  profileStart(): Promise<void> { return this.ipc({ cmd: 'prof-start' }); }
  profileStop(file: string): Promise<void> { return this.ipc({ cmd: 'prof-stop', file }); }

  /** A new account with a key, through the admin API. */
  async createAccount(): Promise<{ id: number; apiKey: string }> {
    const r = await fetch(`${this.baseUrl}/admin/v1/accounts`, {
      method: 'POST', headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', credits: String(BENCH_CREDITS / 1000) }),
    });
    if (r.status !== 201) throw new Error(`POST /admin/v1/accounts: ${r.status} ${await r.text()}`);
    const body = (await r.json()) as { id: number; apiKey: string };
    return { id: body.id, apiKey: body.apiKey };
  }

  /** SIGTERM (the server closes cleanly, which also writes a --cpu-prof profile), SIGKILL after 20 s. */
  async stop(): Promise<void> {
    this.unregister();
    if (this.exited || this.child.exitCode !== null) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await gone;
    clearTimeout(timer);
  }
}
