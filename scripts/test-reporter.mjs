// node:test reporter for `npm test`: one line per test file with its time, every failure in full
// under its file (with what the file printed), then the spec reporter's totals (`ℹ tests N`,
// `ℹ pass N`, `ℹ fail N`…) as the closing lines, which CI reads. The spec reporter itself prints
// one line per test (about 3 000 here) and TAP about 20 000.
import { relative } from 'node:path';
import { inspect } from 'node:util';

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** What node:test wraps around a test's own error (ERR_TEST_FAILURE) says nothing: show the cause. */
const describeError = (error) => inspect(error?.failureType && error.cause ? error.cause : error, { depth: 6 }).replace(/^/gm, '    ');

function newFile(file) {
  return { file, names: [], failures: [], output: [], durationMs: undefined, topLevelMs: 0, skipped: 0 };
}

function fileLine(f) {
  const skipped = f.skipped ? `, ${f.skipped} skipped` : '';
  const head = `${f.failures.length ? '✖' : '✔'} ${relative(process.cwd(), f.file)} (${seconds(f.durationMs ?? f.topLevelMs)}${skipped})\n`;
  if (!f.failures.length) return head;
  const output = f.output.length ? `  output of the file:\n${f.output.join('').replace(/^/gm, '    ')}\n` : '';
  return head + f.failures.join('') + output;
}

const REPORTED = new Set(['test:dequeue', 'test:start', 'test:pass', 'test:fail', 'test:complete', 'test:stdout', 'test:stderr', 'test:diagnostic']);

export default async function* report(source) {
  let current;
  let fileLevel = false;
  const totals = [];
  for await (const { type, data } of source) {
    if (!REPORTED.has(type)) continue;
    // Node 20 runs each file as a test named by its path: its dequeue starts the file, its
    // duration is the file's. A test's own `file` is where it was declared (a helper, maybe).
    // Without file-level tests (later Node versions), a file ends where another one's events start.
    const isFile = data.file !== undefined && data.name === data.file && data.nesting === 0;
    if (type === 'test:dequeue') {
      if (!isFile) continue;
      fileLevel = true;
    }
    const starts = type === 'test:dequeue' || (data.file !== undefined && (!current || (!fileLevel && current.file !== data.file)));
    if (starts && data.file !== undefined) {
      if (current) yield fileLine(current);
      current = newFile(data.file);
    }
    switch (type) {
      case 'test:start':
        if (!isFile) current.names[data.nesting] = data.name;
        break;
      case 'test:pass':
        if (data.skip !== undefined) current.skipped += 1;
        if (data.nesting === 0 && !isFile) current.topLevelMs += data.details.duration_ms;
        break;
      case 'test:fail': {
        if (data.nesting === 0 && !isFile) current.topLevelMs += data.details.duration_ms;
        const error = data.details.error;
        // A suite whose tests failed adds nothing to their own reports.
        if (error?.failureType === 'subtestsFailed') break;
        current.failures.push(isFile
          ? `  ✖ the file ${error?.signal ? `was killed by ${error.signal}` : `exited with code ${error?.exitCode}`} (its output is below)\n`
          : `  ✖ ${[...current.names.slice(0, data.nesting), data.name].join(' › ')}\n${describeError(error)}\n`);
        break;
      }
      case 'test:complete':
        if (isFile) current.durationMs = data.details.duration_ms;
        break;
      case 'test:stdout':
      case 'test:stderr':
        current?.output.push(data.message);
        break;
      case 'test:diagnostic':
        if (data.file === undefined) totals.push(`ℹ ${data.message}\n`);
        else current?.output.push(`ℹ ${data.message}\n`);
        break;
    }
  }
  if (current) yield fileLine(current);
  yield* totals;
}
