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
