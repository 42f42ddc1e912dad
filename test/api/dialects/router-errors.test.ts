import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialectApp } from '../../helpers/app.js';
import { rawHttp } from './partner/http.js';

/**
 * A URL the router cannot read (a path segment past 100 characters, a bad percent-encoding) is
 * answered by the dialect it was meant for, in its envelope: the vendor's unknown-path answer.
 * Before, the whole server answered such URLs with problem+json.
 */
const NOT_FOUND = {
  smspartner: [404, { success: false, code: 404, message: 'Ressource introuvable' }],
  mailpartner: [403, { success: false, code: 40, message: 'L’accès à l’API est refusé' }],
  voicepartner: [404, { success: false, code: 404, message: 'Ressource non trouvé.' }],
} as const;

const LONG = 'k'.repeat(150);

dialectApp('dialects: a URL the router refuses gets the vendor envelope, also through Host routing', ({ app }) => {
  test('each Partner dialect, at its prefix and at its vendor host', async () => {
    const t = app();
    const cases: [string, string, string | undefined][] = [
      ['smspartner', '/smspartner/v1/me%zz', undefined],
      ['smspartner', '/v1/%E0%A4%A?_format=json', 'api.smspartner.fr'],
      ['mailpartner', '/mailpartner/v1/message-status/%zz', undefined],
      ['mailpartner', '/v1/me%zz', 'api.mailpartner.fr'],
      ['voicepartner', `/voicepartner/v1/me/${LONG}`, undefined],
      ['voicepartner', '/voicepartner/v1/campaign/cancel/%E0%A4%A/x', undefined],
      ['voicepartner', `/v1/campaign/cancel/${LONG}/${LONG}`, 'api.voicepartner.fr'],
    ];
    for (const [dialect, path, host] of cases) {
      const r = await rawHttp(t, 'GET', path, host ? { headers: { host } } : {});
      const [status, body] = NOT_FOUND[dialect as keyof typeof NOT_FOUND];
      assert.equal(r.status, status, `${host ?? ''}${path}: ${r.text}`);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/, path);
      assert.deepEqual(r.body, body, path);
    }
  });

  test('Braze: its 404 envelope, with the rate headers, at /braze and at a Braze REST host', async () => {
    const t = app();
    for (const [path, host] of [[`/braze/messages/${LONG}%zz`, undefined], ['/messages/schedule/%E0%A4%A', 'rest.iad-01.braze.com']] as const) {
      const r = await rawHttp(t, 'POST', path, host ? { headers: { host } } : {});
      assert.equal(r.status, 404, `${host ?? ''}${path}: ${r.text}`);
      assert.deepEqual(r.body, { message: 'Not Found', errors: [] });
      assert.match(r.headers.get('x-ratelimit-limit') ?? '', /^\d+$/);
    }
  });

  test('the native API keeps problem+json for the same URLs', async () => {
    const t = app();
    for (const path of ['/api/v1/messages/%zz', `/api/v1/messages/${LONG}`]) {
      const r = await rawHttp(t, 'GET', path);
      assert.equal(r.status, 400, r.text);
      assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
    }
  });
}, { env: { RELAIS_HOST_DIALECTS: 'true' } });
