/**
 * The abortable sleep of a polling loop: the loop sleeps until its next planned round, and
 * anyone who knows of sooner work cuts the sleep short. A wake that comes while the loop is
 * awake is kept for the next sleep, so a round that read its state just before is not trusted.
 */
export class Sleeper {
  private end: (() => void) | undefined;
  private until = Infinity;
  private woken = false;

  /** Called when a round starts: wakes that came before it are answered by this round. */
  beginRound(): void {
    this.woken = false;
  }

  sleep(ms: number, now: number): Promise<void> {
    if (this.woken) return Promise.resolve();
    this.until = now + ms;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.end?.(), ms);
      this.end = () => {
        clearTimeout(timer);
        this.end = undefined;
        this.until = Infinity;
        resolve();
      };
    });
  }

  /** Ends the sleep if work is due before it would have ended (always, without `at`). */
  wake(at = -Infinity): void {
    if (at >= this.until) return;
    this.woken = true;
    this.end?.();
  }
}
