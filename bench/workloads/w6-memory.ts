import type { Ctx, Workload } from '../lib/context.js';
import { sizeFloor } from '../lib/floor.js';
import { openInProcess, scheduleBatched } from '../lib/relais.js';
import { sleep } from '../lib/stats.js';

/**
 * 6: N single-recipient messages pending (core scheduleMessage, 500 per transaction, 8
 * transactions in flight on 8 accounts: scheduleBatched); then the RSS of `relais serve` (HTTP + dispatcher) and of `relais serve --role worker` started on that
 * database and left idle, and the database size on disk, without the balance-row versions that only
 * the batched setup leaves (BenchDb.dropSetupBloat). Baseline: the server on an empty database.
 * On that same database, the size floor the size is judged against (bench/lib/floor.ts).
 */
export const memory: Workload = {
  id: '6',
  title: 'pending messages: server RSS, database size, time to schedule',
  async run(ctx: Ctx) {
    const { memoryN: n, memoryIdleMs: idle } = ctx.sizes;
    const rssAfterIdle = async (db: Awaited<ReturnType<Ctx['freshDb']>>, role: 'all' | 'worker', label: string) => {
      ctx.progress.start(`[${ctx.db}] 6 memory: ${label} (role ${role}, idle ${idle / 1000} s)`);
      const h = await ctx.server(db, { role });
      try {
        await sleep(idle);
        return h.server.memory();
      } finally {
        await h.stop();
      }
    };

    let emptyRss: { rssBytes: number; hwmBytes: number } | undefined;
    let emptySize: number;
    const empty = await ctx.freshDb();
    try {
      const p = await openInProcess(empty);
      await p.close();
      emptySize = (await empty.sizeBytes()).bytes;
      if (ctx.sizes.memoryEmptyBaseline) emptyRss = await rssAfterIdle(empty, 'all', 'empty database');
    } finally {
      await empty.drop();
    }

    const db = await ctx.freshDb();
    const accounts = 8;
    try {
      const p = await openInProcess(db, { accounts });
      let r;
      let live;
      try {
        ctx.progress.start(`[${ctx.db}] 6 memory: scheduling ${n.toLocaleString('en-US')}`);
        const base = Date.now() + 2 * 3600_000;
        r = await ctx.profiled('6-schedule', () => scheduleBatched(p, n, () => base, { batch: 500, concurrency: accounts, onProgress: (d) => ctx.progress.tick(d, n, 'msgs') }));
        live = await db.sizeBytes();
      } finally {
        await p.close();
      }
      const setupBloatBytes = await db.dropSetupBloat();
      const closed = await db.sizeBytes();
      const minimum = await sizeFloor(db);
      ctx.record({ workload: 'floor', variant: 'size', n, bytes: minimum.bytes, perMessage: minimum.bytes / n, detail: minimum.detail });
      const all = await rssAfterIdle(db, 'all', `${n.toLocaleString('en-US')} pending`);
      const worker = ctx.sizes.memoryWorkerRole ? await rssAfterIdle(db, 'worker', `${n.toLocaleString('en-US')} pending`) : undefined;
      const [pending] = await db.query<{ n: number }>("select count(*) as n from messages where status = 'scheduled'");
      ctx.record({
        workload: '6', variant: 'default', n, pending: Number(pending.n), scheduleSeconds: r.seconds, scheduleRate: n / r.seconds, failures: r.failures, accounts, concurrency: accounts, batch: 500, schedulePath: 'scheduleBatched',
        rssBytes: all.rssBytes, hwmBytes: all.hwmBytes, rssWorkerBytes: worker?.rssBytes ?? null, rssEmptyBytes: emptyRss?.rssBytes ?? null,
        storeBytes: closed.bytes, storeDetail: closed.detail, storeLiveBytes: live.bytes, storeLiveDetail: live.detail, storeEmptyBytes: emptySize, setupBloatBytes,
        idleMs: idle, serverMode: ctx.serverMode,
      });
    } finally {
      await db.drop();
    }
  },
};
