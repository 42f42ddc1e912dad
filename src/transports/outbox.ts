import type { Clock } from '../core/clock.js';
import type { OutgoingMessage, SendResult, StoreTx, Transport } from '../core/ports.js';
import { countSmsSegments } from '../core/segments.js';

type OutboxWriter = Pick<StoreTx, 'insertOutbox'>;

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

  constructor(private readonly writer: OutboxWriter, private readonly clock: Clock) {}

  async send(msg: OutgoingMessage): Promise<SendResult> {
    const [id] = await this.sendWithin(this.writer, [msg]);
    return { ok: true, providerId: id };
  }

  async sendWithin(tx: OutboxWriter, msgs: OutgoingMessage[]): Promise<string[]> {
    const sentAt = this.clock.now();
    const entries = await tx.insertOutbox(msgs.map((msg) => ({
      accountId: msg.accountId, messageId: msg.messageId, recipientId: msg.recipientId, channel: msg.channel,
      address: msg.address, rendered: render(msg), sentAt,
    })));
    return entries.map((e) => `outbox-${e.id}`);
  }

  async close(): Promise<void> {}
}
