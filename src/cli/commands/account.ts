import { Option, type Command } from 'commander';
import { accountView, profileView } from '../../views/account.js';
import { createAccount, createApiKey, getAccount, topUp } from '../../core/accounts.js';
import { parseCredits } from '../../core/money.js';
import { SCOPES } from '../../core/scopes.js';
import { updateProfile } from '../../core/subaccounts.js';
import { id, print, withCore } from '../context.js';

/** `relais account …` and `relais key …`: what the admin API does, for an operator at the database. */
export function registerAccountCommands(program: Command): void {
  const account = program.command('account')
    .description('manage accounts: create, list, topup, settings');

  account.command('create')
    .description('create an account with an opening balance; prints it with its first API key (shown only once)')
    .requiredOption('--name <name>', 'account name')
    .option('--credits <amount>', 'opening balance, a decimal with at most 3 decimals (e.g. 12.5)', '0')
    .option('--parent <accountId>', 'make it a sub-account of this account', id)
    .action((opts: { name: string; credits: string; parent?: number }) => withCore(async (core) => {
      const { account: created, apiKey } = await createAccount(core, {
        name: opts.name, credits: parseCredits(opts.credits), parentId: opts.parent ?? null,
      });
      print({ ...accountView(created), apiKey });
    }));

  account.command('list')
    .description('list accounts with their balances')
    .option('--parent <accountId>', 'only the sub-accounts of this account', id)
    .action((opts: { parent?: number }) => withCore(async (core) => {
      if (opts.parent !== undefined) await getAccount(core, opts.parent);
      // The admin API lists accounts the same way; there is no business rule to go through.
      const accounts = await core.store.autocommit.listAccounts(opts.parent);
      print({ items: accounts.map(accountView) });
    }));

  account.command('topup')
    .description('add credits to an account; prints the account')
    .argument('<accountId>', 'account to credit', id)
    .requiredOption('--credits <amount>', 'amount to add, a positive decimal with at most 3 decimals')
    .action((accountId: number, opts: { credits: string }) => withCore(async (core) => {
      print(accountView(await topUp(core, accountId, parseCredits(opts.credits))));
    }));

  const onOff = (flags: string, description: string) => new Option(flags, description).choices(['on', 'off']);
  account.command('settings')
    .description('set operator settings of an account (as PATCH /admin/v1/accounts/{id}); prints the account with all of them')
    .argument('<accountId>', 'account to set', id)
    .addOption(onOff('--legal-window <state>', 'e-mail due from 20:00 to 08:00 (Europe/Paris), on a Sunday or a French public holiday waits until 08:00 of the next working day'))
    .addOption(onOff('--subaccounts <state>', 'whether the account may manage sub-accounts through the vendor APIs'))
    .action((accountId: number, opts: { legalWindow?: 'on' | 'off'; subaccounts?: 'on' | 'off' }) => withCore(async (core) => {
      const on = (state?: 'on' | 'off') => (state === undefined ? undefined : state === 'on');
      const profile = await updateProfile(core, accountId, { legalWindow: on(opts.legalWindow), subaccountsEnabled: on(opts.subaccounts) });
      print(profileView(await getAccount(core, accountId), profile));
    }));

  const key = program.command('key')
    .description('manage API keys: create');

  key.command('create')
    .description('create an API key for an account; prints it (shown only once)')
    .argument('<accountId>', 'account the key acts for', id)
    .option('--scope <scope...>', `limit the key to these scopes (${SCOPES.join(', ')}); default: every scope`)
    .action((accountId: number, opts: { scope?: string[] }) => withCore(async (core) => {
      const { apiKey, key: created } = await createApiKey(core, accountId, opts.scope ?? null);
      print({ apiKey, id: created.id, accountId: created.accountId, scopes: created.scopes });
    }));
}
