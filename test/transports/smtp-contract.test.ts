import { after } from 'node:test';
import type { SendResult, Transport } from '../../src/core/transport.js';
import { smtpModule } from '../../src/transports/smtp.js';
import { transportContract } from './contract.js';
import { TestSmtpServer } from './smtp-server.js';

const server = await new TestSmtpServer().start();
after(() => server.close());

/** Where each transport's mails start in the server's list: every case has its own transport. */
const firstMail = new WeakMap<Transport, number>();

// The SMTP transport against a real smtp-server, carrying e-mail: a refusal is the server's own
// reply at RCPT TO (451 for a retryable one, 550 for a permanent one), which is what the
// transport reports, reply text and code.
transportContract({
  name: 'smtp',
  channel: 'email',
  create: (core) => {
    const settings = smtpModule.parse({ ...Object.fromEntries(Object.entries(smtpModule.settings).map(([k, s]) => [k, s.default])), URL: server.url });
    const transport = smtpModule.create(settings, { clock: core.clock, outbox: core.store.autocommit, links: core.links });
    firstMail.set(transport, server.received.length);
    return transport;
  },
  received: async (_t, transport) => server.received.slice(firstMail.get(transport)).flatMap((m) => m.to),
  failNext: (_transport, address, results): SendResult[] => results.map((r) => {
    if (r.ok) throw new Error('failNext is given failures');
    const code = r.retryable ? 451 : 550;
    server.refuse(address, { code, message: r.reason });
    return { ok: false, retryable: r.retryable, reason: `${code} ${r.reason}`, providerCode: String(code) };
  }),
});
