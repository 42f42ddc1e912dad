/**
 * The abortable sleep of a polling loop: the loop sleeps until its next planned round, and
 * anyone who knows of sooner work cuts the sleep short. A wake that comes while the loop is
 * awake is kept for the next sleep, so a round that read its state just before is not trusted;
 * but only its instant is kept: work due after the planned round does not cost a round.
 */
export class Sleeper {
  private end: (() => void) | undefined;
  private until = Infinity;
  /** The soonest instant named by a wake since the round began. */
  private earliest = Infinity;

  /** Called when a round starts: wakes that came before it are answered by this round. */
  beginRound(): void {
    this.earliest = Infinity;
  }

  sleep(ms: number, now: number): Promise<void> {
    const until = Math.min(now + ms, this.earliest);
    if (until <= now) return Promise.resolve();
    this.until = until;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.end?.(), until - now);
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
    if (this.end) {
      if (at < this.until) this.end();
      return;
    }
    this.earliest = Math.min(this.earliest, at);
  }
}
