import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';

const SQLITE = { RELAIS_DATABASE_URL: 'sqlite:./data/relais.db' };
const POSTGRES = { RELAIS_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/relais' };

test('the dispatch batch defaults to 100 on SQLite and 250 on PostgreSQL; RELAIS_DISPATCH_BATCH wins on either', () => {
  assert.equal(loadConfig({}).dispatch.batchSize, 100);
  assert.equal(loadConfig(SQLITE).dispatch.batchSize, 100);
  assert.equal(loadConfig(POSTGRES).dispatch.batchSize, 250);
  assert.equal(loadConfig({ ...POSTGRES, RELAIS_DISPATCH_BATCH: ' 40 ' }).dispatch.batchSize, 40);
  assert.equal(loadConfig({ ...SQLITE, RELAIS_DISPATCH_BATCH: '500' }).dispatch.batchSize, 500);
});

test('a dispatch batch that is not an integer from 1 to 10 000 names the variable', () => {
  for (const bad of ['0', 'ten', '10001', '-5']) {
    assert.throws(() => loadConfig({ ...POSTGRES, RELAIS_DISPATCH_BATCH: bad }),
      (err: unknown) => err instanceof ConfigError && err.message === `RELAIS_DISPATCH_BATCH must be an integer from 1 to 10000 (got "${bad}")`);
  }
});

test('a negative or malformed price stops the process with the variable named', () => {
  for (const bad of ['-1', '-0.001', 'free', '0.0001']) {
    assert.throws(() => loadConfig({ RELAIS_PRICE_SMS: bad }),
      (err: unknown) => err instanceof ConfigError && err.message === `RELAIS_PRICE_SMS must be a price of 0 or more with at most 3 decimals (got "${bad}")`);
  }
  assert.equal(loadConfig({ RELAIS_PRICE_SMS: '0' }).pricing.smsPerSegment, 0);
});

test('the currency is a three-letter code and the secret key 64 hexadecimal characters', () => {
  assert.throws(() => loadConfig({ RELAIS_CURRENCY: 'euro' }), /RELAIS_CURRENCY must be an ISO 4217 code/);
  assert.throws(() => loadConfig({ RELAIS_SECRET_KEY: 'abc' }), /RELAIS_SECRET_KEY must be 64 hexadecimal characters/);
  assert.equal(loadConfig({}).secretKey, null);
  assert.equal(loadConfig({ RELAIS_SECRET_KEY: 'ab'.repeat(32) }).secretKey?.length, 32);
});

test('HTTP limits and callback settings have safe defaults', () => {
  const c = loadConfig({});
  assert.deepEqual([c.http.maxConnections, c.http.idleTimeoutMs, c.http.headersTimeoutMs, c.http.requestTimeoutMs, c.http.keepAliveTimeoutMs], [1024, 30000, 10000, 30000, 5000]);
  assert.equal(c.http.metricsToken, null);
  assert.equal(c.webhooks.allowPrivate, false);
  assert.equal(c.webhooks.destinationConcurrency, 4);
  assert.throws(() => loadConfig({ RELAIS_HTTP_IDLE_TIMEOUT_MS: '0' }), /RELAIS_HTTP_IDLE_TIMEOUT_MS must be an integer from 1000/);
});

test('RELAIS_MAIL_FROM is one address, optionally named; anything else stops the process with the variable named', () => {
  assert.equal(loadConfig({ RELAIS_MAIL_FROM: 'Shop <Shop@Example.COM>' }).mail.from, 'Shop <Shop@example.com>');
  assert.equal(loadConfig({}).mail.from, null);
  for (const bad of ['not an address', 'a@b.fr, c@d.fr']) {
    assert.throws(() => loadConfig({ RELAIS_MAIL_FROM: bad }), (err: unknown) => err instanceof ConfigError && err.message === `RELAIS_MAIL_FROM must be an e-mail address, optionally as "Name <address>" (got "${bad}")`);
  }
});
