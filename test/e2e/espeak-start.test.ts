/**
 * espeak-ng at start-up (startServer in this process, SQLite in a temp directory): where it is
 * missing the server starts all the same, its core estimates voice durations, and the log says
 * so once; where it runs, core speaks with it and the log says nothing about it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { speak, speech } from '../../src/core/speech.js';
import { startServer } from '../../src/main.js';
import { Espeak } from '../../src/tts/espeak.js';

let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), 'relais-espeak-start-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

const WARNING = 'espeak-ng not found: voice durations are estimated; apt-get install espeak-ng';

async function start(espeak: Espeak) {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => { lines.push(JSON.parse(s)); } });
  const config = loadConfig({ RELAIS_DATABASE_URL: `sqlite:${join(dir, 'relais.db')}`, RELAIS_DATA_DIR: dir, RELAIS_SECRET_KEY: 'a'.repeat(64), PORT: '0' });
  return { server: await startServer(config, { role: 'all', logger, espeak }), lines };
}

test('without espeak-ng the server starts, estimates durations, and warns once', async () => {
  const { server, lines } = await start(new Espeak({ command: join(dir, 'no-such-espeak-ng') }));
  try {
    assert.equal((await fetch(`${server.address}/healthz`)).status, 200);
    assert.deepEqual(lines.filter((l) => l.level >= 40).map((l) => l.msg), [WARNING]);
    assert.equal(server.core.synthesizer, null);
    assert.deepEqual(await speak(server.core.synthesizer, speech('un ,, deux')), { wav: null, durationMs: 1686 });
  } finally {
    await server.close();
  }
});

test('with espeak-ng core speaks through it, without a warning', { skip: (await new Espeak().available()) || process.env.CI === 'true' ? false : 'espeak-ng not installed' }, async () => {
  const espeak = new Espeak();
  const { server, lines } = await start(espeak);
  try {
    assert.equal(server.core.synthesizer, espeak);
    assert.deepEqual(lines.filter((l) => l.msg === WARNING), []);
    const { wav } = await speak(server.core.synthesizer, speech('bonjour'));
    assert.equal(wav?.toString('latin1', 0, 4), 'RIFF');
  } finally {
    await server.close();
  }
});
