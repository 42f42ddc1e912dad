import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { relative } from 'node:path';
import { describe, test } from 'node:test';
import { buildTable } from '../../bench/lib/report.js';
import { RESULTS_FILE, resultsFile, ROOT, type Recorded } from '../../bench/lib/results.js';

/** One workload-1a record of a run, as bench/run.ts writes it (only what the table reads). */
const record = (rate: number, run: Partial<Recorded> = {}): Recorded =>
  ({ run: 'r1', date: '2026-12-03T08:00:00.000Z', quick: false, db: 'sqlite', workload: '1a', variant: 'core', rate, ...run }) as Recorded;

const cellOf = (markdown: string): string => {
  const line = markdown.split('\n').find((l) => l.startsWith('| 1a schedule 1-by-1, core'));
  assert.ok(line, markdown);
  return line.split('|').slice(1, -1).map((c) => c.trim())[2];
};

describe('bench report: targets are judged on full-size runs only', () => {
  test('a full-size figure is judged against its target: ✓ or ✗, and counted', () => {
    const met = buildTable([record(20_000)]);
    assert.match(cellOf(met.markdown), /^20.000 ✓$/);
    assert.deepEqual(met.verdicts.map((v) => [v.row, v.db, v.pass]), [['1a schedule 1-by-1, core (msg/s)', 'sqlite', true]]);
    const missed = buildTable([record(900)]);
    assert.equal(cellOf(missed.markdown), '900 ✗');
    assert.deepEqual(missed.verdicts.map((v) => v.pass), [false]);
  });

  test('a --quick or --size figure is labelled indicative, neither ✓ nor ✗, and not counted', () => {
    for (const run of [{ quick: true }, { sizeOverrides: 'seqCore=3000' }]) {
      const { markdown, verdicts } = buildTable([record(900, run)]);
      assert.equal(cellOf(markdown), '900 (indicative)');
      assert.doesNotMatch(markdown, /[✓✗]/);
      assert.deepEqual(verdicts, []);
    }
  });
});

describe('bench results file', () => {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();

  test('a run appends to a git-ignored file, so that it leaves the tree clean', () => {
    const file = relative(ROOT, resultsFile(false, {}));
    assert.equal(git('check-ignore', file), file);
  });

  test('--record appends to the tracked history; RELAIS_BENCH_RESULTS overrides both', () => {
    assert.equal(resultsFile(true, {}), RESULTS_FILE);
    assert.equal(git('ls-files', relative(ROOT, RESULTS_FILE)), 'bench/results/results.jsonl');
    assert.equal(resultsFile(false, { RELAIS_BENCH_RESULTS: '/tmp/x.jsonl' }), '/tmp/x.jsonl');
    assert.equal(resultsFile(true, { RELAIS_BENCH_RESULTS: '/tmp/x.jsonl' }), '/tmp/x.jsonl');
  });
});
