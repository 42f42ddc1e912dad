import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp, type TestApp } from '../../helpers/app.js';
import { ADMIN, assertLedger, assertProblem, at, DAY, HOUR, iso } from './support.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Nothing was written for the account: no message, the opening balance only. */
async function untouched(t: TestApp, account: { id: number; apiKey: string }, balance: number): Promise<void> {
  const list = await t.request('GET', '/api/v1/messages', { key: account.apiKey });
  assert.deepEqual(list.body, { items: [], nextCursor: null });
  await assertLedger(t, account.id, balance);
  const ledger = await t.request('GET', '/api/v1/ledger', { key: account.apiKey });
  assert.equal(ledger.body.items.length, 1);
}

dialectApp('native API: bad input is an RFC 9457 problem, never a 500, never a write', ({ app }) => {
  const good = (t: TestApp) => ({ channel: 'sms', to: ['0612345678'], text: 'hello', sendAt: at(t, HOUR) });

  test('problem+json shape: type, title, status, detail, instance, code', async () => {
    const t = app();
    const { apiKey } = await t.account('1');
    const res = await t.request('GET', '/api/v1/messages/424242?x=1', { key: apiKey });
    assertProblem(res, 404, 'not_found');
    assert.deepEqual(res.body, {
      messageId: 424242, type: 'https://relais.dev/errors/not_found', title: 'Not found', status: 404,
      detail: 'message 424242 does not exist', instance: '/api/v1/messages/424242', code: 'not_found',
    });
  });

  test('malformed JSON, empty JSON body, non-object bodies, wrong content type → 400', async () => {
    const t = app();
    const acc = await t.account('1');
    const post = (raw: string, headers: Record<string, string> = JSON_HEADERS) => t.request('POST', '/api/v1/messages', { key: acc.apiKey, raw, headers });
    assertProblem(await post('{"channel": "sms",'), 400, 'malformed_body');
    assertProblem(await post('{channel: sms}'), 400, 'malformed_body');
    assertProblem(await post('\u0000'), 400, 'malformed_body');
    // An empty body is no body (DELETE and bodiless POSTs rely on it): here the body is missing.
    assertProblem(await post(''), 400, 'invalid_request');
    assertProblem(await post('null'), 400, 'invalid_request');
    assertProblem(await post('[]'), 400, 'invalid_request');
    assertProblem(await post('"sms"'), 400, 'invalid_request');
    assertProblem(await post('42'), 400, 'invalid_request');
    assertProblem(await post(JSON.stringify(good(t)), { 'content-type': 'text/plain' }), 400, 'invalid_request');
    assertProblem(await post('channel=sms&to=0612345678', { 'content-type': 'application/x-www-form-urlencoded' }), 400, 'invalid_request');
    assertProblem(await t.request('POST', '/api/v1/messages', { key: acc.apiKey }), 400, 'invalid_request');
    await untouched(t, acc, 1000);
  });

  test('wrong types are refused, not coerced; missing required fields; unknown fields → 400 invalid_request', async () => {
    const t = app();
    const acc = await t.account('1');
    const base = good(t);
    const bodies: Record<string, unknown>[] = [
      { ...base, to: '0612345678' },
      { ...base, to: [612345678] },
      { ...base, to: [] },
      { ...base, to: [''] },
      { ...base, text: 5 },
      { ...base, text: ['hello'] },
      { ...base, unicode: 'true' },
      { ...base, unicode: 1 },
      { ...base, sendAt: 1780000000000 },
      { ...base, tag: 7 },
      { ...base, tag: '' },
      { ...base, tag: 'x'.repeat(101) },
      { ...base, metadata: 'x' },
      { ...base, metadata: [1, 2] },
      { ...base, channel: 'fax' },
      { ...base, channel: 1 },
      { ...base, channel: undefined },
      { ...base, to: undefined },
      { ...base, sendAt: null },
      { ...base, tagg: 'typo' },
      { ...base, send_at: base.sendAt },
      { ...base, recipients: ['0612345678'] },
    ];
    for (const body of bodies) {
      const res = await t.request('POST', '/api/v1/messages', { key: acc.apiKey, body });
      assertProblem(res, 400, 'invalid_request');
      assert.ok(Array.isArray(res.body.errors) && res.body.errors.length > 0, `errors of ${JSON.stringify(body)}: ${res.text}`);
    }
    const unknown = await t.request('POST', '/api/v1/messages', { key: acc.apiKey, body: { ...base, tagg: 'typo' } });
    assert.deepEqual(unknown.body.errors.map((e: any) => e.field), ['tagg']);
    const missing = await t.request('POST', '/api/v1/messages', { key: acc.apiKey, body: { channel: 'sms', text: 'x' } });
    assert.deepEqual(missing.body.errors.map((e: any) => e.field), ['to']);
    await untouched(t, acc, 1000);
  });

  test('content: empty text, text-less e-mail, fields of another channel, bad sender, too long → 400', async () => {
    const t = app();
    const acc = await t.account('1');
    const post = (body: Record<string, unknown>) => t.request('POST', '/api/v1/messages', { key: acc.apiKey, body: { sendAt: at(t, HOUR), ...body } });
    const sms = { channel: 'sms', to: ['0612345678'] };
    const email = { channel: 'email', to: ['a@example.com'] };
    const voice = { channel: 'voice', to: ['0612345678'] };
    assertProblem(await post({ ...sms }), 400, 'invalid_request');
    assertProblem(await post({ ...sms, text: '' }), 400, 'invalid_request');
    assertProblem(await post({ ...sms, text: 'x', subject: 'no' }), 400, 'invalid_request', /subject/);
    assertProblem(await post({ ...sms, text: 'x', html: '<p>' }), 400, 'invalid_request', /html/);
    assertProblem(await post({ ...sms, text: 'x', audioUrl: 'https://example.com/a.mp3' }), 400, 'invalid_request', /audioUrl/);
    assertProblem(await post({ ...email, subject: 's', text: 't', sender: 'RELAIS' }), 400, 'invalid_request', /sender/);
    assertProblem(await post({ ...email, subject: 's', text: 't', unicode: true }), 400, 'invalid_request', /unicode/);
    assertProblem(await post({ ...email, text: 't' }), 400, 'invalid_request', /subject/);
    assertProblem(await post({ ...email, subject: 's' }), 400, 'invalid_request');
    assertProblem(await post({ ...voice }), 400, 'invalid_request');
    assertProblem(await post({ ...voice, text: 'x', subject: 's' }), 400, 'invalid_request', /subject/);
    assertProblem(await post({ ...sms, text: 'x', sender: 'TWELVE_CHARS' }), 400, 'invalid_sender');
    assertProblem(await post({ ...sms, text: 'x', sender: 'bad!char' }), 400, 'invalid_sender');
    assertProblem(await post({ ...sms, text: 'x'.repeat(1531) }), 400, 'message_too_long');
    await untouched(t, acc, 1000);
  });

  test('recipients: invalid phone → invalid_recipient, invalid e-mail → invalid_recipient; one bad address refuses the whole message', async () => {
    const t = app();
    const acc = await t.account('1');
    const post = (channel: string, to: string[], extra: Record<string, unknown> = { text: 'x' }) =>
      t.request('POST', '/api/v1/messages', { key: acc.apiKey, body: { channel, to, sendAt: at(t, HOUR), ...extra } });
    for (const p of ['12345', '+33612', 'abc', '+999123456789', '06123456789', '+3361234567890']) {
      const res = await post('sms', ['0612345678', p]);
      assertProblem(res, 400, 'invalid_recipient');
      assert.equal(res.body.address, p);
    }
    assertProblem(await post('voice', ['not a number']), 400, 'invalid_recipient');
    for (const e of ['plain', 'a@b', '@example.com', 'a@@example.com', 'a b@example.com', 'a@exa mple.com', 'a@example.c', '"q"@example.com', 'a@-example.com']) {
      assertProblem(await post('email', ['ok@example.com', e], { subject: 's', text: 't' }), 400, 'invalid_recipient');
    }
    assertProblem(await post('email', ['0612345678'], { subject: 's', text: 't' }), 400, 'invalid_recipient');
    await untouched(t, acc, 1000);
  });

  test('sendAt: no offset, garbage, impossible dates → invalid_date; far past → send_at_in_past; beyond 5 years → invalid_date', async () => {
    const t = app();
    const acc = await t.account('1');
    const post = (sendAt: string) => t.request('POST', '/api/v1/messages', { key: acc.apiKey, body: { channel: 'sms', to: ['0612345678'], text: 'x', sendAt } });
    for (const s of ['2026-12-01T09:30:00', '2026-12-01 09:30:00+01:00', '2026-12-01', 'tomorrow', '', '01/12/2026 09:30', '2026-13-01T09:30:00Z',
      '2026-02-30T09:30:00Z', '2026-12-01T25:00:00Z', '2026-12-01T09:30:00+1', '1780000000', '2026-12-01T09:30:00.1234567890Z']) {
      assertProblem(await post(s), 400, 'invalid_date');
    }
    assertProblem(await post('2020-01-01T00:00:00Z'), 400, 'send_at_in_past');
    assertProblem(await post(iso(t.clock.now() - 2 * 60_000)), 400, 'send_at_in_past');
    assertProblem(await post(iso(t.clock.now() + 6 * 365 * DAY)), 400, 'invalid_date');
    await untouched(t, acc, 1000);
  });

  test('ids: unknown → 404, non-numeric, zero, negative, fractional, huge → 400', async () => {
    const t = app();
    const acc = await t.account('1');
    assertProblem(await t.request('GET', '/api/v1/messages/999999999', { key: acc.apiKey }), 404, 'not_found');
    for (const id of ['abc', '0', '-1', '1.5', '99999999999999999999', '%20']) {
      assertProblem(await t.request('GET', `/api/v1/messages/${id}`, { key: acc.apiKey }), 400, 'invalid_request');
    }
  });

  test('authentication: missing, wrong or malformed key → 401; X-Api-Key works too', async () => {
    const t = app();
    const acc = await t.account('1');
    const body = good(t);
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/v1/messages'], ['POST', '/api/v1/messages', body], ['GET', '/api/v1/messages/1'], ['PATCH', '/api/v1/messages/1', { tag: 'x' }],
      ['DELETE', '/api/v1/messages/1'], ['POST', '/api/v1/messages/1/cancel'], ['POST', '/api/v1/messages/cancel', { tag: 'x' }],
      ['GET', '/api/v1/account'], ['GET', '/api/v1/ledger'], ['GET', '/api/v1/outbox'], ['GET', '/api/v1/outbox/latest'],
      ['GET', '/api/v1/suppressions'], ['POST', '/api/v1/suppressions', { channel: 'sms', address: '0612345678' }],
      ['DELETE', '/api/v1/suppressions/sms/0612345678'],
    ];
    for (const [method, path, b] of routes) {
      const variants: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-key-wrong-key-wrong-key-wrong' }, { authorization: `Basic ${acc.apiKey}` }, { authorization: 'Bearer ' }, { 'x-api-key': 'nope' }];
      for (const headers of variants) {
        const res = await t.request(method, path, { body: b, headers });
        assertProblem(res, 401, 'unauthorized');
      }
    }
    const viaHeader = await t.request('POST', '/api/v1/messages', { body, headers: { 'x-api-key': acc.apiKey } });
    assert.equal(viaHeader.status, 201, viaHeader.text);
    const lower = await t.request('GET', '/api/v1/account', { headers: { authorization: `bearer ${acc.apiKey}` } });
    assert.equal(lower.status, 200, lower.text);
    await assertLedger(t, acc.id, 955);
  });

  test('unknown route and unknown method → 404 problem', async () => {
    const t = app();
    const acc = await t.account('1');
    for (const [method, path] of [['GET', '/api/v1/nope'], ['GET', '/api/v2/messages'], ['PUT', '/api/v1/messages/1'], ['POST', '/'], ['POST', '/healthz']]) {
      const res = await t.request(method, path, { key: acc.apiKey });
      assertProblem(res, 404, 'not_found');
      assert.equal(res.body.instance, path);
    }
  });
});

