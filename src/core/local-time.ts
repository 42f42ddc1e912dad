import { DateTime, IANAZone } from 'luxon';
import { RelaisError } from './errors.js';

/** A wall-clock date and time, as the vendor dialects receive them (month 1-12). */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

const DAY_MS = 86_400_000;

function zoneOf(name: string): IANAZone {
  const zone = IANAZone.create(name);
  if (!zone.isValid) throw new RelaisError('internal', `unknown time zone "${name}"`);
  return zone;
}

/**
 * The UTC instant of a wall-clock time in `zone`. A time that does not exist there (skipped by
 * a daylight-saving change) is refused with `nonexistent_local_time`; a time that occurs twice
 * (the hour repeated when clocks go back) is the earlier of its two instants.
 */
export function localToInstant(zone: string, t: LocalDateTime): number {
  const z = zoneOf(zone);
  const second = t.second ?? 0;
  const wall = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, second);
  const check = new Date(wall);
  // Date.UTC rolls 31/02 over to 03/03: a rolled-over date is a date that does not exist at all.
  if (t.year < 1970 || t.year > 9999 || check.getUTCFullYear() !== t.year || check.getUTCMonth() !== t.month - 1 ||
    check.getUTCDate() !== t.day || check.getUTCHours() !== t.hour || check.getUTCMinutes() !== t.minute || check.getUTCSeconds() !== second) {
    throw new RelaisError('invalid_date', 'not a valid date and time', { field: 'date' });
  }
  // Any offset this wall time can have is in force within a day of it; keep each candidate
  // instant whose own offset agrees with the one that produced it.
  const offsets = new Set([z.offset(wall - DAY_MS), z.offset(wall), z.offset(wall + DAY_MS)]);
  const instants = [...offsets].map((o) => wall - o * 60_000).filter((ms) => z.offset(ms) * 60_000 === wall - ms);
  if (instants.length === 0) {
    throw new RelaisError('nonexistent_local_time', `this local time does not exist in ${zone} (daylight-saving change)`, { field: 'date', zone });
  }
  return Math.min(...instants);
}

/** Formats an instant as wall-clock time in `zone` with a luxon pattern (e.g. `yyyy-MM-dd HH:mm:ss`). */
export const formatLocal = (ms: number, zone: string, pattern: string): string =>
  DateTime.fromMillis(ms, { zone: zoneOf(zone) }).toFormat(pattern);

/** The wall-clock parts of an instant in `zone`. */
export function instantToLocal(ms: number, zone: string): Required<LocalDateTime> {
  const d = DateTime.fromMillis(ms, { zone: zoneOf(zone) });
  return { year: d.year, month: d.month, day: d.day, hour: d.hour, minute: d.minute, second: d.second };
}

export interface LocalMonth {
  year: number;
  month: number;
  /** First instant of the month in the zone. */
  start: number;
  /** First instant of the next month. */
  end: number;
}

/** The local month `offset` months after the one containing `ms` (negative: before). */
export function localMonth(ms: number, zone: string, offset = 0): LocalMonth {
  const start = DateTime.fromMillis(ms, { zone: zoneOf(zone) }).startOf('month').plus({ months: offset });
  return { year: start.year, month: start.month, start: start.toMillis(), end: start.plus({ months: 1 }).toMillis() };
}

/** Every local month that overlaps [from, to), in order. */
export function monthsBetween(from: number, to: number, zone: string): LocalMonth[] {
  const out: LocalMonth[] = [];
  for (let m = localMonth(from, zone); m.start < to; m = localMonth(m.start, zone, 1)) out.push(m);
  return out;
}
