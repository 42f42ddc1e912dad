import { Bind, type BindEvents } from './bind.js';
import type { SmppSettings } from './settings.js';

/**
 * The binds of one transport: RELAIS_SMPP_BINDS transceivers, or as many transmitters and as
 * many receivers. Sends go to the bound sender with the least load; when none is bound, a send
 * waits for one, up to RELAIS_SMPP_TIMEOUT_MS.
 */
export class BindPool {
  private readonly senders: Bind[];
  private readonly all: Bind[];
  private readonly waiting = new Set<() => void>();

  constructor(private readonly settings: SmppSettings, events: Omit<BindEvents, 'bound'>) {
    const bindEvents: BindEvents = { ...events, bound: () => this.wakeAll() };
    const count = Array.from({ length: settings.binds });
    const twoWay = settings.bindMode === 'transceiver';
    this.senders = count.map(() => new Bind(settings, twoWay ? 'transceiver' : 'transmitter', bindEvents));
    this.all = twoWay ? this.senders : [...this.senders, ...count.map(() => new Bind(settings, 'receiver', bindEvents))];
  }

  start(): void {
    for (const b of this.all) b.start();
  }

  /**
   * Runs `send` with a bound sender, the least loaded; throws (naming why the binds are down)
   * when none is bound in time or `signal` aborts first.
   */
  async use<T>(signal: AbortSignal, send: (bind: Bind) => Promise<T>): Promise<T> {
    const bind = await this.pick(signal);
    try {
      return await send(bind);
    } finally {
      bind.load--;
    }
  }

  /** The least loaded bound sender, its load counted at once: sends picking side by side spread. */
  private async pick(signal: AbortSignal): Promise<Bind> {
    // Not AbortSignal.timeout inside AbortSignal.any: Node 20 lets that timeout signal be
    // garbage-collected before it fires, and the wait then lasted as long as the caller's signal
    // (nodejs/node#57736). The timer holds its controller.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.settings.timeoutMs);
    const deadline = AbortSignal.any([signal, timeout.signal]);
    try {
      for (;;) {
        const bound = this.senders.filter((b) => b.isBound);
        if (bound.length > 0) {
          const least = bound.reduce((best, b) => (b.load < best.load ? b : best));
          least.load++;
          return least;
        }
        if (deadline.aborted) throw new Error(`no SMPP bind is up (${this.senders[0].lastError})`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            deadline.removeEventListener('abort', wake);
            this.waiting.delete(wake);
            resolve();
          };
          this.waiting.add(wake);
          deadline.addEventListener('abort', wake, { once: true });
        });
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((b) => b.close()));
  }

  private wakeAll(): void {
    for (const wake of [...this.waiting]) wake();
  }
}
