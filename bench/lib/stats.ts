/** Nearest-rank percentile of an ascending array (the peers' harness uses the same definition). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

export function median(values: readonly (number | null | undefined)[]): number | null {
  const s = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const sortNumbers = (values: Iterable<number>): number[] => [...values].sort((a, b) => a - b);

export function summary(values: Iterable<number>): { n: number; p50: number | null; p99: number | null; max: number | null; min: number | null } {
  const s = sortNumbers(values);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s.length ? s[s.length - 1] : null, min: s.length ? s[0] : null };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Formats 12345.6 as "12,346". */
export const int = (x: number | null | undefined): string => (x == null || !Number.isFinite(x) ? '–' : Math.round(x).toLocaleString('en-US'));

export const fixed = (x: number | null | undefined, digits = 1): string => (x == null || !Number.isFinite(x) ? '–' : x.toFixed(digits));

export const mb = (bytes: number | null | undefined): string => (bytes == null ? '–' : `${(bytes / 2 ** 20).toFixed(0)} MB`);
