import { RelaisError } from './errors.js';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * An RFC 3339 instant with an explicit offset, as epoch ms; anything else is `invalid_date`.
 * Parsed by hand: luxon's ISO parser took about 5 % of the server's CPU on `POST /messages`. It
 * accepts exactly what `DateTime.fromISO(text, { setZone: true })` did on these strings
 * (test/core/instant.test.ts compares the two): 24:00:00 is the next midnight, the offset's
 * digits are not range-checked, and digits beyond the millisecond are dropped.
 */
export function parseInstant(text: string, field: string): number {
  const m = RFC3339.exec(text);
  const ms = m ? toMillis(m) : undefined;
  if (ms === undefined) {
    throw new RelaisError('invalid_date', `${field} must be an RFC 3339 instant with offset, e.g. 2026-12-01T09:30:00Z`, { field });
  }
  return ms;
}

function toMillis(m: RegExpExecArray): number | undefined {
  const year = Number(m[1]), month = Number(m[2]), day = Number(m[3]), hour = Number(m[4]), minute = Number(m[5]), second = Number(m[6]);
  // luxon's rounding of the fraction, kept so that the same text gives the same instant.
  const milli = m[7] === undefined ? 0 : Math.floor(parseFloat(`0.${m[7]}`) * 1000);
  const monthDays = month === 2 && isLeap(year) ? 29 : DAYS[month - 1];
  if (monthDays === undefined || day < 1 || day > monthDays) return undefined;
  if (!(hour <= 23 || (hour === 24 && minute === 0 && second === 0 && milli === 0)) || minute > 59 || second > 59) return undefined;
  let local = Date.UTC(year, month - 1, day, hour, minute, second, milli);
  // Date.UTC reads years 0–99 as 1900–1999.
  if (year < 100) {
    const d = new Date(local);
    d.setUTCFullYear(year, month - 1, day);
    local = d.getTime();
  }
  const offset = m[8] === undefined ? 0 : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  return local - offset * 60_000;
}

export const parseOptionalInstant = (text: string | undefined, field: string): number | undefined =>
  text === undefined ? undefined : parseInstant(text, field);
