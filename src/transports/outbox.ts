import type { Clock } from '../core/clock.js';
import type { OutboxPort } from '../core/ports.js';
import { countSmsSegments } from '../core/segments.js';
import { parseRate, settingVariable, type TransportModule } from '../core/transport-module.js';
import type { OutgoingMessage, SendResult, Transport, TransportMessage, TransportRecipient } from '../core/transport.js';
import { composeMime, renderMail, type MailSettings } from './email/mime.js';
import { InFlight } from './in-flight.js';

type OutboxWriter = Pick<OutboxPort, 'insertOutbox'>;

/** What the outbox keeps of an SMS or a call: what a real transport would have put on the wire. A mail: undefined (renderEmail). */
function renderText(msg: OutgoingMessage): Record<string, unknown> | undefined {
  const c = msg.content;
  switch (c.channel) {
    case 'sms': {
      const { encoding, segments } = countSmsSegments(c.text, { unicode: c.unicode });
      return { to: msg.address, from: c.sender, text: c.text, encoding, segments };
    }
    case 'voice':
      return { to: msg.address, from: c.sender, text: c.text, audioUrl: c.audioUrl };
    case 'email':
      return undefined;
  }
}

/**
 * What the outbox keeps of a mail: the recipient's copy (placeholders replaced by its links; the
 * text as given, null when the mail has only html), its signed links, and the whole MIME message
 * the SMTP transport would have sent it (transports/email/mime.ts), text part and attachments included.
 */
async function renderEmail(msg: OutgoingMessage, mail: MailSettings, now: number): Promise<Record<string, unknown>> {
  const { personal: p, options } = renderMail(msg, mail, now);
  return {
    to: msg.address, from: p.from, replyTo: p.replyTo, subject: p.subject, text: p.text, html: p.html,
    unsubscribeUrl: p.unsubscribeUrl, viewUrl: p.viewUrl, mime: await composeMime(options),
  };
}

/** The default transport for every channel: stores the rendered message, sends nothing. */
export class OutboxTransport implements Transport {
  readonly name = 'outbox';
  readonly rate: number | undefined;
  private readonly inFlight = new InFlight();

  constructor(private readonly writer: OutboxWriter, private readonly clock: Clock, private readonly mail: MailSettings, opts: { rate?: number } = {}) {
    this.rate = opts.rate;
  }

  send(message: TransportMessage, recipients: TransportRecipient[]): Promise<SendResult[]> {
    return this.inFlight.run(this.name, async () => {
      const ids = await this.sendWithin(this.writer, recipients.map((r) => ({ ...message, ...r })));
      return ids.map((providerId) => ({ ok: true, providerId }));
    });
  }

  /**
   * Writes the rows in `tx`, the transaction that records the sends (the in-store path); returns
   * their provider ids. A mail's MIME is composed here, inside the transaction: the in-store path
   * learns which messages it sends only in the transaction that takes them. Only mails pay for it;
   * an SMS or a call is rendered as before, without waiting on anything.
   */
  async sendWithin(tx: OutboxWriter, msgs: OutgoingMessage[]): Promise<string[]> {
    const sentAt = this.clock.now();
    const rendered = msgs.map(renderText);
    for (let i = 0; i < msgs.length; i++) rendered[i] ??= await renderEmail(msgs[i], this.mail, sentAt);
    const entries = await tx.insertOutbox(msgs.map((msg, i) => ({
      accountId: msg.accountId, messageId: msg.messageId, recipientId: msg.recipientId, channel: msg.channel,
      address: msg.address, rendered: rendered[i]!, sentAt,
    })));
    return entries.map((e) => `outbox-${e.id}`);
  }

  close(): Promise<void> {
    return this.inFlight.close();
  }
}

export const outboxModule: TransportModule<{ rate: number | undefined }> = {
  name: 'outbox',
  settings: {
    RATE: { default: '', doc: 'Messages per second the outbox takes, to try a client against a provider\'s limit; unset = no limit (and sends in store)' },
  },
  parse: (values) => ({ rate: parseRate(settingVariable('outbox', 'RATE'), values.RATE) }),
  create: (settings, ctx) => new OutboxTransport(ctx.outbox, ctx.clock, { links: ctx.links, unsubscribeMailto: ctx.unsubscribeMailto ?? null }, settings),
  inStore: (t) => (t instanceof OutboxTransport ? (tx, msgs) => t.sendWithin(tx, msgs) : undefined),
};
