import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseForm, parseQuery } from '../../../../src/api/dialects/partner/form.js';
import { parseBody, Params, restorePlus, toDecimal, toFlag, toInt } from '../../../../src/api/dialects/partner/params.js';
import { named, parseXmlParams, renderXml } from '../../../../src/api/dialects/partner/xml.js';

describe('Partner form parsing (PHP rules)', () => {
  it('builds nested lists and objects from bracket keys', () => {
    assert.deepEqual(parseForm('a=1&SMSList[0][phoneNumber]=06&SMSList[0][message]=x&SMSList[1][phoneNumber]=07&p[email]=e%40x.fr&l[]=1&l[]=2'), {
      a: '1', SMSList: [{ phoneNumber: '06', message: 'x' }, { phoneNumber: '07' }], p: { email: 'e@x.fr' }, l: ['1', '2'],
    });
  });

  it('drops leading ? from names and ignores prototype keys', () => {
    assert.deepEqual(parseQuery('/v1/me??apiKey=K'), { apiKey: 'K' });
    const polluted = parseForm('__proto__[x]=1&a[constructor][prototype][y]=2');
    assert.equal(({} as any).x, undefined);
    assert.equal(({} as any).y, undefined);
    assert.deepEqual(Object.keys(polluted), ['a']);
  });

  it('keeps the first value of a repeated plain key', () => {
    assert.deepEqual(parseForm('a=1&a=2'), { a: '1' });
  });
});

describe('Partner body parsing', () => {
  it('reads JSON whatever the Content-Type, then XML, then a form', () => {
    assert.deepEqual(parseBody('{"a":1}', 'application/x-www-form-urlencoded'), { a: 1 });
    assert.deepEqual(parseBody('\uFEFF {"a":1}', undefined), { a: 1 });
    assert.deepEqual(parseBody('<r><a>1</a><l><entry>x</entry><entry>y</entry></l></r>', 'text/plain'), { a: '1', l: ['x', 'y'] });
    assert.deepEqual(parseBody('a=1&b=2', 'application/json'), { a: '1', b: '2' });
    assert.deepEqual(parseBody('', 'application/json'), {});
  });

  it('refuses JSON-looking text that is not a JSON object (code 90 upstream), and malformed XML', () => {
    for (const bad of ['{"a":', '[1,2]', '["unterminated']) assert.throws(() => parseBody(bad, 'application/json'), { code: 'malformed_body' });
    assert.throws(() => parseBody('<r><a></r>', 'application/xml'), { code: 'malformed_body' });
    assert.equal(parseXmlParams('<a>'), undefined);
    assert.equal(parseXmlParams('<!DOCTYPE r [<!ENTITY x "xx">]><r><a>&x;</a></r>'), undefined);
  });

  it('looks in the body first, then the query; empty values do not count', () => {
    const p = new Params({ a: '', b: 'body', n: '12', f: 'true', list: { 0: 'x', 1: 'y' }, obj: '{"k":1}' }, { a: 'query', b: 'query' });
    assert.deepEqual([p.str('a'), p.str('b'), p.int('n'), p.flag('f'), p.list('list'), p.object('obj'), p.has('zzz')], ['query', 'body', 12, true, ['x', 'y'], { k: 1 }, false]);
  });

  it('coerces numbers and flags the way the vendor examples send them', () => {
    assert.deepEqual([toInt(9), toInt('09'), toInt(' 12 '), toInt('1.5'), toInt(1.5), toInt(''), toInt(undefined)], [9, 9, 12, NaN, NaN, undefined, undefined]);
    assert.deepEqual([toDecimal('2.5'), toDecimal(10), toDecimal('.5'), toDecimal('1e3'), toDecimal('abc')], [2.5, 10, 0.5, NaN, NaN]);
    assert.deepEqual([1, '1', true, 'TRUE', 0, '0', false, 'yes', undefined].map(toFlag), [true, true, true, true, false, false, false, false, false]);
  });

  it('gives back the + an unescaped query string turned into a space', () => {
    assert.deepEqual([restorePlus(' 33612345678'), restorePlus(' 0612345678'), restorePlus('+33612345678 '), restorePlus(' 212 620 123456')], ['+33612345678', '0612345678', '+33612345678', '+212 620 123456']);
  });
});

describe('Partner XML rendering', () => {
  it('renders positional entries, CDATA strings, named children only where marked, one declaration', () => {
    assert.equal(renderXml({ success: true, code: 200, message: "l'été ]]> fin", user: named({ username: 'u', id: 3 }), list: [{ a: 1, b: null }], empty: [] }), [
      "<?xml version='1.0' encoding='UTF-8'?>",
      '<result>',
      '    <entry>true</entry>',
      '    <entry>200</entry>',
      "    <entry><![CDATA[l'été ]]]]><![CDATA[> fin]]></entry>",
      '    <entry>',
      '        <username><![CDATA[u]]></username>',
      '        <id>3</id>',
      '    </entry>',
      '    <entry>',
      '        <entry>',
      '            <entry>1</entry>',
      '            <entry></entry>',
      '        </entry>',
      '    </entry>',
      '    <entry></entry>',
      '</result>',
      '',
    ].join('\n'));
  });

  it('drops characters XML 1.0 cannot carry', () => {
    assert.match(renderXml({ m: 'a\u0000b\u0007c' }), /<!\[CDATA\[abc\]\]>/);
  });
});
