#!/usr/bin/env node
// `npm run conformance -- [--only <dialect>] [--quick]`: the black-box conformance checks of the
// project's shared folder (kept beside the repository, not in it), which start `npm start` on a
// fresh SQLite file and drive it over HTTP as a vendor's client would.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const run = resolve(root, '..', 'shared', 'conformance', 'run');
if (!existsSync(run)) {
  console.error(`conformance: ${run} is not there; the checks live in the project's shared folder beside this repository`);
  process.exit(2);
}
const r = spawnSync(run, process.argv.slice(2), { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