dialectApp('native API: body size limit', ({ app }) => {
  test('a body over RELAIS_BODY_LIMIT_BYTES → 413 body_too_large, nothing written; just under is fine', async () => {
    const t = app();
    assert.equal(t.config.http.bodyLimit, 2048);
    const acc = await t.account('1');
    const base = { channel: 'sms', to: ['0612345678'], sendAt: at(t, HOUR), text: '' };
    const overhead = JSON.stringify(base).length;
    const over = await t.request('POST', '/api/v1/messages', { key: acc.apiKey, body: { ...base, text: 'a'.repeat(2049 - overhead) } });
    assertProblem(over, 413, 'body_too_large');
    const huge = await t.request('POST', '/api/v1/messages', { key: acc.apiKey, body: { ...base, text: 'a'.repeat(100_000) } });
    assertProblem(huge, 413, 'body_too_large');
    await untouched(t, acc, 1000);
    const fits = await t.request('POST', '/api/v1/messages', { key: acc.apiKey, body: { ...base, text: 'a'.repeat(1000) } });
    assert.equal(fits.status, 201, fits.text);
    assert.equal(fits.body.units, 7);
  });
}, { env: { RELAIS_BODY_LIMIT_BYTES: '2048' } });

dialectApp('native API: numbers and metadata the fuzzer sent (issue 15)', ({ app }) => {
  test('limit=Infinity, -Infinity, NaN or a 400-digit number on every list → 400 naming limit, never a 500', async () => {
    const t = app();
    const acc = await t.account('1');
    for (const path of ['/api/v1/messages', '/api/v1/ledger', '/api/v1/outbox']) {
      for (const limit of ['Infinity', '-Infinity', 'NaN', '9'.repeat(400), '-' + '9'.repeat(400), '1e999']) {
        const res = await t.request('GET', `${path}?limit=${limit}`, { key: acc.apiKey });
        assertProblem(res, 400, 'invalid_request', /limit/);
        assert.equal(res.body.field, 'limit', res.text);
      }
    }
    assertProblem(await t.request('GET', '/api/v1/outbox?messageId=Infinity', { key: acc.apiKey }), 400, 'invalid_request', /messageId/);
    assertProblem(await t.request('GET', `/api/v1/outbox?messageId=${'9'.repeat(400)}`, { key: acc.apiKey }), 400, 'invalid_request', /messageId/);
    assert.equal((await t.request('GET', '/api/v1/messages?limit=500', { key: acc.apiKey })).status, 200);
  });

  test('an id past 100 characters or a bad percent-encoding → 400 problem+json, as any bad request', async () => {
    const t = app();
    const acc = await t.account('1');
    for (const path of [`/api/v1/messages/${'1'.repeat(150)}`, '/api/v1/messages/%E0%A4%A', '/api/v1/messages/%zz']) {
      const res = await t.request('GET', path, { key: acc.apiKey });
      assertProblem(res, 400, 'invalid_request');
    }
    assertProblem(await t.request('GET', `/admin/v1/accounts/${'9'.repeat(150)}`, { headers: ADMIN }), 400, 'invalid_request', /longer than 100/);
  });

  test('ids like 1e99, Infinity or 2^53 on message paths → 400; the largest exact id is a 404', async () => {
    const t = app();
    const acc = await t.account('1');
    for (const id of ['1e99', 'Infinity', '-Infinity', '9007199254740992', '9'.repeat(90)]) {
      for (const [method, path] of [['GET', `/api/v1/messages/${id}`], ['PATCH', `/api/v1/messages/${id}`], ['DELETE', `/api/v1/messages/${id}`], ['POST', `/api/v1/messages/${id}/cancel`]]) {
        const res = await t.request(method!, path!, { key: acc.apiKey, ...(method === 'PATCH' ? { body: { tag: 'x' } } : {}) });
        assertProblem(res, 400, 'invalid_request', /id/);
      }
    }
    assertProblem(await t.request('GET', '/api/v1/messages/9007199254740991', { key: acc.apiKey }), 404, 'not_found');
    assertProblem(await t.request('POST', '/api/v1/messages/cancel', { key: acc.apiKey, body: { ids: [1e99] } }), 400, 'invalid_request', /ids/);
    await untouched(t, acc, 1000);
  });

  test('metadata nested 5 000 levels or over 8 KB → 400 invalid_request naming metadata, nothing written; 10 levels and 8 KB are fine', async () => {
    const t = app();
    const acc = await t.account('1');
    const nested = (levels: number) => '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);
    const send = (metadata: string) => t.request('POST', '/api/v1/messages', {
      key: acc.apiKey, headers: JSON_HEADERS, raw: `{"channel":"sms","to":["0612345678"],"text":"x","sendAt":"${at(t, HOUR)}","metadata":${metadata}}`,
    });
    for (const metadata of [nested(5000), nested(11), `{"list":${'['.repeat(20)}${']'.repeat(20)}}`, JSON.stringify({ a: 'x'.repeat(8200) })]) {
      const res = await send(metadata);
      assertProblem(res, 400, 'invalid_request', /^metadata is (nested deeper than 10 levels|larger than 8192 bytes)/);
      assert.equal(res.body.field, 'metadata');
    }
    await untouched(t, acc, 1000);
    const ok = await send(nested(10));
    assert.equal(ok.status, 201, ok.text);
    const edit = await t.request('PATCH', `/api/v1/messages/${ok.body.id}`, { key: acc.apiKey, headers: JSON_HEADERS, raw: `{"metadata":${nested(5000)}}` });
    assertProblem(edit, 400, 'invalid_request', /^metadata is nested deeper/);
    const big = await send(JSON.stringify({ a: 'x'.repeat(8000) }));
    assert.equal(big.status, 201, big.text);
  });

  test('a value outside a list: one message naming the field and the allowed values, with field and allowed in the problem', async () => {
    const t = app();
    const acc = await t.account('1');
    const list = await t.request('GET', '/api/v1/messages?status=bogus', { key: acc.apiKey });
    assertProblem(list, 400, 'invalid_request');
    const statuses = ['scheduled', 'dispatching', 'sent', 'partially_failed', 'failed', 'cancelled'];
    assert.equal(list.body.detail, `status must be one of ${statuses.join(', ')}`);
    assert.equal(list.body.field, 'status');
    assert.deepEqual(list.body.allowed, statuses);
    assert.deepEqual(list.body.errors, [{ field: 'status', message: `must be one of ${statuses.join(', ')}`, allowed: statuses }]);

    const post = await t.request('POST', '/api/v1/messages', { key: acc.apiKey, body: { channel: 'fax', to: ['0612345678'], text: 'x' } });
    assertProblem(post, 400, 'invalid_request');
    assert.equal(post.body.detail, 'channel must be one of sms, email, voice');
    assert.deepEqual([post.body.field, post.body.allowed], ['channel', ['sms', 'email', 'voice']]);
    const cancel = await t.request('POST', '/api/v1/messages/cancel', { key: acc.apiKey, body: { channel: 5 } });
    assert.equal(cancel.body.detail, 'channel must be one of sms, email, voice');
    assert.equal((await t.request('GET', '/api/v1/messages?limit=0', { key: acc.apiKey })).body.detail, 'limit must be at least 1');
    assert.equal((await t.request('POST', '/api/v1/messages', { key: acc.apiKey, body: { channel: 'sms', text: 'x' } })).body.detail, 'to is required');
    assert.equal((await t.request('POST', '/api/v1/suppressions', { key: acc.apiKey, body: { channel: 'voice', address: '0612345678' } })).body.detail,
      'channel must be one of sms, email');
    await untouched(t, acc, 1000);
  });
});

