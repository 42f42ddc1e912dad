import type { Core } from '../../../core/context.js';
import { localToInstant } from '../../../core/local-time.js';
import { resolveSendAt } from '../../../core/schedule.js';
import type { Params } from '../partner/params.js';
import { MSG, mp } from './errors.js';

const DATE = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/;

/** An integer in [min, max], as a number or a string (the vendor's examples send `"12"`, `"00"`). */
function within(value: number | undefined, min: number, max: number): value is number {
  return value !== undefined && Number.isInteger(value) && value >= min && value <= max;
}

/**
 * `scheduledDeliveryDate` (dd/mm/YYYY) + `time` + `minute`, local time in `zone` (spec §2), checked
 * in the vendor's order: date required (45), date (49), hour required (46), hour (49), minute (47),
 * the 5-minute grid (48), then a time that does not exist or has passed (core's rules, 49).
 * Undefined: send now.
 */
export function readSchedule(params: Params, core: Core, zone: string): number | undefined {
  const date = params.str('scheduledDeliveryDate');
  if (date === undefined) {
    if (params.has('time') || params.has('minute')) throw mp(45, MSG.dateRequired);
    return undefined;
  }
  const d = DATE.exec(date);
  const day = d ? { year: Number(d[3]), month: Number(d[2]), day: Number(d[1]) } : undefined;
  const exists = day && new Date(Date.UTC(day.year, day.month - 1, day.day)).getUTCDate() === day.day && day.month >= 1 && day.month <= 12;
  if (!exists) throw mp(49, MSG.dateInvalid);
  const hour = params.int('time');
  if (hour === undefined) throw mp(46, MSG.hourRequired);
  if (!within(hour, 0, 23)) throw mp(49, MSG.dateInvalid);
  const minute = params.int('minute');
  if (!within(minute, 0, 59)) throw mp(47, MSG.minuteInvalid);
  if (minute % 5 !== 0) throw mp(48, MSG.minuteStep);
  // A time skipped by the change to summer time, or past: core's errors, which the table answers with 49.
  const sendAt = localToInstant(zone, { ...day, hour, minute });
  resolveSendAt(core, sendAt);
  return sendAt;
}
