import type { Clock } from '../../src/core/clock.js';

/** A clock tests move by hand; it starts at a fixed instant so runs are repeatable. */
export class FakeClock implements Clock {
  constructor(private t = Date.parse('2026-06-01T08:00:00.000Z')) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
  set(ms: number): void {
    this.t = ms;
  }
}
