import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { DIALECTS, PLANNED_MOUNTS } from '../../../src/api/dialects/registry.js';
import { ENV, loadConfig } from '../../../src/config.js';
import { listWebhooks } from '../../../src/core/webhooks.js';
import { WEBHOOK_RENDERERS } from '../../../src/main.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';

/**
 * How to schedule one message with a status-callback URL through each dialect that takes one
 * (non-empty callbackFormats): the one thing about a dialect this test cannot read from the
 * registry. A new such dialect fails below until it has a line here.
 */
const SEND_WITH_CALLBACK: Record<string, (t: TestApp, apiKey: string, callbackUrl: string) => Promise<unknown>> = {
  smspartner: (t, apiKey, urlDlr) => t.request('POST', '/smspartner/v1/send', { body: { apiKey, phoneNumbers: '0612345678', message: 'x', urlDlr } }),
  voicepartner: (t, apiKey, notifyUrl) => t.request('POST', '/voicepartner/v1/tts/send', { body: { apiKey, phoneNumbers: '0612345678', text: 'Bonjour', notifyUrl } }),
};

/** One request with a chosen Host header (fetch does not let a caller set it). */
function withHost(t: TestApp, host: string, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(t.url);
    httpRequest({ host: hostname, port, path, headers: { host } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    }).on('error', reject).end();
  });
}

const openApiPath = (path: string): string => path.replace(/:(\w+)/g, '{$1}');

test('the registry is consistent: names, prefixes, hosts and callback formats are unique, planned mounts are not taken', () => {
  const unique = (what: string, values: string[]) => assert.equal(new Set(values).size, values.length, `duplicate ${what}: ${values}`);
  unique('name', DIALECTS.map((d) => d.name));
  unique('prefix', DIALECTS.map((d) => d.prefix));
  unique('vendor host', DIALECTS.flatMap((d) => d.vendor.hosts));
  unique('callback format', DIALECTS.flatMap((d) => Object.keys(d.callbackFormats)));
  for (const mount of PLANNED_MOUNTS) {
    assert.ok(!DIALECTS.some((d) => d.prefix.startsWith(`${mount}/`) || d.prefix === mount), `${mount} is built: remove it from PLANNED_MOUNTS`);
  }
});

test('each dialect switch is an ENV row (so the README lists it), off by default, on when its variable says so', () => {
  for (const d of DIALECTS) {
    for (const [option, name] of Object.entries(d.switches)) {
      assert.ok(Object.hasOwn(ENV, name), `${d.name}.${option}: ${name} is not in ENV`);
      assert.equal(loadConfig({}).dialects[d.name][option], false, `${name} default`);
      assert.equal(loadConfig({ [name]: 'true' }).dialects[d.name][option], true, name);
    }
  }
});

test('each dialect setting is an ENV row (so the README lists it), its default there, set by its variable', () => {
  const settings = DIALECTS.flatMap((d) => Object.entries(d.settings ?? {}).map(([option, name]) => ({ d, option, name })));
  assert.ok(settings.length > 0, 'no dialect declares a setting: this test checks nothing');
  for (const { d, option, name } of settings) {
    assert.ok(Object.hasOwn(ENV, name), `${d.name}.${option}: ${name} is not in ENV`);
    assert.equal(loadConfig({}).dialectSettings[d.name]![option], Number(ENV[name]!.default), `${name} default`);
    assert.equal(loadConfig({ [name]: '7' }).dialectSettings[d.name]![option], 7, name);
    assert.throws(() => loadConfig({ [name]: '0' }), new RegExp(name));
  }
});

describe('every registered dialect is served, routed, indexed, documented and called back (RELAIS_HOST_DIALECTS=true)', () => {
  let t: TestApp;
  before(async () => { t = await startTestApp({ env: { RELAIS_HOST_DIALECTS: 'true' } }); });
  after(() => t.close());

  test('GET / lists exactly the registered dialects at their prefixes', async () => {
    const r = await t.request('GET', '/');
    assert.deepEqual(r.body.dialects, Object.fromEntries(DIALECTS.map((d) => [d.name, d.prefix])));
  });

  test('each documented endpoint is mounted at the prefix and answers the same through every vendor host', async () => {
    for (const d of DIALECTS) {
      for (const path of Object.keys(d.docs.summaries)) {
        const direct = await t.request('GET', d.prefix + path);
        assert.doesNotMatch(direct.headers.get('content-type') ?? '', /problem\+json/, `${d.prefix}${path} is the dialect's, not the native 404`);
        for (const host of d.vendor.hosts) {
          const routed = await withHost(t, host, d.vendor.path + path);
          assert.deepEqual(routed, { status: direct.status, text: direct.text }, `${host}${d.vendor.path}${path}`);
        }
      }
    }
  });

  test('/docs/json has each dialect\'s tag, key schemes and summarised endpoints', async () => {
    const doc = (await t.request('GET', '/docs/json')).body;
    for (const d of DIALECTS) {
      assert.ok(doc.tags.some((x: { name: string; description: string }) => x.name === d.docs.tag && x.description === d.docs.description), d.docs.tag);
      for (const [name, scheme] of Object.entries(d.docs.securitySchemes)) assert.deepEqual(doc.components.securitySchemes[name], scheme, name);
      for (const [path, summary] of Object.entries(d.docs.summaries)) {
        const operations = Object.values(doc.paths[openApiPath(d.prefix + path)] ?? {}) as { tags: string[]; summary: string }[];
        assert.ok(operations.length > 0, `${d.prefix}${path} is listed`);
        for (const op of operations) assert.deepEqual([op.tags, op.summary], [[d.docs.tag], summary], `${d.prefix}${path}`);
      }
    }
  });

  test('a callback URL given to a dialect is called with that dialect\'s renderer', async () => {
    // What the receiver got: the method, the URL's query (a GET's payload) and the body.
    const requests: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      const query = new URL(req.url ?? '', 'http://x').search;
      req.setEncoding('utf8').on('data', (c) => (body += c)).on('end', () => { requests.push(`${req.method} ${query} ${body}`); res.end('ok'); });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      for (const d of DIALECTS.filter((x) => Object.keys(x.callbackFormats).length > 0)) {
        const send = SEND_WITH_CALLBACK[d.name];
        assert.ok(send, `add ${d.name} to SEND_WITH_CALLBACK`);
        const a = await t.account('10', d.name);
        await send(t, a.apiKey, `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/${d.name}`);
        await t.dispatcher.drain();
        requests.length = 0;
        assert.ok(await t.webhooks.drain() > 0, `${d.name}: a callback was due`);
        const rows = await listWebhooks(t.core, { accountId: a.id });
        assert.ok(rows.length > 0, d.name);
        for (const row of rows) {
          const render = d.callbackFormats[row.format];
          assert.ok(render, `${d.name} stores format "${row.format}", which it does not render`);
          assert.equal(WEBHOOK_RENDERERS[row.format], render, `${row.format} reaches the callback sender`);
          assert.equal(row.status, 'delivered', d.name);
          const p = await render(row, t.core);
          const expected = p.method === 'GET' ? `GET ?${p.query} ` : `POST  ${p.body}`;
          assert.ok(requests.includes(expected), `${d.name}: the receiver got the rendered request ${expected} (got ${requests})`);
        }
      }
    } finally {
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