dialectApp('native and admin API: U+0000 anywhere is a 400 naming the field, never a 500 (PostgreSQL text refuses it)', ({ app }) => {
  const fieldOf = (res: { body: any }) => res.body.errors?.[0]?.field;

  test('in text, tag, batchId, a metadata value or key of POST /messages; in PATCH; nothing written', async () => {
    const t = app();
    const acc = await t.account('1');
    const base = { channel: 'sms', to: ['0612345678'], text: 'hello', sendAt: at(t, HOUR) };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, text: 'a\u0000b' }, 'text'],
      [{ ...base, tag: 'x\u0000' }, 'tag'],
      [{ ...base, batchId: '\u0000' }, 'batchId'],
      [{ ...base, metadata: { note: 'x\u0000y' } }, 'metadata.note'],
      [{ ...base, metadata: { deep: [{ k: '\u0000' }] } }, 'metadata.deep.0.k'],
      [{ ...base, metadata: { 'a\u0000': 1 } }, 'metadata'],
      [{ ...base, to: ['06123\u000045678'] }, 'to.0'],
    ];
    for (const [body, field] of cases) {
      const res = await t.request('POST', '/api/v1/messages', { key: acc.apiKey, body });
      assertProblem(res, 400, 'invalid_request', /NUL/);
      assert.equal(fieldOf(res), field, res.text);
    }
    // Thousands of levels deep: found without exhausting the stack or memory, the field named by its first levels.
    const deep = `{"metadata":{"deep":${'['.repeat(5000)}"\\u0000"${']'.repeat(5000)}},${JSON.stringify(base).slice(1)}`;
    const res = await t.request('POST', '/api/v1/messages', { key: acc.apiKey, raw: deep, headers: JSON_HEADERS });
    assertProblem(res, 400, 'invalid_request', /NUL/);
    assert.equal(fieldOf(res), 'metadata.deep.0.0.0.0.0.0');
    await untouched(t, acc, 1000);
    const m = await t.request('POST', '/api/v1/messages', { key: acc.apiKey, body: base });
    assert.equal(m.status, 201, m.text);
    const patch = await t.request('PATCH', `/api/v1/messages/${m.body.id}`, { key: acc.apiKey, body: { tag: 'a\u0000' } });
    assertProblem(patch, 400, 'invalid_request', /NUL/);
    assert.equal((await t.request('GET', `/api/v1/messages/${m.body.id}`, { key: acc.apiKey })).body.tag, null);
  });

  test('in a query value of GET /messages', async () => {
    const t = app();
    const acc = await t.account('1');
    for (const q of ['tag=a%00b', 'batchId=%00', 'cursor=%00']) {
      const res = await t.request('GET', `/api/v1/messages?${q}`, { key: acc.apiKey });
      assertProblem(res, 400, 'invalid_request', /NUL/);
      assert.match(fieldOf(res), new RegExp(`${q.split('=')[0]}$`));
    }
  });

  test('in an admin account name: nothing created', async () => {
    const t = app();
    const before = (await t.request('GET', '/admin/v1/accounts', { headers: ADMIN })).body;
    const res = await t.request('POST', '/admin/v1/accounts', { body: { name: 'acme\u0000' }, headers: ADMIN });
    assertProblem(res, 400, 'invalid_request', /NUL/);
    assert.equal(fieldOf(res), 'name');
    assert.deepEqual((await t.request('GET', '/admin/v1/accounts', { headers: ADMIN })).body, before);
  });
});

