import type { TestApp } from './app.js';

/** Runs `fn` while watching (not replacing) the store's audio inserts; the tokens of the files it stored. */
export async function watchingAudioInserts(t: TestApp, fn: () => Promise<void>): Promise<string[]> {
  const store = t.store.autocommit;
  const insert = store.insertAudioFile;
  const tokens: string[] = [];
  store.insertAudioFile = async (f) => {
    const stored = await insert.call(store, f);
    if (stored) tokens.push(stored.token);
    return stored;
  };
  try {
    await fn();
  } finally {
    store.insertAudioFile = insert;
  }
  return tokens;
}
