import { InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config.js';
import type { Core } from '../core/context.js';
import { RelaisError } from '../core/errors.js';
import { MAX_PAGE } from '../core/queries.js';

/**
 * Prints one line for any failure and exits 1. Scripts parse `relais: <code>: <message>`, so
 * even unexpected errors get a code and never a stack trace.
 */
export function fail(err: unknown): never {
  if (err instanceof ConfigError) console.error(`relais: configuration: ${oneLine(err.message)}`);
  else if (err instanceof RelaisError) console.error(`relais: ${err.code}: ${oneLine(err.message)}`);
  else console.error(`relais: internal: ${oneLine(err instanceof Error ? err.message : String(err))}`);
  process.exit(1);
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();

/** Writes commander's own usage errors (unknown option, missing argument…) in the same one-line shape. */
export const usageError = (str: string, write: (s: string) => void): void =>
  write(`relais: invalid_request: ${oneLine(str.replace(/^error: /, ''))}\n`);

export function config(): Config {
  try {
    return loadConfig(process.env, { dotenv: true });
  } catch (err) {
    fail(err);
  }
}

/** Runs a command against the local database, closing it afterwards. */
export async function withCore<T>(fn: (core: Core, config: Config) => Promise<T>): Promise<T> {
  const cfg = config();
  // Loaded on demand: the database drivers are slow to load, and --help and usage errors need none.
  const [{ composeCore }, { openStore }] = await Promise.all([import('../compose.js'), import('../store/open.js')]);
  const store = await openStore({ url: cfg.db.url, poolSize: cfg.db.poolSize, statementTimeoutMs: cfg.db.statementTimeoutMs }).catch(fail);
  try {
    return await fn(composeCore(cfg, store), cfg);
  } catch (err) {
    fail(err);
  } finally {
    await store.close();
  }
}

export const print = (value: unknown): void => console.log(JSON.stringify(value, null, 2));

/** Commander parser for ids and counts; its message ends up in the one-line usage error. */
export const positiveInt = (max = Number.MAX_SAFE_INTEGER) => (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) {
    throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? 'expected a positive integer' : `expected an integer from 1 to ${max}`);
  }
  return n;
};

export const id = positiveInt();

/** `--limit` of the commands that list, newest first, a page at a time. */
export const limitOption = (): Option => new Option('--limit <n>', `how many, newest first (1-${MAX_PAGE})`).argParser(positiveInt(MAX_PAGE)).default(50);
