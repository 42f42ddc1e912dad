import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wallClock } from '../../src/core/braze-timing.js';

const local = { inLocalTime: true, atOptimalTime: false };
const optimal = { inLocalTime: false, atOptimalTime: true };

test('wallClock: a zone designator after a time of day is dropped; a date alone keeps its day (its "-20" is no offset)', () => {
  const cases: [string, typeof local, string][] = [
    ['2026-06-20', local, '2026-06-20T00:00:00'],
    ['2026-06-20', optimal, '2026-06-20T10:00:00'],
    ['2026-06-20T13:14:47', local, '2026-06-20T13:14:47'],
    ['2026-06-20T13:14:47Z', local, '2026-06-20T13:14:47'],
    ['2026-06-20T13:14:47-04:00', local, '2026-06-20T13:14:47'],
    ['2026-06-20T13:14:47.123+0200', local, '2026-06-20T13:14:47'],
    ['2026-06-20T13:14-04', optimal, '2026-06-20T10:00:00'],
  ];
  for (const [time, flags, wall] of cases) assert.equal(wallClock({ time, ...flags }), wall, time);
});
