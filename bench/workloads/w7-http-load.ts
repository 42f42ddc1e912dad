import type { Ctx, Workload } from '../lib/context.js';
import { cannon } from '../lib/http.js';
import { SMS_TEXT } from '../lib/relais.js';

/** 7: POST /api/v1/messages with autocannon, 100 connections for 20 s (after a short warm-up). */
export const httpLoad: Workload = {
  id: '7',
  title: 'HTTP schedule throughput (autocannon)',
  async run(ctx: Ctx) {
    const { loadSeconds: duration, loadConnections: connections } = ctx.sizes;
    const { h, account, release } = await ctx.apiServer();
    try {
      const opts = {
        url: `${h.server.baseUrl}/api/v1/messages`, method: 'POST',
        body: JSON.stringify({ channel: 'sms', to: ['+33612345678'], text: SMS_TEXT, sendAt: new Date(Date.now() + 600_000).toISOString() }),
        headers: { authorization: `Bearer ${account.apiKey}`, 'content-type': 'application/json' },
      };
      ctx.progress.start(`[${ctx.db}] 7 warm-up`);
      await cannon({ ...opts, connections: 10, amount: ctx.sizes.httpWarmup }, 201);
      ctx.progress.start(`[${ctx.db}] 7 autocannon ${connections} connections, ${duration} s`);
      const t0 = Date.now();
      const ticker = setInterval(() => ctx.progress.update(`${Math.round((Date.now() - t0) / 1000)}/${duration} s`), 1000);
      const r = await h.profiled('7-http', () => cannon({ ...opts, connections, duration }, 201)).finally(() => clearInterval(ticker));
      ctx.record({
        workload: '7', variant: `http-${connections}`, connections, n: r.ok, seconds: r.seconds, rate: r.rate, latencyMs: r.latencyMs,
        p99: r.latencyMs.p99, other: r.other, errors: r.errors, statusCodes: r.statusCodes,
      });
    } finally {
      await release();
    }
  },
};
