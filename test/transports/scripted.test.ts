import type { Core } from '../../src/core/context.js';
import type { Receipt, SendResult, Transport } from '../../src/core/transport.js';
import { ScriptedTransport } from '../helpers/dispatch.js';
import { transportContract } from './contract.js';

/** A provider double: answers what the test planned per address, and reports the receipts the test makes up. */
class ProviderDouble extends ScriptedTransport {
  readonly plan: Map<string, SendResult[]>;
  private record: ((receipt: Receipt) => Promise<void>) | undefined;

  constructor(core: Core) {
    const plan = new Map<string, SendResult[]>();
    super(core, (msg) => plan.get(msg.address)?.shift());
    this.plan = plan;
  }

  receipts(record: (receipt: Receipt) => Promise<void>): void {
    this.record = record;
  }

  report(receipt: Receipt): Promise<void> {
    if (!this.record) throw new Error('no worker listens for receipts');
    return this.record(receipt);
  }
}

const double = (t: Transport): ProviderDouble => t as ProviderDouble;

// Every case of the contract, with a provider that can fail and report receipts: the dispatcher
// and core paths that a real network transport takes.
transportContract({
  name: 'scripted provider',
  create: (core) => new ProviderDouble(core),
  received: async (_t, transport) => double(transport).calls.map((c) => c.address),
  failNext: (transport, address, results) => {
    double(transport).plan.set(address, [...results]);
  },
  receipt: (transport, receipt) => double(transport).report(receipt),
});
