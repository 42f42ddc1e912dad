import { createHmac } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { Logger } from 'pino';
import { hostOf, refusedAddress } from '../core/callback-url.js';
import type { Core } from '../core/context.js';
import type { WebhookSkip } from '../core/ports.js';
import type { WebhookDelivery } from '../core/types.js';
import { claimWebhooks, classifyResponse, recordWebhookAttempt, releaseWebhooks, UndeliverableWebhook, type WebhookAttempt, type WebhookPolicy, type WebhookRenderer } from '../core/webhooks.js';
import { backoffMs } from './backoff.js';
import { PollingLoop } from './polling-loop.js';

/** Resolves a host name to all its addresses (dns.lookup by default). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export interface WebhookSenderOptions {
  /** HMAC-SHA256 key of the X-Relais-Signature header; null: callbacks are not signed. */
  secret: string | null;
  timeoutMs: number;
  maxAttempts: number;
  pollIntervalMs: number;
  /** Requests in flight to one destination (scheme, host and port) at once. */
  destinationConcurrency: number;
  /** Loopback and private destinations may be called (callback-url.ts). */
  allowPrivate: boolean;
  /** Deliveries held at once, in flight or waiting for their destination. */
  batchSize?: number;
  resolve?: Resolver;
}

/** How long a delivery is retried after its event (DECISIONS §40). */
const RETRY_WINDOW_MS = 24 * 3_600_000;

/** How much of a receiver's answer is read: only the status counts, the body is never used. */
const MAX_ANSWER_BYTES = 4096;

const systemResolver: Resolver = (hostname) => new Promise((resolve, reject) => {
  dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
});

/** A destination that may not be called: a permanent failure of the callback, not retried. */
class RefusedDestination extends UndeliverableWebhook {}

/** Claimed deliveries of one destination: at most `destinationConcurrency` in flight, as many waiting. */
interface Destination {
  /** What a claim leaves out while it is busy. */
  skip: WebhookSkip;
  inFlight: number;
  waiting: WebhookDelivery[];
}

