import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { HTTP_STATUS } from '../src/api/problem.js';
import { ENV, loadConfig } from '../src/config.js';
import { startServer } from '../src/main.js';
import { ERROR_CODES } from '../src/core/errors.js';

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

/** Rows `| \`NAME\` | cell | cell |` of the first table under `heading`, as [name, ...cells]. */
function tableRows(markdown: string, heading: string): string[][] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith(heading));
  assert.ok(section, `no "## ${heading}" section`);
  return section.split('\n')
    .filter((line) => /^\| `[^`]+` \|/.test(line))
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
}

test('README starts with the two set-up commands: npm install && npm start, then npm test', () => {
  const readme = read('README.md');
  const fence = readme.indexOf('```');
  assert.ok(fence > 0, 'README has no code block');
  // Only the title and the one-paragraph description may come before the commands.
  const before = readme.slice(0, fence).trim().split(/\n\s*\n/);
  assert.equal(before.length, 2, `expected a title and one paragraph before the commands, got ${before.length} blocks`);
  assert.match(before[0], /^# Relais$/);
  const block = readme.slice(fence).split('\n');
  assert.match(block[0], /^```(sh|bash|shell)?$/);
  assert.deepEqual(block.slice(1, block.indexOf('```', 1)), ['npm install && npm start', 'npm test']);
});

test('README config table lists every ENV variable, in order, with its default', () => {
  const rows = tableRows(read('README.md'), 'Configuration');
  assert.deepEqual(rows.map((r) => r[0].replace(/`/g, '')), Object.keys(ENV));
  for (const [name, defaultCell, meaning] of rows) {
    const spec = ENV[name.replace(/`/g, '') as keyof typeof ENV];
    assert.equal(defaultCell, spec.default === '' ? '(unset)' : `\`${spec.default}\``, `${name}: default`);
    assert.ok(meaning, `${name}: no meaning`);
  }
});

