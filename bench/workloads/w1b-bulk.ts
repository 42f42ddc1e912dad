import type { Ctx, Workload } from '../lib/context.js';
import { openInProcess, phone, SMS_TEXT } from '../lib/relais.js';
import { scheduleMessage } from '../../src/core/schedule.js';

/** 1b: 100 000 recipients in multi-recipient messages (10 000 per message, the default maximum), core then HTTP. */
export const scheduleBulk: Workload = {
  id: '1b',
  title: 'schedule recipients in bulk (multi-recipient messages)',
  async run(ctx: Ctx) {
    const { bulkRecipients: total, bulkPerMessage: per } = ctx.sizes;
    const messages = Math.ceil(total / per);
    const recipientsOf = (m: number) => Array.from({ length: Math.min(per, total - m * per) }, (_, k) => phone(m * per + k));
    const sendAt = Date.now() + 600_000;

    {
      const db = await ctx.freshDb();
      const p = await openInProcess(db);
      try {
        ctx.progress.start(`[${ctx.db}] 1b core`);
        const lists = Array.from({ length: messages }, (_, m) => recipientsOf(m));
        const t0 = performance.now();
        await ctx.profiled('1b-core', async () => {
          for (let m = 0; m < messages; m++) {
            await scheduleMessage(p.core, p.accountId, { channel: 'sms', recipients: lists[m], content: { channel: 'sms', text: SMS_TEXT, sender: null, unicode: false }, sendAt });
            ctx.progress.tick((m + 1) * per, total, 'recipients');
          }
        });
        const seconds = (performance.now() - t0) / 1000;
        ctx.record({ workload: '1b', variant: 'core', n: total, messages, perMessage: per, seconds, rate: total / seconds });
      } finally {
        await p.close();
        await db.drop();
      }
    }

    if (!ctx.sizes.httpVariants) return;
    const db = await ctx.freshDb();
    const h = await ctx.server(db);
    try {
      const account = await h.server.createAccount();
      const headers = { authorization: `Bearer ${account.apiKey}`, 'content-type': 'application/json' };
      const url = `${h.server.baseUrl}/api/v1/messages`;
      const post = async (to: string[]) => {
        const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ channel: 'sms', to, text: SMS_TEXT, sendAt: new Date(sendAt).toISOString() }) });
        if (r.status !== 201) throw new Error(`POST /api/v1/messages (${to.length} recipients): ${r.status} ${(await r.text()).slice(0, 300)}`);
        await r.arrayBuffer();
      };
      await post(Array.from({ length: 100 }, (_, k) => phone(5_000_000 + k))); // warm-up
      const bodies = Array.from({ length: messages }, (_, m) => recipientsOf(m));
      ctx.progress.start(`[${ctx.db}] 1b http`);
      const t0 = performance.now();
      await h.profiled('1b-http', async () => {
        for (let m = 0; m < messages; m++) {
          await post(bodies[m]);
          ctx.progress.tick((m + 1) * per, total, 'recipients');
        }
      });
      const seconds = (performance.now() - t0) / 1000;
      ctx.record({ workload: '1b', variant: 'http', n: total, messages, perMessage: per, seconds, rate: total / seconds });
    } finally {
      await h.stop();
      await db.drop();
    }
  },
};
