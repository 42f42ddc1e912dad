import type { Transport } from '../../src/core/transport.js';
import { ProviderDouble } from '../helpers/provider.js';
import { transportContract } from './contract.js';

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
