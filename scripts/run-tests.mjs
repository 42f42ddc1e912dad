#!/usr/bin/env node
// Runs test/**/*.test.ts (or only the files/folders given) through node:test + tsx.
// Node 20's `node --test` runs nothing without explicit files, so the list is built here.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = join(import.meta.dirname, '..');

function walk(path, out) {
  if (statSync(path).isFile()) {
    if (path.endsWith('.test.ts')) out.push(path);
    return out;
  }
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    walk(join(path, entry.name), out);
  }
  return out;
}

// Options (`--test-name-pattern=…`, `--test-reporter=tap`…) go to node; the rest are files and folders.
const nodeOptions = process.argv.slice(2).filter((a) => a.startsWith('--'));
const targets = process.argv.slice(2).filter((a) => !a.startsWith('--'));
for (const t of targets) {
  if (!existsSync(t)) {
    console.error(`run-tests: no such file or folder: ${t}`);
    process.exit(1);
  }
}
// Paths relative to the repository root, where the child runs (so that `--import tsx` resolves).
const files = [...new Set((targets.length ? targets : [join(root, 'test')]).flatMap((t) => walk(resolve(t), [])))]
  .map((f) => relative(root, f))
  .sort();
if (files.length === 0) {
  console.error(`run-tests: no *.test.ts files under ${targets.join(' ') || 'test/'}`);
  process.exit(1);
}

// One line per file, failures in full, the totals last (scripts/test-reporter.mjs).
const reporter = nodeOptions.some((o) => o.startsWith('--test-reporter'))
  ? []
  : [`--test-reporter=${join(root, 'scripts', 'test-reporter.mjs')}`, '--test-reporter-destination=stdout'];
const child = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...reporter, ...nodeOptions, ...files], { stdio: 'inherit', cwd: root });
if (child.error) throw child.error;
process.exit(child.status ?? 1);
