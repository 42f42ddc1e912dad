import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DateTime } from 'luxon';
import { RelaisError } from '../../src/core/errors.js';
import { parseInstant } from '../../src/core/instant.js';

/** What the API accepted when it parsed with luxon: the reference the hand-written parser must match. */
function viaLuxon(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/.test(text)) return undefined;
  const dt = DateTime.fromISO(text, { setZone: true });
  return dt.isValid ? dt.toMillis() : undefined;
}

function parsed(text: string): number | undefined {
  try {
    return parseInstant(text, 'sendAt');
  } catch (err) {
    assert.ok(err instanceof RelaisError && err.code === 'invalid_date', `${text}: ${String(err)}`);
    assert.deepEqual(err.details, { field: 'sendAt' });
    return undefined;
  }
}

test('parses RFC 3339 instants with their offset', () => {
  assert.equal(parsed('2026-12-01T09:30:00Z'), Date.UTC(2026, 11, 1, 9, 30));
  assert.equal(parsed('2026-12-01t09:30:00.5+01:00'), Date.UTC(2026, 11, 1, 8, 30, 0, 500));
  assert.equal(parsed('2026-12-01T09:30:00.123456789-05:30'), Date.UTC(2026, 11, 1, 15, 0, 0, 123));
  assert.equal(parsed('2028-02-29T00:00:00z'), Date.UTC(2028, 1, 29));
});

test('refuses what is not an RFC 3339 instant with offset', () => {
  for (const text of ['2026-12-01T09:30:00', '2026-12-01 09:30:00Z', '2026-12-01', 'tomorrow', '2026-13-01T00:00:00Z',
    '2027-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-12-00T00:00:00Z', '2026-12-01T25:00:00Z', '2026-12-01T23:60:00Z',
    '2026-12-01T23:59:60Z', '2026-12-01T24:00:01Z', '2026-12-01T09:30:00.1234567890Z', '2026-12-01T09:30:00+0100']) {
    assert.equal(parsed(text), undefined, text);
  }
});

test('accepts and refuses exactly what luxon did, to the millisecond', () => {
  const years = ['0000', '0050', '0099', '0100', '1900', '1970', '2000', '2024', '2026', '2100', '9999'];
  const months = ['00', '01', '02', '04', '12', '13'];
  const days = ['00', '01', '28', '29', '30', '31', '32'];
  const times = ['00:00:00', '23:59:59', '24:00:00', '24:00:01', '24:01:00', '12:60:00', '12:00:60', '99:99:99'];
  const fractions = ['', '.0', '.000', '.001', '.1', '.29', '.291', '.5', '.999', '.9999', '.123456789', '.000000001'];
  const offsets = ['Z', 'z', '+00:00', '-00:00', '+01:00', '-00:30', '+05:45', '-12:00', '+14:00', '+23:59', '+99:99', '-99:99'];
  let compared = 0;
  let i = 0;
  for (const y of years) for (const mo of months) for (const d of days) for (const tm of times) {
    // Every date and time with every offset; the fraction and the separator's case rotate.
    i++;
    for (const [j, o] of offsets.entries()) {
      const text = `${y}-${mo}-${d}${j % 2 ? 'T' : 't'}${tm}${fractions[(i + j) % fractions.length]}${o}`;
      assert.equal(parsed(text), viaLuxon(text), text);
      compared++;
    }
  }
  assert.ok(compared > 10_000);
});