dialectApp('native API: content that would forge headers or reach odd schemes is refused (core rules)', ({ app }) => {
  test('e-mail from/replyTo must be addresses ("Name <address>" allowed, domain lower-cased); CR/LF in subject or names refused', async () => {
    const t = app();
    const acc = await t.account('1');
    const email = { channel: 'email', to: ['a@example.com'], subject: 's', text: 't', sendAt: at(t, HOUR) };
    const post = (extra: Record<string, unknown>) => t.request('POST', '/api/v1/messages', { key: acc.apiKey, body: { ...email, ...extra } });
    for (const [field, value] of [
      ['from', 'not an address'], ['from', 'RELAIS'], ['from', 'a@b'], ['replyTo', 'x@example.com\r\nBcc: victim@example.com'],
      ['from', 'Shop\r\nBcc: v@example.com <shop@example.com>'], ['replyTo', 'Shop <not-an-address>'], ['from', 'a <b> <c@example.com>'],
    ]) {
      const res = await post({ [field]: value });
      assertProblem(res, 400, 'invalid_request');
      assert.equal(res.body.field, field, res.text);
    }
    for (const subject of ['Hello\r\nBcc: victim@example.com', 'line\nbreak', 'cr\ronly']) {
      const res = await post({ subject });
      assertProblem(res, 400, 'invalid_request', /subject/);
      assert.equal(res.body.field, 'subject');
    }
    await untouched(t, acc, 1000);
    const ok = await post({ from: 'Shop <shop@Example.COM>', replyTo: ' help@Example.com ', subject: 'Tab\tis fine' });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.body.content.from, 'Shop <shop@example.com>');
    assert.equal(ok.body.content.replyTo, 'help@example.com');
  });

  test('audioUrl must be http(s); a sender of spaces or with a line break is refused (SMS and voice)', async () => {
    const t = app();
    const acc = await t.account('1');
    const voice = { channel: 'voice', to: ['0612345678'], sendAt: at(t, HOUR) };
    const post = (body: Record<string, unknown>) => t.request('POST', '/api/v1/messages', { key: acc.apiKey, body });
    for (const audioUrl of ['file:///etc/passwd', 'javascript:alert(1)', 'ftp://example.com/a.mp3', 'data:audio/mp3;base64,AAAA', 'example.com/a.mp3', '']) {
      const res = await post({ ...voice, audioUrl });
      assertProblem(res, 400, 'invalid_request');
      assert.equal(res.body.field, audioUrl === '' ? 'text' : 'audioUrl', res.text);
    }
    for (const sender of [' ', '     ', '\t']) {
      assertProblem(await post({ ...voice, text: 'x', sender }), 400, 'invalid_sender');
      assertProblem(await post({ channel: 'sms', to: ['0612345678'], text: 'x', sender }), 400, 'invalid_sender');
    }
    assertProblem(await post({ ...voice, text: 'x', sender: '0612345678\r\nX: y' }), 400, 'invalid_sender');
    await untouched(t, acc, 1000);
    const ok = await post({ ...voice, audioUrl: 'HTTPS://example.com/a.mp3', sender: '0612345678' });
    assert.equal(ok.status, 201, ok.text);
  });
});

dialectApp('money: balances stay below the documented maximum, so every figure is exact', ({ app }) => {
  const MAX = '1000000000000.000';

  test('an admin top-up or opening balance that would pass 10^12 units is refused; balance and ledger unchanged', async () => {
    const t = app();
    const acc = await t.account('999999999999.999');
    const topup = (credits: string) => t.request('POST', `/admin/v1/accounts/${acc.id}/topup`, { body: { credits }, headers: ADMIN });
    const ok = await topup('0.001');
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.balance, MAX);
    const over = await topup('0.001');
    assertProblem(over, 400, 'invalid_request', /maximum/);
    assert.equal(over.body.field, 'credits');
    assert.equal(over.body.max, MAX);
    const far = await topup('999999999999.999');
    assertProblem(far, 400, 'invalid_request', /maximum/);
    await assertLedger(t, acc.id, 1_000_000_000_000_000);
    const rows = await t.request('GET', '/api/v1/ledger', { key: acc.apiKey });
    assert.deepEqual(rows.body.items.map((e: any) => e.balanceAfter), [MAX, '999999999999.999']);
    const account = await t.request('GET', '/api/v1/account', { key: acc.apiKey });
    assert.equal(account.body.balance, MAX);
  });
});
