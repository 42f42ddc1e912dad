import { Argument, Option, type Command } from 'commander';
import { getAccount } from '../../core/accounts.js';
import { addSuppression, listSuppressions, removeSuppression } from '../../core/suppressions.js';
import type { SuppressionChannel } from '../../core/types.js';
import { suppressionAddedView, suppressionView } from '../../views/native.js';
import { id, print, withCore } from '../context.js';

const CHANNELS: SuppressionChannel[] = ['sms', 'email'];
const channelArgument = () => new Argument('<channel>', 'which list: sms (the STOP list) or email (unsubscribes)').choices(CHANNELS);
const accountOption = () => new Option('--account <id>', 'account whose list it is').argParser(id).makeOptionMandatory();

/** `relais suppressions add | ls | rm`: the native API's /api/v1/suppressions, against the local database. */
export function registerSuppressionCommands(program: Command): void {
  const suppressions = program.command('suppressions')
    .description('manage an account\'s STOP and unsubscribe lists: add, ls, rm');

  suppressions.command('add')
    .description('put an address on a list; cancels and refunds it in the account\'s scheduled messages; prints the entry')
    .addArgument(channelArgument())
    .argument('<address>', 'phone number (E.164 or national) or e-mail address')
    .addOption(accountOption())
    .option('--reason <reason>', 'why, kept with the entry')
    .action((channel: SuppressionChannel, address: string, opts: { account: number; reason?: string }) => withCore(async (core) => {
      await getAccount(core, opts.account);
      print(suppressionAddedView(await addSuppression(core, opts.account, channel, address, opts.reason ?? null)));
    }));

  suppressions.command('ls')
    .description('list the suppressed addresses of an account')
    .addArgument(channelArgument().argOptional())
    .addOption(accountOption())
    .action((channel: SuppressionChannel | undefined, opts: { account: number }) => withCore(async (core) => {
      await getAccount(core, opts.account);
      print({ items: (await listSuppressions(core, opts.account, channel)).map(suppressionView) });
    }));

  suppressions.command('rm')
    .description('take an address off a list (messages it was cancelled from stay cancelled); prints what was removed')
    .addArgument(channelArgument())
    .argument('<address>', 'phone number (E.164 or national) or e-mail address')
    .addOption(accountOption())
    .action((channel: SuppressionChannel, address: string, opts: { account: number }) => withCore(async (core) => {
      await getAccount(core, opts.account);
      print({ channel, address: await removeSuppression(core, opts.account, channel, address), removed: true });
    }));
}
