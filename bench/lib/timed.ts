import type { Ctx } from './context.js';
import type { BenchDb } from './db.js';
import { openInProcess, scheduleBatched, type InProcess } from './relais.js';
import { sleep } from './stats.js';

export interface Timed {
  /** The first due instant (epoch ms); message i is due at base + offsetOf(i). */
  base: number;
  ids: number[];
  accountOf: number[];
  leadMs: number;
  /** Date.now() − base when scheduling finished: must be negative (all scheduled before the first was due). */
  enqueueLateMs: number;
  scheduleSeconds: number;
  failures: number;
}

/**
 * Schedules `n` messages due at base + offsetOf(i), base = now + lead (scheduleBatched: core
 * scheduleMessage, 250 per transaction, SETUP_ACCOUNTS transactions in flight). The lead is at
 * least `minLeadMs` and long enough for scheduling to end first at the rate last seen on this
 * database, so that no message is already due while it is stored.
 */
/** Accounts (and batches in flight) of the setup phases. */
export const SETUP_ACCOUNTS = 4;

export async function scheduleTimed(ctx: Ctx, p: InProcess, n: number, minLeadMs: number, offsetOf: (i: number) => number, label: string): Promise<Timed> {
  const leadMs = Math.max(minLeadMs, Math.ceil((1.5 * n * 1000) / ctx.est.scheduleRate) + 500);
  const base = Date.now() + leadMs;
  ctx.progress.start(`[${ctx.db}] ${label}: scheduling (due in ${(leadMs / 1000).toFixed(1)} s)`);
  const r = await scheduleBatched(p, n, (i) => base + offsetOf(i), { batch: 250, concurrency: SETUP_ACCOUNTS, onProgress: (d) => ctx.progress.tick(d, n, 'msgs') });
  const enqueueLateMs = Date.now() - base;
  ctx.est.scheduleRate = Math.max(100, n / r.seconds);
  if (r.failures) throw new Error(`${label}: ${r.failures} schedule calls failed: ${r.lastError}`);
  return { base, ids: r.ids, accountOf: r.accountOf, leadMs, enqueueLateMs, scheduleSeconds: r.seconds, failures: r.failures };
}

/** Lateness runs whose scheduling ended less than this before the first due instant are redone. */
export const MIN_SLACK_MS = 300;

/**
 * A fresh database with the dispatcher started and idle, then `scheduleTimed`, then `use`. When
 * scheduling ended less than `slackMs` before the first due instant, it is all done once more on a
 * new database (the lead is then computed from the rate just seen). Closes and drops everything.
 */
export async function withTimedDispatch<T>(
  ctx: Ctx, label: string, n: number, minLeadMs: number, offsetOf: (i: number) => number, slackMs: number,
  use: (db: BenchDb, p: InProcess, t: Timed) => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const db = await ctx.freshDb();
    const p = await openInProcess(db, { accounts: SETUP_ACCOUNTS });
    try {
      p.startDispatcher();
      await sleep(ctx.quick ? 200 : 1000);
      const t = await scheduleTimed(ctx, p, n, minLeadMs, offsetOf, label);
      if (t.enqueueLateMs > -slackMs && attempt === 0) {
        ctx.progress.log(`[${ctx.db}] ${label}: scheduling ended ${t.enqueueLateMs} ms relative to the first due instant; redoing with a longer lead`);
        continue;
      }
      return await use(db, p, t);
    } finally {
      await p.close().catch(() => {});
      await db.drop();
    }
  }
}