test('docs/errors.md has one row per error code with its HTTP status', () => {
  const rows = tableRows(read('docs/errors.md'), '');
  const byCode = new Map(rows.map((r) => [r[0].replace(/`/g, ''), r]));
  for (const code of ERROR_CODES) {
    const row = byCode.get(code);
    assert.ok(row, `docs/errors.md lacks ${code}`);
    assert.equal(row[1], String(HTTP_STATUS[code]), `${code}: HTTP status`);
    assert.ok(row[2], `${code}: no meaning`);
  }
  assert.deepEqual([...byCode.keys()].sort(), [...ERROR_CODES].sort(), 'docs/errors.md lists a code that does not exist');
});

test('npm test prints what README says: one line per file, a failure in full, the totals last', (t) => {
  assert.match(read('README.md'), /one line per file with its time/);
  const dir = mkdtempSync(join(tmpdir(), 'relais-runner-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Tests declared in a helper (as test/helpers/store.ts's dialectSuite does) count for the file that runs them.
  writeFileSync(join(dir, 'suite.ts'), `import { describe, test } from 'node:test';
export const suite = (name: string) => describe(name, () => test('passes in a helper', () => {}));
`);
  writeFileSync(join(dir, 'pass.test.ts'), `import { test } from 'node:test';
import { suite } from './suite.js';
console.log('printed by the passing file');
test('passes', () => {});
suite('declared in suite.ts');
`);
  writeFileSync(join(dir, 'fail.test.ts'), `import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
console.log('printed by the failing file');
describe('suite', () => {
  test('fails', () => assert.equal(1 + 1, 3));
});
`);
  const runner = fileURLToPath(new URL('../scripts/run-tests.mjs', import.meta.url));
  // Without NODE_TEST_CONTEXT, which would make the nested `node --test` skip its files.
  const { NODE_TEST_CONTEXT: _context, ...env } = process.env;
  const r = spawnSync(process.execPath, [runner, dir], { encoding: 'utf8', env, timeout: 120_000 });
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^✖ \S*fail\.test\.ts \(\d+\.\d s\)$/);
  assert.equal(lines[1], '  ✖ suite › fails');
  assert.match(r.stdout, /Expected values to be strictly equal:\n[\s\S]*2 !== 3/);
  assert.match(r.stdout, /printed by the failing file/);
  assert.doesNotMatch(r.stdout, /printed by the passing file/);
  assert.equal(lines.filter((l) => /^✔ /.test(l)).length, 1);
  assert.match(lines.find((l) => /^✔ /.test(l)) ?? '', /^✔ \S*pass\.test\.ts \(\d+\.\d s\)$/);
  // CI reads the closing summary.
  const totals = lines.slice(-8);
  assert.deepEqual(totals.map((l) => l.replace(/ [\d.]+$/, '')),
    ['ℹ tests', 'ℹ suites', 'ℹ pass', 'ℹ fail', 'ℹ cancelled', 'ℹ skipped', 'ℹ todo', 'ℹ duration_ms']);
  assert.deepEqual(totals.slice(0, 4), ['ℹ tests 3', 'ℹ suites 2', 'ℹ pass 2', 'ℹ fail 1']);
  assert.equal(lines.length, lines.indexOf(totals[0]) + 8);
  assert.doesNotMatch(r.stdout, /suite\.ts/);
});

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const markdownFiles = (): string[] => ['README.md', ...readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];

test('the docs point at no file outside the repository, and their links resolve', () => {
  for (const file of markdownFiles()) {
    const text = read(file);
    assert.doesNotMatch(text, /\.\.\/shared|\/work\//, `${file} points outside the repository`);
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const path = resolve(ROOT, dirname(file), target);
      assert.ok(!relative(ROOT, path).startsWith('..'), `${file}: ${target} is outside the repository`);
      assert.ok(existsSync(path), `${file}: ${target} does not exist`);
    }
  }
});

test('the tours name no literal message or account id: they keep the ids the answers return', () => {
  for (const file of ['README.md', 'docs/API.md', 'docs/dialects/smspartner.md']) {
    const blocks = read(file).split(/^```/m).filter((_, i) => i % 2 === 1).filter((b) => /^(sh|bash)\n/.test(b));
    assert.ok(blocks.length > 0, `${file} has no shell block`);
    for (const line of blocks.join('\n').split('\n').map((l) => l.replace(/\s+#.*$/, ''))) {
      assert.doesNotMatch(line, /(messages|accounts)\/\d|messageId=\d|--account \d|relais (show|cancel)\b.*\s\d+\b/, `${file}: ${line}`);
    }
  }
});

/** A bash that runs one command at a time and answers its stdout, for tours whose commands share variables. */
function shell() {
  const bash = spawn('bash', ['--noprofile', '--norc'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buffer = '';
  let waiting: ((out: string) => void) | undefined;
  bash.stdout.on('data', (d: Buffer) => {
    buffer += d;
    const end = buffer.indexOf('\x1e');
    if (end >= 0 && waiting) {
      const out = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      waiting(out);
    }
  });
  return {
    run: (command: string): Promise<string> => new Promise((done) => {
      waiting = done;
      bash.stdin.write(`${command}\nprintf '\\x1e'\n`);
    }),
    close: () => bash.kill(),
  };
}

/** `# {…,"a":1,…}: prose` → a pattern of the whole answer, `…` standing for anything; prose alone expects nothing. */
function expectation(comment: string): RegExp | undefined {
  if (!comment.startsWith('{')) return undefined;
  let depth = 0;
  let end = 0;
  for (; end < comment.length; end++) {
    depth += comment[end] === '{' ? 1 : comment[end] === '}' ? -1 : 0;
    if (depth === 0) break;
  }
  const json = comment.slice(0, end + 1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/…/g, '.*');
  return new RegExp(`^${json}$`);
}

test('the README tour works on a database that already holds data, and its comments match the answers', async (t) => {
  if (spawnSync('jq', ['--version']).error) return t.skip('jq is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'relais-tour-'));
  const config = loadConfig({ RELAIS_DATA_DIR: dir, RELAIS_ADMIN_TOKEN: 'secret', PORT: '0', RELAIS_LOG_LEVEL: 'silent' });
  const server = await startServer(config);
  const sh = shell();
  t.after(async () => {
    sh.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const base = server.address as string;
  // What was there before: an account and a scheduled message, so that no id of the tour is 1.
  const admin = { authorization: 'Bearer secret', 'content-type': 'application/json' };
  const old = await (await fetch(`${base}/admin/v1/accounts`, { method: 'POST', headers: admin, body: '{"name":"old","credits":"1"}' })).json() as { apiKey: string };
  const sent = await fetch(`${base}/api/v1/messages`, {
    method: 'POST', headers: { authorization: `Bearer ${old.apiKey}`, 'content-type': 'application/json' },
    body: '{"channel":"sms","to":["+33600000000"],"text":"before","sendAt":"2030-01-15T09:00:00+01:00"}',
  });
  assert.equal(sent.status, 201);

  const section = read('README.md').split(/^## /m).find((x) => x.startsWith('A tour with curl'));
  const block = section?.split('```')[1];
  assert.ok(block, 'README has no tour block');
  const commands = block.replace(/^sh\n/, '').replace(/\\\n\s*/g, '').split('\n').filter((l) => l.trim() && !/npm start/.test(l));
  assert.ok(commands.length >= 5, block);
  for (const line of commands) {
    const [, command, comment = ''] = /^(.*?)(?:\s+#\s+(.*))?$/.exec(line)!;
    const expected = expectation(comment);
    const run = () => sh.run(command.replace(/^B=\S+/, `B=${base}`));
    let out = (await run()).trim();
    // A message sent "now" reaches the outbox a moment later: a read may be repeated, never a write.
    for (let i = 0; expected && !expected.test(out) && !/-X /.test(command) && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      out = (await run()).trim();
    }
    if (expected) assert.match(out, expected, command);
    else assert.doesNotMatch(out, /relais\.dev\/errors/, `${command}\n${out}`);
  }
});
