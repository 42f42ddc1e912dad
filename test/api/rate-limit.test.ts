import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FixedWindowLimiter } from '../../src/api/rate-limit.js';
import { FakeClock } from '../helpers/clock.js';

describe('FixedWindowLimiter', () => {
  it('counts per key within a window and starts again at the next one', () => {
    const clock = new FakeClock(Date.parse('2026-06-01T08:00:00Z'));
    const l = new FixedWindowLimiter(2, 60_000, clock);
    assert.deepEqual([l.take('a').allowed, l.take('a').allowed, l.take('a').allowed, l.take('b').allowed], [true, true, false, true]);
    assert.deepEqual(l.take('a'), { allowed: false, limit: 2, remaining: 0, resetAt: Date.parse('2026-06-01T08:01:00Z') });
    clock.advance(60_000);
    assert.deepEqual(l.take('a'), { allowed: true, limit: 2, remaining: 1, resetAt: Date.parse('2026-06-01T08:02:00Z') });
  });

  it('counts at most maxKeys callers per window: a new caller past that makes the longest-counted one forgotten', () => {
    const l = new FixedWindowLimiter(1, 60_000, new FakeClock(), 3);
    for (const key of ['a', 'b', 'c']) assert.equal(l.take(key).allowed, true);
    assert.equal(l.take('c').allowed, false);
    assert.equal(l.take('d').allowed, true);
    // 'a' was dropped to make room for 'd'; 'b', 'c' and 'd' are still counted.
    assert.equal(l.take('d').allowed, false);
    assert.equal(l.take('c').allowed, false);
    assert.equal(l.take('a').allowed, true);
  });
});
