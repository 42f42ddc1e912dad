import { after } from 'node:test';
import type { Core } from '../../src/core/context.js';
import { receiveStatusCallback } from '../../src/core/status-callback-receipts.js';
import type { SendResult, Transport } from '../../src/core/transport.js';
import { httpModule } from '../../src/transports/http/module.js';
import { transportContract } from './contract.js';
import { TestHttpProvider } from './http-provider.js';

const provider = await new TestHttpProvider().start();
after(() => provider.close());

const env = { RELAIS_SMS_TRANSPORT: 'http', RELAIS_HTTP_URL: `${provider.url}/send`, RELAIS_HTTP_AUTH: 'bearer:contract' };
const defaults = Object.fromEntries(Object.entries(httpModule.settings).map(([k, s]) => [k, s.default]));

/** Where each transport's requests start in the provider's list, and the core whose status URL it was given. */
const firstRequest = new WeakMap<Transport, number>();
const coreOf = new WeakMap<Transport, Core>();

// The HTTP transport (webhook preset) against a real HTTP server. A refusal is the provider's
// JSON error (503: retryable, 400: permanent), reported as `HTTP <status>: <message>` with its
// code; a receipt is the JSON status callback the provider posts to the signed URL it was given,
// read by the module's reader and recorded by core, as the API route does.
transportContract({
  name: 'http',
  env,
  create: (core) => {
    const settings = httpModule.parse({ ...defaults, URL: env.RELAIS_HTTP_URL, AUTH: env.RELAIS_HTTP_AUTH });
    const transport = httpModule.create(settings, {
      clock: core.clock, outbox: core.store.autocommit, links: core.links, statusCallbackUrl: (name) => core.providerCallbacks.url(name),
    });
    firstRequest.set(transport, provider.requests.length);
    coreOf.set(transport, core);
    return transport;
  },
  received: async (_t, transport) => provider.requests.slice(firstRequest.get(transport)).map((r) => String(r.fields.to)),
  failNext: (_transport, address, results): SendResult[] => results.map((r) => {
    if (r.ok) throw new Error('failNext is given failures');
    const [status, code] = r.retryable ? [503, 'E503'] : [400, r.providerCode ?? 'E400'];
    provider.answerNext(address, [{ status, body: JSON.stringify({ code, message: r.reason }) }]);
    return { ok: false, retryable: r.retryable, reason: `HTTP ${status}: ${r.reason}`, providerCode: code };
  }),
  receipt: async (transport, receipt) => {
    const core = coreOf.get(transport)!;
    const url = new URL(core.providerCallbacks.url('http'));
    const callback = { id: receipt.providerId, status: receipt.status, reason: receipt.reason, code: receipt.providerCode, at: receipt.at };
    await receiveStatusCallback(core, 'http', url.pathname.split('/').pop()!, { contentType: 'application/json', headers: {}, body: Buffer.from(JSON.stringify(callback)) });
  },
});
