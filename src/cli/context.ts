import { ConfigError, loadConfig, type Config } from '../config.js';
import type { Core } from '../core/context.js';
import { RelaisError } from '../core/errors.js';
import { composeCore } from '../main.js';
import { openStore } from '../store/open.js';

/** Prints a clear line for expected failures (bad config, bad input) and exits 1. */
export function fail(err: unknown): never {
  if (err instanceof ConfigError) console.error(`relais: configuration: ${err.message}`);
  else if (err instanceof RelaisError) console.error(`relais: ${err.code}: ${err.message}`);
  else console.error('relais:', err instanceof Error ? err.message : err);
  process.exit(1);
}

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
  const store = await openStore({ url: cfg.db.url }).catch(fail);
  try {
    return await fn(composeCore(cfg, store), cfg);
  } catch (err) {
    fail(err);
  } finally {
    await store.close();
  }
}

export const print = (value: unknown): void => console.log(JSON.stringify(value, null, 2));
