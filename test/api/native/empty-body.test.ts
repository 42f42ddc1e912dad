/**
 * Many clients send `Content-Type: application/json` on every request, bodiless ones included
 * (a DELETE, a POST …/cancel): an empty body is no body. Text that is not JSON is still
 * `malformed_body`, and the body limit still holds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { assertProblem, assertStatus, balanceOf, sms } from './support.js';

const JSON_TYPE = { 'content-type': 'application/json' };

describe('an empty body with Content-Type: application/json', () => {
  let t: TestApp;
  before(async () => { t = await startTestApp(); });
  after(async () => { await t.close(); });

  for (const [method, suffix] of [['DELETE', ''], ['POST', '/cancel']] as const) {
    test(`${method} /api/v1/messages/{id}${suffix} with it cancels the message and refunds it`, async () => {
      const { apiKey } = await t.account('1', `empty-${method}`);
      const message = await sms(t, apiKey);
      assert.equal(await balanceOf(t, apiKey), '0.955');
      const res = await t.request(method, `/api/v1/messages/${message.id}${suffix}`, { key: apiKey, raw: '', headers: JSON_TYPE });
      assertStatus(res, 200);
      assert.equal(res.body.status, 'cancelled');
      assert.equal(await balanceOf(t, apiKey), '1.000');
    });
  }

  test('a body that is not JSON is still malformed_body, and nothing is cancelled', async () => {
    const { apiKey } = await t.account('1', 'empty-bad');
    const message = await sms(t, apiKey);
    for (const [method, suffix] of [['DELETE', ''], ['POST', '/cancel']] as const) {
      const res = await t.request(method, `/api/v1/messages/${message.id}${suffix}`, { key: apiKey, raw: '{"x":', headers: JSON_TYPE });
      assertProblem(res, 400, 'malformed_body');
    }
    assert.equal(await balanceOf(t, apiKey), '0.955');
  });

  test('a prototype-poisoning body is still refused', async () => {
    const { apiKey } = await t.account('1', 'empty-proto');
    const res = await t.request('POST', '/api/v1/messages', { key: apiKey, raw: '{"__proto__":{"x":1}}', headers: JSON_TYPE });
    assert.equal(res.status, 400, res.text);
  });
});
