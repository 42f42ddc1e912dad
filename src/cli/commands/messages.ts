import { Option, type Command } from 'commander';
import { getAccount } from '../../core/accounts.js';
import { cancelMessage, cancelMessages } from '../../core/cancel.js';
import { RelaisError } from '../../core/errors.js';
import { parseInstant, parseOptionalInstant } from '../../core/instant.js';
import { getMessageDetail, listMessages, listOutbox } from '../../core/queries.js';
import { scheduleAnyMessage } from '../../core/schedule-any.js';
import { CHANNELS, MESSAGE_STATUSES, type Account, type Channel, type MessageContent } from '../../core/types.js';
import { cancelOneView, cancelView, messageDetailView, messageView, outboxView } from '../../views/native.js';
import { id, limitOption, print, withCore } from '../context.js';

interface SendOptions {
  account: number;
  channel: Channel;
  to: string[];
  text?: string;
  subject?: string;
  html?: string;
  sender?: string;
  unicode?: boolean;
  audioUrl?: string;
  at?: string;
  tag?: string;
  batch?: string;
  idempotencyKey?: string;
}

const FIELDS_BY_CHANNEL: Record<Channel, readonly (keyof SendOptions)[]> = {
  sms: ['text', 'sender', 'unicode'],
  email: ['subject', 'text', 'html', 'sender'],
  voice: ['text', 'audioUrl', 'sender'],
};
const CONTENT_OPTIONS = { text: '--text', subject: '--subject', html: '--html', sender: '--sender', unicode: '--unicode', audioUrl: '--audio-url' } as const;

/** Same rules as the native API: an option that does not apply to the channel is refused, not ignored. */
function contentOf(opts: SendOptions, account: Account): MessageContent {
  const allowed = FIELDS_BY_CHANNEL[opts.channel];
  const stray = (Object.keys(CONTENT_OPTIONS) as (keyof typeof CONTENT_OPTIONS)[]).find((f) => opts[f] !== undefined && !allowed.includes(f));
  if (stray) throw new RelaisError('invalid_request', `${CONTENT_OPTIONS[stray]} does not apply to ${opts.channel} messages`, { field: stray });
  const sender = opts.sender ?? account.defaultSender;
  switch (opts.channel) {
    case 'sms':
      return { channel: 'sms', text: opts.text ?? '', sender, unicode: opts.unicode ?? false };
    case 'email':
      // Core gives a mail without a From its default (the account's address, RELAIS_MAIL_FROM).
      return { channel: 'email', subject: opts.subject ?? '', text: opts.text ?? null, html: opts.html ?? null, from: opts.sender ?? null, replyTo: null };
    case 'voice':
      return { channel: 'voice', text: opts.text ?? null, audioUrl: opts.audioUrl ?? null, sender };
  }
}

