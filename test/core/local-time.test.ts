import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLocal, instantToLocal, localMonth, localToInstant, monthsBetween } from '../../src/core/local-time.js';

const PARIS = 'Europe/Paris';

describe('local time in RELAIS_TIMEZONE', () => {
  it('converts wall-clock time to UTC with the offset in force (CET +1, CEST +2)', () => {
    assert.equal(localToInstant(PARIS, { year: 2026, month: 1, day: 15, hour: 9, minute: 0 }), Date.UTC(2026, 0, 15, 8, 0));
    assert.equal(localToInstant(PARIS, { year: 2026, month: 7, day: 15, hour: 9, minute: 0 }), Date.UTC(2026, 6, 15, 7, 0));
    assert.equal(localToInstant('America/New_York', { year: 2026, month: 7, day: 15, hour: 9, minute: 0 }), Date.UTC(2026, 6, 15, 13, 0));
  });

  it('refuses a time skipped by the change to summer time', () => {
    for (const minute of [0, 30, 59]) {
      assert.throws(() => localToInstant(PARIS, { year: 2026, month: 3, day: 29, hour: 2, minute }), { code: 'nonexistent_local_time' });
    }
    assert.equal(localToInstant(PARIS, { year: 2026, month: 3, day: 29, hour: 3, minute: 0 }), Date.UTC(2026, 2, 29, 1, 0));
    assert.equal(localToInstant(PARIS, { year: 2026, month: 3, day: 29, hour: 1, minute: 59 }), Date.UTC(2026, 2, 29, 0, 59));
  });

  it('takes the earlier instant of a time that occurs twice (clocks going back)', () => {
    assert.equal(localToInstant(PARIS, { year: 2026, month: 10, day: 25, hour: 2, minute: 30 }), Date.UTC(2026, 9, 25, 0, 30));
    assert.equal(localToInstant(PARIS, { year: 2026, month: 10, day: 25, hour: 3, minute: 0 }), Date.UTC(2026, 9, 25, 2, 0));
    assert.equal(localToInstant('America/New_York', { year: 2026, month: 11, day: 1, hour: 1, minute: 30 }), Date.UTC(2026, 10, 1, 5, 30));
  });

  it('refuses dates that do not exist', () => {
    for (const t of [{ month: 2, day: 29 }, { month: 2, day: 30 }, { month: 4, day: 31 }, { month: 13, day: 1 }, { month: 0, day: 1 }]) {
      assert.throws(() => localToInstant(PARIS, { year: 2026, hour: 9, minute: 0, ...t }), { code: 'invalid_date' });
    }
    assert.throws(() => localToInstant(PARIS, { year: 2026, month: 1, day: 1, hour: 24, minute: 0 }), { code: 'invalid_date' });
    assert.equal(localToInstant(PARIS, { year: 2028, month: 2, day: 29, hour: 0, minute: 0 }), Date.UTC(2028, 1, 28, 23, 0));
  });

  it('formats and splits instants in the zone', () => {
    assert.equal(formatLocal(Date.UTC(2026, 9, 25, 0, 30), PARIS, 'yyyy-MM-dd HH:mm:ss'), '2026-10-25 02:30:00');
    assert.deepEqual(instantToLocal(Date.UTC(2026, 0, 1, 0, 0), PARIS), { year: 2026, month: 1, day: 1, hour: 1, minute: 0, second: 0 });
  });

  it('local months: boundaries at local midnight, across DST', () => {
    const oct = localMonth(Date.UTC(2026, 9, 31, 23, 30), PARIS);
    assert.deepEqual([oct.year, oct.month, oct.start, oct.end], [2026, 11, Date.UTC(2026, 9, 31, 23), Date.UTC(2026, 10, 30, 23)]);
    assert.deepEqual(monthsBetween(Date.UTC(2026, 2, 15), Date.UTC(2026, 4, 1), PARIS).map((m) => m.month), [3, 4, 5]);
    assert.equal(localMonth(Date.UTC(2026, 0, 10), PARIS, -1).start, Date.UTC(2025, 10, 30, 23));
  });
});
