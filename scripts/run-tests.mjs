#!/usr/bin/env node
// Runs test/**/*.test.ts (or only the files/folders given) through node:test + tsx.
// Node 20's `node --test` runs nothing without explicit files, so the list is built here.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

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

// The end-to-end files start servers and time kills and bursts: each runs alone.
const alone = (file) => file.startsWith(`test${sep}e2e${sep}`);

// The longest files of a whole run, longest first (times of a run on 2 cores, from the reporter's
// lines). Started before the others, they do not end the run alone on one core while the other
// idles. Only an order: a file missing here, or one that got faster, changes no result.
const LONGEST = [
  'test/cli/cli.test.ts', 'test/fuzz/api.test.ts', 'test/dispatch/dispatcher.test.ts', 'test/transports/smtp.test.ts',
  'test/api/dialects/voicepartner/send.test.ts', 'test/api/dialects/mailpartner/send.test.ts',
  'test/api/dialects/smspartner/subaccounts.test.ts', 'test/api/native/errors.test.ts', 'test/api/dialects/braze/claim.test.ts',
  'test/api/native/cancel.test.ts', 'test/docs.test.ts', 'test/transports/http-contract.test.ts',
].map((f) => f.split('/').join(sep));

/**
 * Indexes into `files` in the order they start: the end-to-end files first (alone, so the pool is
 * not drained for them midway), then the longest files, then the others in file order.
 */
function runOrder() {
  const rank = (i) => (alone(files[i]) ? -1 : LONGEST.includes(files[i]) ? LONGEST.indexOf(files[i]) : LONGEST.length);
  return files.map((_, i) => i).sort((a, b) => rank(a) - rank(b) || a - b);
}

// One line per file, failures in full, the totals last (scripts/test-reporter.mjs).
const custom = !nodeOptions.some((o) => o.startsWith('--test-reporter'));
const reporter = custom ? [`--test-reporter=${join(root, 'scripts', 'test-reporter.mjs')}`, '--test-reporter-destination=stdout'] : [];
const env = { ...process.env };
const nodeTest = (list, stdio) => spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...reporter, ...nodeOptions, ...list], { stdio, cwd: root, env });

if (!custom || files.length === 1) {
  const child = nodeTest(files, 'inherit');
  child.on('close', (code) => process.exit(code ?? 1));
} else {
  const template = pgTemplate('create');
  if (template) env.RELAIS_TEST_PG_TEMPLATE = template;
  // Dropped however the run ends: this run's databases are its own, the template too.
  const drop = () => template && pgTemplate('drop', template);
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => { drop(); process.exit(130); });
  runInParallel().then((code) => {
    drop();
    process.exit(code);
  });
}

/**
 * A migrated PostgreSQL database the test files copy instead of migrating each of their own
 * (test/helpers/pg-template.ts): some 0.4 s less per database, a few hundred databases a run.
 * Without one (PostgreSQL not tested or unreachable, a migration that fails), each file migrates
 * its own databases as it would alone, and meets the failure there.
 */
function pgTemplate(command, name) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join('test', 'helpers', 'pg-template.ts'), command, ...(name ? [name] : [])], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`run-tests: pg-template ${command} failed; ${command === 'create' ? 'each file migrates its own databases' : `database ${name} is left`}: ${(r.stderr || '').trim().split('\n').pop()}\n`);
    return undefined;
  }
  return r.stdout.trim() || undefined;
}

/**
 * Two files at a time (the machines have 2 cores; one file keeps about one busy), the
 * end-to-end ones alone: each file runs in its own `node --test`, so that every line of the reporter belongs to that file. Their blocks
 * are printed in file order, each as soon as the files before it have been, and the totals of all
 * of them closed the output as one run's would.
 */
function runInParallel() {
  const WORKERS = 2;
  const started = Date.now();
  const blocks = new Array(files.length);
  const totals = new Map();
  let printed = 0;
  let failed = false;
  const flush = () => {
    while (printed < files.length && blocks[printed] !== undefined) process.stdout.write(blocks[printed++]);
  };
  const runOne = (i) => new Promise((done) => {
    const child = nodeTest([files[i]], ['ignore', 'pipe', 'inherit']);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c) => { out += c; });
    child.on('close', (code) => {
      if (code !== 0) failed = true;
      const lines = out.split('\n');
      const body = [];
      for (const line of lines) {
        const m = /^ℹ (\w+) ([\d.]+)$/.exec(line);
        if (m) totals.set(m[1], (totals.get(m[1]) ?? 0) + Number(m[2]));
        else if (line !== '' || body.length) body.push(line);
      }
      blocks[i] = body.join('\n').replace(/\n+$/, '') + '\n';
      flush();
      done();
    });
  });
  const schedule = async () => {
    const running = new Set();
    for (const i of runOrder()) {
      if (alone(files[i])) {
        await Promise.all(running);
        await runOne(i);
        continue;
      }
      if (running.size >= WORKERS) await Promise.race(running);
      const run = runOne(i).then(() => running.delete(run));
      running.add(run);
    }
    await Promise.all(running);
  };
  return schedule().then(() => {
    totals.set('duration_ms', Date.now() - started);
    for (const key of ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo', 'duration_ms']) {
      process.stdout.write(`ℹ ${key} ${totals.get(key) ?? 0}\n`);
    }
    return failed ? 1 : 0;
  });
}
