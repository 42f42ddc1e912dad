import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { dialectApp } from '../../helpers/app.js';
import { ADMIN, assertStatus, at, HOUR } from './support.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const NATIVE_KEY = [{ bearer: [] }, { apiKeyHeader: [] }];

/** Every operation of the document as [method, path, operation]. */
const operations = (doc: any): [string, string, any][] =>
  Object.entries(doc.paths).flatMap(([path, ops]: [string, any]) => METHODS.filter((m) => ops[m]).map((m): [string, string, any] => [m, path, ops[m]]));

const schemaOf = (response: any, type = 'application/json') => response?.content?.[type]?.schema;

dialectApp('OpenAPI document /docs/json (issue 15)', ({ app }) => {
  test('every operation: a summary, a tag, a 2xx answer with its schema, problem+json errors, the key it needs', async () => {
    const t = app();
    const res = await t.request('GET', '/docs/json');
    assertStatus(res, 200);
    const doc = res.body;
    assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['admin', 'apiKeyHeader', 'bearer', 'brazeKey', 'mailPartnerKey', 'smsPartnerKey', 'voicePartnerKey']);
    assert.deepEqual(doc.components.securitySchemes.apiKeyHeader, { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'API key in the `X-Api-Key` header' });
    assert.equal(doc.components.securitySchemes.bearer.scheme, 'bearer');
    const ops = operations(doc);
    assert.ok(ops.length > 40, `${ops.length} operations`);
    for (const [method, path, op] of ops) {
      const name = `${method.toUpperCase()} ${path}`;
      assert.ok(op.summary?.length > 5, `${name} has a summary`);
      assert.equal(op.tags?.length, 1, `${name} has one tag`);
      const success = Object.keys(op.responses).filter((s) => /^2\d\d$/.test(s));
      assert.ok(success.length > 0, `${name} documents its success status`);
      for (const s of success) {
        if (s === '204') continue;
        assert.ok(schemaOf(op.responses[s]) ?? schemaOf(op.responses[s], 'text/plain') ?? schemaOf(op.responses[s], 'text/html') ?? schemaOf(op.responses[s], 'message/rfc822') ?? schemaOf(op.responses[s], 'audio/wav'), `${name} ${s} has a schema`);
      }
      const native = path.startsWith('/api/v1/');
      const partner = path.startsWith('/smspartner/v1/') ? ['SMS Partner', 'smsPartnerKey']
        : path.startsWith('/mailpartner/v1/') ? ['Mail Partner', 'mailPartnerKey']
          : path.startsWith('/voicepartner/v1/') ? ['Voice Partner', 'voicePartnerKey']
            : path.startsWith('/braze/') ? ['Braze', 'brazeKey'] : undefined;
      if (partner) {
        assert.equal(op.tags[0], partner[0], name);
        assert.deepEqual(op.security, [{ [partner[1]!]: [] }], name);
        assert.ok(!path.endsWith('/'), `${name}: trailing-slash twins are not listed`);
        continue;
      }
      const errors = Object.keys(op.responses).filter((s) => /^[45]\d\d$/.test(s));
      // The mail links are pages a recipient's browser opens: their errors are pages too.
      const errorType = op.tags[0] === 'links' ? 'text/html' : 'application/problem+json';
      for (const s of errors) assert.ok(schemaOf(op.responses[s], errorType), `${name} ${s} is ${errorType}`);
      if (native) {
        assert.equal(op.security, undefined, `${name} takes the document's security (an API key)`);
        assert.ok(['401', '403', '503'].every((s) => errors.includes(s)), `${name} documents 401, 403 and 503`);
      } else if (path.startsWith('/admin/v1/')) {
        assert.deepEqual(op.security, [{ admin: [] }], name);
        assert.ok(['401', '503'].every((s) => errors.includes(s)), `${name} documents 401 and 503`);
      } else {
        assert.deepEqual(op.security, [], `${name} needs no key`);
      }
    }
    assert.deepEqual(doc.security, NATIVE_KEY);

    const paths = doc.paths;
    assert.deepEqual(Object.keys(paths['/api/v1/messages'].post.responses).filter((s) => s.startsWith('2')).sort(), ['200', '201']);
    assert.ok(paths['/api/v1/messages'].post.parameters.some((p: any) => p.in === 'header' && p.name === 'idempotency-key' && p.required === false));
    assert.ok(paths['/api/v1/suppressions/{channel}/{address}'].delete.responses['204']);
    for (const p of ['/healthz', '/readyz', '/metrics']) assert.equal(paths[p].get.tags[0], 'operations');
    for (const p of ['/send', '/bulk-send', '/message-cancel/{messageId}', '/stop-sms/add', '/subaccount/credit/add', '/me']) {
      assert.ok(paths[`/smspartner/v1${p}`], `SMS Partner ${p} is listed`);
    }
    assert.equal(paths['/smspartner/v1/vn/send'], undefined, 'an endpoint that only answers "refused" is not listed');
    assert.ok(doc.tags.some((x: any) => x.name === 'SMS Partner'));
  });

  test('real answers match their documented schemas: create, detail, recipients, list, cancel, account, admin', async () => {
    const t = app();
    const doc = (await t.request('GET', '/docs/json')).body;
    const ajv = new Ajv({ strict: false, validateFormats: false });
    const { id: accountId, apiKey } = await t.account('10');
    const check = async (method: string, path: string, docPath: string, opts: { body?: unknown; headers?: Record<string, string> } = {}) => {
      const res = await t.request(method, path, { key: apiKey, ...opts });
      const schema = schemaOf(doc.paths[docPath][method.toLowerCase()].responses[res.status]) ?? schemaOf(doc.paths[docPath][method.toLowerCase()].responses[res.status], 'application/problem+json');
      assert.ok(schema, `${method} ${path} → ${res.status} is documented`);
      assert.ok(ajv.validate(schema, res.body), `${method} ${path} → ${res.status}: ${ajv.errorsText()} in ${res.text}`);
      return res;
    };
    const created = await check('POST', '/api/v1/messages', '/api/v1/messages', { body: { channel: 'sms', to: ['0612345678'], text: 'x', sendAt: at(t, HOUR) } });
    assert.equal(created.status, 201);
    await check('GET', `/api/v1/messages/${created.body.id}`, '/api/v1/messages/{id}');
    await check('GET', `/api/v1/messages/${created.body.id}/recipients`, '/api/v1/messages/{id}/recipients');
    await check('GET', `/api/v1/messages/${created.body.id}/events`, '/api/v1/messages/{id}/events');
    await check('GET', '/api/v1/messages', '/api/v1/messages');
    await check('GET', '/api/v1/messages?status=bogus', '/api/v1/messages');
    await check('GET', '/api/v1/ledger', '/api/v1/ledger');
    await check('GET', '/api/v1/account', '/api/v1/account');
    await check('POST', '/api/v1/suppressions', '/api/v1/suppressions', { body: { channel: 'sms', address: '0699999999' } });
    await check('DELETE', `/api/v1/messages/${created.body.id}`, '/api/v1/messages/{id}');
    await check('GET', '/api/v1/messages/999999', '/api/v1/messages/{id}');
    const admin = await t.request('GET', `/admin/v1/accounts/${accountId}`, { headers: ADMIN });
    assert.ok(ajv.validate(schemaOf(doc.paths['/admin/v1/accounts/{id}'].get.responses['200']), admin.body), ajv.errorsText());
  });
});
