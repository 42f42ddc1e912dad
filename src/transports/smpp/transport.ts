import type { Pdu } from 'smpp';
import type { TransportModule, TransportObserver } from '../../core/transport-module.js';
import type { InboundMessage, OutgoingMessage, Receipt, SendResult, Transport, TransportMessage, TransportRecipient } from '../../core/transport.js';
import { InFlight } from '../in-flight.js';
import { ESME_ROK, ESME_RX_T_APPN, refusal } from './command-status.js';
import { readDelivery, submitId } from './deliver.js';
import { destinationAddress, sourceAddress, submitBodies } from './encoding.js';
import { BindPool } from './pool.js';
import { MO_CHARS_PER_BIND, MO_OPEN_PER_BIND, MoReassembly } from './reassembly.js';
import { parseSmppSettings, SMPP_SETTINGS, type SmppSettings } from './settings.js';

/**
 * Sends SMS to an SMSC over SMPP 3.4 (DECISIONS §37): one submit_sm per part, on one bind, the
 * last part's message id as provider id; hands receipts and mobile-originated messages over,
 * and answers their deliver_sm only once they are recorded.
 */
export class SmppTransport implements Transport {
  readonly name = 'smpp';
  readonly rate: number | undefined;
  readonly concurrency: number;
  readonly defaultSender: string | undefined;
  private readonly inFlight = new InFlight();
  private readonly pool: BindPool;
  private readonly moParts: MoReassembly;
  private readonly observer: TransportObserver | undefined;
  private record: ((receipt: Receipt) => Promise<void>) | undefined;
  private handle: ((message: InboundMessage) => Promise<void>) | undefined;
  /** The concatenation reference of the next long message (8 bits, per transport). */
  private reference = Math.floor(Math.random() * 256);

  constructor(private readonly settings: SmppSettings, observer?: TransportObserver) {
    this.rate = settings.rate;
    this.concurrency = settings.concurrency;
    this.defaultSender = settings.source;
    this.observer = observer;
    // Per transport, not per bind: an SMSC may deliver the parts of one message on different binds.
    this.moParts = new MoReassembly(
      { maxOpen: MO_OPEN_PER_BIND * settings.binds, maxChars: MO_CHARS_PER_BIND * settings.binds, timeoutMs: settings.moPartsTimeoutMs },
      () => observer?.inbound?.(this.name, 'incomplete'),
    );
    this.pool = new BindPool(settings, { deliver: (pdu) => this.deliver(pdu), throttled: () => observer?.throttled(this.name) });
    this.pool.start();
  }

  send(message: TransportMessage, recipients: TransportRecipient[], opts: { signal: AbortSignal }): Promise<SendResult[]> {
    return this.inFlight.run(this.name, async () => {
      const results: SendResult[] = [];
      for (const r of recipients) results.push(await this.sendOne({ ...message, ...r }, opts.signal));
      return results;
    });
  }

  receipts(record: (receipt: Receipt) => Promise<void>): void {
    this.record = record;
  }

  inbound(handle: (message: InboundMessage) => Promise<void>): void {
    this.handle = handle;
  }

  async close(): Promise<void> {
    try {
      await this.inFlight.close();
      await this.pool.close();
    } finally {
      this.moParts.close();
    }
  }

  /**
   * Submits the parts in order on one bind. A part refused fails the recipient as the
   * command_status table says (earlier parts may have reached the handset); a connection lost
   * or an abort before the last answer is retryable: the SMSC may have taken the parts sent, the
   * duplicate window of DECISIONS §37.
   */
  private async sendOne(msg: OutgoingMessage, signal: AbortSignal): Promise<SendResult> {
    if (msg.content.channel !== 'sms') return { ok: false, retryable: false, reason: `the smpp transport sends sms, not ${msg.content.channel}` };
    const bodies = submitBodies(msg.content, this.settings.longMessages, this.reference++ % 256);
    if ('refused' in bodies) return { ok: false, retryable: false, reason: bodies.refused };
    const from = sourceAddress(msg.content.sender ?? this.defaultSender ?? null);
    const to = destinationAddress(msg.address);
    const addresses = {
      service_type: '', source_addr_ton: from.ton, source_addr_npi: from.npi, source_addr: from.addr,
      dest_addr_ton: to.ton, dest_addr_npi: to.npi, destination_addr: to.addr,
    };
    try {
      return await this.pool.use(signal, async (bind): Promise<SendResult> => {
        let messageId = '';
        for (const body of bodies) {
          const outcome = await bind.submit({ ...addresses, ...body }, signal);
          if (!outcome.ok) return 'status' in outcome ? refusal(outcome.status) : 'invalid' in outcome ? { ok: false, retryable: false, reason: outcome.invalid } : { ok: false, retryable: true, reason: outcome.lost };
          messageId = outcome.messageId;
        }
        return { ok: true, providerId: submitId(messageId, this.settings.idFormat) };
      });
    } catch (err) {
      return { ok: false, retryable: true, reason: signal.aborted ? 'the send was aborted' : (err as Error).message };
    }
  }

  /**
   * A deliver_sm: a final receipt to `record`, an MO message to `handle`, acknowledged once
   * they resolve. Without a handler, or when it throws, the answer is ESME_RX_T_APPN, so that
   * the SMSC delivers it again later; an intermediate receipt is only acknowledged, an unreadable
   * one acknowledged and counted (another delivery would not read better). A part of a long MO
   * message is acknowledged once kept; the part that completes it (and a copy of it meanwhile),
   * once core took the whole.
   */
  private async deliver(pdu: Pdu): Promise<number> {
    try {
      const delivery = readDelivery(pdu, this.settings.idFormat);
      if ('ignored' in delivery) return ESME_ROK;
      if ('unreadable' in delivery) {
        this.observer?.receipt?.(this.name, 'unreadable');
        return ESME_ROK;
      }
      if ('receipt' in delivery) {
        if (!this.record) return ESME_RX_T_APPN;
        await this.record(delivery.receipt);
        return ESME_ROK;
      }
      const handle = this.handle;
      if (!handle) return ESME_RX_T_APPN;
      if (!delivery.part) {
        await handle(delivery.inbound);
        return ESME_ROK;
      }
      return (await this.moParts.add(delivery.inbound, delivery.part, handle)) ? ESME_ROK : ESME_RX_T_APPN;
    } catch {
      return ESME_RX_T_APPN;
    }
  }
}

export const smppModule: TransportModule<SmppSettings> = {
  name: 'smpp',
  channels: ['sms'],
  settings: SMPP_SETTINGS,
  parse: parseSmppSettings,
  create: (settings, ctx) => new SmppTransport(settings, ctx.observer),
  startupWarnings: (settings) => settings.source === undefined
    ? ['RELAIS_SMPP_SOURCE is not set: a STOP replying to an SMS sent without a sender (none given, no account default) cannot be attributed and stops nothing; set it to the sender the SMSC uses by default']
    : [],
};
