import { readFileSync } from 'node:fs';
import { Command, Help, type Option } from 'commander';
import { registerAccountCommands } from './commands/account.js';
import { registerCampaignCommands } from './commands/campaigns.js';
import { registerMessageCommands } from './commands/messages.js';
import { registerServeCommands } from './commands/serve.js';
import { registerSuppressionCommands } from './commands/suppressions.js';
import { usageError } from './context.js';

// src/cli and dist/cli are both two levels below the package root.
const version = (): string => (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Commander checks required options but does not say which they are in the help. */
function markRequired(this: Help, option: Option): string {
  const text = Help.prototype.optionDescription.call(this, option);
  return option.mandatory ? `${text} (required)` : text;
}

/** The whole command tree, built without running it (tests walk it to check that everything is documented). */
export function buildProgram(): Command {
  // Output settings are copied to subcommands when they are created, so they come first.
  const program = new Command()
    .name('relais')
    .description('Relais: scheduled SMS, e-mail and voice with race-free cancellation.\n'
      + 'Configuration comes from RELAIS_* environment variables and ./.env (see README).\n'
      + 'Commands other than serve work directly on the database of RELAIS_DATABASE_URL and print JSON.')
    .version(version(), '-V, --version', 'print the version')
    .configureOutput({ outputError: usageError })
    .configureHelp({ optionDescription: markRequired })
    .showHelpAfterError(false);

  registerServeCommands(program);
  registerAccountCommands(program);
  registerMessageCommands(program);
  registerSuppressionCommands(program);
  registerCampaignCommands(program);

  program.addHelpText('after', '\nRun "relais <command> --help" for the options of a command, e.g. "relais account create --help".');
  return program;
}
