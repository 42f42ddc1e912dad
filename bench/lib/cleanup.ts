/** Things to undo however the run ends (temp files, databases, child processes), newest first. */
const tasks = new Map<number, () => Promise<void> | void>();
let next = 0;

export function onCleanup(fn: () => Promise<void> | void): () => void {
  const id = next++;
  tasks.set(id, fn);
  return () => void tasks.delete(id);
}

export async function cleanupAll(): Promise<void> {
  const list = [...tasks.entries()].reverse();
  tasks.clear();
  for (const [, fn] of list) {
    try {
      await fn();
    } catch (err) {
      process.stderr.write(`cleanup: ${(err as Error).message}\n`);
    }
  }
}
