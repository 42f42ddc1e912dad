import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countSmsSegments, normalizeSmsText, splitSms } from '../../src/core/segments.js';

describe('countSmsSegments', () => {
  it('counts an empty text as one GSM-7 segment', () => {
    assert.deepEqual(countSmsSegments(''), { encoding: 'gsm7', length: 0, segments: 1 });
  });

  it('uses 160-septet single and 153-septet concatenated GSM-7 segments', () => {
    assert.deepEqual(countSmsSegments('a'.repeat(160)), { encoding: 'gsm7', length: 160, segments: 1 });
    assert.deepEqual(countSmsSegments('a'.repeat(161)), { encoding: 'gsm7', length: 161, segments: 2 });
    assert.equal(countSmsSegments('a'.repeat(306)).segments, 2);
    assert.equal(countSmsSegments('a'.repeat(307)).segments, 3);
  });

  it('keeps GSM-7 accented letters and symbols in GSM-7', () => {
    const r = countSmsSegments('Ça coûte 5£ à Zürich, é è ù ì ò Ä Ö Ñ Ü ß @ ¿ ¡ §\n\r');
    // 'û' is not GSM-7, so this one flips; the same text without it stays GSM-7.
    assert.equal(r.encoding, 'ucs2');
    assert.equal(countSmsSegments('Ça coute 5£ à Zürich, é è ù ì ò Ä Ö Ñ Ü ß @ ¿ ¡ §\n\r').encoding, 'gsm7');
  });

  it('counts extension characters as 2 septets', () => {
    for (const ch of ['€', '^', '{', '}', '\\', '[', '~', ']', '|', '\f']) {
      assert.deepEqual(countSmsSegments(ch), { encoding: 'gsm7', length: 2, segments: 1 }, JSON.stringify(ch));
    }
    assert.deepEqual(countSmsSegments('a'.repeat(158) + '€'), { encoding: 'gsm7', length: 160, segments: 1 });
    assert.deepEqual(countSmsSegments('a'.repeat(159) + '€'), { encoding: 'gsm7', length: 161, segments: 2 });
  });

  it('switches to UCS-2 on one non-GSM character: 70 per single, 67 per concatenated segment', () => {
    const ucs = (n: number) => countSmsSegments('ł' + 'a'.repeat(n - 1));
    assert.deepEqual(ucs(70), { encoding: 'ucs2', length: 70, segments: 1 });
    assert.deepEqual(ucs(71), { encoding: 'ucs2', length: 71, segments: 2 });
    assert.equal(ucs(134).segments, 2);
    assert.equal(ucs(135).segments, 3);
  });

  it('forces UCS-2 with the unicode flag', () => {
    assert.deepEqual(countSmsSegments('a'.repeat(71), { unicode: true }), { encoding: 'ucs2', length: 71, segments: 2 });
    assert.deepEqual(countSmsSegments('', { unicode: true }), { encoding: 'ucs2', length: 0, segments: 1 });
    assert.equal(countSmsSegments('a', { unicode: false }).encoding, 'gsm7');
  });

  it('counts an emoji as 2 UTF-16 code units', () => {
    assert.deepEqual(countSmsSegments('🙂'), { encoding: 'ucs2', length: 2, segments: 1 });
    assert.deepEqual(countSmsSegments('🙂' + 'a'.repeat(68)), { encoding: 'ucs2', length: 70, segments: 1 });
    assert.deepEqual(countSmsSegments('🙂' + 'a'.repeat(69)), { encoding: 'ucs2', length: 71, segments: 2 });
  });

  it('does not treat an accented letter outside GSM-7 as substituted', () => {
    assert.equal(countSmsSegments('á').encoding, 'ucs2');
  });
});

describe('normalizeSmsText', () => {
  it('expands the vendor :br: and :euro: markup', () => {
    assert.equal(normalizeSmsText('Prix:br:5:euro: :br:'), 'Prix\r\n5€ \r\n');
  });

  it('leaves other text alone', () => {
    assert.equal(normalizeSmsText('a:b:r: :eur: ü'), 'a:b:r: :eur: ü');
  });
});

describe('splitSms', () => {
  it('keeps an extension character whole: one on septet 153 starts part 2, and can take a part more than length ÷ 153', () => {
    const fits = splitSms(`${'a'.repeat(152)}€${'b'.repeat(151)}`);
    assert.deepEqual([fits.length, fits.parts.map((p) => p.length)], [305, [152, 152]]);
    const pushed = `${'a'.repeat(152)}€${'b'.repeat(152)}`;
    assert.deepEqual(splitSms(pushed).parts, ['a'.repeat(152), `€${'b'.repeat(151)}`, 'b']);
    assert.deepEqual(countSmsSegments(pushed), { encoding: 'gsm7', length: 306, segments: 3 });
  });

  it('keeps an emoji whole in UCS-2: one on unit 67 starts part 2', () => {
    const text = `${'ж'.repeat(66)}🙂${'ж'.repeat(66)}`;
    assert.deepEqual(splitSms(text).parts, ['ж'.repeat(66), `🙂${'ж'.repeat(65)}`, 'ж']);
    assert.deepEqual(countSmsSegments(text), { encoding: 'ucs2', length: 134, segments: 3 });
  });

  it('is one part, the text itself, up to 160 septets or 70 units', () => {
    assert.deepEqual(splitSms(`${'a'.repeat(158)}€`), { encoding: 'gsm7', length: 160, parts: [`${'a'.repeat(158)}€`] });
    assert.deepEqual(splitSms('', { unicode: true }), { encoding: 'ucs2', length: 0, parts: [''] });
  });
});
