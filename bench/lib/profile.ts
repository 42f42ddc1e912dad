import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

interface CpuNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface CpuProfile { nodes: CpuNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface ProfileLine { name: string; where: string; selfMs: number; pct: number }
export interface ProfileSummary { totalMs: number; idlePct: number; gcPct: number; functions: ProfileLine[]; modules: ProfileLine[] }

/** Where a frame comes from: a src/ file, a package, node internals, or native code. */
function origin(url: string): string {
  if (!url) return '(native)';
  const built = /node_modules\/\.cache\/relais-bench\/build-[^/]+\/(.+)$/.exec(url);
  if (built) return `src/${built[1].replace(/\.js$/, '.ts')}`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  const src = /\/(src|bench)\/(.+)$/.exec(url);
  if (src) return `${src[1]}/${src[2]}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

/** A frame's file, short: package/…/file.js, src/…/file.ts, node:internal/…. */
function fileOf(url: string): string {
  const o = origin(url);
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?:.*\/)?([^/]+)$/.exec(url);
  if (nm && !o.startsWith('src/')) return `${nm[1]}/${nm[2]}`;
  return o;
}

/** Self time per function and per module (package or file), in % of non-idle samples. */
export function summarizeProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  let total = 0, idle = 0, gc = 0;
  const fn = new Map<string, ProfileLine>();
  const mod = new Map<string, ProfileLine>();
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const name = n.callFrame.functionName || '(anonymous)';
    total += us;
    if (name === '(idle)') { idle += us; continue; }
    if (name === '(garbage collector)') gc += us;
    const special = name.startsWith('(') && !n.callFrame.url;
    const where = special ? '' : `${fileOf(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    const key = `${name} ${where}`;
    const f = fn.get(key) ?? { name, where, selfMs: 0, pct: 0 };
    f.selfMs += us / 1000;
    fn.set(key, f);
    const m = special ? name : origin(n.callFrame.url).replace(/^(src|bench)\/([^/]+)\/.*$/, '$1/$2/');
    const e = mod.get(m) ?? { name: m, where: '', selfMs: 0, pct: 0 };
    e.selfMs += us / 1000;
    mod.set(m, e);
  }
  const busy = (total - idle) / 1000 || 1;
  const rank = (m: Map<string, ProfileLine>) => [...m.values()].map((l) => ({ ...l, pct: (100 * l.selfMs) / busy })).sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  return { totalMs: total / 1000, idlePct: total ? (100 * idle) / total : 0, gcPct: (100 * gc) / 1000 / busy, functions: rank(fn), modules: rank(mod) };
}

export function formatSummary(title: string, s: ProfileSummary): string {
  const lines = [`${title}: ${(s.totalMs / 1000).toFixed(1)} s sampled, ${s.idlePct.toFixed(0)} % idle, GC ${s.gcPct.toFixed(1)} % of busy`];
  lines.push('  self % of busy time, by function:');
  for (const f of s.functions) lines.push(`    ${f.pct.toFixed(1).padStart(5)} %  ${f.name}  ${f.where}`);
  lines.push('  by module:');
  for (const m of s.modules.slice(0, 10)) lines.push(`    ${m.pct.toFixed(1).padStart(5)} %  ${m.name}`);
  return lines.join('\n');
}

export function summarizeFile(file: string, top = 15): ProfileSummary {
  return summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top);
}

/** CPU profile of this process between start() and stop(), through the inspector. */
export class InProcessProfiler {
  private session: Session | undefined;

  constructor(private readonly dir: string) {}

  async start(): Promise<void> {
    this.session = new Session();
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.setSamplingInterval', { interval: 500 });
    await this.session.post('Profiler.start');
  }

  async stop(name: string): Promise<{ file: string; summary: ProfileSummary } | undefined> {
    if (!this.session) return undefined;
    const { profile } = (await this.session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    this.session.disconnect();
    this.session = undefined;
    mkdirSync(this.dir, { recursive: true });
    const file = join(this.dir, `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return { file, summary: summarizeProfile(profile) };
  }
}
