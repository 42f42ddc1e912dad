#!/usr/bin/env node
import { Command } from 'commander';
import { registerAccountCommands } from './commands/account.js';
import { registerMessageCommands } from './commands/messages.js';
import { registerServeCommands } from './commands/serve.js';

const program = new Command()
  .name('relais')
  .description('Relais: scheduled SMS, e-mail and voice with race-free cancellation.\nConfiguration comes from RELAIS_* environment variables (see README).')
  .showHelpAfterError();

registerServeCommands(program);
registerAccountCommands(program);
registerMessageCommands(program);

await program.parseAsync(process.argv);
