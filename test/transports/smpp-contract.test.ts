import { after } from 'node:test';
import type { Receipt, SendResult, Transport } from '../../src/core/transport.js';
import { smppModule } from '../../src/transports/smpp/transport.js';
import { transportContract } from './contract.js';
import { TestSmsc } from './smpp-server.js';

const server = await new TestSmsc().start();
after(() => server.close());

/** Where each transport's submits start in the server's list: every case has its own transport. */
const firstSubmit = new WeakMap<Transport, number>();

/** The command_status the SMSC answers for a refusal: an SMSC error (retryable) or a bad destination (permanent). */
const REFUSAL = { retryable: { status: 0x08, name: 'ESME_RSYSERR' }, permanent: { status: 0x0b, name: 'ESME_RINVDSTADR' } };

// The SMPP transport against a real SMSC (the smpp package's server): a refusal is a
// submit_sm_resp command_status, a receipt a deliver_sm with the receipt text, which carries a
// state word (the reason of an undelivered one) and an error code, and no time Relais reads.
transportContract({
  name: 'smpp',
  create: (core) => {
    const defaults = Object.fromEntries(Object.entries(smppModule.settings).map(([k, s]) => [k, s.default]));
    const transport = smppModule.create(smppModule.parse({ ...defaults, URL: server.url() }), { clock: core.clock, outbox: core.store.autocommit, links: core.links });
    firstSubmit.set(transport, server.submits.length);
    return transport;
  },
  received: async (_t, transport) => server.submits.slice(firstSubmit.get(transport)).filter((s) => s.messageId).map((s) => `+${String(s.pdu.destination_addr)}`),
  failNext: (_transport, address, results): SendResult[] => results.map((r) => {
    if (r.ok) throw new Error('failNext is given failures');
    const { status, name } = REFUSAL[r.retryable ? 'retryable' : 'permanent'];
    server.answer(address.replace(/^\+/, ''), status);
    return { ok: false, retryable: r.retryable, reason: `SMSC refused the message: ${name}`, providerCode: `0x${status.toString(16).toUpperCase().padStart(8, '0')}` };
  }),
  receipt: async (_transport, receipt): Promise<Receipt> => {
    const stat = receipt.status === 'delivered' ? 'DELIVRD' : 'UNDELIV';
    const err = receipt.providerCode ?? '000';
    await server.receipt(receipt.providerId, stat, err);
    return { providerId: receipt.providerId, status: receipt.status, ...(stat === 'UNDELIV' ? { reason: stat } : {}), providerCode: err };
  },
});
