import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mailPartnerRoutes } from '../../../../src/api/dialects/mailpartner/index.js';
import { MAIL_PARTNER } from '../../../../src/api/dialects/mailpartner/vendor.js';
import { dialectApp, type TestApp } from '../../../helpers/app.js';
import { pool } from '../../../helpers/dispatch.js';
import { partnerScopeTests, registeredRoutes } from '../partner/support.js';
import { account, assertError, assertLedger, assertXml, BAD_KEY, email, get, MIN, MP, NO_KEY, postRaw, send, xmlError } from './support.js';

/** The frame around every endpoint: scopes, malformed bodies, unknown paths, the always-200 switch, the rate limit. */

const MALFORMED = [400, 90, 'Le JSON est malformé: erreur de syntaxe'] as const;
const DENIED = [403, 40, 'L’accès à l’API est refusé'] as const;
const RATE_LIMITED = [429, 429, 'Trop de requêtes effectuées en une minute (limite : 2000 requêtes / minute / Adresse IP)'] as const;

const routesOf = (t: TestApp) =>
  registeredRoutes(mailPartnerRoutes, { prefix: MP, core: t.core, timezone: 'Europe/Paris', cancelCutoffMs: 300_000, always200: false });

dialectApp('Mail Partner: route scopes, malformed bodies, unknown paths', (ctx) => {
  partnerScopeTests(ctx, MAIL_PARTNER, routesOf);

  test('every endpoint of the spec is served and needs a key', async () => {
    const routes = await routesOf(ctx.app());
    const served = (method: string, url: string) => routes.some((r) => r.method === method && r.url === `${MP}${url}` && r.scope);
    for (const [method, url] of [
      ['GET', '/me'], ['POST', '/send'], ['GET', '/message-cancel'], ['DELETE', '/message-cancel/:messageId'], ['GET', '/bulk-status'], ['GET', '/message-status'],
      ['POST', '/unsubscribe/add'], ['GET', '/unsubscribe/add'], ['GET', '/unsubscribe/list'], ['GET', '/unsubscribe/delete'], ['POST', '/unsubscribe/delete'],
      ['DELETE', '/unsubscribe/delete'], ['POST', '/subaccount/create'], ['GET', '/subaccount/list'], ['POST', '/subaccount/credit/add'],
      ['POST', '/subaccount/credit/remove'], ['DELETE', '/subaccount/remove'],
    ]) assert.ok(served(method!, url!), `${method} ${url}`);
  });

  test('malformed JSON: code 90 whatever the Content-Type, in XML when the query asks; nothing billed', async () => {
    const t = ctx.app();
    const a = await account(t, '1');
    for (const type of ['application/json', 'application/x-www-form-urlencoded', 'text/plain']) {
      assertError(await postRaw(t, '/send', `{"apiKey": "${a.apiKey}", "subject":`, type), ...MALFORMED);
    }
    assertError(await postRaw(t, '/send', '[1, 2]', 'application/json'), ...MALFORMED);
    assertXml(await postRaw(t, '/unsubscribe/add?_format=xml', '{"email": ', 'application/json'), MALFORMED[0], xmlError(MALFORMED[1], MALFORMED[2]));
    await assertLedger(t, a.id, 1_000);
  });

  test('send is POST only: GET /send is not a send', async () => {
    const t = ctx.app();
    const a = await account(t, '1');
    const r = await get(t, '/send', { apiKey: a.apiKey, subject: 's', htmlContent: 'h', 'params[to][0][email]': email() });
    assert.notEqual(r.status, 200, r.text);
    assert.equal(r.body?.success, false, r.text);
    await assertLedger(t, a.id, 1_000);
  });

  test('an unknown path under the prefix: code 40, JSON and XML', async () => {
    const t = ctx.app();
    const a = await account(t, '1');
    assertError(await get(t, '/nothing-here', { apiKey: a.apiKey }), ...DENIED);
    assertError(await t.request('POST', `${MP}/statistics/cost-resume`), ...DENIED);
    assertXml(await get(t, '/stop-sms/list', { apiKey: a.apiKey, _format: 'xml' }), DENIED[0], xmlError(DENIED[1], DENIED[2]));
  });
});

dialectApp('Mail Partner: RELAIS_MAILPARTNER_ALWAYS_200=true', ({ app }) => {
  test('errors keep their body and answer HTTP 200; success is unchanged', async () => {
    const t = app();
    const a = await account(t, '0.001');
    const keyed = await get(t, '/me', { apiKey: 'wrong' });
    assert.equal(keyed.status, 200);
    assert.equal(keyed.text, JSON.stringify({ success: false, code: BAD_KEY[1], message: BAD_KEY[2] }));
    assertXml(await get(t, '/message-cancel', { _format: 'xml' }), 200, xmlError(NO_KEY[1], NO_KEY[2]));
    const poor = await send(t, a.apiKey, [email()]);
    assert.equal(poor.status, 200);
    assert.equal(poor.text, JSON.stringify({ success: false, code: 11, message: 'Crédit insuffisant' }));
    const notFound = await get(t, '/bulk-status', { apiKey: a.apiKey, messageId: 987654 });
    assert.equal(notFound.status, 200);
    assert.equal(notFound.text, JSON.stringify({ success: false, code: 4, message: 'Message introuvable' }));
    assert.equal((await postRaw(t, '/send', '{', 'application/json')).status, 200);
    assert.equal((await get(t, '/me', { apiKey: a.apiKey })).body.success, true);
  });
}, { env: { RELAIS_MAILPARTNER_ALWAYS_200: 'true' } });

dialectApp('Mail Partner: 2000 requests a minute per IP address', ({ app }) => {
  test('the 2001st request within a minute is code 429 (HTTP 429, JSON and XML) on any path; a minute later it is served', async () => {
    const t = app();
    const a = await account(t, '1');
    // The cheapest request: refused for its missing key, before any database read; injected
    // into the app (from 127.0.0.1, as the server sees the test's own requests) to keep it quick.
    const statuses: number[] = [];
    await pool(Array.from({ length: 2000 }), 16, async () => { statuses.push((await t.app.inject({ method: 'GET', url: `${MP}/me` })).statusCode); });
    assert.deepEqual([...new Set(statuses)], [NO_KEY[0]]);
    assertError(await get(t, '/me', { apiKey: a.apiKey }), ...RATE_LIMITED);
    assertXml(await get(t, '/unsubscribe/list', { apiKey: a.apiKey, _format: 'xml' }), RATE_LIMITED[0], xmlError(RATE_LIMITED[1], RATE_LIMITED[2]));
    assertError(await send(t, a.apiKey, [email()]), ...RATE_LIMITED);
    await assertLedger(t, a.id, 1_000);
    t.clock.advance(MIN);
    assert.equal((await get(t, '/me', { apiKey: a.apiKey })).body.success, true);
  });
});
