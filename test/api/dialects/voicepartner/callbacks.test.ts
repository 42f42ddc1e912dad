import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { listWebhooks } from '../../../../src/core/webhooks.js';
import { DAY, parisTimestamp } from '../partner/http.js';
import { uploaded, voiceApp } from './support.js';

const SECRET = 'whsec-voice';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on 127.0.0.1 that answers 200 and keeps every request. */
let server: Server;
const received: Received[] = [];
before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c) => (body += c)).on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const base = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const at = (path: string) => received.filter((r) => r.url.split('?')[0] === path);
const signature = (signed: string) => `sha256=${createHmac('sha256', SECRET).update(signed).digest('hex')}`;
let paths = 0;
/** A path of its own per test and database. */
const newPath = (what: string) => `/${what}-${++paths}`;

voiceApp('Voice Partner notifyUrl callbacks (spec §8)', (app) => {
  test('TTS: one signed POST of JSON per number, `delivered` with the call\'s duration and the Paris time of the call', async () => {
    const v = app();
    const a = await v.account('10');
    const path = newPath('tts');
    const r = await v.request('POST', '/tts/send', { body: { apiKey: a.apiKey, text: 'Bonjour, à demain', phoneNumbers: '0612345678,0698765432', notifyUrl: base() + path } });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.duration > 0);
    await v.t.dispatcher.drain();
    assert.equal(await v.t.webhooks.drain(), 2);
    // The fake clock is 2026-06-01 08:00 UTC: 10:00 in Paris (summer time).
    const expected = ['+33612345678', '+33698765432'].map((phoneNumber) =>
      JSON.stringify({ campaignId: r.body.campaignId, phoneNumber, status: 'delivered', duration: r.body.duration, date: '2026-06-01 10:00:00' }));
    const got = at(path);
    assert.deepEqual(got.map((g) => g.body).sort(), expected.sort());
    for (const g of got) {
      assert.deepEqual([g.method, g.url, g.headers['content-type']], ['POST', path, 'application/json']);
      assert.equal(g.headers['x-relais-signature'], signature(g.body));
    }
  });

  test('drop: a signed GET with no body, its query after the notifyUrl\'s own: `finished` with the campaign\'s totals', async () => {
    const v = app();
    const a = await v.account('10');
    const token = await uploaded(v, a.apiKey);
    const path = newPath('vms');
    const r = await v.request('POST', '/campaign/send', { body: { apiKey: a.apiKey, tokenAudio: token, phoneNumbers: '0612345678,0698765432', notifyUrl: `${base()}${path}?ref=a%20b` } });
    assert.equal(r.status, 200, r.text);
    await v.t.dispatcher.drain();
    assert.equal(await v.t.webhooks.drain(), 2);
    const query = `campaignId=${r.body.campaignId}&status=finished&nbSuccess=2&nbFailed=0`;
    const got = at(path);
    assert.equal(got.length, 2);
    for (const g of got) {
      assert.deepEqual([g.method, g.url, g.body, g.headers['content-type']], ['GET', `${path}?ref=a%20b&${query}`, '', undefined]);
      assert.equal(g.headers['x-relais-signature'], signature(query));
    }
    const [m] = await v.t.store.autocommit.listMessages({ accountId: a.id, batchId: r.body.campaignId }, { limit: 1 });
    assert.deepEqual((await listWebhooks(v.t.core, { messageId: m!.id })).map((w) => w.status), ['delivered', 'delivered']);
  });

  test('a campaign cancelled before its date calls back nothing: its numbers were never called', async () => {
    const v = app();
    const a = await v.account('10');
    const token = await uploaded(v, a.apiKey);
    const [vms, tts] = [newPath('vms-cancelled'), newPath('tts-cancelled')];
    const scheduledDate = parisTimestamp(v.t.clock.now() + DAY);
    const d = await v.request('POST', '/campaign/send', { body: { apiKey: a.apiKey, tokenAudio: token, phoneNumbers: '0612345678', notifyUrl: base() + vms, scheduledDate } });
    const s = await v.request('POST', '/tts/send', { body: { apiKey: a.apiKey, text: 'Bonjour', phoneNumbers: '0612345678', notifyUrl: base() + tts, scheduledDate } });
    for (const r of [d, s]) {
      assert.equal(r.status, 200, r.text);
      assert.equal((await v.request('DELETE', `/campaign/cancel/${a.apiKey}/${r.body.campaignId}`)).status, 200);
    }
    v.t.clock.advance(2 * DAY);
    await v.t.dispatcher.drain();
    assert.equal(await v.t.webhooks.drain(), 0);
    assert.deepEqual([...at(vms), ...at(tts)], []);
  });
}, { env: { RELAIS_WEBHOOK_SECRET: SECRET } });
