import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';

describe('an unknown path under the native API', () => {
  let t: TestApp;
  before(async () => { t = await startTestApp(); });
  after(() => t.close());

  test('answers the native problem+json 404', async () => {
    const r = await t.request('GET', '/api/v1/nope');
    assert.equal(r.status, 404);
    assert.equal(r.body.code, 'not_found');
  });
});
