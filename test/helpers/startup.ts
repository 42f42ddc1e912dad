import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/main.js';

/** The warnings a server started (and closed) with `env`, over a fresh SQLite file, logs. */
export async function startupWarnings(env: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'relais-startup-'));
  try {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => { lines.push(JSON.parse(s)); } });
    const server = await startServer(loadConfig({ RELAIS_DATA_DIR: dir, PORT: '0', ...env }), { logger });
    await server.close();
    return lines.filter((l) => l.level === 40).map((l) => l.msg);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
