import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { relative } from 'node:path';
import { describe, test } from 'node:test';
import { buildTable } from '../../bench/lib/report.js';
import { RESULTS_FILE, resultsFile, ROOT, type Recorded } from '../../bench/lib/results.js';

/** One record of a run, as bench/run.ts writes it (only what the table reads): by default workload 1a, core, on SQLite. */
const record = (rate: number, run: Partial<Recorded> = {}): Recorded =>
  ({ run: 'r1', date: '2026-12-03T08:00:00.000Z', quick: false, db: 'sqlite', workload: '1a', variant: 'core', rate, ...run }) as Recorded;
/** The schedule floor of the same run (bench/workloads/w0-floor.ts). */
const floor = (rate: number, run: Partial<Recorded> = {}): Recorded => record(rate, { workload: 'floor', variant: 'schedule', ...run });

/** The cells of the row starting with `label`: [workload, target, first column, …]. */
const rowOf = (markdown: string, label = '1a schedule 1-by-1, core'): string[] => {
  const line = markdown.split('\n').find((l) => l.startsWith(`| ${label}`));
  assert.ok(line, markdown);
  return line.split('|').slice(1, -1).map((c) => c.trim());
};
const cellOf = (markdown: string): string => rowOf(markdown)[2];

describe('bench report: targets are judged on full-size runs only', () => {
  test('a full-size figure is judged against its target: ✓ or ✗, and counted', () => {
    const met = buildTable([floor(5_000), record(4_500)]);
    assert.equal(cellOf(met.markdown), '4,500 (90 % of floor) ✓');
    assert.deepEqual(met.verdicts.map((v) => [v.row, v.db, v.pass]), [['1a schedule 1-by-1, core (msg/s)', 'sqlite', true]]);
    const missed = buildTable([floor(5_000), record(900)]);
    assert.equal(cellOf(missed.markdown), '900 (18 % of floor) ✗');
    assert.deepEqual(missed.verdicts.map((v) => v.pass), [false]);
  });

  test('a --quick or --size figure is labelled indicative, neither ✓ nor ✗, and not counted', () => {
    for (const run of [{ quick: true }, { sizeOverrides: 'seqCore=3000' }]) {
      const { markdown, verdicts } = buildTable([floor(5_000, run), record(900, run)]);
      assert.equal(cellOf(markdown), '900 (18 % of floor) (indicative)');
      assert.doesNotMatch(markdown, /[✓✗]/);
      assert.deepEqual(verdicts, []);
    }
  });
});

describe('bench report: 1a, 4 and the size judged against the floor measured in the same run (DECISIONS §41)', () => {
  test('1a core passes at 80 % of the floor and not a message per second below; the target names the floor', () => {
    const at = buildTable([floor(5_000), record(4_000)]);
    assert.deepEqual(rowOf(at.markdown).slice(1, 3), ['≥ 80 % of floor (floor 5,000/s)', '4,000 (80 % of floor) ✓']);
    assert.deepEqual(at.verdicts.map((v) => [v.target, v.value, v.pass]), [['≥ 80 % of floor (floor 5,000/s)', '4,000 (80 % of floor)', true]]);
    const below = buildTable([floor(5_000), record(3_999)]);
    assert.equal(cellOf(below.markdown), '3,999 (79 % of floor) ✗');
    assert.deepEqual(below.verdicts.map((v) => v.pass), [false]);
  });

  test('without a floor in the run (none, or another run\'s, or another database\'s) 1a core is not judged, and says so', () => {
    for (const records of [[record(20_000)], [floor(5_000, { run: 'r0' }), record(20_000)], [floor(5_000, { db: 'postgres' }), record(20_000)]]) {
      const { markdown, verdicts } = buildTable(records);
      assert.equal(cellOf(markdown), '20,000 (no floor in this run: not judged)');
      assert.deepEqual(verdicts, []);
    }
    assert.equal(rowOf(buildTable([record(20_000)]).markdown)[1], '≥ 80 % of floor (no floor in this run)');
  });

  test('the floor is the median of its repetitions; on PostgreSQL the graphile-worker ratio is still shown, each database against its own floor', () => {
    const { markdown, verdicts } = buildTable([
      floor(5_000), floor(4_000, { rep: 1 }), floor(6_000, { rep: 2 }), record(4_200),
      floor(1_500, { db: 'postgres' }), record(1_103, { db: 'postgres' }), record(739, { db: 'peer:graphile-worker' }),
    ]);
    assert.deepEqual(rowOf(markdown).slice(1), ['≥ 80 % of floor (floor SQLite 5,000/s; PG 1,500/s)', '4,200 (84 % of floor) ✓', '1,103 (1.49× graphile; 73 % of floor) ✗', '739']);
    assert.deepEqual(verdicts.map((v) => [v.db, v.target, v.pass]), [['sqlite', '≥ 80 % of floor (floor 5,000/s)', true], ['postgres', '≥ 80 % of floor (floor 1,500/s)', false]]);
  });

  test('4 core on SQLite is judged against the cancel floor', () => {
    const cancel = (rate: number) => record(rate, { workload: '4' });
    const { markdown, verdicts } = buildTable([floor(8_000, { variant: 'cancel' }), cancel(6_400)]);
    assert.deepEqual(rowOf(markdown, '4 cancel 1-by-1, core').slice(1, 3), ['SQLite ≥ 80 % of cancel floor (floor 8,000/s)', '6,400 (80 % of floor) ✓']);
    assert.deepEqual(verdicts.map((v) => v.pass), [true]);
    assert.equal(rowOf(buildTable([floor(8_000, { variant: 'cancel' }), cancel(6_399)]).markdown, '4 cancel 1-by-1, core')[2], '6,399 (79 % of floor) ✗');
  });

  test('the 1 M size passes when the floor\'s bytes are at least 80 % of it', () => {
    const size = (perMessage: number) => buildTable([
      record(0, { workload: 'floor', variant: 'size', n: 1_000_000, perMessage }),
      record(0, { workload: '6', variant: 'default', n: 1_000_000, storeBytes: 250_000_000, storeEmptyBytes: 100_000 }),
    ]);
    const at = size(200);
    assert.deepEqual(rowOf(at.markdown, '6 pending: database size').slice(1, 3), ['floor ≥ 80 % of size (floor 191 MB per 1 M)', '238 MB for 1,000,000; floor 80 % of it ✓']);
    assert.deepEqual(at.verdicts.filter((v) => v.row.includes('size')).map((v) => v.pass), [true]);
    const below = size(199.9);
    assert.equal(rowOf(below.markdown, '6 pending: database size')[2], '238 MB for 1,000,000; floor 79 % of it ✗');
    assert.deepEqual(below.verdicts.filter((v) => v.row.includes('size')).map((v) => v.pass), [false]);
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
