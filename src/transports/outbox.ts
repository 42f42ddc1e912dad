import type { Clock } from '../core/clock.js';
import type { OutboxPort } from '../core/ports.js';
import { countSmsSegments } from '../core/segments.js';
import { parseRate, settingVariable, type TransportModule } from '../core/transport-module.js';
import type { OutgoingMessage, SendResult, Transport, TransportMessage, TransportRecipient } from '../core/transport.js';
import { InFlight } from './in-flight.js';

type OutboxWriter = Pick<OutboxPort, 'insertOutbox'>;

/** What the outbox keeps of a message: what a real transport would have put on the wire. */
export function render(msg: OutgoingMessage): Record<string, unknown> {
  const c = msg.content;
  switch (c.channel) {
    case 'sms': {
      const { encoding, segments } = countSmsSegments(c.text, { unicode: c.unicode });
      return { to: msg.address, from: c.sender, text: c.text, encoding, segments };
    }
    case 'email':
      return { to: msg.address, from: c.from, replyTo: c.replyTo, subject: c.subject, text: c.text, html: c.html };
    case 'voice':
      return { to: msg.address, from: c.sender, text: c.text, audioUrl: c.audioUrl };
  }
}

/** The default transport for every channel: stores the rendered message, sends nothing. */
export class OutboxTransport implements Transport {
  readonly name = 'outbox';
  readonly rate: number | undefined;
  private readonly inFlight = new InFlight();

  constructor(private readonly writer: OutboxWriter, private readonly clock: Clock, opts: { rate?: number } = {}) {
    this.rate = opts.rate;
  }

  send(message: TransportMessage, recipients: TransportRecipient[]): Promise<SendResult[]> {
    return this.inFlight.run(this.name, async () => {
      const ids = await this.sendWithin(this.writer, recipients.map((r) => ({ ...message, ...r })));
      return ids.map((providerId) => ({ ok: true, providerId }));
    });
  }

  /** Writes the rows in `tx`, the transaction that records the sends (the in-store path); returns their provider ids. */
  async sendWithin(tx: OutboxWriter, msgs: OutgoingMessage[]): Promise<string[]> {
    const sentAt = this.clock.now();
    const entries = await tx.insertOutbox(msgs.map((msg) => ({
      accountId: msg.accountId, messageId: msg.messageId, recipientId: msg.recipientId, channel: msg.channel,
      address: msg.address, rendered: render(msg), sentAt,
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
  create: (settings, ctx) => new OutboxTransport(ctx.outbox, ctx.clock, settings),
  inStore: (t) => (t instanceof OutboxTransport ? (tx, msgs) => t.sendWithin(tx, msgs) : undefined),
};
