import type { Core } from '../../src/core/context.js';
import type { TransportObserver } from '../../src/core/transport-module.js';
import type { InboundMessage, OutgoingMessage, Receipt, SendResult } from '../../src/core/transport.js';
import { ScriptedTransport, type Scripted } from './dispatch.js';

/**
 * A provider double with every capability: answers what the test planned per address (else what
 * `script` says, else the outbox's accept), and reports the receipts and mobile-originated
 * messages the test makes up, through the handlers the worker gave it.
 */
export class ProviderDouble extends ScriptedTransport {
  readonly plan = new Map<string, SendResult[]>();
  private record: ((receipt: Receipt) => Promise<void>) | undefined;
  private handle: ((message: InboundMessage) => Promise<void>) | undefined;

  private readonly observer: TransportObserver;

  constructor(core: Core, script: (msg: OutgoingMessage) => Scripted | Promise<Scripted> = () => undefined) {
    super(core, (msg) => this.plan.get(msg.address)?.shift() ?? script(msg));
    // What the composition root passes a transport as TransportContext.observer.
    this.observer = core.observer;
  }

  /** The provider asks it to slow down (an SMPP ESME_RTHROTTLED, an HTTP 429). */
  throttle(): void {
    this.observer.throttled(this.name);
  }

  receipts(record: (receipt: Receipt) => Promise<void>): void {
    this.record = record;
  }

  inbound(handle: (message: InboundMessage) => Promise<void>): void {
    this.handle = handle;
  }

  report(receipt: Receipt): Promise<void> {
    if (!this.record) throw new Error('no worker listens for receipts');
    return this.record(receipt);
  }

  receive(message: InboundMessage): Promise<void> {
    if (!this.handle) throw new Error('no worker listens for inbound messages');
    return this.handle(message);
  }
}
