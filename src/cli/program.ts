import { Command } from 'commander';
import { registerAccountCommands } from './commands/account.js';
import { registerMessageCommands } from './commands/messages.js';
import { registerServeCommands } from './commands/serve.js';
import { usageError } from './context.js';

/** The whole command tree, built without running it (tests walk it to check that everything is documented). */
export function buildProgram(): Command {
  // Output settings are copied to subcommands when they are created, so they come first.
  const program = new Command()
    .name('relais')
    .description('Relais: scheduled SMS, e-mail and voice with race-free cancellation.\n'
      + 'Configuration comes from RELAIS_* environment variables and ./.env (see README).\n'
      + 'Commands other than serve work directly on the database of RELAIS_DATABASE_URL and print JSON.')
    .configureOutput({ outputError: usageError })
    .showHelpAfterError(false);

  registerServeCommands(program);
  registerAccountCommands(program);
  registerMessageCommands(program);

  program.addHelpText('after', '\nRun "relais <command> --help" for the options of a command, e.g. "relais account create --help".');
  return program;
}
