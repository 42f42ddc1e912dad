import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { LEGAL_ZONE, legalSendAt } from '../../src/core/legal-window.js';

/**
 * [what, the instant asked (Paris wall time with its offset), the instant expected (UTC, worked
 * out by hand), the same expected instant as Paris wall time, which luxon must agree with].
 * 2027: 1 January is a Friday; Easter Sunday is 28 March, the day clocks go forward; clocks go
 * back on Sunday 31 October; Ascension 6 May; 8 May is a Saturday.
 */
const CASES: [string, string, string, string][] = [
  ['Tue 07:59:59 waits for the opening', '2027-01-12T07:59:59+01:00', '2027-01-12T07:00:00.000Z', 'Tue 2027-01-12 08:00:00 +01:00'],
  ['Tue 08:00 is open', '2027-01-12T08:00:00+01:00', '2027-01-12T07:00:00.000Z', 'Tue 2027-01-12 08:00:00 +01:00'],
  ['Tue 19:59:59 is still open', '2027-01-12T19:59:59+01:00', '2027-01-12T18:59:59.000Z', 'Tue 2027-01-12 19:59:59 +01:00'],
  ['Tue 20:00 waits for Wednesday', '2027-01-12T20:00:00+01:00', '2027-01-13T07:00:00.000Z', 'Wed 2027-01-13 08:00:00 +01:00'],
  ['Tue 23:30 waits for Wednesday', '2027-01-12T23:30:00+01:00', '2027-01-13T07:00:00.000Z', 'Wed 2027-01-13 08:00:00 +01:00'],
  ['Wed 00:00 waits for the same morning', '2027-01-13T00:00:00+01:00', '2027-01-13T07:00:00.000Z', 'Wed 2027-01-13 08:00:00 +01:00'],
  ['Fri 20:00 waits for Saturday, a working day', '2027-01-15T20:00:00+01:00', '2027-01-16T07:00:00.000Z', 'Sat 2027-01-16 08:00:00 +01:00'],
  ['Sat 07:00 waits for Saturday 08:00', '2027-01-16T07:00:00+01:00', '2027-01-16T07:00:00.000Z', 'Sat 2027-01-16 08:00:00 +01:00'],
  ['Sat 19:59 is open', '2027-01-16T19:59:00+01:00', '2027-01-16T18:59:00.000Z', 'Sat 2027-01-16 19:59:00 +01:00'],
  ['Sat 20:00 waits for Monday', '2027-01-16T20:00:00+01:00', '2027-01-18T07:00:00.000Z', 'Mon 2027-01-18 08:00:00 +01:00'],
  ['Sunday noon waits for Monday', '2027-01-17T12:00:00+01:00', '2027-01-18T07:00:00.000Z', 'Mon 2027-01-18 08:00:00 +01:00'],
  ['Sunday 07:59 waits for Monday, not Sunday 08:00', '2027-01-17T07:59:00+01:00', '2027-01-18T07:00:00.000Z', 'Mon 2027-01-18 08:00:00 +01:00'],
  ['14 July (a Wednesday) 10:00 waits for Thursday', '2027-07-14T10:00:00+02:00', '2027-07-15T06:00:00.000Z', 'Thu 2027-07-15 08:00:00 +02:00'],
  ['Easter Monday 10:00 waits for Tuesday', '2027-03-29T10:00:00+02:00', '2027-03-30T06:00:00.000Z', 'Tue 2027-03-30 08:00:00 +02:00'],
  ['Good Friday is no holiday outside Alsace-Moselle', '2027-03-26T10:00:00+01:00', '2027-03-26T09:00:00.000Z', 'Fri 2027-03-26 10:00:00 +01:00'],
  ['Fri 30 April 21:00: 1 May (Saturday) is a holiday, then Sunday', '2027-04-30T21:00:00+02:00', '2027-05-03T06:00:00.000Z', 'Mon 2027-05-03 08:00:00 +02:00'],
  ['Ascension Thursday waits for Friday', '2027-05-06T09:00:00+02:00', '2027-05-07T06:00:00.000Z', 'Fri 2027-05-07 08:00:00 +02:00'],
  ['Fri 7 May 20:00: 8 May (Saturday) is a holiday, then Sunday', '2027-05-07T20:00:00+02:00', '2027-05-10T06:00:00.000Z', 'Mon 2027-05-10 08:00:00 +02:00'],
  ['Whit Monday waits for Tuesday', '2027-05-17T12:00:00+02:00', '2027-05-18T06:00:00.000Z', 'Tue 2027-05-18 08:00:00 +02:00'],
  ['Christmas Eve (Fri) 21:00: Christmas (Sat), Sunday, then Monday', '2027-12-24T21:00:00+01:00', '2027-12-27T07:00:00.000Z', 'Mon 2027-12-27 08:00:00 +01:00'],
  ['Fri 31 December 20:00: New Year (Sat, next year), Sunday, then Monday', '2027-12-31T20:00:00+01:00', '2028-01-03T07:00:00.000Z', 'Mon 2028-01-03 08:00:00 +01:00'],
  ['Sat 27 March 21:00 (CET): Easter Sunday (clocks go forward), Easter Monday, then Tuesday 08:00 CEST', '2027-03-27T21:00:00+01:00', '2027-03-30T06:00:00.000Z', 'Tue 2027-03-30 08:00:00 +02:00'],
  ['2026: Sunday 29 March 01:30 CET, before clocks go forward, waits for Monday 08:00 CEST', '2026-03-29T01:30:00+01:00', '2026-03-30T06:00:00.000Z', 'Mon 2026-03-30 08:00:00 +02:00'],
  ['Sat 30 October 21:00 (CEST): Sunday (clocks go back), All Saints (Mon), then Tuesday 08:00 CET', '2027-10-30T21:00:00+02:00', '2027-11-02T07:00:00.000Z', 'Tue 2027-11-02 08:00:00 +01:00'],
  ['Sunday 31 October 02:30, the second time (CET)', '2027-10-31T02:30:00+01:00', '2027-11-02T07:00:00.000Z', 'Tue 2027-11-02 08:00:00 +01:00'],
];

const paris = (ms: number): string => DateTime.fromMillis(ms, { zone: LEGAL_ZONE }).toFormat('ccc yyyy-MM-dd HH:mm:ss ZZ', { locale: 'en' });

describe('the legal sending window (Europe/Paris)', () => {
  it('the expected instants are the wall times they claim to be (luxon, independently of legalSendAt)', () => {
    for (const [what, , expected, local] of CASES) assert.equal(paris(Date.parse(expected)), local, what);
  });

  for (const [what, asked, expected] of CASES) {
    it(what, () => {
      assert.equal(new Date(legalSendAt(Date.parse(asked))).toISOString(), expected);
    });
  }

  it('keeps the milliseconds of an allowed instant and never moves an instant backwards', () => {
    const ms = Date.parse('2027-01-12T19:59:59.999+01:00');
    assert.equal(legalSendAt(ms), ms);
    for (let t = Date.parse('2027-12-20T00:00:00Z'), end = t + 20 * 86_400_000; t < end; t += 47 * 60_000 + 1) {
      const shifted = legalSendAt(t);
      assert.ok(shifted >= t, new Date(t).toISOString());
      assert.equal(legalSendAt(shifted), shifted, `${new Date(t).toISOString()} → ${new Date(shifted).toISOString()} is allowed`);
    }
  });
});
