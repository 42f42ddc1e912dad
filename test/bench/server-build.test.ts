import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { cleanupAll } from '../../bench/lib/cleanup.js';
import { serverEntry } from '../../bench/lib/relais.js';

const ROOT = join(import.meta.dirname, '..', '..');

test('the benchmarks\' compiled server starts: what src reads beside itself (the CLI version) is found', async () => {
  try {
    const entry = await serverEntry('build');
    const { stdout } = await promisify(execFile)(process.execPath, [...entry, '--version'], { timeout: 30_000 });
    assert.equal(stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  } finally {
    await cleanupAll();
  }
});
