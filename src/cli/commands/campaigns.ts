import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { getAccount } from '../../core/accounts.js';
import { createCampaign, deleteCampaign, getCampaign, listCampaigns } from '../../core/campaigns.js';
import { RelaisError } from '../../core/errors.js';
import { CAMPAIGN_KINDS, type CampaignMessages } from '../../core/types.js';
import { campaignView } from '../../views/campaign.js';
import { id, limitOption, print, withCore } from '../context.js';

interface ContentOptions {
  smsBody?: string;
  smsSender?: string;
  emailSubject?: string;
  emailBody?: string;
  emailBodyFile?: string;
  emailPlaintext?: string;
  emailFrom?: string;
  emailReplyTo?: string;
}

const given = (...values: unknown[]): boolean => values.some((v) => v !== undefined);

/** The channels the options fill in; a channel named by any of its options needs its body (core says so). */
async function messagesOf(opts: ContentOptions): Promise<CampaignMessages> {
  if (opts.emailBody !== undefined && opts.emailBodyFile !== undefined) {
    throw new RelaisError('invalid_request', '--email-body and --email-body-file exclude each other', { field: 'email-body' });
  }
  const emailBody = opts.emailBodyFile === undefined ? opts.emailBody : await readFile(opts.emailBodyFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new RelaisError('invalid_request', `--email-body-file: cannot read ${opts.emailBodyFile} (${err.code ?? err.message})`, { field: 'email-body-file' });
  });
  const messages: CampaignMessages = {};
  if (given(opts.smsBody, opts.smsSender)) messages.sms = { body: opts.smsBody ?? '', ...(opts.smsSender !== undefined && { sender: opts.smsSender }) };
  if (given(opts.emailSubject, emailBody, opts.emailPlaintext, opts.emailFrom, opts.emailReplyTo)) {
    messages.email = {
      subject: opts.emailSubject ?? '', body: emailBody ?? '',
      ...(opts.emailPlaintext !== undefined && { plaintext_body: opts.emailPlaintext }),
      ...(opts.emailFrom !== undefined && { from: opts.emailFrom }),
      ...(opts.emailReplyTo !== undefined && { reply_to: opts.emailReplyTo }),
    };
  }
  return messages;
}

const accountOption = (kind: string) => new Option('--account <id>', `account the ${kind} belongs to`).argParser(id).makeOptionMandatory();

/** `relais campaign | canvas  create | ls | show | rm`: the native API's /api/v1/campaigns and /api/v1/canvases, against the local database. */
export function registerCampaignCommands(program: Command): void {
  for (const kind of CAMPAIGN_KINDS) {
    const group = program.command(kind)
      .description(`manage an account's Braze ${kind === 'campaign' ? 'campaigns' : 'canvases'} (Liquid content per channel): create, ls, show, rm`);

    group.command('create')
      .description(`define a ${kind}; prints it with the id Braze calls take as ${kind}_id`)
      .addOption(accountOption(kind))
      .requiredOption('--name <name>', `the ${kind}'s name (1-200 characters)`)
      .option('--tag <tag...>', 'labels')
      .option('--sms-body <template>', 'SMS text, a Liquid template ({{${first_name}}} …)')
      .option('--sms-sender <sender>', 'SMS sender id (default: the account\'s)')
      .option('--email-subject <template>', 'e-mail subject, a Liquid template')
      .option('--email-body <template>', 'e-mail HTML body, a Liquid template')
      .option('--email-body-file <path>', 'read the e-mail HTML body from this file instead')
      .option('--email-plaintext <template>', 'e-mail text part, a Liquid template')
      .option('--email-from <mailbox>', 'e-mail From: address or "Name <address>"')
      .option('--email-reply-to <mailbox>', 'e-mail Reply-To')
      .action((opts: ContentOptions & { account: number; name: string; tag?: string[] }) => withCore(async (core) => {
        await getAccount(core, opts.account);
        print(campaignView(await createCampaign(core, opts.account, kind, { name: opts.name, tags: opts.tag, messages: await messagesOf(opts) })));
      }));

    group.command('ls')
      .description(`list an account's ${kind === 'campaign' ? 'campaigns' : 'canvases'}, newest first`)
      .addOption(accountOption(kind))
      .addOption(limitOption())
      .option('--cursor <cursor>', 'continue after a previous page (its nextCursor)')
      .action((opts: { account: number; limit: number; cursor?: string }) => withCore(async (core) => {
        await getAccount(core, opts.account);
        const page = await listCampaigns(core, opts.account, kind, { limit: opts.limit, cursor: opts.cursor });
        print({ items: page.items.map(campaignView), nextCursor: page.nextCursor });
      }));

    group.command('show')
      .description(`print one ${kind}`)
      .argument('<id>', `the ${kind}'s id (a UUID)`)
      .addOption(accountOption(kind))
      .action((campaignId: string, opts: { account: number }) => withCore(async (core) => {
        print(campaignView(await getCampaign(core, opts.account, kind, campaignId)));
      }));

    group.command('rm')
      .description(`delete a ${kind}; prints what was deleted`)
      .argument('<id>', `the ${kind}'s id (a UUID)`)
      .addOption(accountOption(kind))
      .action((campaignId: string, opts: { account: number }) => withCore(async (core) => {
        const c = await getCampaign(core, opts.account, kind, campaignId);
        await deleteCampaign(core, opts.account, kind, c.id);
        print({ id: c.id, deleted: true });
      }));
  }
}