/** `sha256=<hex>` of the exact body bytes, as a receiver recomputes it. */
export const signBody = (secret: string, body: string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** The URL's origin, which the stored URL starts with. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/**
 * Where a delivery goes, for the per-destination limit: its account's deliveries to one origin.
 * Per account too: a receiver service shared by many customers (one host, a path each) would
 * otherwise let one account's hanging path hold the slots of every other account on that host.
 */
const destinationOf = (d: WebhookDelivery): string => `${d.accountId} ${originOf(d.url)}`;

/**
 * Drains the status-callback outbox: claims due deliveries under a lease, sends each to its URL
 * (a POST, or a GET where the format says so) with a timeout, records the outcome; transient
 * failures come back with backoff. Deliveries are durable rows, so a crash or restart loses none (at-least-once, like the dispatcher).
 *
 * One slow or dead receiver must not hold up the others: each destination has at most
 * `destinationConcurrency` requests in flight and as many claimed deliveries waiting (so that a
 * waiting one starts within one timeout, well inside its lease); a claim leaves out busy
 * destinations, and the rows of a busy destination that a claim took anyway go back untried.
 * The loop claims again as soon as there is room, without waiting for a slow batch.
 */
export class WebhookSender extends PollingLoop {
  readonly policy: WebhookPolicy;
  private readonly destinations = new Map<string, Destination>();
  /** Deliveries claimed and not yet recorded. */
  private held = 0;
  /** Deliveries recorded so far, and who waits for the next one. */
  private settledCount = 0;
  private readonly settled: (() => void)[] = [];
  private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

  constructor(
    private readonly core: Core,
    private readonly renderers: Record<string, WebhookRenderer>,
    private readonly opts: WebhookSenderOptions,
    private readonly log?: Logger,
  ) {
    super();
    this.policy = {
      maxAttempts: opts.maxAttempts,
      retryWindowMs: RETRY_WINDOW_MS,
      // Past one wait for the destination plus one request: a lease only runs out when its sender died.
      leaseMs: opts.timeoutMs * 2 + 30_000,
      backoffMs: (attempt) => backoffMs(attempt, 5_000, 3_600_000),
    };
  }

  /**
   * Sends everything due at the clock's current instant, returning once every delivery it took
   * is recorded; returns how many attempts were made.
   */
  async drain(): Promise<number> {
    const capacity = this.opts.batchSize ?? 50;
    let total = 0;
    for (;;) {
      // Taken before the claim: a delivery that ends meanwhile frees its destination for the next one.
      const [held, settled] = [this.held, this.settledCount];
      const room = capacity - held;
      let claimed = 0;
      let admitted = 0;
      if (room > 0) {
        const batch = await claimWebhooks(this.core, room, this.policy, this.busy());
        const back = batch.filter((d) => !this.admit(d));
        await releaseWebhooks(this.core, back);
        claimed = batch.length;
        admitted = claimed - back.length;
        total += admitted;
      }
      if (claimed === 0 && held === 0) return total;
      // Nothing more due, no room, or only rows of busy destinations (a URL stored before it was
      // normalised escapes the claim's filter): claim again when a delivery ends or a poll passes.
      if (claimed < room || admitted === 0) await this.nextSettled(settled);
    }
  }

  override async stop(): Promise<void> {
    await super.stop();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** Destinations with every request slot taken: their account, and their origin with the path's slash. */
  private busy(): WebhookSkip[] {
    return [...this.destinations.values()].filter((d) => d.inFlight >= this.opts.destinationConcurrency).map((d) => d.skip);
  }

  /** Starts `d` or queues it behind its destination; false when that queue is full too. */
  private admit(d: WebhookDelivery): boolean {
    const key = destinationOf(d);
    let dest = this.destinations.get(key);
    if (!dest) this.destinations.set(key, (dest = { skip: { accountId: d.accountId, prefix: `${originOf(d.url)}/` }, inFlight: 0, waiting: [] }));
    if (dest.inFlight < this.opts.destinationConcurrency) {
      dest.inFlight++;
      this.launch(d, key, dest);
    } else if (dest.waiting.length < this.opts.destinationConcurrency) {
      dest.waiting.push(d);
    } else {
      return false;
    }
    this.held++;
    return true;
  }

  private launch(d: WebhookDelivery, key: string, dest: Destination): void {
    void this.deliver(d).finally(() => {
      this.held--;
      const next = dest.waiting.shift();
      if (next) {
        this.launch(next, key, dest);
      } else if (--dest.inFlight === 0) {
        this.destinations.delete(key);
      }
      this.settledCount++;
      for (const wake of this.settled.splice(0)) wake();
    });
  }

  /** Resolves when a delivery is recorded after the `since`-th, or after a poll interval (new rows may be due). */
  private nextSettled(since: number): Promise<void> {
    if (this.settledCount !== since) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.opts.pollIntervalMs);
      timer.unref();
      this.settled.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async deliver(d: WebhookDelivery): Promise<void> {
    const render = this.renderers[d.format];
    const result: WebhookAttempt = render ? await this.send(d, render) : { ok: false, retryable: false, reason: `no renderer for format "${d.format}"` };
    try {
      const outcome = await recordWebhookAttempt(this.core, d, result, this.policy);
      if (outcome === 'failed') this.log?.warn({ deliveryId: d.id, url: d.url, reason: result.ok ? null : result.reason }, 'status callback given up');
    } catch (err) {
      // The lease runs out and the delivery is claimed again.
      this.log?.error({ err, deliveryId: d.id }, 'recording a status callback failed');
    }
  }

  /**
   * The address to connect to. Every address the name resolves to must be allowed, and the
   * request goes to the one checked here, not to what the name resolves to a moment later (DNS
   * rebinding).
   */
  private async target(url: URL): Promise<LookupAddress> {
    const host = hostOf(url);
    const family = isIP(host);
    const addresses = family ? [{ address: host, family }] : await (this.opts.resolve ?? systemResolver)(host);
    if (addresses.length === 0) throw new Error(`${host} has no address`);
    const refused = refusedAddress(addresses.map((a) => a.address), this.opts.allowPrivate);
    if (refused !== undefined) throw new RefusedDestination(`refused: ${host === refused ? host : `${host} (${refused})`} is not a public address`);
    return addresses[0]!;
  }

  private async send(d: WebhookDelivery, render: WebhookRenderer): Promise<WebhookAttempt> {
    const signal = AbortSignal.timeout(this.opts.timeoutMs);
    try {
      const url = new URL(d.url);
      const target = await this.target(url);
      const payload = await render(d, this.core);
      const headers: Record<string, string> = {
        'user-agent': 'Relais-Webhooks/1',
        'x-relais-delivery': String(d.id),
        'x-relais-event': d.event,
      };
      const signed = payload.method === 'GET' ? payload.query : payload.body;
      if (this.opts.secret) headers['x-relais-signature'] = signBody(this.opts.secret, signed);
      if (payload.method === 'GET') {
        url.search = url.search ? `${url.search}&${payload.query}` : payload.query;
        return classifyResponse(await this.request(url, target, 'GET', headers, null, signal));
      }
      Object.assign(headers, payload.headers);
      headers['content-type'] = payload.contentType;
      headers['content-length'] = String(Buffer.byteLength(payload.body));
      return classifyResponse(await this.request(url, target, 'POST', headers, payload.body, signal));
    } catch (err) {
      const e = err as Error;
      if (e instanceof UndeliverableWebhook) return { ok: false, retryable: false, reason: e.message };
      return { ok: false, retryable: true, reason: signal.aborted ? `timeout after ${this.opts.timeoutMs} ms` : e.message };
    }
  }

  /**
   * One request to `target`; resolves with the answer's status once the answer ends or its first
   * MAX_ANSWER_BYTES are read, then drops the connection: a receiver cannot make Relais hold an
   * endless answer. No redirects: a 3xx is the receiver's answer, not an instruction to post elsewhere.
   */
  private request(url: URL, target: LookupAddress, method: 'GET' | 'POST', headers: Record<string, string>, body: string | null, signal: AbortSignal): Promise<number> {
    const lookup: LookupFunction = (_host, options, callback) => {
      if (options.all) callback(null, [target]);
      else callback(null, target.address, target.family);
    };
    const secure = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(url, { method, headers, signal, lookup, agent: secure ? this.agents.https : this.agents.http }, (res) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) res.destroy();
        });
        // The status is the answer, whatever happens to the rest of the body.
        res.on('end', () => resolve(status));
        res.on('close', () => resolve(status));
        res.on('error', () => resolve(status));
      });
      req.on('error', reject);
      if (body === null) req.end();
      else req.end(body);
    });
  }

  protected async run(): Promise<void> {
    while (this.running) {
      this.sleeper.beginRound();
      try {
        await this.drain();
      } catch (err) {
        this.log?.error({ err }, 'status callback round failed');
      }
      if (this.running) await this.sleeper.sleep(this.opts.pollIntervalMs, this.core.clock.now());
    }
  }
}
