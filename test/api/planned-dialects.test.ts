import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';

describe('mount points of dialects not built yet', () => {
  let t: TestApp;
  before(async () => { t = await startTestApp(); });
  after(() => t.close());

  test('answer a plain 404 that no vendor client could mistake for an answer', async () => {
    for (const path of ['/braze/messages/scheduled_broadcasts']) {
      const r = await t.request('GET', path);
      assert.equal(r.status, 404, path);
      assert.match(r.headers.get('content-type') ?? '', /^text\/plain/, path);
      assert.doesNotMatch(r.text, /"code"|<result>/, path);
    }
  });

  test('while the native API keeps its problem+json 404', async () => {
    const r = await t.request('GET', '/api/v1/nope');
    assert.equal(r.status, 404);
    assert.equal(r.body.code, 'not_found');
  });
});
