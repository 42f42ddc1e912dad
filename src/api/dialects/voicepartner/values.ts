/** Seconds with one decimal, as the vendor's `duration` (6.3). */
export const seconds = (ms: number): number => Math.round(ms / 100) / 10;
