import { outboxModule } from '../../src/transports/outbox.js';
import { allOutbox } from '../helpers/dispatch.js';
import { transportContract } from './contract.js';

// The outbox accepts whatever it is given and reports no receipts: the cases that need a provider
// to fail or to report are not registered here; they run against the scripted provider (scripted.test.ts).
transportContract({
  name: 'outbox',
  create: (core) => outboxModule.create(outboxModule.parse({ RATE: '' }), { clock: core.clock, outbox: core.store.autocommit, links: core.links }),
  received: async (t) => (await allOutbox(t.store)).map((o) => o.address),
});
