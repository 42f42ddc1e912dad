import type { Ctx, Workload } from '../lib/context.js';
import { cannon } from '../lib/http.js';
import { openInProcess, scheduleMany, SMS_TEXT } from '../lib/relais.js';

/** 1a: single-recipient messages 10 minutes ahead, one at a time: core in-process, then HTTP with 1 and 32 keep-alive connections. */
export const scheduleOne: Workload = {
  id: '1a',
  title: 'schedule single-recipient messages one at a time',
  async run(ctx: Ctx) {
    const { seqCore: n } = ctx.sizes;
    for (let rep = 0; rep < ctx.reps; rep++) {
      const db = await ctx.freshDb();
      const p = await openInProcess(db);
      try {
        ctx.progress.start(`[${ctx.db}] 1a core (rep ${rep + 1}/${ctx.reps})`);
        const base = Date.now() + 600_000;
        const r = await ctx.profiled('1a-core', () => scheduleMany(p, n, () => base, { concurrency: 1, onProgress: (d) => ctx.progress.tick(d, n, 'msgs') }));
        ctx.record({ workload: '1a', variant: 'core', rep, n, seconds: r.seconds, rate: n / r.seconds, failures: r.failures, lastError: r.lastError });
      } finally {
        await p.close();
        await db.drop();
      }
    }

    const { h, account, release } = await ctx.apiServer();
    try {
      const body = JSON.stringify({ channel: 'sms', to: ['+33612345678'], text: SMS_TEXT, sendAt: new Date(Date.now() + 600_000).toISOString() });
      const opts = {
        url: `${h.server.baseUrl}/api/v1/messages`, method: 'POST', body,
        headers: { authorization: `Bearer ${account.apiKey}`, 'content-type': 'application/json' },
      };
      ctx.progress.start(`[${ctx.db}] 1a http warm-up`);
      await cannon({ ...opts, connections: 1, amount: ctx.sizes.httpWarmup }, 201);
      for (const [connections, amount] of [[1, ctx.sizes.seqHttp1], [32, ctx.sizes.seqHttp32]] as const) {
        ctx.progress.start(`[${ctx.db}] 1a http ${connections} conn`);
        const r = await h.profiled(`1a-http-${connections}`, () => cannon({ ...opts, connections, amount }, 201, (d) => ctx.progress.tick(d, amount, 'req')));
        ctx.record({
          workload: '1a', variant: `http-${connections}`, n: amount, connections, seconds: r.seconds, rate: r.rate,
          latencyMs: r.latencyMs, other: r.other, errors: r.errors, statusCodes: r.statusCodes,
        });
      }
    } finally {
      await release();
    }
  },
};
