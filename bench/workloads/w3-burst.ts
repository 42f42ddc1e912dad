import { waitFor, type Ctx, type Workload } from '../lib/context.js';
import { MIN_SLACK_MS, withTimedDispatch } from '../lib/timed.js';

/** 3: N messages due at the same instant T; seconds from T until the last outbox row. */
export const burst: Workload = {
  id: '3',
  title: 'burst: messages due at the same instant',
  async run(ctx: Ctx) {
    const n = ctx.sizes.burstN;
    const CAP_MS = 120_000;
    await withTimedDispatch(ctx, '3 burst', n, 2_000, () => 0, MIN_SLACK_MS, async (db, p, t) => {
      ctx.progress.start(`[${ctx.db}] 3 burst`);
      const ticker = setInterval(() => ctx.progress.tick(p.sent(), n, 'sent'), 250);
      const complete = await ctx.profiled('3-burst', async () => {
        await waitFor(() => Date.now() >= t.base, t.base + 1, 5);
        return waitFor(() => p.sent() >= n, t.base + CAP_MS, 20);
    });
    clearInterval(ticker);
    await p.close();
    const [o] = await db.query<{ n: number; first: number; last: number }>('select count(*) as n, min(sent_at) as first, max(sent_at) as last from outbox');
    const [m] = await db.query<{ n: number; done: number }>("select count(*) as n, max(completed_at) as done from messages where status = 'sent'");
    const seconds = (Number(o.last) - t.base) / 1000;
    ctx.record({
      workload: '3', variant: 'default', n, completed: Number(o.n), seconds, rate: Number(o.n) / seconds, capped: !complete,
      firstMs: Number(o.first) - t.base, messagesSent: Number(m.n), allCompletedSeconds: (Number(m.done) - t.base) / 1000,
      leadMs: t.leadMs, enqueueLateMs: t.enqueueLateMs, scheduleSeconds: t.scheduleSeconds, batchSize: p.config.dispatch.batchSize,
      transportConcurrency: p.config.dispatch.concurrency,
    });
    });
  },
};
