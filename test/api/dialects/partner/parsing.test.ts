import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseForm, parseQuery } from '../../../../src/api/dialects/partner/form.js';
import { checkParams, MAX_DEPTH, MAX_PARAMS } from '../../../../src/api/dialects/partner/limits.js';
import { parseBody, Params, restorePlus, toDecimal, toFlag, toInt } from '../../../../src/api/dialects/partner/params.js';
import { named, parseXmlParams, renderXml } from '../../../../src/api/dialects/partner/xml.js';
import { startTestApp, type TestApp } from '../../../helpers/app.js';

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

/** The refusal every bound gives: the dialect's validation error (invalid_request) naming the top-level parameter. */
const refused = (field: string) => ({ code: 'invalid_request', details: { field } });
const nest = (open: string, close: string, n: number, inner = '') => open.repeat(n) + inner + close.repeat(n);

describe('Partner parameter bounds (depth, count, names, U+0000)', () => {
  it('a form key nested beyond MAX_DEPTH is refused before it is built (10 000 levels included); MAX_DEPTH is fine', () => {
    assert.throws(() => parseForm(`a${'[x]'.repeat(10_000)}=1`), refused('a'));
    assert.throws(() => parseForm(`apiKey=k&b${'[x]'.repeat(MAX_DEPTH + 1)}=1`), refused('b'));
    assert.throws(() => parseQuery(`/v1/me?c${'[]'.repeat(MAX_DEPTH + 1)}=1`), refused('c'));
    let leaf: unknown = parseForm(`a${'[x]'.repeat(MAX_DEPTH)}=1`).a;
    for (let i = 0; i < MAX_DEPTH; i++) leaf = (leaf as Record<string, unknown>).x;
    assert.equal(leaf, '1');
  });

  it('more than MAX_PARAMS form values are refused before the list is built (no quadratic `list[]`)', () => {
    assert.throws(() => parseForm(Array.from({ length: MAX_PARAMS + 1 }, () => 'l[]=1').join('&')), refused('l'));
    assert.equal((parseForm(Array.from({ length: 1000 }, () => 'l[]=1').join('&')).l as unknown[]).length, 1000);
  });

  it('XML nested beyond the limit, or with a name the parser refuses, is the validation error (was a 500)', () => {
    assert.throws(() => parseBody(`<r>${nest('<a>', '</a>', 5000, 'x')}</r>`, 'application/xml'), refused('request'));
    assert.throws(() => parseBody(`<r>${nest('<a>', '</a>', MAX_DEPTH + 1, 'x')}</r>`, 'application/xml'), refused('request'));
    assert.throws(() => parseBody('<r><__proto__>x</__proto__></r>', 'application/xml'), refused('request'));
    assert.doesNotThrow(() => parseBody(`<r>${nest('<a>', '</a>', MAX_DEPTH, 'x')}</r>`, 'application/xml'));
  });

  it('checkParams: JSON nested thousands of levels, too many values, long names, U+0000 in a value or name', () => {
    assert.throws(() => checkParams(parseBody(`{"apiKey":"k","x":${nest('[', ']', 5000)}}`, 'application/json')), refused('x'));
    assert.throws(() => checkParams(parseBody(`{"y":${nest('{"a":', '}', MAX_DEPTH + 1, '1')}}`, 'application/json')), refused('y'));
    assert.doesNotThrow(() => checkParams(parseBody(`{"y":${nest('{"a":', '}', MAX_DEPTH, '1')}}`, 'application/json')));
    assert.throws(() => checkParams({ list: Array.from({ length: MAX_PARAMS }, (_, i) => i) }), refused('list'));
    assert.throws(() => checkParams({ p: { ['k'.repeat(257)]: 1 } }), refused('p'));
    assert.throws(() => checkParams({ message: 'a\u0000b' }), refused('message'));
    assert.throws(() => checkParams({ SMSList: [{ phoneNumber: '06', message: '\u0000' }] }), refused('SMSList'));
    assert.throws(() => checkParams({ 'a\u0000': 'x' }), refused('request'));
    assert.doesNotThrow(() => checkParams({ SMSList: Array.from({ length: 500 }, () => ({ phoneNumber: '0612345678', message: 'hello' })) }));
  });

  it('a JSON-encoded list or object parameter is held to the same bounds once decoded', () => {
    const p = new Params({ SMSList: '[{"phoneNumber":"06","message":"a\\u0000"}]', parameters: `{"x":${nest('[', ']', 100)}}`, ok: '[1]' }, {});
    assert.throws(() => p.list('SMSList'), refused('SMSList'));
    assert.throws(() => p.object('parameters'), refused('parameters'));
    assert.deepEqual(p.list('ok'), [1]);
  });
});

describe('SMS Partner over HTTP: hostile bodies get the validation error (code 9), never a 500', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  const invalid = (field: string) => {
    const errors = [{ elementId: `children[${field}].data`, message: 'La valeur est invalide' }];
    return JSON.stringify({ success: false, code: 9, errors, error: errors });
  };
  const send = (raw: string, contentType: string, query = '') =>
    t.request('POST', `/smspartner/v1/send${query}`, { raw, headers: { 'content-type': contentType } });

  it('deep XML, a form key nested 10 000 levels, JSON nested 5 000 levels, a flood of keys, a deep query key', async () => {
    const { apiKey } = await t.account('1');
    const cases: [Promise<{ status: number; text: string }>, string][] = [
      [send(`<r><apiKey>${apiKey}</apiKey>${nest('<a>', '</a>', 5000, 'x')}</r>`, 'application/xml'), 'request'],
      [send(`apiKey=${apiKey}&a${'[x]'.repeat(10_000)}=1`, 'application/x-www-form-urlencoded'), 'a'],
      [send(`{"apiKey":"${apiKey}","x":${nest('[', ']', 5000)}}`, 'application/json'), 'x'],
      [send(`{"apiKey":"${apiKey}","metadata":${nest('{"a":', '}', 3000, '1')}}`, 'application/json'), 'metadata'],
      [send(Array.from({ length: MAX_PARAMS + 1 }, () => 'l[]=1').join('&'), 'application/x-www-form-urlencoded'), 'l'],
      [t.request('GET', `/smspartner/v1/me?apiKey=${apiKey}&q${'[x]'.repeat(1000)}=1`), 'q'],
    ];
    for (const [pending, field] of cases) {
      const r = await pending;
      assert.equal(r.status, 400, r.text);
      assert.equal(r.text, invalid(field));
    }
    // A refused query still answers (in JSON: its _format is not trusted).
    const xml = await t.request('GET', `/smspartner/v1/me?_format=xml&q${'[x]'.repeat(100)}=1`);
    assert.equal(xml.text, invalid('q'));
  });
});
