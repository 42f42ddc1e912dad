import autocannon, { type Options, type Result } from 'autocannon';

export interface LoadResult {
  /** Responses with the expected status. */
  ok: number;
  other: number;
  errors: number;
  seconds: number;
  /** ok / seconds. */
  rate: number;
  latencyMs: { p50: number; p99: number; max: number; avg: number };
  statusCodes: Record<string, number>;
}

/**
 * Runs autocannon (keep-alive connections, one request in flight per connection) in this
 * process; `onResponse` is called for each response so callers can drive progress lines.
 */
export function cannon(opts: Options, expect: number, onResponse?: (done: number) => void): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    let done = 0;
    let last = 0;
    const t0 = performance.now();
    const inst = autocannon({ timeout: 30, pipelining: 1, ...opts }, (err: Error | null, r: Result) => {
      if (err) return reject(err);
      // autocannon only notices a reached `amount` at its next 1-s tick: time to the last response.
      const seconds = ((last || performance.now()) - t0) / 1000;
      const statusCodes: Record<string, number> = {};
      for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = Number(s.count);
      const ok = statusCodes[String(expect)] ?? 0;
      const total = Object.values(statusCodes).reduce((a, b) => a + b, 0);
      const secs = opts.amount ? seconds : r.duration;
      resolve({
        ok, other: total - ok, errors: r.errors + r.timeouts, seconds: secs, rate: ok / secs,
        latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, avg: r.latency.average }, statusCodes,
      });
    });
    inst.on('response', () => {
      last = performance.now();
      onResponse?.(++done);
    });
  });
}
