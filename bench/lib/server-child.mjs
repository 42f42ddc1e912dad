// Runs `relais serve` (argv[2] is the CLI entry, the rest its arguments) with a CPU profiler the
// benchmark starts and stops over IPC, so that a profile covers one measurement window only
// (a --cpu-prof profile would also hold the server's startup). Used by `npm run bench -- --profile`.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { pathToFileURL } from 'node:url';

const [entry, ...rest] = process.argv.slice(2);
process.argv = [process.argv[0], entry, ...rest];
let session;
process.on('message', async (m) => {
  try {
    if (m.cmd === 'prof-start') {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 500 });
      await session.post('Profiler.start');
    } else if (m.cmd === 'prof-stop') {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      session = undefined;
      writeFileSync(m.file, JSON.stringify(profile));
    }
    process.send({ id: m.id, ok: true });
  } catch (err) {
    process.send({ id: m.id, ok: false, error: String(err) });
  }
});
await import(pathToFileURL(entry).href);
