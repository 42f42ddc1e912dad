import { Sleeper } from './sleeper.js';

/** A background loop with a lifecycle: `start` runs `run` once, `stop` wakes it and waits for it. */
export abstract class PollingLoop {
  protected running = false;
  protected readonly sleeper = new Sleeper();
  private loop: Promise<void> | undefined;

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.sleeper.wake();
    await this.loop;
  }

  /** Loops while `running`, sleeping on `sleeper` between rounds. */
  protected abstract run(): Promise<void>;
}
