/** The sends a transport has started and not finished, so that `close` can wait for them. */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();
  private closed = false;

  /** Runs `work` unless closed (then it throws, which the dispatcher counts as retryable). */
  run<T>(name: string, work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`transport ${name} is closed`));
    const p = work();
    this.running.add(p);
    void p.finally(() => this.running.delete(p)).catch(() => {});
    return p;
  }

  /** Refuses new work and resolves once the work in flight has ended, however it ended. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.running]);
  }
}
