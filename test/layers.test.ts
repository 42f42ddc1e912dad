import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, test } from 'node:test';

const root = resolve(import.meta.dirname, '..');

/** `npm run layers` on the src/ folder under `baseDir`: its exit status, the broken rules it names, how many modules it read. */
function checkLayers(baseDir: string): { status: number | null; broken: string[]; modules: number } {
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'layers.mjs'), baseDir], { encoding: 'utf8' });
  const lines = `${run.stdout}${run.stderr}`.split('\n').filter((l) => l.startsWith('layers: '));
  const broken = lines.filter((l) => l.includes(' → ')).map((l) => l.slice('layers: '.length)).sort();
  const modules = Number(/ in (\d+) modules/.exec(lines.at(-1) ?? '')?.[1]);
  return { status: run.status, broken, modules };
}

// A small tree with one break of each rule, several of them type-only (`import type`, `import
// { type … }`, `export type … from`: a checker reading compiled JavaScript would not see them),
// and beside them the imports the layering allows.
const FIXTURE: Record<string, string> = {
  'src/core/ids.ts': 'export type Id = string;',
  'src/core/cycle-a.ts': "import type { B } from './cycle-b.js';\nexport interface A { b?: B }",
  'src/core/cycle-b.ts': "import type { A } from './cycle-a.js';\nexport interface B { a?: A }",
  'src/core/leak.ts': "import type { Row } from '../store/row.js';\nexport type Leaked = Row;",
  'src/core/log.ts': "import type { Logger } from 'pino';\nexport type Log = Logger;",
  'src/core/lost.ts': "import { nothing } from './nowhere.js';\nexport const lost = nothing;",
  'src/store/row.ts': "import type { Id } from '../core/ids.js';\nexport interface Row { id: Id }",
  'src/store/sends.ts': "import { send } from '../transports/send.js';\nexport const viaStore = send;",
  'src/transports/send.ts': "import type { Id } from '../core/ids.js';\nexport const send = (id: Id): Id => id;",
  'src/transports/peek.ts': "import { type Row } from '../store/row.js';\nexport type Peeked = Row;",
  'src/tts/say.ts': "import type { Id } from '../core/ids.js';\nimport { send } from '../transports/send.js';\nexport const say = (id: Id): Id => send(id);",
  'src/dispatch/loop.ts': "import { send } from '../transports/send.js';\nexport const loop = send;",
  'src/views/row-view.ts': "import type { Id } from '../core/ids.js';\nexport const view = (id: Id): string => id;",
  'src/views/peek.ts': "export type { Row as Shown } from '../store/row.js';",
  'src/api/app.ts': "import { LIMIT } from '../config.js';\nimport { DIALECTS } from './dialects/registry.js';\nexport const app = [LIMIT, DIALECTS];",
  'src/api/direct.ts': "import type { Row } from '../store/row.js';\nexport type Direct = Row;",
  'src/api/settings.ts': "import { LIMIT } from '../config.js';\nexport const limit = LIMIT;",
  'src/api/dialects/registry.ts': "import { alpha } from './alpha/index.js';\nimport { beta } from './beta/index.js';\nexport const DIALECTS = [alpha, beta];",
  'src/api/dialects/partner/envelope.ts': "import type { Id } from '../../../core/ids.js';\nexport const envelope = (id: Id): string => `<${id}>`;",
  'src/api/dialects/partner/borrow.ts': "import { alpha } from '../alpha/index.js';\nexport const borrowed = alpha;",
  'src/api/dialects/alpha/index.ts': "import { view } from '../../../views/row-view.js';\nimport { envelope } from '../partner/envelope.js';\nexport const alpha = [view, envelope];",
  'src/api/dialects/beta/index.ts': "import { alpha } from '../alpha/index.js';\nexport const beta = alpha;",
  'src/cli/main.ts': "import type { Row } from '../store/row.js';\nimport { app } from '../api/app.js';\nexport type CliRow = Row;\nexport const cli = app;",
  'src/config.ts': 'export const LIMIT = 1;',
  'src/main.ts': "import { app } from './api/app.js';\nimport { alpha } from './api/dialects/alpha/index.js';\nimport { viaStore } from './store/sends.js';\nexport const main = [app, alpha, viaStore];",
  'src/stray.ts': "import type { Id } from './core/ids.js';\nexport type Stray = Id;",
};

const EXPECTED = [
  'api-imports-only-core-and-views: src/api/direct.ts → src/store/row.ts',
  'cli-never-imports-api: src/cli/main.ts → src/api/app.ts',
  'core-imports-only-core: src/core/leak.ts → src/store/row.ts',
  'core-uses-no-infrastructure: src/core/log.ts → node_modules/pino/pino.js',
  'dialects-never-import-other-dialects: src/api/dialects/beta/index.ts → src/api/dialects/alpha/index.ts',
  'dialects-never-import-other-dialects: src/api/dialects/partner/borrow.ts → src/api/dialects/alpha/index.ts',
  'dialects-reached-through-registry: src/main.ts → src/api/dialects/alpha/index.ts',
  'dispatch-imports-only-core: src/dispatch/loop.ts → src/transports/send.ts',
  'every-import-resolves: src/core/lost.ts → ./nowhere.js',
  'no-circular: src/core/cycle-a.ts → src/core/cycle-b.ts → src/core/cycle-a.ts',
  'only-app-reads-config: src/api/settings.ts → src/config.ts',
  'roots-are-listed: src/stray.ts → src/core/ids.ts',
  'store-imports-only-core: src/store/sends.ts → src/transports/send.ts',
  'transports-import-only-core: src/transports/peek.ts → src/store/row.ts',
  'tts-imports-only-core: src/tts/say.ts → src/transports/send.ts',
  'views-import-only-core: src/views/peek.ts → src/store/row.ts',
];

const fixture = mkdtempSync(join(tmpdir(), 'relais-layers-'));
after(() => rmSync(fixture, { recursive: true, force: true }));

test('the layering check names each broken rule, type-only imports included, and nothing the layers allow', () => {
  for (const [path, source] of Object.entries(FIXTURE)) {
    mkdirSync(dirname(join(fixture, path)), { recursive: true });
    writeFileSync(join(fixture, path), `${source}\n`);
  }
  // The packages a fixture file imports resolve as they do in the repository.
  symlinkSync(join(root, 'node_modules'), join(fixture, 'node_modules'), 'dir');
  const { status, broken } = checkLayers(fixture);
  // A package is named by its real path, which here lies outside the temporary tree.
  assert.deepEqual(broken.map((line) => line.replace(/→ \S*\/node_modules\//, '→ node_modules/')), EXPECTED);
  assert.equal(status, 1);
});

test('src/ keeps the layering of DESIGN.md', () => {
  const { status, broken, modules } = checkLayers(root);
  assert.deepEqual(broken, []);
  assert.equal(status, 0);
  // Not clean by reading nothing: every source file went through the parser.
  const sources = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  assert.ok(modules >= sources.length, `read ${modules} modules, src/ has ${sources.length} .ts files`);
});
