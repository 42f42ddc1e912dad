import { cancelMessage } from '../../src/core/cancel.js';
import { waitFor, type Ctx, type Workload } from '../lib/context.js';
import { sleep, sortNumbers, percentile } from '../lib/stats.js';
import { MIN_SLACK_MS, withTimedDispatch } from '../lib/timed.js';

/**
 * 5: messages with distinct due instants; each is cancelled (core cancelMessage) by a timer at
 * due − δ while the dispatcher runs. Violation = the cancel said yes and the message reached the outbox.
 */
export const race: Workload = {
  id: '5',
  title: 'cancel at due − δ while the dispatcher runs',
  async run(ctx: Ctx) {
    const { raceN: n, raceSpanMs: span, raceLeadMs: lead } = ctx.sizes;
    for (const delta of ctx.sizes.raceDeltas) {
      for (let rep = 0; rep < ctx.reps; rep++) {
        const offset = (i: number) => Math.floor((i * span) / n);
        await withTimedDispatch(ctx, `5 race δ=${delta}`, n, lead, offset, MIN_SLACK_MS + delta, async (db, p, t) => {
          ctx.progress.start(`[${ctx.db}] 5 race δ=${delta} ms (rep ${rep + 1}/${ctx.reps})`);
          const outcome: ({ ok: true } | { ok: false; code: string })[] = new Array(n);
          const skew: number[] = [];
          let fired = 0;
          await ctx.profiled(`5-race-${delta}`, () => Promise.all(t.ids.map((id, i) => new Promise<void>((resolve) => {
            const at = t.base + offset(i) - delta;
            setTimeout(async () => {
              skew.push(Date.now() - at);
              try {
                await cancelMessage(p.core, t.accountOf[i], id);
                outcome[i] = { ok: true };
              } catch (err) {
                outcome[i] = { ok: false, code: (err as { code?: string }).code ?? (err as Error).message };
              }
              ctx.progress.tick(++fired, n, 'cancels');
              resolve();
            }, Math.max(0, at - Date.now()));
          }))));
          const okCount = outcome.filter((o) => o.ok).length;
          // Let every message the cancel did not stop reach the outbox (and anything that slipped through).
          await waitFor(() => p.sent() >= n - okCount, Date.now() + 15_000, 20);
          await sleep(ctx.quick ? 200 : 1000);
          await p.close();
          const sent = new Set((await db.query<{ id: number }>('select distinct message_id as id from outbox')).map((r) => Number(r.id)));
          const [c] = await db.query<{ n: number }>("select count(*) as n from messages where status = 'cancelled'");
          let violations = 0, refused = 0, refusedNotSent = 0;
          const codes: Record<string, number> = {};
          t.ids.forEach((id, i) => {
            const o = outcome[i];
            if (o.ok) {
              if (sent.has(id)) violations++;
            } else {
              refused++;
              codes[o.code] = (codes[o.code] ?? 0) + 1;
              if (!sent.has(id)) refusedNotSent++;
            }
        });
        const s = sortNumbers(skew);
        ctx.record({
          workload: '5', variant: `δ=${delta}`, delta, rep, n, okCount, violations, refused, refusedNotSent, sentTotal: sent.size,
          cancelledInDb: Number(c.n), codes, timerSkewP50: percentile(s, 50), timerSkewP99: percentile(s, 99), timerSkewMax: s[s.length - 1],
          spanMs: span, leadMs: t.leadMs, enqueueLateMs: t.enqueueLateMs,
        });
        if (violations) ctx.progress.log(`[${ctx.db}] 5 δ=${delta}: ${violations} VIOLATIONS (cancel succeeded and the message was sent)`);
        });
      }
    }
  },
};