/** `relais send | ls | show | cancel | outbox`: the native API's message operations, against the local database. */
export function registerMessageCommands(program: Command): void {
  program.command('send')
    .description('schedule a message (debits its price now); prints the message')
    .requiredOption('--account <id>', 'account that sends and pays', id)
    .addOption(new Option('--channel <channel>', 'channel').choices(CHANNELS).makeOptionMandatory())
    .requiredOption('--to <address...>', 'recipients: phone numbers (E.164 or national) or e-mail addresses')
    .option('--text <text>', 'SMS text, e-mail plain-text body, or text-to-speech text')
    .option('--subject <subject>', 'e-mail subject')
    .option('--html <html>', 'e-mail HTML body')
    .option('--sender <sender>', 'SMS/voice sender id or e-mail From (default: the account\'s default sender)')
    .option('--unicode', 'SMS: send as UCS-2 (70 characters per segment)')
    .option('--audio-url <url>', 'voice: recorded audio to play instead of text-to-speech')
    .option('--at <instant>', 'send time, RFC 3339 with offset, e.g. 2030-01-01T09:00:00+01:00 (default: now)')
    .option('--tag <tag>', 'tag, for listing and bulk cancel')
    .option('--batch <batchId>', 'batch id, for listing and bulk cancel')
    .option('--idempotency-key <key>', 'repeat-safe key: the same key and request return the first message')
    .action((opts: SendOptions) => withCore(async (core) => {
      const account = await getAccount(core, opts.account);
      const { message } = await scheduleAnyMessage(core, account.id, {
        channel: opts.channel, recipients: opts.to, content: contentOf(opts, account),
        sendAt: parseOptionalInstant(opts.at, '--at'), tag: opts.tag, batchId: opts.batch, idempotencyKey: opts.idempotencyKey,
      });
      print(messageView(message));
    }));

  program.command('ls')
    .description('list an account\'s messages, newest first')
    .requiredOption('--account <id>', 'account whose messages to list', id)
    .addOption(new Option('--status <status>', 'only messages in this state').choices(MESSAGE_STATUSES))
    .addOption(new Option('--channel <channel>', 'only messages of this channel').choices(CHANNELS))
    .option('--tag <tag>', 'only messages with this tag')
    .option('--batch <batchId>', 'only messages of this batch')
    .addOption(limitOption())
    .option('--cursor <cursor>', 'continue after a previous page (its nextCursor)')
    .action((opts: { account: number; status?: (typeof MESSAGE_STATUSES)[number]; channel?: Channel; tag?: string; batch?: string; limit: number; cursor?: string }) =>
      withCore(async (core) => {
        await getAccount(core, opts.account);
        const page = await listMessages(core, {
          accountId: opts.account, statuses: opts.status ? [opts.status] : undefined, channel: opts.channel, tag: opts.tag, batchId: opts.batch,
        }, { limit: opts.limit, cursor: opts.cursor });
        print({ items: page.items.map(messageView), nextCursor: page.nextCursor });
      }));

  program.command('show')
    .description('print one message with its recipients and events (the native API\'s GET /api/v1/messages/{id})')
    .argument('<messageId>', 'the message to show', id)
    .option('--account <id>', 'refuse the message unless this account owns it (default: any account)', id)
    .action((messageId: number, opts: { account?: number }) => withCore(async (core) => {
      // An operator at the database may look at any account's message; --account narrows it as the API's key does.
      const owner = opts.account ?? (await core.store.autocommit.getMessage(messageId))?.accountId;
      if (owner === undefined) throw new RelaisError('not_found', `message ${messageId} does not exist`, { messageId });
      print(messageDetailView(await getMessageDetail(core, owner, messageId)));
    }));

  program.command('cancel')
    .description('cancel one message by id, or every still-scheduled message matching the filters, and refund them (cutoff 0, as the native API)')
    .argument('[messageId]', 'the message to cancel', id)
    .requiredOption('--account <id>', 'account that owns the messages', id)
    .option('--tag <tag>', 'cancel the messages with this tag')
    .option('--batch <batchId>', 'cancel the messages of this batch')
    .addOption(new Option('--channel <channel>', 'narrow the selection to one channel').choices(CHANNELS))
    .option('--from <instant>', 'cancel the messages due at or after this RFC 3339 instant')
    .option('--until <instant>', 'cancel the messages due before this RFC 3339 instant')
    .option('--dry-run', 'only count what would be cancelled and refunded')
    .action((messageId: number | undefined, opts: { account: number; tag?: string; batch?: string; channel?: Channel; from?: string; until?: string; dryRun?: boolean }) =>
      withCore(async (core) => {
        await getAccount(core, opts.account);
        const dryRun = opts.dryRun ?? false;
        const selection = {
          ids: messageId === undefined ? undefined : [messageId], tag: opts.tag, batchId: opts.batch, channel: opts.channel,
          sendAtFrom: opts.from === undefined ? undefined : parseInstant(opts.from, '--from'),
          sendAtTo: opts.until === undefined ? undefined : parseInstant(opts.until, '--until'),
        };
        const { channel: _channel, ...selectors } = selection;
        if (Object.values(selectors).every((v) => v === undefined)) {
          throw new RelaisError('invalid_request', 'name a message id or at least one of --tag, --batch, --from, --until');
        }
        // A lone id goes through cancelMessage so that a refusal says why (too late, already sent…).
        const single = messageId !== undefined && Object.values(selection).filter((v) => v !== undefined).length === 1 && !dryRun;
        const r = single
          ? await cancelMessage(core, opts.account, messageId)
          : await cancelMessages(core, opts.account, selection, { dryRun });
        print(single ? cancelOneView(messageId, r) : cancelView(r, dryRun));
      }));

  program.command('outbox')
    .description('list what the outbox transport "sent", newest first (nothing leaves the machine)')
    .option('--account <id>', 'only this account\'s entries', id)
    .option('--message <messageId>', 'only this message\'s entries', id)
    .addOption(limitOption())
    .option('--cursor <cursor>', 'continue after a previous page (its nextCursor)')
    .action((opts: { account?: number; message?: number; limit: number; cursor?: string }) => withCore(async (core) => {
      if (opts.account !== undefined) await getAccount(core, opts.account);
      const page = await listOutbox(core, { accountId: opts.account, messageId: opts.message, limit: opts.limit, cursor: opts.cursor });
      print({ items: page.items.map(outboxView), nextCursor: page.nextCursor });
    }));
}
