import type { Clock } from '../core/clock.js';
import type { OutboxPort } from '../core/ports.js';
import { countSmsSegments } from '../core/segments.js';
import { parseRate, settingVariable, type TransportModule } from '../core/transport-module.js';
import type { OutboxEntry } from '../core/types.js';
import type { OutgoingMessage, SendResult, Transport, TransportMessage, TransportRecipient } from '../core/transport.js';
import { renderMail, type MailSettings } from './email/mime.js';
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
      // The audio the call plays, which GET /outbox/{id}/audio serves; none for speech without a synthesizer.
      return { to: msg.address, from: c.sender, text: c.text, audioUrl: c.audioUrl, ...(c.audioToken ? { audioToken: c.audioToken } : {}) };
    case 'email':
      return undefined;
  }
}

/**
 * What the outbox keeps of a mail: the recipient's copy (placeholders replaced by its links; the
 * text as given, null when the mail has only html), its signed links and the headers fixed when it
 * was sent. Not the MIME message nor the attachments: one copy of a 5 MB attachment per recipient
 * would fill the store and the memory of the transaction that writes them. The API composes the
 * message on read, from this, the entry's time and the message's attachments (core's outboxMime).
 */
const renderEmail = (msg: OutgoingMessage, mail: MailSettings, now: number): Record<string, unknown> => ({ ...renderMail(msg, mail, now).kept });

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
   * their provider ids. SMS and calls go in one insert, as before; a mail's row is rendered and
   * inserted on its own, so that a chunk of large mails is never held in memory at once. Rows
   * are inserted in the order of `msgs`.
   */
  async sendWithin(tx: OutboxWriter, msgs: OutgoingMessage[]): Promise<string[]> {
    const sentAt = this.clock.now();
    const row = (msg: OutgoingMessage, rendered: Record<string, unknown>): Omit<OutboxEntry, 'id'> => ({
      accountId: msg.accountId, messageId: msg.messageId, recipientId: msg.recipientId, channel: msg.channel, address: msg.address, rendered, sentAt,
    });
    const ids: number[] = [];
    let batch: Omit<OutboxEntry, 'id'>[] = [];
    const flush = async () => {
      if (batch.length > 0) ids.push(...(await tx.insertOutbox(batch)).map((e) => e.id));
      batch = [];
    };
    for (const msg of msgs) {
      const text = renderText(msg);
      if (text) {
        batch.push(row(msg, text));
        continue;
      }
      await flush();
      ids.push(...(await tx.insertOutbox([row(msg, renderEmail(msg, this.mail, sentAt))])).map((e) => e.id));
    }
    await flush();
    return ids.map((id) => `outbox-${id}`);
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
