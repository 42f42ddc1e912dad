import type { Ctx, Workload } from '../lib/context.js';
import { pgFloor, sqliteFloor } from '../lib/floor.js';

/** The workloads judged against the schedule and cancel floors: with --only, either brings this one along. */
export const FLOOR_JUDGED = ['1a', '4'];

/**
 * The storage engine's floor under 1a and 4 core (bench/lib/floor.ts), on a fresh database, as
 * many schedules as the larger of the two workloads, then the cancels 4 core makes. 1a and 4 are
 * judged against it (bench/lib/report.ts); the size floor is measured by 6 on its own database.
 */
export const floor: Workload = {
  id: 'floor',
  title: 'storage floor: bare schedules and cancels',
  async run(ctx: Ctx) {
    const { seqCore, cancelCore } = ctx.sizes;
    const n = Math.max(seqCore, cancelCore);
    for (let rep = 0; rep < ctx.reps; rep++) {
      const db = await ctx.freshDb();
      try {
        ctx.progress.start(`[${ctx.db}] floor (rep ${rep + 1}/${ctx.reps})`);
        const r = ctx.db === 'sqlite' ? await sqliteFloor(db.name, n, { synchronous: 'NORMAL', withEvent: true, cancels: cancelCore }) : await pgFloor(db.url, n, cancelCore);
        const shape = ctx.db === 'sqlite' ? 'bare statements, one transaction each, synchronous = NORMAL' : 'one composite statement each (implicit transaction)';
        ctx.record({ workload: 'floor', variant: 'schedule', rep, n, rate: r.scheduleRate, us: r.scheduleUs, commitUs: r.commitUs ?? null, shape });
        ctx.record({ workload: 'floor', variant: 'cancel', rep, n: r.cancels, rate: r.cancelRate, shape });
      } finally {
        await db.drop();
      }
    }
  },
};
