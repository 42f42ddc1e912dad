import type { Command } from 'commander';
import { Option } from 'commander';
import type { Role } from '../../main.js';
import { config, fail, print } from '../context.js';

export function registerServeCommands(program: Command): void {
  program.command('serve')
    .description('run the HTTP API and the dispatcher (migrates the database first)')
    .addOption(new Option('--role <role>', 'api: HTTP only; worker: dispatcher only; all: both (default: RELAIS_ROLE, else all)').choices(['all', 'api', 'worker']))
    .action(async (opts: { role?: Role }) => {
      const cfg = config();
      // Loaded here, not at the top: the other commands and --help do without the HTTP stack.
      const { createLogger, startServer } = await import('../../main.js');
      const log = createLogger(cfg);
      const server = await startServer(cfg, { role: opts.role, logger: log }).catch(fail);
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'relais stopping');
        await server.close();
        process.exit(0);
      };
      process.on('SIGTERM', () => void stop('SIGTERM'));
      process.on('SIGINT', () => void stop('SIGINT'));
    });

  program.command('migrate')
    .description('create or upgrade the database schema, then exit')
    .action(async () => {
      const cfg = config();
      const { openStore, storeError } = await import('../../store/open.js');
      const store = await openStore({ url: cfg.db.url, migrate: false }).catch(fail);
      try {
        const applied = await store.migrate();
        print({ applied });
      } catch (err) {
        fail(storeError(err));
      } finally {
        await store.close();
      }
    });
}
