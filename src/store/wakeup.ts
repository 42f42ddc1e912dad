import pg from 'pg';
import type { Logger } from 'pino';

const CHANNEL = 'relais_wakeup';

/**
 * Cross-process wakeups over PostgreSQL LISTEN/NOTIFY: an api node that schedules a message
 * due soon tells every worker, so none waits for its next poll. Polling stays the fallback,
 * so a lost notification only costs latency, never a message.
 */
export class PgWakeup {
  private client: pg.Client | undefined;
  private closed = false;
  private retryMs = 100;
  private pending: number | undefined;

  constructor(private readonly url: string, private readonly log?: Logger) {}

  /** Notifies every listener; a burst of schedules in one tick sends one notification (the soonest). */
  publish(sendAt: number): void {
    if (this.pending !== undefined && this.pending <= sendAt) return;
    const first = this.pending === undefined;
    this.pending = sendAt;
    if (!first) return;
    queueMicrotask(() => {
      const at = this.pending!;
      this.pending = undefined;
      this.client?.query('select pg_notify($1, $2)', [CHANNEL, String(at)]).catch((err) => this.log?.warn({ err }, 'wakeup notify failed'));
    });
  }

  /** Listens (and keeps the connection publish uses) until closed, reconnecting with backoff. */
  async listen(onWake: (sendAt: number) => void): Promise<void> {
    while (!this.closed) {
      const client = new pg.Client({ connectionString: this.url });
      try {
        await new Promise<void>((resolve, reject) => {
          client.on('error', reject);
          client.on('end', () => reject(new Error('listen connection ended')));
          client.on('notification', (n) => {
            const at = Number(n.payload);
            if (Number.isFinite(at)) onWake(at);
          });
          client.connect().then(() => client.query(`LISTEN ${CHANNEL}`)).then(() => {
            this.client = client;
            this.retryMs = 100;
            // A notification sent while disconnected is lost: wake once to re-read the schedule.
            onWake(0);
          }, reject);
        });
      } catch (err) {
        this.client = undefined;
        await client.end().catch(() => {});
        if (this.closed) return;
        this.log?.warn({ err, retryInMs: this.retryMs }, 'wakeup listener lost its connection');
        await new Promise((r) => setTimeout(r, this.retryMs));
        this.retryMs = Math.min(this.retryMs * 2, 10_000);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => {});
  }
}
