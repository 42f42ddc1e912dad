import { waitFor, type Ctx, type Workload } from '../lib/context.js';
import { openInProcess } from '../lib/relais.js';
import { sleep } from '../lib/stats.js';
import { MIN_SLACK_MS, scheduleTimed, SETUP_ACCOUNTS } from '../lib/timed.js';

/** 3: N messages due at the same instant T; seconds from T until the last outbox row. */
export const burst: Workload = {
  id: '3',
  title: 'burst: messages due at the same instant',
  async run(ctx: Ctx) {
    const n = ctx.sizes.burstN;
    const CAP_MS = 120_000;
    for (let attempt = 0; ; attempt++) {
      const db = await ctx.freshDb();
      const p = await openInProcess(db, { accounts: SETUP_ACCOUNTS });
      try {
        p.startDispatcher();
        await sleep(ctx.quick ? 200 : 1000);
        const t = await scheduleTimed(ctx, p, n, 2_000, () => 0, '3 burst');
        if (t.enqueueLateMs > -MIN_SLACK_MS && attempt === 0) {
          ctx.progress.log(`[${ctx.db}] 3: scheduling ended ${t.enqueueLateMs} ms relative to the due instant; redoing with a longer lead`);
          continue;
        }
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
        break;
      } finally {
        await p.close().catch(() => {});
        await db.drop();
      }
    }
  },
};
