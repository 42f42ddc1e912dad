import Holidays from 'date-holidays';
import { DateTime } from 'luxon';

/**
 * The French legal sending window for commercial e-mail (spec/mail-partner.md §0): not from 20:00
 * to 08:00, not on Sundays nor public holidays. Saturday is a working day ("jour ouvrable").
 * The zone is the law's, not the server's nor a dialect's (RELAIS_TIMEZONE): a constant.
 */
export const LEGAL_ZONE = 'Europe/Paris';
const OPENS_AT_HOUR = 8;
const CLOSES_AT_HOUR = 20;
const SUNDAY = 7;
/** France never has this many non-working days in a row: the search for the next one ends. */
const MAX_DAYS_AHEAD = 10;

// Metropolitan France, national public holidays only (no Alsace-Moselle Good Friday or 26 December).
const calendar = new Holidays('FR', { types: ['public'] });
const holidaysByYear = new Map<number, Set<string>>();

/** The public holidays of a year as local dates (`yyyy-MM-dd`), computed once per year. */
function publicHolidays(year: number): Set<string> {
  let days = holidaysByYear.get(year);
  if (!days) {
    days = new Set(calendar.getHolidays(year).filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10)));
    holidaysByYear.set(year, days);
  }
  return days;
}

const isWorkingDay = (d: DateTime): boolean => d.weekday !== SUNDAY && !publicHolidays(d.year).has(d.toISODate()!);

/**
 * The instant itself when a commercial e-mail may leave then, else 08:00 local time on the next
 * working day. 08:00 always exists in Paris (clocks change at 02:00 and 03:00), so on the day of
 * a change it is 08:00 of that day's offset.
 */
export function legalSendAt(ms: number): number {
  const local = DateTime.fromMillis(ms, { zone: LEGAL_ZONE });
  const today = local.startOf('day');
  if (isWorkingDay(today) && local.hour >= OPENS_AT_HOUR && local.hour < CLOSES_AT_HOUR) return ms;
  // Before opening on a working day it is today's opening; otherwise a later day's.
  let day = isWorkingDay(today) && local.hour < OPENS_AT_HOUR ? today : today.plus({ days: 1 });
  for (let i = 0; i < MAX_DAYS_AHEAD; i++, day = day.plus({ days: 1 })) {
    if (isWorkingDay(day)) return day.set({ hour: OPENS_AT_HOUR }).toMillis();
  }
  throw new Error(`no working day within ${MAX_DAYS_AHEAD} days of ${local.toISO()} in ${LEGAL_ZONE}`);
}
