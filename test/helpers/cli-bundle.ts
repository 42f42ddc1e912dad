import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

// ESM output has neither require nor __dirname: the CommonJS packages bundled inside need both.
const COMMONJS_GLOBALS = [
  "import { createRequire as __relaisCreateRequire } from 'node:module';",
  "import { fileURLToPath as __relaisFileURLToPath } from 'node:url';",
  "import { dirname as __relaisDirname } from 'node:path';",
  'const require = __relaisCreateRequire(import.meta.url);',
  'const __filename = __relaisFileURLToPath(import.meta.url);',
  'const __dirname = __relaisDirname(__filename);',
].join(' ');

/**
 * `relais` bundled with its dependencies into a few files, for the tests that start it as a child
 * process again and again: node then reads some 30 files instead of some 800 (kysely,
 * libphonenumber-js, typebox… one module each), which halves the CPU of every start (~1.4 s to
 * ~0.6 s). better-sqlite3 stays outside: it loads its native addon from beside its own files.
 * `remove` deletes the bundle.
 */
export async function bundleCli(): Promise<{ entry: string; remove(): void }> {
  // Inside the repository, so that the packages left outside resolve from node_modules.
  const out = join(ROOT, 'node_modules', '.cache', 'relais-test', `cli-${process.pid}-${randomBytes(3).toString('hex')}`);
  const esbuild = await import('esbuild');
  const remove = () => rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  try {
    // The repository's layout (out/src/cli/main.js), so that the CLI finds its version in ../../package.json.
    await esbuild.build({
      entryPoints: [join(ROOT, 'src', 'cli', 'main.ts')], outdir: join(out, 'src', 'cli'), bundle: true, splitting: true,
      format: 'esm', platform: 'node', target: 'node20', external: ['better-sqlite3'], banner: { js: COMMONJS_GLOBALS }, logLevel: 'error',
    });
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    writeFileSync(join(out, 'package.json'), `${JSON.stringify({ type: 'module', version })}\n`);
  } catch (err) {
    remove();
    throw err;
  }
  return { entry: join(out, 'src', 'cli', 'main.js'), remove };
}
