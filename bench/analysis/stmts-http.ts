// Per-statement cost of POST /api/v1/messages under load (7): the server runs in this process
// (startServer, role all) so that its statements can be timed; autocannon runs as a child, 100
// connections. Native time on SQLite, round-trip latency on PostgreSQL. Figures behind
// docs/BENCHMARKS.md (What changed, 12).
//   npx tsx bench/analysis/stmts-http.ts sqlite|postgres [seconds=10]
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createAccount } from '../../src/core/accounts.js';
import { startServer } from '../../src/main.js';
import { BenchDb } from '../lib/db.js';
import { SMS_TEXT } from '../lib/relais.js';
import { ROOT } from '../lib/results.js';
import { measuring, report } from './statements.js';

const kind = (process.argv[2] ?? 'sqlite') as 'sqlite' | 'postgres';
const seconds = Number(process.argv[3] ?? 10);
const db = await BenchDb.create(kind);
const server = await startServer(loadConfig({ RELAIS_DATABASE_URL: db.url, RELAIS_LOG_LEVEL: 'warn', PORT: '0' }));
try {
  const { apiKey } = await createAccount(server.core, { name: 'bench', credits: 1_000_000_000_000 });
  const body = JSON.stringify({ channel: 'sms', to: ['+33612345678'], text: SMS_TEXT, sendAt: new Date(Date.now() + 600_000).toISOString() });
  const args = ['-c', '100', '-d', String(seconds), '-m', 'POST', '-H', 'content-type=application/json', '-H', `authorization=Bearer ${apiKey}`,
    '-b', body, '-j', `${server.address}/api/v1/messages`];
  measuring(true);
  const t = performance.now();
  const child = spawn(join(ROOT, 'node_modules/.bin/autocannon'), args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  await new Promise((resolve) => child.on('close', resolve));
  const wall = performance.now() - t;
  const requests = (JSON.parse(out) as { requests: { total: number } }).requests.total;
  report(`${kind} POST /api/v1/messages, 100 connections`, requests, wall, kind, 'req');
} finally {
  measuring(false);
  await server.close();
  await db.drop();
}
