#!/usr/bin/env node
// Checks the import layering (.dependency-cruiser.cjs) of src/ under the folder given (default:
// this repository): one line per broken rule on stderr, exit 1. `npm run layers`, part of `npm test`.
// Plain node, not tsx: under tsx's loader swc's CommonJS Visitor class is not found and every
// .ts file fails to parse.
import { resolve } from 'node:path';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';

const root = resolve(import.meta.dirname, '..');
const baseDir = resolve(process.argv[2] ?? root);

/** `rule: importer → imported`, a cycle written out from the importer round to it again. */
function describe(v) {
  const to = v.cycle?.length ? v.cycle.map((step) => step.name).join(' → ') : v.to;
  return `${v.rule.name}: ${v.from} → ${to}`;
}

const options = await extractDepcruiseOptions(resolve(root, '.dependency-cruiser.cjs'));
const { output } = await cruise(['src'], { ...options, baseDir });
// Without a TypeScript parser dependency-cruiser skips .ts files silently, and finds nothing broken.
if (!output.modules.some((m) => m.source.endsWith('.ts'))) {
  console.error(`layers: no .ts module read under ${baseDir}/src: is @swc/core installed?`);
  process.exit(1);
}
const lines = output.summary.violations.map(describe).sort();
const say = lines.length ? console.error : console.log;
for (const line of lines) say(`layers: ${line}`);
say(`layers: ${lines.length} broken in ${output.summary.totalCruised} modules (rules and reasons: .dependency-cruiser.cjs)`);
process.exitCode = lines.length ? 1 : 0;
