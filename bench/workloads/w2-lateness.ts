import { waitFor, type Ctx, type Workload } from '../lib/context.js';
import { summary } from '../lib/stats.js';
import { MIN_SLACK_MS, withTimedDispatch } from '../lib/timed.js';

/** 2: messages due uniformly over a window starting a few seconds ahead; lateness = outbox sent_at − send_at. */
export const lateness: Workload = {
  id: '2',
  title: 'dispatch lateness',
  async run(ctx: Ctx) {
    const { latenessN: n, latenessSpanMs: span, latenessLeadMs: lead } = ctx.sizes;
    const CAP_MS = 30_000;
    for (let rep = 0; rep < ctx.reps; rep++) {
      await withTimedDispatch(ctx, '2 lateness', n, lead, (i) => Math.floor((i * span) / n), MIN_SLACK_MS, async (db, p, t) => {
        ctx.progress.start(`[${ctx.db}] 2 lateness (rep ${rep + 1}/${ctx.reps})`);
        const ticker = setInterval(() => ctx.progress.tick(p.sent(), n, 'sent'), 250);
        const complete = await ctx.profiled('2-dispatch', () => waitFor(() => p.sent() >= n, t.base + span + CAP_MS, 20));
        clearInterval(ticker);
        await p.close();
        const rows = await db.query<{ late: number }>('select o.sent_at - m.send_at as late from outbox o join messages m on m.id = o.message_id');
        const s = summary(rows.map((r) => Number(r.late)));
        ctx.record({
          workload: '2', variant: 'default', rep, n, ran: s.n, p50: s.p50, p99: s.p99, max: s.max, min: s.min, complete,
          spanMs: span, leadMs: t.leadMs, enqueueLateMs: t.enqueueLateMs, scheduleSeconds: t.scheduleSeconds,
      });
      });
    }
  },
};
