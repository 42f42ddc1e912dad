import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { normalizeAddress, normalizeEmail, normalizePhone } from '../../src/core/addresses.js';
import { RelaisError } from '../../src/core/errors.js';

const rejects = (fn: () => unknown, address: string) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof RelaisError);
    assert.equal(e.code, 'invalid_recipient');
    assert.deepEqual(e.details, { address });
    return true;
  }, `expected ${JSON.stringify(address)} to be rejected`);

describe('normalizePhone', () => {
  it('normalises national and international numbers to E.164', () => {
    assert.equal(normalizePhone('0612345678'), '+33612345678');
    assert.equal(normalizePhone('+33 6 12 34 56 78'), '+33612345678');
    assert.equal(normalizePhone(' 06.12.34.56.78 '), '+33612345678');
    assert.equal(normalizePhone('0033612345678'), '+33612345678');
    assert.equal(normalizePhone('+14155552671'), '+14155552671');
  });

  it('answers for E.164 input exactly as the general parser does', () => {
    // The E.164 shortcut must never accept what the parser rejects, nor change the number.
    let seed = 7;
    const digit = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 10);
    for (const cc of ['1', '7', '33', '44', '49', '262', '590', '689', '800', '882', '971', '999', '80']) {
      for (let i = 0; i < 300; i++) {
        let n = `+${cc}`;
        const len = 6 + (i % 8);
        for (let j = 0; j < len; j++) n += digit();
        const parsed = parsePhoneNumberFromString(n, 'FR');
        if (parsed?.isValid()) assert.equal(normalizePhone(n), parsed.number, n);
        else rejects(() => normalizePhone(n), n);
      }
    }
    assert.equal(normalizePhone('+447911123456'), '+447911123456');
  });

  it('uses the default region for national numbers', () => {
    assert.equal(normalizePhone('(415) 555-2671', 'US'), '+14155552671');
  });

  it('rejects invalid numbers with invalid_recipient', () => {
    for (const input of ['abc', '123', '+3361234', '', '+33 6 12 34 56 78 90', '0012345678']) rejects(() => normalizePhone(input), input);
  });

  it('names the input in the message', () => {
    assert.throws(() => normalizePhone('abc'), { message: 'invalid phone number "abc"' });
  });
});

describe('normalizeEmail', () => {
  it('trims and lower-cases the domain only', () => {
    assert.equal(normalizeEmail('  John.Doe@Example.COM '), 'John.Doe@example.com');
    assert.equal(normalizeEmail('a+tag@sub.example.co.uk'), 'a+tag@sub.example.co.uk');
    assert.equal(normalizeEmail("o'brien_x-y@my-host.fr"), "o'brien_x-y@my-host.fr");
    assert.equal(normalizeEmail(`${'a'.repeat(64)}@b.io`), `${'a'.repeat(64)}@b.io`);
  });

  it('rejects invalid addresses with invalid_recipient', () => {
    const bad = [
      '',
      'plain',
      '@b.com',
      'a@',
      'a@b',
      'a@@b.com',
      'a@b@c.com',
      'x@-a.com',
      'x@a-.com',
      'x@a..com',
      'x@.a.com',
      'x@a.com.',
      'x@a.c',
      'x@a.c0m',
      'x@a_b.com',
      'a b@c.com',
      '.a@b.com',
      'a.@b.com',
      'a..b@c.com',
      'a@b .com',
      'x@bücher.de',
      `${'a'.repeat(65)}@b.com`,
      `a@${'b'.repeat(64)}.com`,
      `a@${`${'b'.repeat(60)}.`.repeat(5)}com`,
    ];
    for (const input of bad) rejects(() => normalizeEmail(input), input);
  });

  it('stays fast on adversarial input', () => {
    const start = performance.now();
    for (const input of [`${'a.'.repeat(5000)}@x.com`, `a@${'a-'.repeat(5000)}`, `${'!'.repeat(50000)}@${'a'.repeat(50000)}`]) {
      assert.throws(() => normalizeEmail(input), RelaisError);
    }
    assert.ok(performance.now() - start < 200);
  });
});

describe('normalizeAddress', () => {
  it('dispatches by channel', () => {
    assert.equal(normalizeAddress('sms', '0612345678', 'FR'), '+33612345678');
    assert.equal(normalizeAddress('voice', '0612345678', 'FR'), '+33612345678');
    assert.equal(normalizeAddress('email', 'A@B.COM', 'FR'), 'A@b.com');
    rejects(() => normalizeAddress('email', '0612345678', 'FR'), '0612345678');
    rejects(() => normalizeAddress('sms', 'a@b.com', 'FR'), 'a@b.com');
  });
});
