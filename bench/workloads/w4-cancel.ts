import { cancelMessage } from '../../src/core/cancel.js';
import type { Ctx, Workload } from '../lib/context.js';
import { cannon } from '../lib/http.js';
import { openInProcess, scheduleBatched } from '../lib/relais.js';
import { SETUP_ACCOUNTS } from '../lib/timed.js';

/**
 * 4: cancel scheduled messages one by one, awaited sequentially: core in-process, then DELETE
 * /api/v1/messages/:id on 1 connection. The messages are set up with scheduleBatched.
 */
export const cancel: Workload = {
  id: '4',
  title: 'cancel scheduled messages one by one',
  async run(ctx: Ctx) {
    const n = ctx.sizes.cancelCore;
    for (let rep = 0; rep < ctx.reps; rep++) {
      const db = await ctx.freshDb();
      const p = await openInProcess(db, { accounts: SETUP_ACCOUNTS });
      try {
        ctx.progress.start(`[${ctx.db}] 4 cancel: scheduling ${n}`);
        const base = Date.now() + 600_000;
        const s = await scheduleBatched(p, n, () => base, { concurrency: SETUP_ACCOUNTS, onProgress: (d) => ctx.progress.tick(d, n, 'msgs') });
        ctx.progress.start(`[${ctx.db}] 4 cancel core (rep ${rep + 1}/${ctx.reps})`);
        let ok = 0;
        const t0 = performance.now();
        await ctx.profiled('4-core', async () => {
          for (let i = 0; i < n; i++) {
            try {
              await cancelMessage(p.core, s.accountOf[i], s.ids[i]);
              ok++;
            } catch { /* counted as not ok */ }
            if ((i & 255) === 0) ctx.progress.tick(i, n, 'cancels');
          }
        });
        const seconds = (performance.now() - t0) / 1000;
        ctx.record({ workload: '4', variant: 'core', rep, n, ok, seconds, rate: n / seconds });
      } finally {
        await p.close();
        await db.drop();
      }
    }

    if (!ctx.sizes.httpVariants) return;
    // HTTP: messages scheduled in-process first, then the server is started on the same database.
    const m = ctx.sizes.cancelHttp;
    const warm = ctx.sizes.httpWarmup;
    const db = await ctx.freshDb();
    const p = await openInProcess(db, { accounts: SETUP_ACCOUNTS });
    let ids: number[];
    let keyOf: string[];
    try {
      ctx.progress.start(`[${ctx.db}] 4 cancel http: scheduling ${m + warm}`);
      const base = Date.now() + 600_000;
      const s = await scheduleBatched(p, m + warm, () => base, { concurrency: SETUP_ACCOUNTS, onProgress: (d) => ctx.progress.tick(d, m + warm, 'msgs') });
      const keys = new Map(p.accounts.map((a) => [a.id, a.apiKey]));
      ids = s.ids;
      keyOf = s.accountOf.map((a) => keys.get(a)!);
    } finally {
      await p.close();
    }
    const h = await ctx.server(db);
    try {
      const run = (from: number, count: number, onResponse?: (d: number) => void) => {
        let k = 0;
        return cannon({
          url: h.server.baseUrl, connections: 1, amount: count,
          requests: [{
            method: 'DELETE',
            setupRequest: (req) => { const i = from + (k++ % count); return { ...req, path: `/api/v1/messages/${ids[i]}`, headers: { authorization: `Bearer ${keyOf[i]}` } }; },
          }],
        }, 200, onResponse);
      };
      ctx.progress.start(`[${ctx.db}] 4 cancel http warm-up`);
      await run(0, warm);
      ctx.progress.start(`[${ctx.db}] 4 cancel http 1 conn`);
      const r = await h.profiled('4-http', () => run(warm, m, (d) => ctx.progress.tick(d, m, 'cancels')));
      ctx.record({ workload: '4', variant: 'http-1', n: m, ok: r.ok, seconds: r.seconds, rate: r.ok / r.seconds, latencyMs: r.latencyMs, other: r.other, errors: r.errors, statusCodes: r.statusCodes });
    } finally {
      await h.stop();
      await db.drop();
    }
  },
};
