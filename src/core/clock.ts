/** Source of the current instant, in epoch milliseconds. Core never calls Date.now() itself. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
