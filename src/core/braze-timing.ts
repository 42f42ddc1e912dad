import { DateTime } from 'luxon';
import { RelaisError } from './errors.js';
import type { BrazeTiming } from './types.js';

/**
 * When each user of a Braze schedule receives it (spec/braze.md §0.8, DECISIONS §35). A `time`
 * without zone designator is UTC; with `in_local_time` or `at_optimal_time` its designator is
 * dropped and the wall clock is read in each user's zone. A wall time skipped by a DST change is
 * the next valid instant (luxon shifts it forward), one that occurs twice is the earlier.
 */

/** Intelligent delivery's stand-in: Relais has no per-user engagement model. */
export const OPTIMAL_HOUR = 10;
/** The zone whose clocks are the last to reach a wall time (UTC-12): past there, past everywhere. */
export const LAST_ZONE = 'Etc/GMT+12';

/** A zone designator after a time of day (`T20:30Z`, `T20:30:00+02:00`); a date alone has none (its `-20` is the day). */
const DESIGNATOR = /(?<=T[\d:.,]+)(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$/;

const badTime = (time: string) => new RelaisError('invalid_date', `schedule.time "${time}" is not an ISO 8601 date and time`, { field: 'schedule.time' });

/** Whether the timing reads the wall clock in each user's zone. */
export const isLocal = (t: BrazeTiming): boolean => t.inLocalTime || t.atOptimalTime;

/** The wall clock a local timing names (its designator dropped; 10:00 of its date for intelligent delivery), as an ISO text without zone. */
export function wallClock(t: BrazeTiming): string {
  const plain = t.time.trim();
  const parsed = DateTime.fromISO(plain.replace(DESIGNATOR, ''), { zone: 'UTC' });
  if (!parsed.isValid || !/^\d{4}-\d{2}-\d{2}/.test(plain)) throw badTime(t.time);
  const wall = t.atOptimalTime ? parsed.set({ hour: OPTIMAL_HOUR, minute: 0, second: 0, millisecond: 0 }) : parsed;
  return wall.toFormat("yyyy-MM-dd'T'HH:mm:ss");
}

/** Refuses a timing whose time does not parse (400 Bad Request on every Braze endpoint). */
export function checkTiming(t: BrazeTiming): void {
  if (isLocal(t)) wallClock(t);
  else absoluteInstant(t.time);
}

function absoluteInstant(time: string): number {
  const parsed = DateTime.fromISO(time.trim(), { zone: 'UTC' });
  if (!parsed.isValid || !/^\d{4}-\d{2}-\d{2}/.test(time.trim())) throw badTime(time);
  return parsed.toMillis();
}

/** The instant a local timing names in `zone`. */
export function localInstant(t: BrazeTiming, zone: string): number {
  const local = DateTime.fromISO(wallClock(t), { zone });
  // The earlier of two instants of a repeated hour: luxon may pick the later offset.
  const earlier = local.minus({ hours: 1 });
  return earlier.toFormat("yyyy-MM-dd'T'HH:mm:ss") === local.toFormat("yyyy-MM-dd'T'HH:mm:ss") ? earlier.toMillis() : local.toMillis();
}

/**
 * When a user in `zone` receives it: undefined when a local timing has passed there already
 * (Braze drops that user); an absolute time already past means now.
 */
export function userInstant(t: BrazeTiming, zone: string, now: number): number | undefined {
  if (!isLocal(t)) return Math.max(absoluteInstant(t.time), now);
  const at = localInstant(t, zone);
  return at < now ? undefined : at;
}

/** Refuses a local timing that has passed in every zone (Braze's 400); `zones` are those of the users it resolved to, if any. */
export function checkNotPassedEverywhere(t: BrazeTiming, zones: readonly string[], now: number): void {
  if (!isLocal(t)) return;
  const candidates = zones.length ? zones : [LAST_ZONE];
  if (candidates.every((zone) => userInstant(t, zone, now) === undefined)) {
    throw new RelaisError('send_at_in_past', 'schedule.time has passed in every time zone of the recipients', { field: 'schedule.time' });
  }
}
